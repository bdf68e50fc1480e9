import { Inject, Injectable } from '@nestjs/common';
import { TokenCache, type TokenNamespace } from '../../cache/token.cache.js';
import type { ResolvedPersonalizedOffersOptions } from '../../config/resolve-options.js';
import { findIdentifierProblem } from '../../crypto/identifier.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../../errors/invalid-user-id.error.js';
import { OperationExecutor } from '../../operations/operation-executor.js';
import { isUtcOffset } from '../../operations/param-checks.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../../personalized-offers.constants.js';
import { createAccessTokenOperation } from './access-token.operation.js';

/** Options of the access-token calls. */
export interface AccessTokenCallOptions {
  /** The user's UTC offset, `±HH:MM`; it is baked into the token. @default the module's `accessTokens.defaultUtcOffset` */
  utcOffset?: string;
}

/**
 * Access tokens (`X-Auth-Token`) of the current API, minted per (fId, userId, utcOffset) with
 * POST `/loyalty/offers/user-presentment/access-tokens`. Mastercard sends no expiry, so the
 * lifetime is configuration: a cached token is served until `ttlMs - refreshBeforeMs`, then
 * minted again; one mint per key at a time, in the process and across a fleet (the same token
 * store as user tokens, its own namespace).
 */
@Injectable()
export class AccessTokenService {
  private readonly fId: string;
  private readonly defaultUtcOffset: string;
  private readonly namespace: TokenNamespace;

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    private readonly executor: OperationExecutor,
    private readonly cache: TokenCache,
  ) {
    this.fId = options.fId;
    this.defaultUtcOffset = options.accessTokens.defaultUtcOffset;
    this.namespace = { kind: 'access', prefix: 'at:', ttlMs: options.accessTokens.ttlMs - options.accessTokens.refreshBeforeMs };
  }

  /**
   * Mints a new access token for `userId` (no cache).
   * @throws InvalidUserIdError / InvalidArgumentError before any network I/O.
   */
  async createAccessToken(userId: string, options?: AccessTokenCallOptions): Promise<string> {
    const utcOffset = this.check(userId, options);
    return await this.executor.execute(createAccessTokenOperation, { userId, utcOffset }, undefined, { userId });
  }

  /**
   * The access token for `userId`, from the cache while it is fresh, else minted (concurrent
   * callers share one mint). `{ refresh: true }` mints a new one and stores it.
   */
  getAccessToken(userId: string, options?: AccessTokenCallOptions & { refresh?: boolean }): Promise<string> {
    // Not `async`, and the default offset (checked at start-up) is not checked again: a cache hit
    // costs one identifier check and one lookup.
    let utcOffset: string;
    if (options?.utcOffset === undefined) {
      const problem = findIdentifierProblem(userId);
      if (problem) return Promise.reject(new InvalidUserIdError(problem));
      utcOffset = this.defaultUtcOffset;
    } else {
      try {
        utcOffset = this.check(userId, options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const key = `${this.fId}:${userId}:${utcOffset}`;
    const refresh = options?.refresh === true;
    if (!refresh) {
      const hit = this.cache.peek(this.namespace, key);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    return this.cache.get(this.namespace, key, () => this.executor.execute(createAccessTokenOperation, { userId, utcOffset }, undefined, { userId }), refresh);
  }

  /** Drops `userId`'s cached access token (every tier). */
  async invalidateAccessToken(userId: string, options?: AccessTokenCallOptions): Promise<void> {
    const utcOffset = this.check(userId, options);
    await this.cache.invalidate(this.namespace, `${this.fId}:${userId}:${utcOffset}`);
  }

  /** Validates before any I/O; returns the UTC offset to use. */
  private check(userId: string, options: AccessTokenCallOptions | undefined): string {
    const problem = findIdentifierProblem(userId);
    if (problem) throw new InvalidUserIdError(problem);
    const utcOffset = options?.utcOffset ?? this.defaultUtcOffset;
    if (!isUtcOffset(utcOffset)) throw new InvalidArgumentError('utcOffset', "must be a UTC offset such as '+00:00' or '-07:00'");
    return utcOffset;
  }
}
