/**
 * `PersonalizedOffersHealthIndicator`, a `@nestjs/terminus` health indicator for a registration of
 * the module (circuit breaker, token store and OAuth 2.0 token state). Needs the optional peer
 * `@nestjs/terminus` (11 or 12).
 *
 * @module nestjs-personalized-offers/health
 */
// `nestjs-personalized-offers/health`: needs the optional peer `@nestjs/terminus` (11 or 12).
// The main entry never imports this folder, so apps without terminus are not affected.
export {
  PersonalizedOffersHealthIndicator,
  type PersonalizedOffersHealthDetails,
  type PersonalizedOffersHealthOptions,
} from './personalized-offers.health-indicator.js';
