import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * The shared token store could not carry out an explicit request (an invalidation). Reads and
 * writes never throw this: they fall back to process memory and the upstream.
 */
export class PersonalizedOffersCacheError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersCacheError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersCacheError';

  constructor(message: string, cause?: Error) {
    super('CACHE_UNAVAILABLE', message, { cause });
  }
}
