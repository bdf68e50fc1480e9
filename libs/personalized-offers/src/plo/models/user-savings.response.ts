// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { Counter, Envelope, LegacyStatus, Nested, Num, Text } from './wire.decorators.js';

/** v1.5 `UserSavings.savings`: camelCase JSON numbers, kept as sent. */
export class LegacySavings {
  @Num() adjustmentsCashTotal?: number;
  @Counter() offersRedeemed?: number;
  @Num() adjustmentsPointsTotal?: number;
  @Num() potentialCash?: number;
  @Counter() offersAvailable?: number;
  @Num() potentialPoints?: number;
}

/** v1.3 `UserSavings.StatementCreditOffersSavings`: strings (numbers become strings). */
export class StatementCreditOffersSavings {
  @Text() EarnedCashback?: string;
  @Text() NumAvailable?: string;
  @Text() NumRedeemed?: string;
  @Text() PotentialSavings?: string;
}

/** v1.3 `UserSavings.PrepaidOfferSavings` ("Deprecated"): strings (numbers become strings). */
export class PrepaidOfferSavings {
  @Text() AmountSaved?: string;
  @Text() NumAvailable?: string;
  @Text() NumPurchased?: string;
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
  @LegacyStatus() Status!: ResponseStatus;
  @Nested(() => LegacyUserSavings) UserSavings?: LegacyUserSavings;
}

/** The 200 body of GET /plo/v1/usersavings: `{"Response":{…}}`. */
export class UserSavingsResponse {
  @Envelope(() => UserSavingsResult) Response!: UserSavingsResult;
}
