// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { LegacyOffer } from './matched-offers.response.js';
import { Envelope, LegacyStatus, ListOf, Nested, Text } from './wire.decorators.js';

/** One `OfferMedia.OfferImages` entry. */
export class OfferImage {
  /** Description of the image, which may be used for accessibility (`Example.com`). */
  @Text() AltText?: string;
  /** Verbal details of the image (`The logo for Example.com`), not for end-user display. */
  @Text() Description?: string;
  /** URL of the merchant or offer picture. */
  @Text() ImageUrl?: string;
}

/** `OfferMedia`: a single `OfferImages` object becomes a one-element list. */
export class OfferMedia {
  /** The offer's images. */
  @ListOf(() => OfferImage) OfferImages?: OfferImage[];
}

/** `OfferDisplay` (v1.3 sends only `DetailedTerms`). */
export class OfferDisplay {
  /** Conditions required for successful redemption of the offer. */
  @Text() Terms?: string;
  /** The type of retailer the offer applies to, not for end-user display. */
  @Text() Category?: string;
  /** Detailed conditions required for successful redemption of the offer. */
  @Text() DetailedTerms?: string;
  /** Extended conditions required for successful redemption of the offer. */
  @Text() LongTerms?: string;
}

/** `DetailPostpaidCreditOffer`: amounts stay strings (`"10.2"`); v1.3 numbers become strings. */
export class DetailPostpaidCreditOffer {
  /** Value of the statement-credit redemption, a decimal string (`"10.2"`): an amount or a percentage per `StatementCreditType`. */
  @Text() CashBack?: string;
  /** `SPEND_CASH` | `VISIT_CASH` | `SPEND_PERCENTAGE` | `VISIT_PERCENTAGE`. */
  @Text() StatementCreditType?: string;
  /** Number of purchases required to qualify for redemption, a digit string (`"1"`). */
  @Text() VisitThreshold?: string;
  /** The smallest purchase amount that qualifies for redemption, a decimal string (`"30.0"`). */
  @Text() MinTransactionAmountToRedeem?: string;
  /** The most cash back a user can earn with the offer, a decimal string (`"99.99"`). */
  @Text() MaxCashback?: string;
  /** Points value of the redemption, a decimal string (`"10.4"`; v1.5). */
  @Text() PointsValue?: string;
  /** ISO 4217 code of the currency the redeeming purchase must be made in (`USD`). */
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
  /** The offer's images. */
  @Nested(() => OfferMedia) OfferMedia?: OfferMedia;
  /** The offer's terms and display texts. */
  @Nested(() => OfferDisplay) OfferDisplay?: OfferDisplay;
  /** The statement-credit terms of the offer (cash back, thresholds, maximum). */
  @Nested(() => DetailPostpaidCreditOffer) DetailPostpaidCreditOffer?: DetailPostpaidCreditOffer;
  /** Explanation of the deal, typically displayed beneath the headline in a detail view (often the same as `ShortDescription`). */
  @Text() LongDescription?: string;
}

/** The `Response` of GET /plo/v1/offerdetails. */
export class OfferDetailsResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** The offer's details. */
  @Nested(() => DetailedOffer) OfferDetails?: DetailedOffer;
}

/** The 200 body of GET /plo/v1/offerdetails: `{"Response":{…}}`. */
export class OfferDetailsResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => OfferDetailsResult) Response!: OfferDetailsResult;
}
