// `nestjs-personalized-offers/health`: needs the optional peer `@nestjs/terminus` (11 or 12).
// The main entry never imports this folder, so apps without terminus are not affected.
export {
  PersonalizedOffersHealthIndicator,
  type PersonalizedOffersHealthDetails,
  type PersonalizedOffersHealthOptions,
} from './personalized-offers.health-indicator.js';
