// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Flag, Int, IntList, ListOf, Nested, Num, StatusCode, Text, TextList } from './wire.decorators.js';

/** Platform-admin `status` (`StatusInfo`): `code` is a number (`200` in the spec, `600` in mock data; a digit string becomes a number). */
export class StatusInfo {
  /** Application response code (`200`). */
  @StatusCode() code?: number;
  /** Application response message (`Success`). */
  @Text() message?: string;
}

/** The offset/limit paging fields shared by every list response of this family (JSON integers). */
export class OffsetPage {
  /** The item (not page) the list starts at, 0-based. */
  @Int() offset?: number;
  /** The maximum count of items per response (the requested page size). */
  @Int() limit?: number;
  /** Items in the whole collection. */
  @Int() total?: number;
  /** Items in this response. */
  @Int() count?: number;
}

/** One `merchant.locations` entry (`StoreLocation`). */
export class MerchantLocation {
  /** Street address of the store (`3901 GOVERNOR DR`). */
  @Text() address?: string;
  /** City of the store. */
  @Text() city?: string;
  /** State or province of the store (`CA`). */
  @Text() state?: string;
  /** Postal code of the store. */
  @Text() zipcode?: string;
  /** Alpha-3 (`USA`). */
  @Text() country?: string;
  /** Latitude of the store, decimal degrees. */
  @Num() latitude?: number;
  /** Longitude of the store, decimal degrees. */
  @Num() longitude?: number;
}

/** An offer's `merchant` (`MerchantInfo`); `name` is an internal short name, the display name is in `localizations[].merchantDisplayName`. */
export class Merchant {
  /** Shortened internal identifier of the advertiser (`examplecom`), not for end-user display. */
  @Text() name?: string;
  /** The merchant's store locations. */
  @ListOf(() => MerchantLocation) locations?: MerchantLocation[];
}

/** One `rewards` entry; amounts are JSON numbers (`percentage` `0.2` = 20 %). */
export class Reward {
  /** Whether this is the reward to use. */
  @Flag() primary?: boolean;
  /** Points conversion rate of the reward. */
  @Num() pointsConversionRate?: number;
  /** Cash value of the statement-credit redemption (`10.3`). */
  @Num() cashValueAbsolute?: number;
  /** The most cash back a user can earn with the offer. */
  @Num() cashValueMax?: number;
  /** Points value of the statement-credit redemption. */
  @Num() pointsValueAbsolute?: number;
  /** The most points a user can earn with the offer. */
  @Num() pointsValueMax?: number;
  /** `ABSOLUTE` | `PERCENTAGE`. */
  @Text() discountType?: string;
  /** Reward currency for POINTS-mode rewards (`Default`). */
  @Text() pointsType?: string;
  /** `CASH` | `POINTS` | `EITHER`. */
  @Text() mode?: string;
  /** `STATEMENT_CREDIT`. */
  @Text() type?: string;
  /** The percentage off, as a fraction (`0.2` = 20 %). */
  @Num() percentage?: number;
}

/** One `localizations[].media` entry (`OfferImageInfo`). */
export class Media {
  /** URL of the merchant or offer picture. */
  @Text() src?: string;
  /** Description of the image, which may be used for accessibility. */
  @Text() alt?: string;
  /** Verbal details of the image, not for end-user display. */
  @Text() name?: string;
  /** The image kind, e.g. `Logo_Square_85x85`. */
  @Text() class?: string;
}

/** One `localizations` entry: the offer's texts in one language (`lang` `en-US`). */
export class Localization {
  /** Language (and country) of these texts, ISO 639-1 with region (`en-US`). */
  @Text() lang?: string;
  /** Summary of the deal, the offer's title in a list view. */
  @Text() headline?: string;
  /** Short explanation of the deal, typically displayed beneath the headline. */
  @Text() descriptionShort?: string;
  /** Explanation of the deal for a detail view (often the same as `descriptionShort`). */
  @Text() descriptionLong?: string;
  /** The retailer's display name (`Example.com`). */
  @Text() merchantDisplayName?: string;
  /** URL of the web page where the retailer's outlets can be found. */
  @Text() storeLocatorURL?: string;
  /** The retailer's website URL. */
  @Text() websiteURL?: string;
  /** Conditions required for successful redemption of the offer. */
  @Text() termsDetailed?: string;
  /** Pipe-separated (`Offer expires 01/31/2021|$250 minimum spend|…`), kept as sent. */
  @Text() termsKey?: string;
  /** Extended conditions required for successful redemption of the offer. */
  @Text() termsLong?: string;
  /** The campaign's marketing slogan (`Shop and earn.`). */
  @Text() marketingSlogan?: string;
  /** The campaign's name (`Example.com SPEND New Customer Acquisition`). */
  @Text() name?: string;
  /** The offer's images in this language. */
  @ListOf(() => Media) media?: Media[];
}

/** `redemptionClassifiers` and `redemptionCountries`: `{primaryValue, values}` (no `type`). */
export class PrimaryValueList {
  /** The main value (the main merchant classifier, or the main country, alpha-2 `US`). */
  @Text() primaryValue?: string;
  /** All values (merchant classifiers, or countries alpha-2). */
  @TextList() values?: string[];
}

/** A string eligibility list `{type: INCLUSION | EXCLUSION, values}` (issuer countries, presentment countries, location ids, bank product codes). */
export class EligibilityList {
  /** `INCLUSION` | `EXCLUSION`. */
  @Text() type?: string;
  /** The listed values (countries, location ids or bank product codes). */
  @TextList() values?: string[];
}

/** `redemptionIssuerICAs`: `{type, values}` with int32 ICAs. */
export class IcaEligibilityList {
  /** `INCLUSION` | `EXCLUSION`. */
  @Text() type?: string;
  /** The listed issuer ICAs (Interbank Card Association numbers). */
  @IntList() values?: number[];
}

/** One `redemptionMerchantIdsByAcquirerICAs.items` entry: the merchant ids under one acquirer ICA (`parent`). */
export class MerchantIdsByAcquirerIca {
  /** The acquirer ICA (Interbank Card Association number). */
  @Int() parent?: number;
  /** Merchant ids (MIDs) under that acquirer. */
  @TextList() values?: string[];
}

/** `redemptionMerchantIdsByAcquirerICAs`: `{type, items: [{parent, values}]}`. */
export class MerchantIdsByAcquirerIcaList {
  /** `INCLUSION` | `EXCLUSION`. */
  @Text() type?: string;
  /** The merchant ids, grouped by acquirer ICA. */
  @ListOf(() => MerchantIdsByAcquirerIca) items?: MerchantIdsByAcquirerIca[];
}

/** One `assignments` entry (`UserAssignment`): the user's activation state for an offer. */
export class UserAssignment {
  /** Mastercard-generated unique identifier of the assignment (a UUID). */
  @Text() id?: string;
  /** `YYYY-MM-DD`, kept as a string. */
  @Text() redemptionStartDate?: string;
  /** `YYYY-MM-DD`, kept as a string. */
  @Text() redemptionEndDate?: string;
  /** RFC 3339 (`2020-08-06T07:18:22-05:00`), kept as a string. */
  @Text() activationDateTime?: string;
  /** e.g. `ACTIVATED`. */
  @Text() status?: string;
  /** `true`: ready for redemption by the user; `false`: the offer needs activating first. */
  @Flag() active?: boolean;
  /** The user's merchant-visit propensity score (`0.5384`). */
  @Num() propensityScore?: number;
}

/** An offer as platform admin returns it (`OfferInfo`); also the base of `UserOfferDetails` and `UserOffer`. Dates stay strings. */
export class OfferInfo {
  /** System-wide identifier of the offer (campaign), not for end-user display; the id the other operations take. */
  @Text() id?: string;
  /** Original system-wide identifier of the offer. */
  @Text() originalOfferId?: string;
  /** `POSTPAIDCREDIT` | `ALWAYSON`. */
  @Text() type?: string;
  /** `INSTORE` | `ONLINE` | `ONLINE-INSTORE`. */
  @Text() redemptionChannel?: string;
  /** Platform that made the offer available (`Truaxis`), not for end-user display. */
  @Text() source?: string;
  /** The type of retailer the offer applies to (`GOLF`), not for end-user display. */
  @Text() category?: string;
  /** Super category of the targeting category (`HOMEFURNISHINGANDDECOR`). */
  @Text() superCategory?: string;
  /** Category used for targeting (`MATTRESSANDBEDDING`). */
  @Text() targetingCategory?: string;
  /** ISO 4217 code of the currency the redeeming purchase must be made in (`USD`). */
  @Text() currency?: string;
  /** The advertiser and its store locations. */
  @Nested(() => Merchant) merchant?: Merchant;
  /** Null (absent) for VISIT offers. */
  @Num() redemptionSpendThreshold?: number;
  /** Offer start date, `YYYY-MM-DD`. */
  @Text() eventStartDate?: string;
  /** Offer end date (last day redemption can be made), `YYYY-MM-DD`. */
  @Text() eventEndDate?: string;
  /** How many times the cardholder may redeem the offer. */
  @Int() redemptionMaxPerUser?: number;
  /** Alpha-3 (`USA`). */
  @Text() offerCountry?: string;
  /** Day the offer became ready for redemption, `YYYY-MM-DD`. */
  @Text() matchStartDate?: string;
  /** Day the offer is discontinued for redemption, `YYYY-MM-DD`. */
  @Text() matchEndDate?: string;
  /** `USER_ACTIVATION` | `AUTO_ACTIVATION`. */
  @Text() activationType?: string;
  /** Whether the offer is assigned on enrolment. */
  @Flag() assignmentOnEnrollment?: boolean;
  /** The target of the offer (`New Customer Acquisition`). */
  @Text() goal?: string;
  /** RFC 3339 date-time, kept as a string. */
  @Text() lastModified?: string;
  /** How many times a user can match (and possibly be assigned) the offer again after using it. */
  @Int() matchMaxPerUser?: number;
  /** Last day the offer may be presented, `YYYY-MM-DD`. */
  @Text() presentmentEndDate?: string;
  /** A bare string (the spec's example `"Westpac"`) becomes a one-element array. */
  @TextList() tags?: string[];
  /** `APPROVED`, `DECLINED`, `PENDING`, …, `REDEMPTION_HALTED`. */
  @Text() status?: string;
  /** Whether the offer is a test offer. */
  @Flag() test?: boolean;
  /** Days after the end date during which a qualifying purchase is still accepted. */
  @Int() redemptionGracePeriodDays?: number;
  /** The smallest purchase amount that qualifies for redemption. */
  @Num() redemptionSpendMinPerTxn?: number;
  /** Number of purchases required to qualify for redemption. */
  @Int() redemptionVisitThreshold?: number;
  /** `SPEND` | `VISIT`. */
  @Text() redemptionStatementCreditType?: string;
  /** The offer's rewards (cash or points values). */
  @ListOf(() => Reward) rewards?: Reward[];
  /** The offer's display texts, one entry per language. */
  @ListOf(() => Localization) localizations?: Localization[];
  /** Merchant classifiers (internal short names) whose purchases may qualify for redemption. */
  @Nested(() => PrimaryValueList) redemptionClassifiers?: PrimaryValueList;
  /** Alpha-2 (`US`). */
  @Nested(() => PrimaryValueList) redemptionCountries?: PrimaryValueList;
  /** Eligible (or excluded) issuer countries. */
  @Nested(() => EligibilityList) redemptionIssuerCountries?: EligibilityList;
  /** Countries where the offer may (or may not) be presented. */
  @Nested(() => EligibilityList) presentmentCountries?: EligibilityList;
  /** Eligible (or excluded) issuer ICAs. */
  @Nested(() => IcaEligibilityList) redemptionIssuerICAs?: IcaEligibilityList;
  /** Eligible (or excluded) merchant location ids. */
  @Nested(() => EligibilityList) redemptionLocationIds?: EligibilityList;
  /** Eligible (or excluded) merchant ids, grouped by acquirer ICA. */
  @Nested(() => MerchantIdsByAcquirerIcaList) redemptionMerchantIdsByAcquirerICAs?: MerchantIdsByAcquirerIcaList;
  /** Eligible (or excluded) bank product codes (BPC). */
  @Nested(() => EligibilityList) redemptionBankProductCodes?: EligibilityList;
  /** A bare string list (no `type`). */
  @TextList() adjustmentBankProductCodes?: string[];
}

/** `userOfferDetails` of GET /loyalty/offers/user-presentment/offers/{offer_id}: an offer without `assignments`. */
export class UserOfferDetails extends OfferInfo {}

/** One `offers` entry of GET /loyalty/offers/user-presentment/offers and POST …/offers/filters: an offer plus the user's `assignments`. */
export class UserOffer extends OfferInfo {
  /** The user's assignments of the offer (activation state, redemption window). */
  @ListOf(() => UserAssignment) assignments?: UserAssignment[];
}

/** `UserOffers.location` (`Coordinate`). */
export class Coordinate {
  /** Latitude of the queried point, decimal degrees. */
  @Num() latitude?: number;
  /** Longitude of the queried point, decimal degrees. */
  @Num() longitude?: number;
}

/** `UserOffers.distance` (`TextValueInteger`): `text` `"50km"`, `value` in metres. */
export class Distance {
  /** The search radius's display text (`50km`). */
  @Text() text?: string;
  /** The search radius in metres (`50000`). */
  @Int() value?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/offers and POST /loyalty/offers/user-presentment/offers/filters. */
export class UserOffers extends OffsetPage {
  /** The point the offers were searched around, when a location was given. */
  @Nested(() => Coordinate) location?: Coordinate;
  /** The search radius, when a location was given. */
  @Nested(() => Distance) distance?: Distance;
  /** The offers of this page. */
  @ListOf(() => UserOffer) offers?: UserOffer[];
}

/** The 200 body of GET /loyalty/offers/user-presentment/offers/{offer_id}: `{userOfferDetails}`. */
export class OfferDetails {
  /** The offer. */
  @Nested(() => UserOfferDetails) userOfferDetails?: UserOfferDetails;
}

/** The 200 body of GET /loyalty/offers/platform-admin/offers and POST /loyalty/offers/platform-admin/offers/filters. */
export class BrowseOffers extends OffsetPage {
  /** Application status of the response. */
  @Nested(() => StatusInfo) status?: StatusInfo;
  /** The offers of this page. */
  @ListOf(() => OfferInfo) offers?: OfferInfo[];
}
