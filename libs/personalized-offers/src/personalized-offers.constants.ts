/** Mastercard production host (v1.5 servers are host-only; operations carry their full paths). */
export const PRODUCTION_BASE_URL = 'https://api.mastercard.com';
/** Mastercard sandbox host. */
export const SANDBOX_BASE_URL = 'https://sandbox.api.mastercard.com';

/** Injection token of the configured Financial Institution id (a `string`). */
export const PERSONALIZED_OFFERS_FID = Symbol('PERSONALIZED_OFFERS_FID');
/** Injection token of the parsed AuthInfo key material (an `AuthInfoKeyMaterial`). */
export const PERSONALIZED_OFFERS_KEY_MATERIAL = Symbol('PERSONALIZED_OFFERS_KEY_MATERIAL');
/** Injection token of the module's `Clock` (defaults to `Date.now`). */
export const PERSONALIZED_OFFERS_CLOCK = Symbol('PERSONALIZED_OFFERS_CLOCK');
/** Injection token of the module's own `HttpService` (its own axios instance). */
export const PERSONALIZED_OFFERS_HTTP = Symbol('PERSONALIZED_OFFERS_HTTP');
/** Injection token of the active `TokenStore` (`null` when caching is off). */
export const PERSONALIZED_OFFERS_TOKEN_STORE = Symbol('PERSONALIZED_OFFERS_TOKEN_STORE');
/** Injection token of the validated, normalized options (internal). */
export const PERSONALIZED_OFFERS_RESOLVED_OPTIONS = Symbol('PERSONALIZED_OFFERS_RESOLVED_OPTIONS');

/** Injection token of the registration's name (`string`, or `null` for the default registration; internal). */
export const PERSONALIZED_OFFERS_REGISTRATION = Symbol('PERSONALIZED_OFFERS_REGISTRATION');

/** Logger context of everything this module logs. */
export const LOGGER_CONTEXT = 'PersonalizedOffers';
