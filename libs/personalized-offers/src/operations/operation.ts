import type { ClassConstructor } from 'class-transformer';

/** HTTP methods the Personalized Offers API uses. */
export type HttpMethod = 'GET' | 'POST';

/**
 * How an operation may be sent again after an attempt that failed upstream:
 * - `safe`: reads, and POSTs that only read or mint a credential: retried per the retry policy;
 * - `upsert`: last-write-wins writes (feedback, ratings): retried like `safe`, since replaying
 *   the same value is harmless;
 * - `never`: not idempotent (activations, impressions): retried only when the request provably
 *   never left (connection refused); after a timeout, reset or 5xx the outcome is unknown.
 */
export type RetryClass = 'safe' | 'upsert' | 'never';

/** A query parameter value; `undefined` is left out, an array repeats the key. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** Query parameters by their wire names. */
export type QueryParams = Record<string, QueryValue>;

/** A JSON request body by wire names; `undefined` members are left out. */
export type JsonBody = Record<string, unknown>;

/** A request as an operation describes it, before it is encoded and signed. */
export interface OperationRequest {
  method: HttpMethod;
  /** The full path, e.g. `/plo/v1/matchedoffers` (appended to the host-only base URL). */
  path: string;
  query: QueryParams;
  headers: Record<string, string>;
  body?: JsonBody;
}

/** Where the per-user credential (user token, access token) goes, under its wire name. */
export interface CredentialPlacement {
  in: 'query' | 'body' | 'header';
  name: string;
}

/** What operations may read from the module's configuration when they build a request. */
export interface OperationContext {
  /** The configured Financial Institution id. */
  fId: string;
}

/**
 * One API operation, declared once: the executor does the rest (credential, encoding, signing,
 * sending, retries, error mapping, parsing, validation, envelope check).
 * `P` = typed params, `B` = the validated body model, `R` = what the caller gets.
 */
export interface Operation<P, B extends object, R = B> {
  /** The v1.5 `operationId` (or the generators' name for an operation v1.5 dropped). */
  readonly id: string;
  readonly method: HttpMethod;
  /** The full path; `{name}` segments are filled from `pathParams` (e.g. `/offers/{offer_id}`). */
  readonly path: string;
  /**
   * Values of the path's `{name}` segments, RFC 3986-encoded by the executor, which refuses
   * (before any I/O, naming the camelCase parameter: `offer_id` → `offerId`) a value that is
   * empty, `.` or `..` (RFC 3986 encoding keeps every other value inside its one segment).
   */
  readonly pathParams?: (params: P) => Record<string, string>;
  /** Where the caller's credential goes; absent for operations that need none. */
  readonly credential?: CredentialPlacement;
  readonly retry: RetryClass;
  /** Checks params before any I/O; throws `InvalidArgumentError` naming the parameter. */
  readonly validate?: (params: P) => void;
  /** Query parameters from params, by wire name. */
  readonly query?: (params: P, context: OperationContext) => QueryParams;
  /** JSON body from params, by wire name; serialized once, and those bytes are signed and sent. */
  readonly body?: (params: P, context: OperationContext) => JsonBody;
  /** Query parameters whose values are secrets (e.g. `AuthInfo`): scrubbed from any echo in an error. */
  readonly secretQuery?: readonly string[];
  /** Extra request headers (e.g. `Accept-Language`). */
  readonly headers?: (params: P) => Record<string, string> | undefined;
  /** The model of a 2xx body, validated with class-validator (required unless `parse` is given). */
  readonly model?: ClassConstructor<B>;
  /** Builds the model from parsed JSON (default: class-transformer's `plainToInstance`). */
  readonly build?: (json: object) => B;
  /** Parses a 2xx body that is not a JSON object (e.g. a bare JSON string); replaces model parsing. */
  readonly parse?: (body: string, status: number) => B;
  /**
   * Checks a validated body for an in-body failure and returns the caller's result (default: the
   * body). `secrets` gives the values the module sent (to scrub from any echo in an error); it is
   * only called on failure, so a success builds no list.
   */
  readonly envelope?: (body: B, operation: string, secrets: () => readonly string[]) => R;
  /**
   * For a write: whether a success answer confirms it (carries the activation, the feedback,
   * the rating it wrote). A success that confirms nothing is not taken for a success: it is a
   * `PersonalizedOffersOutcomeUnknownError` for a `never` write (it may or may not have been
   * applied) and a `PersonalizedOffersInvalidResponseError` otherwise, never a silent loss.
   */
  readonly confirms?: (result: R) => boolean;
}
