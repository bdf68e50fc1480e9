import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { type FeedbackValue, LegacyUserPresentmentService, type MatchedOffer, type MatchedOffersParams } from 'nestjs-personalized-offers';
import { DemoAuthGuard } from './demo-auth.guard.js';

type DemoRequest = Request & { demoUserId: string };

/** A number from a query string, left `undefined` when absent (the module validates the value). */
const num = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** The matched-offers filters from a query string (`GET /offers` and `GET /banks/:bank/offers`). */
export function offersFilter(q: Record<string, string | undefined>): MatchedOffersParams {
  return {
    pageNumber: num(q.page),
    itemsPerPage: num(q.itemsPerPage),
    category: q.category,
    offerType: q.offerType,
    merchantName: q.merchant,
    lang: q.lang,
  };
}

/**
 * What a bank's back end does with the legacy API: inject `LegacyUserPresentmentService` and
 * call it with the signed-in cardholder's id; the module gets, caches and renews the user token.
 * Bad input reaches the module and comes back as 400 through `PersonalizedOffersExceptionFilter`.
 */
@Controller()
@UseGuards(DemoAuthGuard)
export class OffersController {
  constructor(private readonly offers: LegacyUserPresentmentService) {}

  /** One page of matched offers: `?page=2&itemsPerPage=10&category=SHOP&offerType=POSTPAIDCREDIT&merchant=Koalla&lang=fr_FR`. */
  @Get('offers')
  list(@Req() req: DemoRequest, @Query() q: Record<string, string | undefined>) {
    return this.offers.matchedOffers(req.demoUserId, this.filter(q));
  }

  /** Every matched offer across pages (the module's paging iterator), as one list. */
  @Get('offers/all')
  async all(@Req() req: DemoRequest, @Query() q: Record<string, string | undefined>): Promise<{ count: number; offers: MatchedOffer[] }> {
    const offers: MatchedOffer[] = [];
    for await (const offer of this.offers.iterateMatchedOffers(req.demoUserId, this.filter(q), { maxPages: 20 })) offers.push(offer);
    return { count: offers.length, offers };
  }

  /** One offer in detail: `?lang=es_ES`. */
  @Get('offers/:offerId')
  details(@Req() req: DemoRequest, @Param('offerId') offerId: string, @Query('lang') lang?: string) {
    return this.offers.getOfferDetails(req.demoUserId, { offerId, ...(lang ? { lang } : {}) });
  }

  /**
   * Activates a statement-credit offer. An offer already active answers 409 `ALREADY_ACTIVATED`
   * and an activation whose outcome is unknown 202 `OUTCOME_UNKNOWN`, both through
   * `PersonalizedOffersExceptionFilter` (`isAlreadyActivatedError` tells the first). For a
   * "make sure it is active" call that settles both itself, use `ensureActivated` instead.
   */
  @Post('offers/:offerId/activation')
  @HttpCode(201)
  activate(@Req() req: DemoRequest, @Param('offerId') offerId: string) {
    return this.offers.activateStatementCreditOffer(req.demoUserId, { offerId });
  }

  /** The offer's activation state, from the API (`ActiveSc`): what a client checks after a 202. */
  @Get('offers/:offerId/activation')
  activationStatus(@Req() req: DemoRequest, @Param('offerId') offerId: string) {
    return this.offers.getActivationStatus(req.demoUserId, offerId);
  }

  /** Likes (`{"feedback":1}`) or dislikes (`{"feedback":0}`) an offer; disliked offers drop out of the list. */
  @Put('offers/:offerId/feedback')
  feedback(@Req() req: DemoRequest, @Param('offerId') offerId: string, @Body() body: { feedback?: unknown } | undefined) {
    return this.offers.sendUserFeedback(req.demoUserId, { offerId, feedback: body?.feedback as FeedbackValue });
  }

  /** The cardholder's feedback so far. */
  @Get('feedback')
  feedbackList(@Req() req: DemoRequest) {
    return this.offers.getUserFeedback(req.demoUserId);
  }

  /** One activation, by the id an activation or a redeemed offer returned. */
  @Get('activations/:activationId')
  activation(@Req() req: DemoRequest, @Param('activationId') activationId: string) {
    return this.offers.getStatementCreditActivationDetail(req.demoUserId, { activationId });
  }

  /** What the cardholder saved. */
  @Get('savings')
  savings(@Req() req: DemoRequest) {
    return this.offers.getUserSavings(req.demoUserId);
  }

  /** Redeemed offers: `?page=1&itemsPerPage=10`. */
  @Get('redeemed-offers')
  redeemed(@Req() req: DemoRequest, @Query() q: Record<string, string | undefined>) {
    return this.offers.getRedeemedOfferDetails(req.demoUserId, { pageNumber: num(q.page), itemsPerPage: num(q.itemsPerPage), lang: q.lang });
  }

  private filter(q: Record<string, string | undefined>): MatchedOffersParams {
    return offersFilter(q);
  }
}
