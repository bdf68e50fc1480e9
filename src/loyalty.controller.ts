import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { type OfferFilter, PlatformAdminService, UserPresentmentService } from 'nestjs-personalized-offers';
import { DemoAuthGuard } from './demo-auth.guard.js';

type DemoRequest = Request & { demoUserId: string };

/** A number from a query string, left `undefined` when absent (the module validates the value). */
const num = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
/** A comma list from a query string (`USA,AUS`), or `undefined`. */
const list = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : value.split(','));

/**
 * The current API (`/loyalty/offers`) for the signed-in cardholder: inject `UserPresentmentService`
 * and call it with the user id; the module mints, caches and renews the access token.
 */
@Controller('loyalty')
@UseGuards(DemoAuthGuard)
export class LoyaltyController {
  constructor(private readonly presentment: UserPresentmentService) {}

  /** `?offerType=POSTPAIDCREDIT&category=SHOP&country=USA&active=false&offset=0&limit=10&lang=fr-FR`. */
  @Get('offers')
  offers(@Req() req: DemoRequest, @Query() q: Record<string, string | undefined>) {
    return this.presentment.getOffers(req.demoUserId, {
      offerType: q.offerType,
      category: q.category,
      offerCountry: list(q.country),
      active: q.active === undefined ? undefined : q.active === 'true',
      offset: num(q.offset),
      limit: num(q.limit),
      acceptLanguage: q.lang,
    });
  }

  /** A search with the JSON filter of `POST /loyalty/offers/user-presentment/offers/filters`. */
  @Post('offers/search')
  @HttpCode(200)
  search(@Req() req: DemoRequest, @Body() filter: OfferFilter | undefined) {
    return this.presentment.searchOffers(req.demoUserId, filter ?? {});
  }

  /** One offer. */
  @Get('offers/:offerId')
  offer(@Req() req: DemoRequest, @Param('offerId') offerId: string, @Query('lang') lang?: string) {
    return this.presentment.getOffer(req.demoUserId, offerId, lang ? { acceptLanguage: lang } : {});
  }

  /**
   * Activates an offer (Mastercard queues it). An offer already active answers 409
   * `ALREADY_ACTIVATED` and an activation whose outcome is unknown 202 `OUTCOME_UNKNOWN`, both
   * through `PersonalizedOffersExceptionFilter`; `ensureActivated` settles both itself.
   */
  @Post('offers/:offerId/activation')
  @HttpCode(201)
  activate(@Req() req: DemoRequest, @Param('offerId') offerId: string) {
    return this.presentment.processActivations(req.demoUserId, { offerId });
  }

  /** The offer's activation state, from the API (`assignments[].active`/`status`): what a client checks after a 202. */
  @Get('offers/:offerId/activation')
  activationStatus(@Req() req: DemoRequest, @Param('offerId') offerId: string) {
    return this.presentment.getActivationStatus(req.demoUserId, offerId);
  }

  /** Likes (`{"like":1}`) or dislikes (`{"like":0}`) an offer. */
  @Put('offers/:offerId/rating')
  rate(@Req() req: DemoRequest, @Param('offerId') offerId: string, @Body() body: { like?: unknown } | undefined) {
    return this.presentment.createOfferRating(req.demoUserId, offerId, { like: body?.like as 0 | 1 });
  }

  /** What the cardholder saved. */
  @Get('savings')
  savings(@Req() req: DemoRequest) {
    return this.presentment.getUserPresentmentSavings(req.demoUserId);
  }
}

/**
 * A back-office view: the FI's offers through the platform-admin API (no user). In a real app
 * this route sits behind your staff authentication, not the cardholder's.
 */
@Controller('admin')
@UseGuards(DemoAuthGuard)
export class AdminController {
  constructor(private readonly admin: PlatformAdminService) {}

  /** `?offset=0&limit=10&lang=ALL`. */
  @Get('offers')
  offers(@Query() q: Record<string, string | undefined>) {
    return this.admin.browseOffers({ offset: num(q.offset), limit: num(q.limit), lang: list(q.lang), offerType: q.offerType, category: q.category });
  }
}
