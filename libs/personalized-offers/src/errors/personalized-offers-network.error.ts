import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * The request did not get an HTTP response: a timeout, a refused or reset connection, a DNS
 * failure. `cause` is a plain `Error` carrying only the low-level code and message, never the
 * request (axios errors carry its URL and headers).
 */
export class PersonalizedOffersNetworkError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersNetworkError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersNetworkError';
  /** True when the request was aborted by the configured timeout. */
  readonly timedOut: boolean;
  /** Mastercard's `X-MC-Correlation-ID`, when an answer had started (its headers arrived) before the failure. */
  declare readonly correlationId?: string;

  constructor(message: string, options: { timedOut: boolean; cause?: Error; correlationId?: string }) {
    super(options.timedOut ? 'NETWORK_TIMEOUT' : 'NETWORK_ERROR', message, { cause: options.cause });
    this.timedOut = options.timedOut;
    if (options.correlationId !== undefined) (this as { correlationId?: string }).correlationId = options.correlationId;
  }
}
