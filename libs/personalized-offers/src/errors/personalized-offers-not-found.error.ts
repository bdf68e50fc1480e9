import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * An offer is not among the user's offers as a read lists them (e.g. `getActivationStatus` paged
 * through the whole list without meeting it). Mastercard's own 404s stay
 * `PersonalizedOffersApiError` with `status` 404; both map to 404 `NOT_FOUND` in the filter.
 */
export class PersonalizedOffersNotFoundError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersNotFoundError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersNotFoundError';
  /** What was not found. */
  readonly resource: 'offer';

  constructor(resource: 'offer', message: string) {
    super('NOT_FOUND', message);
    this.resource = resource;
  }
}
