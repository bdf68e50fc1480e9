export { UserAccessToken } from './access-token.response.js';
export { Activation, Activations } from './activations.response.js';
export { AdminAdjustments, Adjustment, UserAdjustments } from './adjustments.response.js';
export { GeoLocation, GeoLocations } from './geo-locations.response.js';
export {
  BrowseOffers,
  Coordinate,
  Distance,
  EligibilityList,
  IcaEligibilityList,
  Localization,
  Media,
  Merchant,
  MerchantIdsByAcquirerIca,
  MerchantIdsByAcquirerIcaList,
  MerchantLocation,
  OfferDetails,
  OfferInfo,
  OffsetPage,
  PrimaryValueList,
  Reward,
  StatusInfo,
  UserAssignment,
  UserOffer,
  UserOfferDetails,
  UserOffers,
} from './offers.response.js';
export { OfferRating, UserOfferRating, UserOfferRatings } from './ratings.response.js';
export { PresentmentSavings, UserPresentmentSavings } from './savings.response.js';
