// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { LegacyOffer } from './matched-offers.response.js';
import { Envelope, LegacyStatus, ListOf, Nested, Text } from './wire.decorators.js';

/** One `OfferMedia.OfferImages` entry. */
export class OfferImage {
  @Text() AltText?: string;
  @Text() Description?: string;
  @Text() ImageUrl?: string;
}

/** `OfferMedia`: a single `OfferImages` object becomes a one-element list. */
export class OfferMedia {
  @ListOf(() => OfferImage) OfferImages?: OfferImage[];
}

/** `OfferDisplay` (v1.3 sends only `DetailedTerms`). */
export class OfferDisplay {
  @Text() Terms?: string;
  @Text() Category?: string;
  @Text() DetailedTerms?: string;
  @Text() LongTerms?: string;
}

/** `DetailPostpaidCreditOffer`: amounts stay strings (`"10.2"`); v1.3 numbers become strings. */
export class DetailPostpaidCreditOffer {
  @Text() CashBack?: string;
  /** `SPEND_CASH` | `VISIT_CASH` | `SPEND_PERCENTAGE` | `VISIT_PERCENTAGE`. */
  @Text() StatementCreditType?: string;
  @Text() VisitThreshold?: string;
  @Text() MinTransactionAmountToRedeem?: string;
  @Text() MaxCashback?: string;
  @Text() PointsValue?: string;
  @Text() CurrencyCode?: string;
}

/** `Response.OfferDetails` of GET /plo/v1/offerdetails; v1.3's untyped, deprecated `LinkOut` is kept as an unknown field. */
export class DetailedOffer extends LegacyOffer {
  /** `INSTORE` | `ONLINE` | `ONLINE-INSTORE`. */
  @Text() RedemptionType?: string;
  /** Deprecated. */
  @Text() OfferUrl?: string;
  /** Deprecated (v1.3: `LinkOut`). */
  @Text() LinkoutUrl?: string;
  @Nested(() => OfferMedia) OfferMedia?: OfferMedia;
  @Nested(() => OfferDisplay) OfferDisplay?: OfferDisplay;
  @Nested(() => DetailPostpaidCreditOffer) DetailPostpaidCreditOffer?: DetailPostpaidCreditOffer;
  @Text() LongDescription?: string;
}

/** The `Response` of GET /plo/v1/offerdetails. */
export class OfferDetailsResult {
  @LegacyStatus() Status!: ResponseStatus;
  @Nested(() => DetailedOffer) OfferDetails?: DetailedOffer;
}

/** The 200 body of GET /plo/v1/offerdetails: `{"Response":{…}}`. */
export class OfferDetailsResponse {
  @Envelope(() => OfferDetailsResult) Response!: OfferDetailsResult;
}
