// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { UserFeedbackItem } from './user-feedback.response.js';
import { Counter, Envelope, LegacyStatus, ListOf, Nested, Text } from './wire.decorators.js';

/** One `Merchant.Addresses.Address` entry (v1.5; every field "reserved for future use"). */
export class MerchantAddress {
  /** Street address; "disregard, reserved for future use". */
  @Text() Street?: string;
  /** Latitude; "disregard, reserved for future use". */
  @Text() Latitude?: string;
  /** Longitude; "disregard, reserved for future use". */
  @Text() Longitude?: string;
}

/** `Merchant.Addresses`: the XML-style wrapper; a single `Address` object becomes a one-element list. */
export class MerchantAddresses {
  /** The merchant's addresses (reserved for future use). */
  @ListOf(() => MerchantAddress) Address?: MerchantAddress[];
}

/** The merchant of an offer: an object here (inside a statement-credit `ScActivation` it is a plain string). */
export class OfferMerchant {
  /** Display name of the retailer the offer applies to (`Example.com`). */
  @Text() Name?: string;
  /** The type of retailer the offer applies to (`DEPARTMENTSTORE`), not for end-user display. */
  @Text() Category?: string;
  /** `"0.0"`, reserved; v1.3 redeemed offers send a number, which becomes a string. */
  @Text() MerchantDistance?: string;
  /** The retailer's website URL. */
  @Text() WebsiteUrl?: string;
  /** URL of the web page where the retailer's outlets can be found. */
  @Text() StoreLocatorUrl?: string;
  /** Reserved for future use (v1.5). */
  @Text() MerchantCustomerCare?: string;
  /** The retailer's addresses (v1.5; reserved for future use). */
  @Nested(() => MerchantAddresses) Addresses?: MerchantAddresses;
}

/** The activation summary attached to a matched or redeemed offer (v1.5; dates `YYYY-MM-DD`, kept as strings). */
export class OfferScActivation {
  /** Identifier of the user's activation of the offer (`TRU_1000136`), not for end-user display. */
  @Text() ActivationId?: string;
  /** First day on which a purchase may qualify for the offer, `YYYY-MM-DD`. */
  @Text() RedemptionStartDate?: string;
  /** Last day on which a purchase may qualify for the offer, `YYYY-MM-DD`. */
  @Text() RedemptionEndDate?: string;
}

/** The user's feedback attached to a matched offer (`Feedback` `"0"`/`"1"`). */
export class OfferUserFeedback extends UserFeedbackItem {}

/** Fields shared by the legacy matched, detailed and redeemed offers; amounts, counts and dates stay strings. */
export class LegacyOffer {
  /** System-wide identifier of the offer (campaign), not for end-user display; the id the other operations take. */
  @Text() OfferId?: string;
  /** `POSTPAIDCREDIT` | `ALWAYSON`. */
  @Text() OfferType?: string;
  /** Platform that made the offer available (`Mastercard`, `Truaxis`), not for end-user display. */
  @Text() OfferSource?: string;
  /** A display word (`English`), not a language code. */
  @Text() Language?: string;
  /** ISO 4217 code of the currency the redeeming purchase must be made in (`USD`). */
  @Text() CurrencyCode?: string;
  /** The retailer the offer applies to. */
  @Nested(() => OfferMerchant) Merchant?: OfferMerchant;
  /** URL of the square retailer logo. */
  @Text() MerchantImageURL?: string;
  /** `CASH` | `POINTS` | `EITHER`. */
  @Text() RedemptionMode?: string;
  /** Conversion rate between the cash and points values of the offer, a decimal string (`"0.025"`). */
  @Text() PointsConversionRate?: string;
  /** Minimum cumulative spend required to redeem the offer, a decimal string (`"100.0"`). */
  @Text() MinTotalSpend?: string;
  /** Extended conditions required for successful redemption of the offer. */
  @Text() LongTerms?: string;
  /** Redemption currency when not cash (`Example Bank Miles`). */
  @Text() PointsType?: string;
  /** Brief details about the deal, the offer's title. */
  @Text() Headline?: string;
  /** Summary of the deal, typically displayed beneath the headline in a list view. */
  @Text() ShortDescription?: string;
  /** First day redemption can be made by any user (may not apply to this user), `YYYY-MM-DD`. */
  @Text() EventStartDate?: string;
  /** Last day redemption can be made, `YYYY-MM-DD`. */
  @Text() EventEndDate?: string;
  /** `"1"` in v1.5; v1.3 redeemed offers send an integer, which becomes a string. */
  @Text() MaxUserRedemptions?: string;
  /** ISO alpha-3 (`USA`). */
  @Text() OfferCountry?: string;
  /** Day the offer became ready for redemption by the user, `YYYY-MM-DD`. */
  @Text() ActivationDate?: string;
}

/** One `Items.MatchedOffer` entry of GET /plo/v1/matchedoffers. */
export class MatchedOffer extends LegacyOffer {
  /** The user's statement-credit activation of the offer, when activated (v1.5). */
  @Nested(() => OfferScActivation) ScActivation?: OfferScActivation;
  /** "Disregard, deprecated". */
  @Text() Price?: string;
  /** The markdown the offer represents, an absolute amount or a percentage per `DiscountType` (`"20"`). */
  @Text() Discount?: string;
  /** `ABSOLUTE` | `PERCENTAGE`. */
  @Text() DiscountType?: string;
  /** `AVAILABLE` (needs an activation call) or `ACTIVATED_STATEMENT_CREDIT`. */
  @Text() ActiveSc?: string;
  /** The user's like/dislike of the offer, when given (v1.5). */
  @Nested(() => OfferUserFeedback) UserFeedback?: OfferUserFeedback;
}

/** `Items` of GET /plo/v1/matchedoffers: a single `MatchedOffer` object (the v1.3 shape) becomes a one-element list. */
export class MatchedOfferItems {
  /** The matched offers of this page. */
  @ListOf(() => MatchedOffer) MatchedOffer?: MatchedOffer[];
}

/** The `Response` of GET /plo/v1/matchedoffers; counters are numbers (strings in v1.5, integers in v1.3). */
export class MatchedOffersResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** Count of all items available for the request's criteria. */
  @Counter() TotalCount?: number;
  /** The 1-based number of the page returned. */
  @Counter() CurrentPage?: number;
  /** Count of pages available at this page size. */
  @Counter() NumberOfPages?: number;
  /** Count of items per page (the requested page size). */
  @Counter() ItemsPerPage?: number;
  /** The offers of this page. */
  @Nested(() => MatchedOfferItems) Items?: MatchedOfferItems;
}

/** The 200 body of GET /plo/v1/matchedoffers: `{"Response":{…}}`. */
export class MatchedOffersResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => MatchedOffersResult) Response!: MatchedOffersResult;
}
