// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { OfferScActivation } from './matched-offers.response.js';
import { DetailedOffer } from './offer-details.response.js';
import { Counter, Envelope, LegacyStatus, ListOf, Nested, Text, renameKey, wrapBareItem } from './wire.decorators.js';

/** One redemption of a redeemed offer; amounts and dates stay strings (`RedemptionDate` is `MM/DD/YYYY` in v1.5). */
export class RedeemedTransaction {
  @Text() CashbackEarned?: string;
  /** The v1.3 spelling (capital B), kept as sent; a number becomes a string. */
  @Text() CashBackEarned?: string;
  @Text() PointsEarned?: string;
  /** v1.3: "decimal is implied" (scale undocumented). */
  @Text() TransactionAmount?: string;
  @Text() RedemptionDate?: string;
  /** A boolean sent as a string (`"true"`), kept as a string. */
  @Text() InstallmentPayment?: string;
}

/** `Transactions`: a single `Transaction` object becomes a one-element list. */
export class RedeemedTransactions {
  @ListOf(() => RedeemedTransaction) Transaction?: RedeemedTransaction[];
}

/** One `Items.RedeemedOffer` entry of GET /plo/v1/redeemedoffers; v1.3's top-level `ActivationId` is kept as an unknown field. */
export class RedeemedOffer extends DetailedOffer {
  @Nested(() => OfferScActivation) ScActivation?: OfferScActivation;
  /** v1.3 sends one bare transaction object here; it becomes `Transactions.Transaction: [that object]`. */
  @Nested(() => RedeemedTransactions, wrapBareItem('Transaction')) Transactions?: RedeemedTransactions;
}

/** `Items` of GET /plo/v1/redeemedoffers: a single `RedeemedOffer` object (the v1.3 shape) becomes a one-element list. */
export class RedeemedOfferItems {
  @ListOf(() => RedeemedOffer) RedeemedOffer?: RedeemedOffer[];
}

/** The `Response` of GET /plo/v1/redeemedoffers; counters are numbers (strings in v1.5, integers in v1.3). */
export class RedeemedOffersResult {
  @LegacyStatus() Status!: ResponseStatus;
  @Counter() TotalCount?: number;
  @Counter() CurrentPage?: number;
  @Counter() NumberOfPages?: number;
  @Counter() ItemsPerPage?: number;
  /** v1.3 spells the list `Items.RedemedOffer` (one "e"); it is moved to `Items.RedeemedOffer`. */
  @Nested(() => RedeemedOfferItems, renameKey('RedemedOffer', 'RedeemedOffer')) Items?: RedeemedOfferItems;
}

/** The 200 body of GET /plo/v1/redeemedoffers: `{"Response":{…}}`. */
export class RedeemedOffersResponse {
  @Envelope(() => RedeemedOffersResult) Response!: RedeemedOffersResult;
}
