// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { Envelope, LegacyStatus, Nested, Text } from './wire.decorators.js';

/** `Response.ScActivation` of a statement-credit activation; amounts, counts and dates stay strings. */
export class StatementCreditActivation {
  /** Identifier of the user's activation of the offer (`TRU_1000136`), not for end-user display; what GET statementcreditactivationdetail takes. */
  @Text() ActivationId?: string;
  /** System-wide identifier of the offer (campaign), not for end-user display. */
  @Text() OfferId?: string;
  /** The activation state: `ACTIVATED` (v1.3 also `REDEEMED`, `CREDIT_DECLINED`); not the legacy response `Status`. */
  @Text() Status?: string;
  /** Brief details about the deal, the offer's title. */
  @Text() Headline?: string;
  /** Summary of the deal, typically displayed beneath the headline in a list view. */
  @Text() ShortDescription?: string;
  /** The merchant's display name: a string here, unlike the `Merchant` object of offers. */
  @Text() Merchant?: string;
  /** URL of the square retailer logo. */
  @Text() MerchantLogo?: string;
  /** Conditions required for successful redemption of the offer (v1.5). */
  @Text() Terms?: string;
  /** Day the offer became ready for redemption, `YYYY-MM-DD`. */
  @Text() ActivationDate?: string;
  /** Day a purchase fulfilled the offer, `YYYY-MM-DD` (v1.5). */
  @Text() RedemptionDate?: string;
  /** First day on which a purchase may qualify for the offer, `YYYY-MM-DD` (v1.5). */
  @Text() RedemptionStartDate?: string;
  /** Last day on which a purchase may qualify for the offer, `YYYY-MM-DD`. */
  @Text() RedemptionEndDate?: string;
  /** `CASH` | `POINTS`. */
  @Text() RedemptionMode?: string;
  /** Points earned on fulfilment of the offer's conditions, a decimal string (not applicable to cash activations). */
  @Text() PointsEarned?: string;
  /** Cash earned on fulfilment of the offer's conditions, a decimal string (not applicable to points activations). */
  @Text() CashBack?: string;
  /** v1.5: cumulative amount of purchases; v1.3: count of purchases. */
  @Text() TotalSpend?: string;
  /** Cumulative count of purchases the user made towards the offer, a digit string (v1.5). */
  @Text() TotalVisits?: string;
  /** Purchase amount still required to redeem the offer, a decimal string (`"30.0"`). */
  @Text() RemainingSpend?: string;
  /** Count of purchases still required to redeem the offer, a digit string (v1.5). */
  @Text() RemainingVisits?: string;
  /** "Disregard, deprecated" (v1.5). */
  @Text() DaysRemaining?: string;
}

/**
 * The `Response` of GET /plo/v1/statementcreditactivationdetail, POST /plo/v2/activatestatementcreditoffer
 * and v1.3 POST /plo/v1/activatestatementcreditoffer.
 */
export class StatementCreditActivationResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** The statement-credit activation. */
  @Nested(() => StatementCreditActivation) ScActivation?: StatementCreditActivation;
}

/** The 200 body of the three statement-credit activation operations: `{"Response":{…}}`. */
export class StatementCreditActivationResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => StatementCreditActivationResult) Response!: StatementCreditActivationResult;
}
