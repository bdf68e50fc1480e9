import { HttpService } from '@nestjs/axios';
import type { Provider } from '@nestjs/common';
import axios from 'axios';
import { type ResolvedPersonalizedOffersOptions, resolveOptions } from './config/resolve-options.js';
import { systemClock } from './crypto/system-clock.js';
import type { PersonalizedOffersModuleOptions } from './interfaces/index.js';
import {
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_RESOLVED_OPTIONS,
} from './personalized-offers.constants.js';
import { PERSONALIZED_OFFERS_MODULE_OPTIONS } from './personalized-offers.module-definition.js';

/** Config providers: options validated once at start-up, then the fId and key material from them. */
export const configProviders: Provider[] = [
  {
    provide: PERSONALIZED_OFFERS_RESOLVED_OPTIONS,
    useFactory: (options: PersonalizedOffersModuleOptions) => resolveOptions(options),
    inject: [PERSONALIZED_OFFERS_MODULE_OPTIONS],
  },
  {
    provide: PERSONALIZED_OFFERS_FID,
    useFactory: (resolved: ResolvedPersonalizedOffersOptions) => resolved.fId,
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS],
  },
  {
    provide: PERSONALIZED_OFFERS_KEY_MATERIAL,
    useFactory: (resolved: ResolvedPersonalizedOffersOptions) => resolved.keyMaterial,
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS],
  },
  { provide: PERSONALIZED_OFFERS_CLOCK, useValue: systemClock },
];

/**
 * The module's own `HttpService` over its own axios instance, so its settings and interceptors
 * never touch the application's default axios. Redirects are not followed: a redirect would
 * carry the AuthInfo query to another URL.
 */
export const httpProviders: Provider[] = [
  {
    provide: PERSONALIZED_OFFERS_HTTP,
    useFactory: () => new HttpService(axios.create({ maxRedirects: 0 })),
  },
];
