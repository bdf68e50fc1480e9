/**
 * Typed params of the current API's user-presentment and impressions operations, camelCase;
 * the operations map them to the spec's wire names (`offer_type`, `offer_country`,
 * `expiry_days`, `Accept-Language`, …).
 */

/** A user id (the module gets and caches the access token) or an access token you already hold. */
export type PresentmentUser =
  | string
  | {
      /** A user access token you already hold (e.g. from `AccessTokenService.getAccessToken`), sent as is. */
      accessToken: string;
    };

/** Offset/limit paging of the current API (offset counts items, from 0). */
export interface OffsetPaging {
  /** Items to skip. @default 0 (server) */
  offset?: number;
  /** Items per page. @default 25 (server) */
  limit?: number;
}

/** Language of the offer texts: `en-US` (or `en_US`), or a comma list `en-US,en-AU`. */
export interface LanguageOption {
  /** `Accept-Language`. @default the module's `language` option, else none */
  acceptLanguage?: string;
}

/** Filters of `getOffers` (GET `/loyalty/offers/user-presentment/offers`). */
export interface GetOffersParams extends OffsetPaging, LanguageOption {
  /** `POSTPAIDCREDIT` or `ALWAYSON` (`offer_type`). */
  offerType?: string;
  /** e.g. `SHOP` (`category`). */
  category?: string;
  /** Countries (`offer_country`, alpha-3); a `!` on any value makes the whole list an exclusion list. */
  offerCountry?: readonly string[];
  /** true = only activated offers, false = only not activated (`active`). */
  active?: boolean;
  /** Offers expiring within this many days (`expiry_days`). */
  expiryDays?: number;
}

/** The body of `searchOffers` (POST `.../offers/filters`), camelCase as on the wire. */
export interface OfferFilter extends OffsetPaging {
  /** The kind of deal: `POSTPAIDCREDIT` or `ALWAYSON`. */
  offerType?: string;
  /** The type of retailer, e.g. `SHOP`. */
  category?: string;
  /** A `!` on any value makes the whole list an exclusion list. */
  offerCountries?: readonly string[];
  /** Latitude of the point to search around, decimal degrees. */
  latitude?: number;
  /** Longitude of the point to search around, decimal degrees. */
  longitude?: number;
  /** e.g. `5mi` or `10km` (km by default). */
  radius?: string;
  /** true = only activated offers, false = only not activated; omitted: both. */
  active?: boolean;
  /** Super category of the targeting category, e.g. `HOMEFURNISHINGANDDECOR`. */
  superCategory?: string;
  /** Targeting category, e.g. `MATTRESSANDBEDDING`. */
  targetingCategory?: string;
  /** At least 1. */
  expiryDays?: number;
  /** Where a purchase may be made to qualify: `ONLINE`, `INSTORE`. */
  channels?: ReadonlyArray<'ONLINE' | 'INSTORE'>;
  /** Merchants to filter the offers on (the spec's example: `koalla`). */
  merchants?: readonly string[];
}

/** Params of `getOfferRatings`. */
export interface OfferRatingsParams extends OffsetPaging {
  /** Only ratings of currently active offers (`current`). @default true (server) */
  current?: boolean;
}

/** Params of `getUserPresentmentAdjustments`. */
export interface AdjustmentsParams extends OffsetPaging {
  /** `YYYY-MM-DD` or a `Date` (`start_date`). @default the last 24 hours (server) */
  startDate?: Date | string;
  /** `YYYY-MM-DD` or a `Date` (`end_date`). @default today (server) */
  endDate?: Date | string;
  /** `date_filter`. @default 'CREATED' (server) */
  dateFilter?: 'CREATED' | 'UPDATED';
}

/** Params of `findGeoLocations`. */
export interface GeoLocationsParams extends OffsetPaging {
  /** e.g. `San Diego, California` (`keywords`, required). */
  keywords: string;
}

/** One impression for `publishImpressions`. */
export interface Impression {
  /** The offer the user saw or acted on. */
  offerId: string;
  /** Position of the offer in what the user saw (a string on the wire; a number is sent as text). */
  order: string | number;
  /** What the user did with the offer. */
  activityType: 'CLICKED' | 'VIEWED' | 'BROWSED' | 'ACTIVATED' | 'LIKED';
  /** When it happened: a `Date` (sent as ISO 8601) or a string. */
  activityTimestamp: Date | string;
}
