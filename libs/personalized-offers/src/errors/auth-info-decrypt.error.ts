import { PersonalizedOffersError } from './personalized-offers.error.js';

/** An AuthInfo string that does not decode, decrypt or parse under the configured format. */
export class AuthInfoDecryptError extends PersonalizedOffersError {
  /** Always `'AuthInfoDecryptError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'AuthInfoDecryptError';

  /**
   * @param reason Which step failed: `encoding` (not valid base64/hex under the configured
   *   encoding), `length` (not a whole number of cipher blocks), `decryption` (wrong key or IV,
   *   bad padding) or `format` (decrypted, but not `userId:fId:unixTime`).
   */
  constructor(readonly reason: 'encoding' | 'length' | 'decryption' | 'format') {
    super('AUTHINFO_INVALID', `AuthInfo could not be decrypted (${reason}).`);
  }
}
