import { Controller, Get, Inject, NotFoundException, Param, Query, Req, UseGuards, type FactoryProvider } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import type { Request } from 'express';
import { LegacyUserPresentmentService, UserTokenService, getPersonalizedOffersToken } from 'nestjs-personalized-offers';
import { PersonalizedOffersHealthIndicator } from 'nestjs-personalized-offers/health';
import { DemoAuthGuard } from './demo-auth.guard.js';
import { offersFilter } from './offers.controller.js';
import { BANKS, type BankName } from './upstream.js';

type DemoRequest = Request & { demoUserId: string };

/** One bank's services: those of its named registration (`forRootAsync({ name: bank })`). */
export interface BankServices {
  userTokens: UserTokenService;
  offers: LegacyUserPresentmentService;
  health: PersonalizedOffersHealthIndicator;
}

/** Every bank's services, by bank name. */
export const BANK_SERVICES = Symbol('BANK_SERVICES');

/**
 * Gathers the banks' services from their registrations' tokens: what
 * `@InjectPersonalizedOffers(UserTokenService, 'bankA')` injects, for each bank of the list.
 */
export const bankServicesProvider: FactoryProvider<ReadonlyMap<string, BankServices>> = {
  provide: BANK_SERVICES,
  useFactory: (...services: unknown[]) =>
    new Map(
      BANKS.map((bank, i) => [
        bank,
        {
          userTokens: services[3 * i] as UserTokenService,
          offers: services[3 * i + 1] as LegacyUserPresentmentService,
          health: services[3 * i + 2] as PersonalizedOffersHealthIndicator,
        },
      ]),
    ),
  inject: BANKS.flatMap((bank: BankName) => [
    getPersonalizedOffersToken(UserTokenService, bank),
    getPersonalizedOffersToken(LegacyUserPresentmentService, bank),
    getPersonalizedOffersToken(PersonalizedOffersHealthIndicator, bank),
  ]),
};

/**
 * The same routes for several banks, one named registration each: `/banks/bankA/offers` goes
 * through bankA's registration (its fId, keys, HTTP pool and token cache), `/banks/bankB/offers`
 * through bankB's. An unknown bank is a 404 (the name is not echoed).
 */
@Controller('banks/:bank')
export class BanksController {
  constructor(
    @Inject(BANK_SERVICES) private readonly banks: ReadonlyMap<string, BankServices>,
    private readonly health: HealthCheckService,
  ) {}

  /** The signed-in cardholder's session token at this bank. */
  @Get('user-token')
  @UseGuards(DemoAuthGuard)
  async userToken(@Param('bank') bank: string, @Req() req: DemoRequest): Promise<{ token: string }> {
    return { token: await this.bank(bank).userTokens.getUserToken(req.demoUserId) };
  }

  /** One page of the cardholder's matched offers at this bank (the filters of `GET /offers`). */
  @Get('offers')
  @UseGuards(DemoAuthGuard)
  offers(@Param('bank') bank: string, @Req() req: DemoRequest, @Query() q: Record<string, string | undefined>) {
    return this.bank(bank).offers.matchedOffers(req.demoUserId, offersFilter(q));
  }

  /** One offer in detail: `?lang=es_ES`. */
  @Get('offers/:offerId')
  @UseGuards(DemoAuthGuard)
  details(@Param('bank') bank: string, @Req() req: DemoRequest, @Param('offerId') offerId: string, @Query('lang') lang?: string) {
    return this.bank(bank).offers.getOfferDetails(req.demoUserId, { offerId, ...(lang ? { lang } : {}) });
  }

  /** This bank's registration: its circuit breaker and token store (never calls Mastercard; no authentication, no user data). */
  @Get('health')
  @HealthCheck()
  check(@Param('bank') bank: string) {
    const { health } = this.bank(bank);
    return this.health.check([() => health.isHealthy(bank)]);
  }

  private bank(name: string): BankServices {
    const services = this.banks.get(name); // a Map: no prototype keys
    if (!services) throw new NotFoundException('Unknown bank.');
    return services;
  }
}
