import type { AdjustmentsParams, OffsetPaging } from '../user-presentment/user-presentment.params.js';

/** Filters of `browseOffers` (GET `/loyalty/offers/platform-admin/offers`); `f_id` comes from the module. */
export interface BrowseOffersParams extends OffsetPaging {
  /** `issuer_ica`. */
  issuerIca?: number;
  /** `bank_product_code`. */
  bankProductCode?: string;
  /** `offer_type`. */
  offerType?: string;
  /** `category`: the type of retailer, e.g. `DEPARTMENTSTORE`. */
  category?: string;
  /** `offer_country`; a `!` makes the list an exclusion list. */
  offerCountry?: readonly string[];
  /** `lang`: `en-US`… or `ALL`. */
  lang?: readonly string[];
}

/** The body of `searchAdminOffers` (POST `.../platform-admin/offers/filters`); `fId` comes from the module. */
export interface AdminOfferFilter extends OffsetPaging {
  /** The card issuer's ICA (Interbank Card Association number). */
  issuerIca?: number;
  /** Bank product code (BPC). */
  bankProductCode?: string;
  /** The kind of deal: `POSTPAIDCREDIT` or `ALWAYSON`. */
  offerType?: string;
  /** The type of retailer, e.g. `DEPARTMENTSTORE`. */
  category?: string;
  /** Offer countries, alpha-3 (`USA`). */
  offerCountries?: readonly string[];
  /** `en-US`… or `ALL`. */
  languages?: readonly string[];
}

/** Params of `getAdjustments` (GET `/loyalty/offers/platform-admin/adjustments`). */
export type AdminAdjustmentsParams = AdjustmentsParams;
