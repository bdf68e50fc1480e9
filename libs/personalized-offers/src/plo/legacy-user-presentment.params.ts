/**
 * Typed params of the legacy user-presentment operations, camelCase; the operations map them
 * to the spec's wire names (`MerchantName`, `PageNumber`, `offer_id`, …).
 */

/** A user id (the module gets and caches the user token) or a user token you already hold. */
export type LegacyUser =
  | string
  | {
      /** A legacy user token you already hold (e.g. from `UserTokenService`), sent as is. */
      userToken: string;
    };

/** 0 = disliked, 1 = liked. */
export type FeedbackValue = 0 | 1;

/** Page of a paged legacy list (1-based). */
export interface LegacyPaging {
  /** Page to return, from 1. @default 1 (server) */
  pageNumber?: number;
  /** Items per page. @default 25 (server) */
  itemsPerPage?: number;
}

/** Filters of `matchedOffers` (GET `/plo/v1/matchedoffers`). */
export interface MatchedOffersParams extends LegacyPaging {
  /** Fuzzy merchant name (`MerchantName`). */
  merchantName?: string;
  /** Retailer category, e.g. `SHOP` (`Category`). */
  category?: string;
  /** Offer type, e.g. `POSTPAIDCREDIT` (`OfferType`). */
  offerType?: string;
  /** Reserved by Mastercard for future use (`Latitude`). */
  latitude?: number;
  /** Reserved by Mastercard for future use (`Longitude`). */
  longitude?: number;
  /** Reserved by Mastercard for future use (`Radius`). */
  radius?: number;
  /** Language, `en_US` (or `en-US`) (`Lang`). */
  lang?: string;
  /** Only offers with this feedback: 0, 1 or both (`UserFeedback` = `0`, `1`, `0,1`). */
  userFeedback?: FeedbackValue | readonly FeedbackValue[];
  /** Presentment day: yesterday, today or tomorrow; a `Date` (its UTC day) or `YYYY-MM-DD` (`PresentmentDate`). */
  presentmentDate?: Date | string;
}

/** Params of `getOfferDetails` (GET `/plo/v1/offerdetails`). */
export interface OfferDetailsParams {
  /** `OfferId`. */
  offerId: string;
  /** `Lang`. */
  lang?: string;
}

/** Params of `getRedeemedOfferDetails` (GET `/plo/v1/redeemedoffers`). */
export interface RedeemedOffersParams extends LegacyPaging {
  /** `Lang`. */
  lang?: string;
}

/** Params of `getStatementCreditActivationDetail` (GET `/plo/v1/statementcreditactivationdetail`). */
export interface ActivationDetailParams {
  /** `ActivationId`, as returned by an activation or a redeemed offer. */
  activationId: string;
  /** `Lang`. */
  lang?: string;
}

/** Filters of `getUserFeedback` (GET `/plo/v1/userfeedback`). */
export interface UserFeedbackFilter {
  /** Only this offer (`offer_id`). */
  offerId?: string;
  /** Only this feedback: 0, 1 or both (`feedback`). */
  feedback?: FeedbackValue | readonly FeedbackValue[];
}

/** Params of `activateStatementCreditOffer` (POST `/plo/v2/activatestatementcreditoffer`). */
export interface ActivateOfferParams {
  /** `OfferId`. */
  offerId: string;
  /** `Lang`. */
  lang?: string;
  /** Presentment day (yesterday, today or tomorrow) (`PresentmentDate`; v2 only). */
  presentmentDate?: Date | string;
}

/** Params of `sendUserFeedback` (POST `/plo/v2/userfeedback`). */
export interface SendFeedbackParams {
  /** `OfferId`. */
  offerId: string;
  /** 1 = like, 0 = dislike (disliked offers are suppressed from matched offers). */
  feedback: FeedbackValue;
}
