/**
 * The wire contract of the offers microservice: message patterns, request payloads and the typed
 * error every failure comes back as. Callers (a gateway, another Nest service) import these types;
 * nothing here depends on Nest, so it is safe to share.
 */
import type { MatchedOffersParams } from 'nestjs-personalized-offers';

/** Message patterns answered by `OffersMicroserviceController` (use them with `ClientProxy.send`). */
export const OFFERS_PATTERNS = {
  /** One page of the user's matched offers. Data: {@link MatchedOffersRequest}. Answer: `MatchedOffersResult`. */
  matched: { cmd: 'offers.matched' },
  /** One offer in detail. Data: {@link OfferRequest}. Answer: `OfferDetailsResult`. */
  details: { cmd: 'offers.details' },
  /** Activates a statement-credit offer. Data: {@link OfferRequest}. Answer: `StatementCreditActivationResult`. */
  activate: { cmd: 'offers.activate' },
  /** Makes sure the user has a session token (cached fleet-wide). Data: {@link UserRequest}. Answer: {@link UserTokenStatus}; never the token. */
  userToken: { cmd: 'user-token' },
} as const;

/**
 * Every request names the cardholder. The caller (your gateway) has authenticated them: the TCP
 * port is an internal interface, reachable only from your own services.
 */
export interface UserRequest {
  userId: string;
}

/** `offers.matched`: the user plus the filters of `matchedOffers`. */
export type MatchedOffersRequest = UserRequest & Pick<MatchedOffersParams, 'pageNumber' | 'itemsPerPage' | 'category' | 'offerType' | 'merchantName' | 'lang'>;

/** `offers.details` and `offers.activate`. */
export interface OfferRequest extends UserRequest {
  offerId: string;
  lang?: string;
}

/** The answer of `user-token`: whether the user has a session token and where it came from. The token itself never leaves the service. */
export interface UserTokenStatus {
  userId: string;
  /** Always true when answered: the service holds a token for the user. */
  ready: true;
  /** True when the token was already in the token cache (Redis: stored by any instance), false when it was fetched for this call. */
  cached: boolean;
  /** True when the token cache is shared by every instance (Redis). */
  sharedCache: boolean;
}

/**
 * What a failed request comes back as (the `err` of the TCP reply; `ClientProxy.send` errors with
 * it). `code` is the module's error code (`INVALID_USER_ID`, `INVALID_ARGUMENT`, `API_ERROR`,
 * `INVALID_RESPONSE`, `NETWORK_TIMEOUT`, `NETWORK_ERROR`, `OUTCOME_UNKNOWN`, `UNAVAILABLE`,
 * `CACHE_UNAVAILABLE`, `CONFIG_INVALID`) or one of this service's: `INVALID_REQUEST` (a payload
 * without a string `userId`/`offerId`), `OFFER_NOT_ACTIVATABLE` (already active, or an always-on
 * offer), `INTERNAL_ERROR`. `statusCode` is the HTTP status a gateway should answer with. The
 * message is generic: never upstream text, user ids, tokens or AuthInfo.
 */
export interface OffersRpcError {
  status: 'error';
  code: string;
  statusCode: number;
  message: string;
  /** The upstream operation that failed (an operationId such as `matchedOffers`), when known. */
  operation?: string;
  /** How long Mastercard asked to wait before trying again, in milliseconds (with 503). */
  retryAfterMs?: number;
}

/** True when `value` has the shape of an {@link OffersRpcError} (for callers narrowing a caught error). */
export function isOffersRpcError(value: unknown): value is OffersRpcError {
  const v = value as Partial<OffersRpcError> | null;
  return typeof v === 'object' && v !== null && v.status === 'error' && typeof v.code === 'string' && typeof v.statusCode === 'number';
}
