import type { ResolvedHttpOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import type { RetryClass } from '../operations/operation.js';
import type { HttpResult } from './http-result.js';
import { parseRetryAfter } from './response-parser.js';

/** What one attempt produced: a response of any status, or a transport failure. */
export type AttemptOutcome = HttpResult | PersonalizedOffersNetworkError;

/** Statuses worth another attempt: the server is overloaded or failing, not refusing us. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** True when an outcome counts as an upstream failure (for retries and for the breaker). */
export function isUpstreamFailure(outcome: AttemptOutcome): boolean {
  return outcome instanceof PersonalizedOffersNetworkError || isRetryableStatus(outcome.status);
}

/** Transport failures that prove the request never left this machine: safe to resend anything. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** True when `outcome` shows the request never reached the server (so nothing can have happened). */
export function provablyNotSent(outcome: AttemptOutcome): boolean {
  if (!(outcome instanceof PersonalizedOffersNetworkError) || outcome.timedOut) return false;
  return NOT_SENT_CODES.has(String((outcome.cause as { code?: unknown } | undefined)?.code));
}

/**
 * Retries on network errors, timeouts, 5xx and 429, never on other 4xx; an operation of retry
 * class `never` only when its request provably never left. Waits with exponential backoff and full jitter, or the server's `Retry-After` (429/503),
 * each capped by `maxDelayMs`.
 */
export class RetryPolicy {
  constructor(
    private readonly options: ResolvedHttpOptions['retry'],
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts allowed in all (first + retries). */
  get maxAttempts(): number {
    return this.options ? this.options.retries + 1 : 1;
  }

  /** The wait before attempt `attempt + 1`, or `undefined` when no retry should happen. */
  delayBeforeRetry(attempt: number, outcome: AttemptOutcome, retry: RetryClass): number | undefined {
    if (!this.options || attempt >= this.maxAttempts) return undefined;
    if (!isUpstreamFailure(outcome)) return undefined;
    if (retry === 'never' && !provablyNotSent(outcome)) return undefined;
    const { minDelayMs, maxDelayMs } = this.options;
    if (!(outcome instanceof PersonalizedOffersNetworkError) && (outcome.status === 429 || outcome.status === 503)) {
      const retryAfter = parseRetryAfter(outcome.headers['retry-after']);
      if (retryAfter !== undefined) return Math.min(retryAfter, maxDelayMs);
    }
    const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }
}
