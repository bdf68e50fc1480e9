// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { UserFeedbackItem } from './user-feedback.response.js';
import { Counter, Envelope, LegacyStatus, ListOf, Nested, Text } from './wire.decorators.js';

/** One `Merchant.Addresses.Address` entry (v1.5; every field "reserved for future use"). */
export class MerchantAddress {
  @Text() Street?: string;
  @Text() Latitude?: string;
  @Text() Longitude?: string;
}

/** `Merchant.Addresses`: the XML-style wrapper; a single `Address` object becomes a one-element list. */
export class MerchantAddresses {
  @ListOf(() => MerchantAddress) Address?: MerchantAddress[];
}

/** The merchant of an offer: an object here (inside a statement-credit `ScActivation` it is a plain string). */
export class OfferMerchant {
  @Text() Name?: string;
  @Text() Category?: string;
  /** `"0.0"`, reserved; v1.3 redeemed offers send a number, which becomes a string. */
  @Text() MerchantDistance?: string;
  @Text() WebsiteUrl?: string;
  @Text() StoreLocatorUrl?: string;
  /** Reserved for future use (v1.5). */
  @Text() MerchantCustomerCare?: string;
  @Nested(() => MerchantAddresses) Addresses?: MerchantAddresses;
}

/** The activation summary attached to a matched or redeemed offer (v1.5; dates `YYYY-MM-DD`, kept as strings). */
export class OfferScActivation {
  @Text() ActivationId?: string;
  @Text() RedemptionStartDate?: string;
  @Text() RedemptionEndDate?: string;
}

/** The user's feedback attached to a matched offer (`Feedback` `"0"`/`"1"`). */
export class OfferUserFeedback extends UserFeedbackItem {}

/** Fields shared by the legacy matched, detailed and redeemed offers; amounts, counts and dates stay strings. */
export class LegacyOffer {
  @Text() OfferId?: string;
  /** `POSTPAIDCREDIT` | `ALWAYSON`. */
  @Text() OfferType?: string;
  @Text() OfferSource?: string;
  /** A display word (`English`), not a language code. */
  @Text() Language?: string;
  @Text() CurrencyCode?: string;
  @Nested(() => OfferMerchant) Merchant?: OfferMerchant;
  @Text() MerchantImageURL?: string;
  /** `CASH` | `POINTS` | `EITHER`. */
  @Text() RedemptionMode?: string;
  @Text() PointsConversionRate?: string;
  @Text() MinTotalSpend?: string;
  @Text() LongTerms?: string;
  @Text() PointsType?: string;
  @Text() Headline?: string;
  @Text() ShortDescription?: string;
  @Text() EventStartDate?: string;
  @Text() EventEndDate?: string;
  /** `"1"` in v1.5; v1.3 redeemed offers send an integer, which becomes a string. */
  @Text() MaxUserRedemptions?: string;
  /** ISO alpha-3 (`USA`). */
  @Text() OfferCountry?: string;
  @Text() ActivationDate?: string;
}

/** One `Items.MatchedOffer` entry of GET /plo/v1/matchedoffers. */
export class MatchedOffer extends LegacyOffer {
  @Nested(() => OfferScActivation) ScActivation?: OfferScActivation;
  /** "Disregard, deprecated". */
  @Text() Price?: string;
  @Text() Discount?: string;
  /** `ABSOLUTE` | `PERCENTAGE`. */
  @Text() DiscountType?: string;
  /** `AVAILABLE` (needs an activation call) or `ACTIVATED_STATEMENT_CREDIT`. */
  @Text() ActiveSc?: string;
  @Nested(() => OfferUserFeedback) UserFeedback?: OfferUserFeedback;
}

/** `Items` of GET /plo/v1/matchedoffers: a single `MatchedOffer` object (the v1.3 shape) becomes a one-element list. */
export class MatchedOfferItems {
  @ListOf(() => MatchedOffer) MatchedOffer?: MatchedOffer[];
}

/** The `Response` of GET /plo/v1/matchedoffers; counters are numbers (strings in v1.5, integers in v1.3). */
export class MatchedOffersResult {
  @LegacyStatus() Status!: ResponseStatus;
  @Counter() TotalCount?: number;
  @Counter() CurrentPage?: number;
  @Counter() NumberOfPages?: number;
  @Counter() ItemsPerPage?: number;
  @Nested(() => MatchedOfferItems) Items?: MatchedOfferItems;
}

/** The 200 body of GET /plo/v1/matchedoffers: `{"Response":{…}}`. */
export class MatchedOffersResponse {
  @Envelope(() => MatchedOffersResult) Response!: MatchedOffersResult;
}
