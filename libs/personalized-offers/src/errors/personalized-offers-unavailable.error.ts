import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * The circuit breaker is open after consecutive upstream failures: the call failed fast without
 * a request. It half-opens after `halfOpenAfterMs` to let one probe through.
 */
export class PersonalizedOffersUnavailableError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersUnavailableError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersUnavailableError';

  constructor() {
    super('UNAVAILABLE', 'Personalized Offers API is unavailable: the circuit breaker is open after repeated failures.');
  }
}
