// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { Counter, Envelope, LegacyStatus, Nested, Num, Text } from './wire.decorators.js';

/** v1.5 `UserSavings.savings`: camelCase JSON numbers, kept as sent. */
export class LegacySavings {
  /** Combined cash value of the user's redeemed deals (`40.15`). */
  @Num() adjustmentsCashTotal?: number;
  /** Count of the user's redeemed deals. */
  @Counter() offersRedeemed?: number;
  /** Combined points value of the user's redeemed deals. */
  @Num() adjustmentsPointsTotal?: number;
  /** Minimum cash value of the user's unredeemed deals. */
  @Num() potentialCash?: number;
  /** Count of deals ready for activation or redemption. */
  @Counter() offersAvailable?: number;
  /** Minimum points value of the user's unredeemed deals. */
  @Num() potentialPoints?: number;
}

/** v1.3 `UserSavings.StatementCreditOffersSavings`: strings (numbers become strings). */
export class StatementCreditOffersSavings {
  /** Value of the user's redeemed statement-credit deals, a decimal string (`"21"`). */
  @Text() EarnedCashback?: string;
  /** Count of statement-credit deals ready for activation or redemption, a digit string. */
  @Text() NumAvailable?: string;
  /** Count of statement-credit deals redeemed, a digit string. */
  @Text() NumRedeemed?: string;
  /** Minimum value of the unredeemed statement-credit deals, a decimal string (`"195"`). */
  @Text() PotentialSavings?: string;
}

/** v1.3 `UserSavings.PrepaidOfferSavings` ("Deprecated"): strings (numbers become strings). */
export class PrepaidOfferSavings {
  /** Deprecated (v1.3); amount saved with prepaid offers, a decimal string. */
  @Text() AmountSaved?: string;
  /** Deprecated (v1.3); count of prepaid offers available, a digit string. */
  @Text() NumAvailable?: string;
  /** Deprecated (v1.3); count of prepaid offers purchased, a digit string. */
  @Text() NumPurchased?: string;
  /** Deprecated (v1.3); potential savings with prepaid offers, a decimal string. */
  @Text() PotentialSavings?: string;
}

/** `Response.UserSavings`: accepts both the v1.5 camelCase `savings` shape and the v1.3 PascalCase string shape. */
export class LegacyUserSavings {
  /** v1.5 shape. */
  @Nested(() => LegacySavings) savings?: LegacySavings;
  /** v1.3 shape. */
  @Text() TotalAmountSaved?: string;
  /** v1.3 shape. */
  @Text() TotalOffersUsed?: string;
  /** v1.3 shape. */
  @Nested(() => StatementCreditOffersSavings) StatementCreditOffersSavings?: StatementCreditOffersSavings;
  /** v1.3 shape. */
  @Nested(() => PrepaidOfferSavings) PrepaidOfferSavings?: PrepaidOfferSavings;
}

/** The `Response` of GET /plo/v1/usersavings. */
export class UserSavingsResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** The user's savings. */
  @Nested(() => LegacyUserSavings) UserSavings?: LegacyUserSavings;
}

/** The 200 body of GET /plo/v1/usersavings: `{"Response":{…}}`. */
export class UserSavingsResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => UserSavingsResult) Response!: UserSavingsResult;
}
