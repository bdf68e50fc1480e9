import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * The module's own request queue could not take the call: it waited longer than
 * `http.queueTimeoutMs` for one of the `http.maxSockets` connections (`reason: 'queue-timeout'`),
 * `http.maxQueueLength` calls were already waiting (`'queue-full'`), or the application is
 * shutting down (`'closed'`: the call was waiting, or came after the module was destroyed). Nothing was sent: it says
 * nothing about Mastercard, so it never counts against the API (no retry, no circuit breaker).
 * Raise `http.maxSockets` or `http.queueTimeoutMs`, or shed load before the module.
 */
export class PersonalizedOffersOverloadedError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersOverloadedError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersOverloadedError';
  /** Why the call was refused: `queue-timeout`, `queue-full` or `closed` (see above). */
  readonly reason: 'queue-timeout' | 'queue-full' | 'closed';
  /** The limit that was reached: milliseconds waited (`queue-timeout`) or calls waiting (`queue-full`); 0 for `closed`. */
  readonly limit: number;

  constructor(reason: 'queue-timeout' | 'queue-full' | 'closed', limit: number) {
    super(
      'OVERLOADED',
      reason === 'queue-timeout'
        ? `No connection to the Personalized Offers API became free within http.queueTimeoutMs (${limit} ms); the request was not sent.`
        : reason === 'queue-full'
          ? `The module's request queue is full (http.maxQueueLength ${limit}); the request was not sent.`
          : 'The application is shutting down (the Personalized Offers module was destroyed); the request was not sent.',
    );
    this.reason = reason;
    this.limit = limit;
  }
}
