// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Int, Nested, Num } from './wire.decorators.js';

/** `savings` of GET /loyalty/offers/user-presentment/savings (spec `Savings`): JSON numbers, kept as sent. */
export class PresentmentSavings {
  @Num() adjustmentsCashTotal?: number;
  @Int() offersRedeemed?: number;
  @Num() adjustmentsPointsTotal?: number;
  @Num() potentialCash?: number;
  @Int() offersAvailable?: number;
  @Num() potentialPoints?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/savings (spec `UserSavings`): `{savings}`. */
export class UserPresentmentSavings {
  @Nested(() => PresentmentSavings) savings?: PresentmentSavings;
}
