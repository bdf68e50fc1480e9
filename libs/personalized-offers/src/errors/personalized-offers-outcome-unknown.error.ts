import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * A write that must not be repeated (an activation) failed after its request may have reached
 * Mastercard: a timeout, a reset connection or a 5xx. It was not retried. Whether it took effect
 * is unknown: re-read the state (e.g. the offer's `ActiveSc`) before trying again. `cause` is the
 * underlying network or API error.
 */
export class PersonalizedOffersOutcomeUnknownError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersOutcomeUnknownError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersOutcomeUnknownError';
  /** True when the attempt ended by the configured timeout. */
  readonly timedOut: boolean;

  constructor(operation: string, options: { timedOut: boolean; cause: Error }) {
    super(
      'OUTCOME_UNKNOWN',
      `${operation} may or may not have taken effect: its request may have reached Mastercard (${options.timedOut ? 'timed out' : 'no usable answer'}), and it is never repeated automatically. Re-read the state before trying again.`,
      { cause: options.cause },
    );
    this.timedOut = options.timedOut;
    this.operation = operation;
  }
}
