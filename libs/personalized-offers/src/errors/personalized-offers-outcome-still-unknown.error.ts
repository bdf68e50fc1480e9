import { PersonalizedOffersOutcomeUnknownError } from './personalized-offers-outcome-unknown.error.js';

/**
 * `ensureActivated` could not settle an activation whose outcome was unknown: the re-reads
 * failed, or the activation stayed pending (`QUEUED`) past `pendingTimeoutMs`. It was not sent
 * again. Still an outcome-unknown error (code `OUTCOME_UNKNOWN`): check the state later with
 * `getActivationStatus` before trying again. `cause` is the last error met (the write's, or a
 * read's).
 */
export class PersonalizedOffersOutcomeStillUnknownError extends PersonalizedOffersOutcomeUnknownError {
  /** Always `'PersonalizedOffersOutcomeStillUnknownError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersOutcomeStillUnknownError';
  /** True when the last read showed the activation pending (queued, not active yet). */
  readonly pending: boolean;
  /** State reads made to settle it. */
  readonly reads: number;

  constructor(operation: string, options: { pending: boolean; reads: number; timedOut: boolean; cause: Error }) {
    super(operation, { timedOut: options.timedOut, cause: options.cause });
    this.message = options.pending
      ? `${operation} is still pending after ${options.reads} state reads: whether it takes effect is unknown. It was not sent again; check getActivationStatus later.`
      : `${operation} may or may not have taken effect, and ${options.reads} state reads could not tell. It was not sent again; check getActivationStatus before trying again.`;
    this.pending = options.pending;
    this.reads = options.reads;
  }
}
