// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { Envelope, LegacyStatus, Nested, Text } from './wire.decorators.js';

/** `Response.ScActivation` of a statement-credit activation; amounts, counts and dates stay strings. */
export class StatementCreditActivation {
  @Text() ActivationId?: string;
  @Text() OfferId?: string;
  /** The activation state: `ACTIVATED` (v1.3 also `REDEEMED`, `CREDIT_DECLINED`); not the legacy response `Status`. */
  @Text() Status?: string;
  @Text() Headline?: string;
  @Text() ShortDescription?: string;
  /** The merchant's display name: a string here, unlike the `Merchant` object of offers. */
  @Text() Merchant?: string;
  @Text() MerchantLogo?: string;
  @Text() Terms?: string;
  @Text() ActivationDate?: string;
  @Text() RedemptionDate?: string;
  @Text() RedemptionStartDate?: string;
  @Text() RedemptionEndDate?: string;
  /** `CASH` | `POINTS`. */
  @Text() RedemptionMode?: string;
  @Text() PointsEarned?: string;
  @Text() CashBack?: string;
  /** v1.5: cumulative amount of purchases; v1.3: count of purchases. */
  @Text() TotalSpend?: string;
  @Text() TotalVisits?: string;
  @Text() RemainingSpend?: string;
  @Text() RemainingVisits?: string;
  /** "Disregard, deprecated" (v1.5). */
  @Text() DaysRemaining?: string;
}

/**
 * The `Response` of GET /plo/v1/statementcreditactivationdetail, POST /plo/v2/activatestatementcreditoffer
 * and v1.3 POST /plo/v1/activatestatementcreditoffer.
 */
export class StatementCreditActivationResult {
  @LegacyStatus() Status!: ResponseStatus;
  @Nested(() => StatementCreditActivation) ScActivation?: StatementCreditActivation;
}

/** The 200 body of the three statement-credit activation operations: `{"Response":{…}}`. */
export class StatementCreditActivationResponse {
  @Envelope(() => StatementCreditActivationResult) Response!: StatementCreditActivationResult;
}
