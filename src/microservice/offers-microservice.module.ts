import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type CacheOptions, PersonalizedOffersModule, type PersonalizedOffersModuleOptions } from 'nestjs-personalized-offers';
import type { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { OffersMicroserviceController } from './offers-microservice.controller.js';

const EMBEDDED_SIMULATOR = Symbol('EMBEDDED_SIMULATOR');

/** Stops an embedded simulator (a single instance started without the launcher) after the module. */
@Injectable()
class EmbeddedSimulatorLifetime implements OnApplicationShutdown {
  constructor(@Inject(EMBEDDED_SIMULATOR) private readonly simulator: PersonalizedOffersSimulator | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    await this.simulator?.stop();
  }
}

/** Options of {@link OffersMicroserviceModule.register}. */
export interface OffersMicroserviceOptions {
  /** How the module reaches Personalized Offers (as the HTTP example's, plus the shared token cache). */
  personalizedOffers: PersonalizedOffersModuleOptions;
  /** A simulator this instance started itself, stopped on shutdown. */
  embeddedSimulator?: PersonalizedOffersSimulator;
}

/**
 * The offers microservice: `PersonalizedOffersModule` plus the message handlers. Start it with
 * `NestFactory.createMicroservice(OffersMicroserviceModule.register(…), { transport: Transport.TCP, … })`.
 */
@Module({})
export class OffersMicroserviceModule {
  static register(options: OffersMicroserviceOptions): DynamicModule {
    return {
      module: OffersMicroserviceModule,
      imports: [PersonalizedOffersModule.forRoot(options.personalizedOffers)],
      controllers: [OffersMicroserviceController],
      providers: [{ provide: EMBEDDED_SIMULATOR, useValue: options.embeddedSimulator }, EmbeddedSimulatorLifetime],
    };
  }
}

/**
 * The module options with the token cache in Redis at `redisUrl` (keys under `keyPrefix`), as
 * README "Redis, for a fleet" describes: every instance pointed at the same Redis shares tokens.
 * Other cache settings (TTL, sizes, lock timings) are kept; `cache: false` stays off.
 */
export function withRedisTokenCache(options: PersonalizedOffersModuleOptions, redisUrl: string, keyPrefix = 'plo:'): PersonalizedOffersModuleOptions {
  if (options.cache === false) return options;
  const cache: CacheOptions = { ...options.cache, store: { redis: { url: redisUrl, keyPrefix } } };
  return { ...options, cache };
}
