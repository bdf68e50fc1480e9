// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { OffsetPage, StatusInfo } from './offers.response.js';
import { Flag, Int, ListOf, Nested, Num, Text, TextOrNumber } from './wire.decorators.js';

/** One `adjustments` entry (spec `Adjustments`): a statement credit or points adjustment; dates and times stay strings. */
export class Adjustment {
  /** UUID. */
  @Text() id?: string;
  /** Unique only per FI and reward type. */
  @Int() adjustmentId?: number;
  /** Null (absent) for ALWAYSON offers. */
  @Int() activationId?: number;
  @Text() activatedDateTime?: string;
  @Text() transactionClassifier?: string;
  @Text() offerId?: string;
  /** `CASH` | `POINTS` | `EITHER`. */
  @Text() adjustmentMode?: string;
  @Text() transactionBankAccountNumber?: string;
  @Num() transactionAmount?: number;
  @Text() transactionDate?: string;
  /** `HH:mm:ss.SSS`. */
  @Text() transactionTime?: string;
  @Text() transactionDescription?: string;
  /** An integer in the spec that "may be formatted with leading zeros": a string or a number, kept exactly as sent. */
  @TextOrNumber() transactionSequenceNumber?: string | number;
  @Num() adjustmentCashValue?: number;
  @Text() redemptionDateTime?: string;
  /** `CONFIRMED` | `INITIATED` | `PROCESSING` | `COMPLETED` | `FAILED`. */
  @Text() status?: string;
  /** Null (absent) for CASH. */
  @Num() adjustmentPointsValue?: number;
  @Text() transactionMerchantId?: string;
  /** `ONLINE` | `INSTORE`. */
  @Text() transactionChannel?: string;
  /** `ALWAYSON` | `POSTPAIDCREDIT`. */
  @Text() offerType?: string;
  /** Null (absent) where not used. */
  @Text() transactionAccountISUID?: string;
  @Text() transactionBankProductCode?: string;
  @Text() adjustmentBankAccountNumber?: string;
  @Text() adjustmentBankProductCode?: string;
  /** Null (absent) where not used; kept as sent (the spec's example has a trailing space). */
  @Text() adjustmentAccountISUID?: string;
  /** Alpha-3. */
  @Text() transactionCountry?: string;
  @Text() transactionCurrency?: string;
  @Text() transactionBankAccountNumberAlias?: string;
  /** Null (absent) where not applicable. */
  @Flag() transactionInstallmentPayment?: boolean;
  /** Alpha-3. */
  @Text() transactionIssuerCountry?: string;
  /** `YYYY-MM-DD` (no declared format). */
  @Text() createdDate?: string;
  @Text() lastModifiedDateTime?: string;
  @Text() bankCustomerNumber?: string;
  @Text() transactionAuthorizationCode?: string;
  @Text() transactionDescriptionOriginal?: string;
  @Text() transactionCity?: string;
  @Flag() adjustmentReversal?: boolean;
  /** Always `+`. */
  @Text() adjustmentValueSign?: string;
  /** Always `6555`. */
  @Text() adjustmentMerchantCategoryCode?: string;
  /** Null (absent) for CASH. */
  @Num() pointsConversionRate?: number;
  @Text() transactionClassifierDisplayName?: string;
  @Int() campaignId?: number;
  @Int() transactionIssuerICA?: number;
  /** Null (absent) for CASH. */
  @Text() adjustmentPointsType?: string;
}

/** The 200 body of GET /loyalty/offers/user-presentment/adjustments (spec `UserAdjustments`, no `status`). */
export class UserAdjustments extends OffsetPage {
  /** RFC 3339 date-time, kept as a string. */
  @Text() responseLastModifiedDateTime?: string;
  @ListOf(() => Adjustment) adjustments?: Adjustment[];
}

/** The 200 body of GET /loyalty/offers/platform-admin/adjustments (spec `UserAdjustment`): `UserAdjustments` plus `status`. */
export class AdminAdjustments extends UserAdjustments {
  @Nested(() => StatusInfo) status?: StatusInfo;
}
