export {
  LegacyOffer,
  MatchedOffer,
  MatchedOfferItems,
  MatchedOffersResponse,
  MatchedOffersResult,
  MerchantAddress,
  MerchantAddresses,
  OfferMerchant,
  OfferScActivation,
  OfferUserFeedback,
} from './matched-offers.response.js';
export {
  DetailPostpaidCreditOffer,
  DetailedOffer,
  OfferDetailsResponse,
  OfferDetailsResult,
  OfferDisplay,
  OfferImage,
  OfferMedia,
} from './offer-details.response.js';
export {
  RedeemedOffer,
  RedeemedOfferItems,
  RedeemedOffersResponse,
  RedeemedOffersResult,
  RedeemedTransaction,
  RedeemedTransactions,
} from './redeemed-offers.response.js';
export { StatementCreditActivation, StatementCreditActivationResponse, StatementCreditActivationResult } from './statement-credit-activation.response.js';
export {
  LegacySavings,
  LegacyUserSavings,
  PrepaidOfferSavings,
  StatementCreditOffersSavings,
  UserSavingsResponse,
  UserSavingsResult,
} from './user-savings.response.js';
export {
  UserFeedbackItem,
  UserFeedbackItems,
  UserFeedbackListResponse,
  UserFeedbackListResult,
  UserFeedbackResponse,
  UserFeedbackResult,
} from './user-feedback.response.js';
