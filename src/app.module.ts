import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { PersonalizedOffersExceptionFilter, PersonalizedOffersModule } from 'nestjs-personalized-offers';
import { PersonalizedOffersHealthIndicator } from 'nestjs-personalized-offers/health';
import { HealthController } from './health.controller.js';
import { BANKS, type BankName, type Upstream, resolveBankUpstream, resolveUpstream } from './upstream.js';
import { BanksController, bankServicesProvider } from './banks.controller.js';
import { AdminController, LoyaltyController } from './loyalty.controller.js';
import { OffersController } from './offers.controller.js';
import { UserTokenController } from './user-token.controller.js';

/** The {@link Upstream} the app resolved (its tests read the embedded simulator from it). */
export const UPSTREAM = Symbol('UPSTREAM');

/** Each bank's {@link Upstream}, by bank name (its tests read the banks' embedded simulators from it). */
export const BANK_UPSTREAMS = Symbol('BANK_UPSTREAMS');

/** The injection token of one bank's {@link Upstream}. */
export const bankUpstreamToken = (bank: BankName): string => `ExampleApp:upstream:${bank}`;

/** Owns the upstream choices (and the embedded simulators' lifetimes). */
@Module({})
class UpstreamModule implements OnApplicationShutdown {
  constructor(
    @Inject(UPSTREAM) private readonly upstream: Upstream,
    @Inject(BANK_UPSTREAMS) private readonly banks: ReadonlyMap<BankName, Upstream>,
  ) {}

  static register(env: NodeJS.ProcessEnv): DynamicModule {
    return {
      module: UpstreamModule,
      providers: [
        { provide: UPSTREAM, useFactory: () => resolveUpstream(env) },
        ...BANKS.map((bank) => ({ provide: bankUpstreamToken(bank), useFactory: () => resolveBankUpstream(bank, env) })),
        {
          provide: BANK_UPSTREAMS,
          useFactory: (...upstreams: Upstream[]) => new Map(BANKS.map((bank, i) => [bank, upstreams[i]])),
          inject: BANKS.map(bankUpstreamToken),
        },
      ],
      exports: [UPSTREAM, BANK_UPSTREAMS, ...BANKS.map(bankUpstreamToken)],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    const simulators = [this.upstream, ...this.banks.values()].flatMap((upstream) => (upstream.simulator ? [upstream.simulator] : []));
    await Promise.all(simulators.map((simulator) => simulator.stop()));
  }
}

/**
 * The example app: the signed-in cardholder's session token, and their offers, activations,
 * feedback and savings (the default registration); and the same for two banks, bankA and bankB
 * (`/banks/:bank/…`), one named registration each, each on its own upstream.
 */
@Module({})
export class AppModule {
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    // One module object for every registration's imports: one set of upstreams.
    const upstreams = UpstreamModule.register(env);
    return {
      module: AppModule,
      imports: [
        PersonalizedOffersModule.forRootAsync({
          imports: [upstreams],
          inject: [UPSTREAM],
          useFactory: (upstream: Upstream) => upstream.options,
        }),
        // bankA, bankB: services under getPersonalizedOffersToken(Service, bank) (see BanksController).
        ...BANKS.map((bank) =>
          PersonalizedOffersModule.forRootAsync({
            name: bank,
            imports: [upstreams],
            inject: [bankUpstreamToken(bank)],
            useFactory: (upstream: Upstream) => upstream.options,
          }),
        ),
        TerminusModule,
      ],
      controllers: [UserTokenController, OffersController, LoyaltyController, AdminController, HealthController, BanksController],
      providers: [
        // Each bank's services (and its health indicator, below), gathered for BanksController.
        bankServicesProvider,
        ...BANKS.map((bank) => PersonalizedOffersHealthIndicator.forRegistration(bank)),
        // Callers see 400/502/503/504 with a generic message, never upstream details.
        { provide: APP_FILTER, useClass: PersonalizedOffersExceptionFilter },
        // GET /health: the module's circuit breaker and token store (never calls Mastercard).
        PersonalizedOffersHealthIndicator,
      ],
    };
  }
}
