// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { OfferScActivation } from './matched-offers.response.js';
import { DetailedOffer } from './offer-details.response.js';
import { Counter, Envelope, LegacyStatus, ListOf, Nested, Text, renameKey, wrapBareItem } from './wire.decorators.js';

/** One redemption of a redeemed offer; amounts and dates stay strings (`RedemptionDate` is `MM/DD/YYYY` in v1.5). */
export class RedeemedTransaction {
  /** Cash back earned by this redemption, a decimal string (`"5"`; v1.5 spelling). */
  @Text() CashbackEarned?: string;
  /** The v1.3 spelling (capital B), kept as sent; a number becomes a string. */
  @Text() CashBackEarned?: string;
  /** Points earned by this redemption, a decimal string (`"5"`). */
  @Text() PointsEarned?: string;
  /** v1.3: "decimal is implied" (scale undocumented). */
  @Text() TransactionAmount?: string;
  /** Day the purchase fulfilled the offer: `MM/DD/YYYY` in v1.5 (`09/05/2019`), `YYYY-MM-DD` in v1.3. */
  @Text() RedemptionDate?: string;
  /** A boolean sent as a string (`"true"`), kept as a string. */
  @Text() InstallmentPayment?: string;
}

/** `Transactions`: a single `Transaction` object becomes a one-element list. */
export class RedeemedTransactions {
  /** The redemptions (qualifying purchases) of the offer. */
  @ListOf(() => RedeemedTransaction) Transaction?: RedeemedTransaction[];
}

/** One `Items.RedeemedOffer` entry of GET /plo/v1/redeemedoffers; v1.3's top-level `ActivationId` is kept as an unknown field. */
export class RedeemedOffer extends DetailedOffer {
  /** The user's statement-credit activation the redemption belongs to (v1.5). */
  @Nested(() => OfferScActivation) ScActivation?: OfferScActivation;
  /** v1.3 sends one bare transaction object here; it becomes `Transactions.Transaction: [that object]`. */
  @Nested(() => RedeemedTransactions, wrapBareItem('Transaction')) Transactions?: RedeemedTransactions;
}

/** `Items` of GET /plo/v1/redeemedoffers: a single `RedeemedOffer` object (the v1.3 shape) becomes a one-element list. */
export class RedeemedOfferItems {
  /** The redeemed offers of this page. */
  @ListOf(() => RedeemedOffer) RedeemedOffer?: RedeemedOffer[];
}

/** The `Response` of GET /plo/v1/redeemedoffers; counters are numbers (strings in v1.5, integers in v1.3). */
export class RedeemedOffersResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** Count of all items available for the request's criteria. */
  @Counter() TotalCount?: number;
  /** The 1-based number of the page returned. */
  @Counter() CurrentPage?: number;
  /** Count of pages available at this page size. */
  @Counter() NumberOfPages?: number;
  /** Count of items per page (the requested page size). */
  @Counter() ItemsPerPage?: number;
  /** v1.3 spells the list `Items.RedemedOffer` (one "e"); it is moved to `Items.RedeemedOffer`. */
  @Nested(() => RedeemedOfferItems, renameKey('RedemedOffer', 'RedeemedOffer')) Items?: RedeemedOfferItems;
}

/** The 200 body of GET /plo/v1/redeemedoffers: `{"Response":{…}}`. */
export class RedeemedOffersResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => RedeemedOffersResult) Response!: RedeemedOffersResult;
}
