import { PersonalizedOffersError } from './personalized-offers.error.js';

/** An AuthInfo string that does not decode, decrypt or parse under the configured format. */
export class AuthInfoDecryptError extends PersonalizedOffersError {
  override name = 'AuthInfoDecryptError';

  constructor(readonly reason: 'encoding' | 'length' | 'decryption' | 'format') {
    super('AUTHINFO_INVALID', `AuthInfo could not be decrypted (${reason}).`);
  }
}
