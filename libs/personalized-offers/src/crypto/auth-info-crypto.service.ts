import { Injectable } from '@nestjs/common';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { Clock } from '../interfaces/index.js';
import { InjectAuthInfoKeyMaterial, InjectClock, InjectFId } from '../personalized-offers.decorators.js';
import { AuthInfoKeyMaterial, authInfoNotConfigured } from './auth-info-key-material.js';
import { type AuthInfoPlaintext, decryptAuthInfo, encryptAuthInfo } from './auth-info.codec.js';
import { findIdentifierProblem } from './identifier.js';

/**
 * Builds and reads AuthInfo (`userId:fId:unixTime`, AES-128) for the configured fId. In a module
 * without `authInfo`, every call throws a `PersonalizedOffersConfigError` naming `authInfo`.
 */
@Injectable()
export class AuthInfoCryptoService {
  constructor(
    @InjectFId() private readonly fId: string,
    @InjectAuthInfoKeyMaterial() private readonly material: AuthInfoKeyMaterial | null,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /** True when the module has AuthInfo key material (`authInfo` / `PLO_AUTHINFO_KEY`). */
  get configured(): boolean {
    return this.material !== null;
  }

  /**
   * AuthInfo for `userId` under the configured fId and format.
   * @param unixTime whole seconds since the epoch; defaults to now, from the injected clock.
   * @throws InvalidUserIdError when `userId` is empty, too long, or has `:` or control characters.
   * @throws PersonalizedOffersConfigError when the module has no `authInfo`.
   */
  encrypt(userId: string, unixTime?: number): string {
    if (this.material === null) throw authInfoNotConfigured('AuthInfoCryptoService.encrypt');
    const problem = findIdentifierProblem(userId);
    if (problem) throw new InvalidUserIdError(problem);
    const time = unixTime ?? Math.floor(this.clock.now() / 1000);
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new InvalidArgumentError('unixTime', 'must be a non-negative whole number of seconds');
    }
    return encryptAuthInfo(this.material, `${userId}:${this.fId}:${time}`);
  }

  /**
   * Reads an AuthInfo made under the configured key material.
   * @throws AuthInfoDecryptError when it does not decode, decrypt or parse.
   * @throws PersonalizedOffersConfigError when the module has no `authInfo`.
   */
  decrypt(authInfo: string): AuthInfoPlaintext {
    if (this.material === null) throw authInfoNotConfigured('AuthInfoCryptoService.decrypt');
    return decryptAuthInfo(this.material, authInfo);
  }
}
