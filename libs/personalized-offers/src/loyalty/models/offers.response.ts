// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Flag, Int, IntList, ListOf, Nested, Num, StatusCode, Text, TextList } from './wire.decorators.js';

/** Platform-admin `status` (`StatusInfo`): `code` is a number (`200` in the spec, `600` in mock data; a digit string becomes a number). */
export class StatusInfo {
  @StatusCode() code?: number;
  @Text() message?: string;
}

/** The offset/limit paging fields shared by every list response of this family (JSON integers). */
export class OffsetPage {
  /** The item (not page) the list starts at, 0-based. */
  @Int() offset?: number;
  @Int() limit?: number;
  /** Items in the whole collection. */
  @Int() total?: number;
  /** Items in this response. */
  @Int() count?: number;
}

/** One `merchant.locations` entry (`StoreLocation`). */
export class MerchantLocation {
  @Text() address?: string;
  @Text() city?: string;
  @Text() state?: string;
  @Text() zipcode?: string;
  /** Alpha-3 (`USA`). */
  @Text() country?: string;
  @Num() latitude?: number;
  @Num() longitude?: number;
}

/** An offer's `merchant` (`MerchantInfo`); `name` is an internal short name, the display name is in `localizations[].merchantDisplayName`. */
export class Merchant {
  @Text() name?: string;
  @ListOf(() => MerchantLocation) locations?: MerchantLocation[];
}

/** One `rewards` entry; amounts are JSON numbers (`percentage` `0.2` = 20 %). */
export class Reward {
  @Flag() primary?: boolean;
  @Num() pointsConversionRate?: number;
  @Num() cashValueAbsolute?: number;
  @Num() cashValueMax?: number;
  @Num() pointsValueAbsolute?: number;
  @Num() pointsValueMax?: number;
  /** `ABSOLUTE` | `PERCENTAGE`. */
  @Text() discountType?: string;
  @Text() pointsType?: string;
  /** `CASH` | `POINTS` | `EITHER`. */
  @Text() mode?: string;
  /** `STATEMENT_CREDIT`. */
  @Text() type?: string;
  @Num() percentage?: number;
}

/** One `localizations[].media` entry (`OfferImageInfo`). */
export class Media {
  @Text() src?: string;
  @Text() alt?: string;
  @Text() name?: string;
  /** The image kind, e.g. `Logo_Square_85x85`. */
  @Text() class?: string;
}

/** One `localizations` entry: the offer's texts in one language (`lang` `en-US`). */
export class Localization {
  @Text() lang?: string;
  @Text() headline?: string;
  @Text() descriptionShort?: string;
  @Text() descriptionLong?: string;
  @Text() merchantDisplayName?: string;
  @Text() storeLocatorURL?: string;
  @Text() websiteURL?: string;
  @Text() termsDetailed?: string;
  /** Pipe-separated (`Offer expires 01/31/2021|$250 minimum spend|…`), kept as sent. */
  @Text() termsKey?: string;
  @Text() termsLong?: string;
  @Text() marketingSlogan?: string;
  @Text() name?: string;
  @ListOf(() => Media) media?: Media[];
}

/** `redemptionClassifiers` and `redemptionCountries`: `{primaryValue, values}` (no `type`). */
export class PrimaryValueList {
  @Text() primaryValue?: string;
  @TextList() values?: string[];
}

/** A string eligibility list `{type: INCLUSION | EXCLUSION, values}` (issuer countries, presentment countries, location ids, bank product codes). */
export class EligibilityList {
  /** `INCLUSION` | `EXCLUSION`. */
  @Text() type?: string;
  @TextList() values?: string[];
}

/** `redemptionIssuerICAs`: `{type, values}` with int32 ICAs. */
export class IcaEligibilityList {
  /** `INCLUSION` | `EXCLUSION`. */
  @Text() type?: string;
  @IntList() values?: number[];
}

/** One `redemptionMerchantIdsByAcquirerICAs.items` entry: the merchant ids under one acquirer ICA (`parent`). */
export class MerchantIdsByAcquirerIca {
  @Int() parent?: number;
  @TextList() values?: string[];
}

/** `redemptionMerchantIdsByAcquirerICAs`: `{type, items: [{parent, values}]}`. */
export class MerchantIdsByAcquirerIcaList {
  /** `INCLUSION` | `EXCLUSION`. */
  @Text() type?: string;
  @ListOf(() => MerchantIdsByAcquirerIca) items?: MerchantIdsByAcquirerIca[];
}

/** One `assignments` entry (`UserAssignment`): the user's activation state for an offer. */
export class UserAssignment {
  @Text() id?: string;
  /** `YYYY-MM-DD`, kept as a string. */
  @Text() redemptionStartDate?: string;
  /** `YYYY-MM-DD`, kept as a string. */
  @Text() redemptionEndDate?: string;
  /** RFC 3339 (`2020-08-06T07:18:22-05:00`), kept as a string. */
  @Text() activationDateTime?: string;
  /** e.g. `ACTIVATED`. */
  @Text() status?: string;
  @Flag() active?: boolean;
  @Num() propensityScore?: number;
}

/** An offer as platform admin returns it (`OfferInfo`); also the base of `UserOfferDetails` and `UserOffer`. Dates stay strings. */
export class OfferInfo {
  @Text() id?: string;
  @Text() originalOfferId?: string;
  /** `POSTPAIDCREDIT` | `ALWAYSON`. */
  @Text() type?: string;
  /** `INSTORE` | `ONLINE` | `ONLINE-INSTORE`. */
  @Text() redemptionChannel?: string;
  @Text() source?: string;
  @Text() category?: string;
  @Text() superCategory?: string;
  @Text() targetingCategory?: string;
  @Text() currency?: string;
  @Nested(() => Merchant) merchant?: Merchant;
  /** Null (absent) for VISIT offers. */
  @Num() redemptionSpendThreshold?: number;
  @Text() eventStartDate?: string;
  @Text() eventEndDate?: string;
  @Int() redemptionMaxPerUser?: number;
  /** Alpha-3 (`USA`). */
  @Text() offerCountry?: string;
  @Text() matchStartDate?: string;
  @Text() matchEndDate?: string;
  /** `USER_ACTIVATION` | `AUTO_ACTIVATION`. */
  @Text() activationType?: string;
  @Flag() assignmentOnEnrollment?: boolean;
  @Text() goal?: string;
  /** RFC 3339 date-time, kept as a string. */
  @Text() lastModified?: string;
  @Int() matchMaxPerUser?: number;
  @Text() presentmentEndDate?: string;
  /** A bare string (the spec's example `"Westpac"`) becomes a one-element array. */
  @TextList() tags?: string[];
  /** `APPROVED`, `DECLINED`, `PENDING`, …, `REDEMPTION_HALTED`. */
  @Text() status?: string;
  @Flag() test?: boolean;
  @Int() redemptionGracePeriodDays?: number;
  @Num() redemptionSpendMinPerTxn?: number;
  @Int() redemptionVisitThreshold?: number;
  /** `SPEND` | `VISIT`. */
  @Text() redemptionStatementCreditType?: string;
  @ListOf(() => Reward) rewards?: Reward[];
  @ListOf(() => Localization) localizations?: Localization[];
  @Nested(() => PrimaryValueList) redemptionClassifiers?: PrimaryValueList;
  /** Alpha-2 (`US`). */
  @Nested(() => PrimaryValueList) redemptionCountries?: PrimaryValueList;
  @Nested(() => EligibilityList) redemptionIssuerCountries?: EligibilityList;
  @Nested(() => EligibilityList) presentmentCountries?: EligibilityList;
  @Nested(() => IcaEligibilityList) redemptionIssuerICAs?: IcaEligibilityList;
  @Nested(() => EligibilityList) redemptionLocationIds?: EligibilityList;
  @Nested(() => MerchantIdsByAcquirerIcaList) redemptionMerchantIdsByAcquirerICAs?: MerchantIdsByAcquirerIcaList;
  @Nested(() => EligibilityList) redemptionBankProductCodes?: EligibilityList;
  /** A bare string list (no `type`). */
  @TextList() adjustmentBankProductCodes?: string[];
}

/** `userOfferDetails` of GET /loyalty/offers/user-presentment/offers/{offer_id}: an offer without `assignments`. */
export class UserOfferDetails extends OfferInfo {}

/** One `offers` entry of GET /loyalty/offers/user-presentment/offers and POST …/offers/filters: an offer plus the user's `assignments`. */
export class UserOffer extends OfferInfo {
  @ListOf(() => UserAssignment) assignments?: UserAssignment[];
}

/** `UserOffers.location` (`Coordinate`). */
export class Coordinate {
  @Num() latitude?: number;
  @Num() longitude?: number;
}

/** `UserOffers.distance` (`TextValueInteger`): `text` `"50km"`, `value` in metres. */
export class Distance {
  @Text() text?: string;
  @Int() value?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/offers and POST /loyalty/offers/user-presentment/offers/filters. */
export class UserOffers extends OffsetPage {
  @Nested(() => Coordinate) location?: Coordinate;
  @Nested(() => Distance) distance?: Distance;
  @ListOf(() => UserOffer) offers?: UserOffer[];
}

/** The 200 body of GET /loyalty/offers/user-presentment/offers/{offer_id}: `{userOfferDetails}`. */
export class OfferDetails {
  @Nested(() => UserOfferDetails) userOfferDetails?: UserOfferDetails;
}

/** The 200 body of GET /loyalty/offers/platform-admin/offers and POST /loyalty/offers/platform-admin/offers/filters. */
export class BrowseOffers extends OffsetPage {
  @Nested(() => StatusInfo) status?: StatusInfo;
  @ListOf(() => OfferInfo) offers?: OfferInfo[];
}
