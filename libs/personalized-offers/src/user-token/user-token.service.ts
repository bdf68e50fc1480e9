import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { AuthInfoCryptoService } from '../crypto/auth-info-crypto.service.js';
import { authInfoNotConfigured } from '../crypto/auth-info-key-material.js';
import { findIdentifierProblem } from '../crypto/identifier.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError, describeIdentifierProblem } from '../errors/invalid-user-id.error.js';
import { TokenCache } from '../cache/token.cache.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { OperationExecutor } from '../operations/operation-executor.js';
import { MAX_TOKEN_LENGTH, isUsableToken } from '../operations/credential.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { getUserTokenOperation } from './user-token.operation.js';
import type { UserTokenResponse } from './user-token.response.js';

const AUTH_INFO = /^[A-Za-z0-9+/=_-]+$/;

/** Obtains user session tokens from `GET /plo/v1/usertoken`. */
@Injectable()
export class UserTokenService {
  private readonly fId: string;
  /** False in a module without `authInfo`: every user-token call is then refused before any I/O. */
  private readonly hasAuthInfo: boolean;

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    private readonly crypto: AuthInfoCryptoService,
    private readonly executor: OperationExecutor,
    private readonly cache: TokenCache,
  ) {
    this.fId = options.fId;
    this.hasAuthInfo = options.keyMaterial !== null;
  }

  /**
   * The user session token for `userId`: from the cache when it holds one; otherwise encrypts a
   * fresh AuthInfo for the configured fId, calls `GET /plo/v1/usertoken`, checks
   * `Status.Code === '600'` and a non-empty token, and caches it. Concurrent calls for one user
   * share one request. `{ refresh: true }` skips the cache and stores the new token.
   * @throws PersonalizedOffersConfigError (setting `authInfo`) before any I/O when the module has no `authInfo`.
   * @throws InvalidUserIdError before any network I/O when `userId` cannot go into AuthInfo.
   * @throws PersonalizedOffersApiError when the API refuses or answers without a token.
   * @throws PersonalizedOffersNetworkError when no response arrives.
   */
  getUserToken(userId: string, options?: { refresh?: boolean }): Promise<string> {
    if (!this.hasAuthInfo) return Promise.reject(authInfoNotConfigured('UserTokenService.getUserToken'));
    // Not `async`: a cache hit or a joined flight returns without an extra promise per caller.
    const problem = findIdentifierProblem(userId);
    if (problem) return Promise.reject(new InvalidUserIdError(problem));
    const key = `${this.fId}:${userId}`;
    const refresh = options?.refresh === true;
    if (!refresh) {
      const hit = this.cache.peek(this.cache.userTokens, key);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    return this.cache.get(this.cache.userTokens, key, () => this.fetchUserToken(userId), refresh);
  }

  /**
   * Removes `userId`'s token from every tier of the cache (process memory and the shared store).
   * @throws PersonalizedOffersCacheError when the shared store cannot be reached.
   */
  async invalidateUserToken(userId: string): Promise<void> {
    const problem = findIdentifierProblem(userId);
    if (problem) throw new InvalidUserIdError(problem);
    await this.cache.invalidate(this.cache.userTokens, `${this.fId}:${userId}`);
  }

  /** One upstream round trip for `userId`'s token, no cache. */
  private async fetchUserToken(userId: string): Promise<string> {
    const authInfo = this.crypto.encrypt(userId);
    const { Status, UserToken } = await this.executor.execute(getUserTokenOperation, { fId: this.fId, authInfo }, undefined, { userId });
    if (!UserToken?.Token) {
      const error = new PersonalizedOffersApiError('Personalized Offers API returned success without a user token.', {
        status: 200,
        apiStatus: { code: Status.Code },
      });
      error.operation = getUserTokenOperation.id;
      throw error;
    }
    if (!isUsableToken(UserToken.Token)) {
      // Never cached: a token that cannot be sent would fail every call of this user until evicted.
      const error = new PersonalizedOffersInvalidResponseError(
        `Personalized Offers API issued a user token that cannot be used (not printable ASCII, or over ${MAX_TOKEN_LENGTH} characters).`,
        { status: 200 },
      );
      error.operation = getUserTokenOperation.id;
      throw error;
    }
    return UserToken.Token;
  }

  /**
   * The raw operation of the generated client: `GET /plo/v1/usertoken?FId=…&AuthInfo=…`.
   * Returns the validated response model whatever its `Status.Code`.
   * @throws PersonalizedOffersConfigError (setting `authInfo`) before any I/O when the module has no `authInfo`.
   * @throws InvalidArgumentError before any network I/O for an unusable fId or AuthInfo.
   * @throws PersonalizedOffersApiError for HTTP status ≥ 400 or a body that is not the model.
   * @throws PersonalizedOffersNetworkError when no response arrives.
   */
  async usertokenGet(fId: string, authInfo: string): Promise<UserTokenResponse> {
    // The AuthInfo is the caller's here, but a module without authInfo serves no legacy call at all.
    if (!this.hasAuthInfo) throw authInfoNotConfigured('UserTokenService.usertokenGet');
    // The configured fId was validated at start-up; only another one needs the check.
    const fIdProblem = fId === this.fId ? undefined : findIdentifierProblem(fId);
    if (fIdProblem) throw new InvalidArgumentError('fId', describeIdentifierProblem(fIdProblem));
    if (typeof authInfo !== 'string' || !AUTH_INFO.test(authInfo)) {
      throw new InvalidArgumentError('authInfo', 'must be a non-empty hex or base64 string');
    }
    return await this.executor.executeRaw(getUserTokenOperation, { fId, authInfo });
  }
}
