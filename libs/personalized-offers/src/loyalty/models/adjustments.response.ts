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
  /** When the offer became ready for redemption by the user, RFC 3339 date-time (usually US Central time). */
  @Text() activatedDateTime?: string;
  /** Shortened (classifier) name of the advertiser the offer applies to (`examplecom`). */
  @Text() transactionClassifier?: string;
  /** System-wide identifier of the offer (campaign), not for end-user display. */
  @Text() offerId?: string;
  /** `CASH` | `POINTS` | `EITHER`. */
  @Text() adjustmentMode?: string;
  /** Bank account number (BAN) the redeeming purchase was made with, or a pseudorandom token (MRS ID) where the BAN is personal data. */
  @Text() transactionBankAccountNumber?: string;
  /** Amount of the redeeming purchase, in `transactionCurrency` (`10.6`). */
  @Num() transactionAmount?: number;
  /** Day of the redeeming purchase, `YYYY-MM-DD`. */
  @Text() transactionDate?: string;
  /** `HH:mm:ss.SSS`. */
  @Text() transactionTime?: string;
  /** Descriptor of the redeeming purchase (may be normalized). */
  @Text() transactionDescription?: string;
  /** An integer in the spec that "may be formatted with leading zeros": a string or a number, kept exactly as sent. */
  @TextOrNumber() transactionSequenceNumber?: string | number;
  /** Cash amount of the redemption, in `transactionCurrency` (up to 4 decimals). */
  @Num() adjustmentCashValue?: number;
  /** When the redemption was processed, RFC 3339 date-time (usually US Central time). */
  @Text() redemptionDateTime?: string;
  /** `CONFIRMED` | `INITIATED` | `PROCESSING` | `COMPLETED` | `FAILED`. */
  @Text() status?: string;
  /** Null (absent) for CASH. */
  @Num() adjustmentPointsValue?: number;
  /** Merchant id (MID) of the redeeming purchase; `0000` or `00000` when the transaction had none. */
  @Text() transactionMerchantId?: string;
  /** `ONLINE` | `INSTORE`. */
  @Text() transactionChannel?: string;
  /** `ALWAYSON` | `POSTPAIDCREDIT`. */
  @Text() offerType?: string;
  /** Null (absent) where not used. */
  @Text() transactionAccountISUID?: string;
  /** Bank product code (BPC) of the account the redeeming purchase was made with. */
  @Text() transactionBankProductCode?: string;
  /** Bank account number (BAN) the redemption is posted to. */
  @Text() adjustmentBankAccountNumber?: string;
  /** Bank product code (BPC) of the account the redemption is posted to. */
  @Text() adjustmentBankProductCode?: string;
  /** Null (absent) where not used; kept as sent (the spec's example has a trailing space). */
  @Text() adjustmentAccountISUID?: string;
  /** Alpha-3. */
  @Text() transactionCountry?: string;
  /** ISO 4217 code of the redeeming purchase's currency (`USD`). */
  @Text() transactionCurrency?: string;
  /** Additional account identifier where configured, e.g. the last four digits of the PAN. */
  @Text() transactionBankAccountNumberAlias?: string;
  /** Null (absent) where not applicable. */
  @Flag() transactionInstallmentPayment?: boolean;
  /** Alpha-3. */
  @Text() transactionIssuerCountry?: string;
  /** `YYYY-MM-DD` (no declared format). */
  @Text() createdDate?: string;
  /** When the adjustment was last updated, RFC 3339 date-time (usually US Central time). */
  @Text() lastModifiedDateTime?: string;
  /** Bank customer number (BCN) the redemption applies to, or a replacement (MRS Customer ID) where the BCN is personal data. */
  @Text() bankCustomerNumber?: string;
  /** Authorization code of the redeeming purchase (`123456`). */
  @Text() transactionAuthorizationCode?: string;
  /** Original (not normalized) descriptor of the redeeming purchase, as the merchant or acquirer sent it. */
  @Text() transactionDescriptionOriginal?: string;
  /** City of the redeeming purchase, lower case, may be normalized. */
  @Text() transactionCity?: string;
  /** `false`: a redemption to the customer's account; `true`: a reversal of an erroneous redemption. */
  @Flag() adjustmentReversal?: boolean;
  /** Always `+`. */
  @Text() adjustmentValueSign?: string;
  /** Always `6555`. */
  @Text() adjustmentMerchantCategoryCode?: string;
  /** Null (absent) for CASH. */
  @Num() pointsConversionRate?: number;
  /** Display name of the retailer the offer applies to (`Example.com`). */
  @Text() transactionClassifierDisplayName?: string;
  /** FI-specific identifier of the offer, not for end-user display. */
  @Int() campaignId?: number;
  /** Issuer ICA (Interbank Card Association number) of the redeeming purchase. */
  @Int() transactionIssuerICA?: number;
  /** Null (absent) for CASH. */
  @Text() adjustmentPointsType?: string;
}

/** The 200 body of GET /loyalty/offers/user-presentment/adjustments (spec `UserAdjustments`, no `status`). */
export class UserAdjustments extends OffsetPage {
  /** RFC 3339 date-time, kept as a string. */
  @Text() responseLastModifiedDateTime?: string;
  /** The adjustments (redemptions) of this page. */
  @ListOf(() => Adjustment) adjustments?: Adjustment[];
}

/** The 200 body of GET /loyalty/offers/platform-admin/adjustments (spec `UserAdjustment`): `UserAdjustments` plus `status`. */
export class AdminAdjustments extends UserAdjustments {
  /** Application status of the response. */
  @Nested(() => StatusInfo) status?: StatusInfo;
}
