import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * An answer's body passed `http.maxResponseBytes` (counted on decoded bytes, while reading): the
 * transfer was aborted and nothing of it kept. No real answer of this API is near the limit (a
 * 50-offer page is ~75 KiB): a misrouted proxy, a captive portal or a hostile peer is the usual
 * cause. Not retried. For a write that is never repeated, the executor reports it as
 * `PersonalizedOffersOutcomeUnknownError` (the request did arrive somewhere) with this as `cause`.
 */
export class PersonalizedOffersResponseTooLargeError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersResponseTooLargeError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersResponseTooLargeError';
  /** The configured limit, in bytes. */
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super('RESPONSE_TOO_LARGE', `Personalized Offers API answer exceeded http.maxResponseBytes (${limitBytes} bytes); the transfer was aborted.`);
    this.limitBytes = limitBytes;
  }
}
