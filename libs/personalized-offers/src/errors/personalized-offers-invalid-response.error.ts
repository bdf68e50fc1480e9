import { PersonalizedOffersApiError, type PersonalizedOffersApiErrorFields } from './personalized-offers-api.error.js';

/**
 * Mastercard answered with a success status, but the body is not the operation's model (not
 * JSON, the wrong shape, a wrong type). A subclass of `PersonalizedOffersApiError`, so code that
 * handles API errors keeps working; `bodyExcerpt` holds a redacted excerpt.
 */
export class PersonalizedOffersInvalidResponseError extends PersonalizedOffersApiError {
  /** Always `'PersonalizedOffersInvalidResponseError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersInvalidResponseError';

  constructor(message: string, fields: PersonalizedOffersApiErrorFields) {
    super(message, fields, 'INVALID_RESPONSE');
  }
}
