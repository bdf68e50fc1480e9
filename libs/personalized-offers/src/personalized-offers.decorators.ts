import { Inject } from '@nestjs/common';
import {
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_TOKEN_STORE,
} from './personalized-offers.constants.js';

/** Injects the configured Financial Institution id (`string`). */
export const InjectFId = (): ParameterDecorator & PropertyDecorator => Inject(PERSONALIZED_OFFERS_FID);
/** Injects the parsed AuthInfo key material (`AuthInfoKeyMaterial`). */
export const InjectAuthInfoKeyMaterial = (): ParameterDecorator & PropertyDecorator => Inject(PERSONALIZED_OFFERS_KEY_MATERIAL);
/** Injects the module's `Clock`. */
export const InjectClock = (): ParameterDecorator & PropertyDecorator => Inject(PERSONALIZED_OFFERS_CLOCK);
/** Injects the module's own `HttpService`, e.g. to add axios interceptors that apply to its calls. */
export const InjectPersonalizedOffersHttp = (): ParameterDecorator & PropertyDecorator => Inject(PERSONALIZED_OFFERS_HTTP);
/** Injects the active `TokenStore` (`null` when caching is off). */
export const InjectTokenStore = (): ParameterDecorator & PropertyDecorator => Inject(PERSONALIZED_OFFERS_TOKEN_STORE);
