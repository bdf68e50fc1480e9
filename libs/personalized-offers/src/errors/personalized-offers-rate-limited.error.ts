import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * The registration's rate limit (`rateLimit`) had no permit for this request within
 * `rateLimit.maxWaitMs`: the fleet (or this process, without a shared Redis store) is already
 * sending as fast as `rateLimit.requestsPerSecond` allows, or Mastercard asked the fleet to pause
 * (a 429 with `Retry-After`). Nothing was sent: it says nothing about Mastercard, so it never
 * counts against the API (no retry, no circuit breaker). Raise `rateLimit.requestsPerSecond` (if
 * your Mastercard project allows it) or `rateLimit.maxWaitMs`, or shed load before the module.
 */
export class PersonalizedOffersRateLimitedError extends PersonalizedOffersError {
  override name = 'PersonalizedOffersRateLimitedError';
  /** Milliseconds until a permit could be had at the time of the refusal (a hint: other callers may take it first). */
  readonly retryAfterMs: number;
  /** The `rateLimit.maxWaitMs` that was exceeded. */
  readonly maxWaitMs: number;

  constructor(retryAfterMs: number, maxWaitMs: number) {
    const after = Math.max(1, Math.ceil(retryAfterMs));
    super(
      'RATE_LIMITED',
      `The rate limit (rateLimit) had no permit within rateLimit.maxWaitMs (${maxWaitMs} ms); the next would come in ${after} ms. The request was not sent.`,
    );
    this.retryAfterMs = after;
    this.maxWaitMs = maxWaitMs;
  }
}
