import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { PersonalizedOffersExceptionFilter, PersonalizedOffersModule } from 'nestjs-personalized-offers';
import { PersonalizedOffersHealthIndicator } from 'nestjs-personalized-offers/health';
import { HealthController } from './health.controller.js';
import { type Upstream, resolveUpstream } from './upstream.js';
import { AdminController, LoyaltyController } from './loyalty.controller.js';
import { OffersController } from './offers.controller.js';
import { UserTokenController } from './user-token.controller.js';

/** The {@link Upstream} the app resolved (its tests read the embedded simulator from it). */
export const UPSTREAM = Symbol('UPSTREAM');

/** Owns the upstream choice (and the embedded simulator's lifetime). */
@Module({})
class UpstreamModule implements OnApplicationShutdown {
  constructor(@Inject(UPSTREAM) private readonly upstream: Upstream) {}

  static register(env: NodeJS.ProcessEnv): DynamicModule {
    return {
      module: UpstreamModule,
      providers: [{ provide: UPSTREAM, useFactory: () => resolveUpstream(env) }],
      exports: [UPSTREAM],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.upstream.simulator?.stop();
  }
}

/** The example app: the signed-in cardholder's session token, and their offers, activations, feedback and savings. */
@Module({})
export class AppModule {
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersonalizedOffersModule.forRootAsync({
          imports: [UpstreamModule.register(env)],
          inject: [UPSTREAM],
          useFactory: (upstream: Upstream) => upstream.options,
        }),
        TerminusModule,
      ],
      controllers: [UserTokenController, OffersController, LoyaltyController, AdminController, HealthController],
      providers: [
        // Callers see 400/502/503/504 with a generic message, never upstream details.
        { provide: APP_FILTER, useClass: PersonalizedOffersExceptionFilter },
        // GET /health: the module's circuit breaker and token store (never calls Mastercard).
        PersonalizedOffersHealthIndicator,
      ],
    };
  }
}
