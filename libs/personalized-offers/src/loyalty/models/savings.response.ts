// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Int, Nested, Num } from './wire.decorators.js';

/** `savings` of GET /loyalty/offers/user-presentment/savings (spec `Savings`): JSON numbers, kept as sent. */
export class PresentmentSavings {
  /** Combined cash value of the user's redeemed deals (`40.15`). */
  @Num() adjustmentsCashTotal?: number;
  /** Count of the user's redeemed deals. */
  @Int() offersRedeemed?: number;
  /** Combined points value of the user's redeemed deals. */
  @Num() adjustmentsPointsTotal?: number;
  /** Minimum cash value of the user's unredeemed deals. */
  @Num() potentialCash?: number;
  /** Count of deals ready for activation or redemption. */
  @Int() offersAvailable?: number;
  /** Minimum points value of the user's unredeemed deals. */
  @Num() potentialPoints?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/savings (spec `UserSavings`): `{savings}`. */
export class UserPresentmentSavings {
  /** The user's savings totals. */
  @Nested(() => PresentmentSavings) savings?: PresentmentSavings;
}
