/**
 * The module's tracing and metrics, behind an interface of its own so that nothing outside this
 * folder knows about OpenTelemetry (an optional peer). `NOOP_TELEMETRY` is what runs without
 * `@opentelemetry/api`; with it, see `OpenTelemetryTelemetry`.
 *
 * What is ever recorded: operation ids, HTTP methods, path templates (`/offers/{offer_id}`, never
 * a filled path), the API host and port, status codes, attempt numbers, retry delays, breaker
 * states, token kinds and error class names. Never a query value, body, header, token, AuthInfo,
 * user id, consumer key, key material or error message.
 */

/** Injection token of the module's `Telemetry` (internal). */
export const PERSONALIZED_OFFERS_TELEMETRY = Symbol('PERSONALIZED_OFFERS_TELEMETRY');

/** The instrumentation scope of every tracer and meter: the package's name and version. */
export const INSTRUMENTATION_SCOPE = { name: 'nestjs-personalized-offers', version: '0.1.0' } as const;

/** Which token a cache lookup was for. */
export type TokenKind = 'user' | 'access' | 'oauth2';

/** A circuit breaker state as the module reports it. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'disabled';

/** What telemetry may know of an operation: its id, method and path template. */
export interface OperationRef {
  readonly id: string;
  readonly method: string;
  /** The path template (`{name}` segments unfilled), never the filled path. */
  readonly path: string;
}

/** What telemetry may know of one request: the same, never its URL, headers or body. */
export interface AttemptRef {
  readonly method: string;
  /** The path template. */
  readonly path: string;
  /** The operation's id, when an operation sent it. */
  readonly operation?: string;
}

/** One operation call being recorded (a span, the duration histogram). */
export interface CallTelemetry {
  /** Runs `fn` with the call's span as the active one, then ends it with `fn`'s outcome. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The HTTP status of the response the call ended with (the last one seen so far). */
  response(status: number): void;
  /** The credential was refused, renewed, and the call is sent again. */
  credentialRenewed(): void;
}

/** One HTTP attempt being recorded (a CLIENT span, the attempts counter). */
export interface AttemptTelemetry {
  /** Runs `fn` with the attempt's span as the active one. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Ends the attempt with its outcome, a response (`{ status }`, any status) or what was thrown,
   * and the wait before the next attempt when there is one.
   */
  end(outcome: unknown, retryDelayMs: number | undefined): void;
}

/**
 * The module's telemetry. `startCall` and `startAttempt` return `undefined` when nothing would
 * record (no SDK registered): callers then take their plain path, without allocating anything.
 */
export interface Telemetry {
  startCall(operation: OperationRef): CallTelemetry | undefined;
  /** `breaker.state` is read only when the attempt is recorded. */
  startAttempt(request: AttemptRef, attempt: number, breaker: { readonly state: BreakerState }): AttemptTelemetry | undefined;
  /** One token cache lookup: served from a cache tier (`hit`), or not. */
  tokenCacheLookup(kind: TokenKind, hit: boolean): void;
  breakerTransition(from: BreakerState, to: BreakerState): void;
}

/** Telemetry that records nothing: without `@opentelemetry/api`. */
export const NOOP_TELEMETRY: Telemetry = Object.freeze({
  startCall: () => undefined,
  startAttempt: () => undefined,
  tokenCacheLookup: () => {},
  breakerTransition: () => {},
});

/** Attribute names: OpenTelemetry semantic conventions where one fits, `personalized_offers.*` otherwise. */
export const ATTR = {
  OPERATION: 'personalized_offers.operation',
  METHOD: 'http.request.method',
  URL_TEMPLATE: 'url.template',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  STATUS_CODE: 'http.response.status_code',
  RESEND_COUNT: 'http.request.resend_count',
  ERROR_TYPE: 'error.type',
  ATTEMPT: 'personalized_offers.attempt',
  RETRY_DELAY_MS: 'personalized_offers.retry_delay_ms',
  /** Mastercard's `X-MC-Correlation-ID` of the answer (an id its support asks for; not a secret). */
  CORRELATION_ID: 'personalized_offers.correlation_id',
  BREAKER_STATE: 'personalized_offers.breaker_state',
  BREAKER_FROM: 'personalized_offers.breaker.from',
  BREAKER_TO: 'personalized_offers.breaker.to',
  TOKEN_KIND: 'personalized_offers.token.kind',
  /** The registration's name (`forRoot({ name })`), on every span and metric of a named registration; never the fId. */
  REGISTRATION: 'personalized_offers.registration',
} as const;

/** Metric names. */
export const METRIC = {
  CALL_DURATION: 'personalized_offers.call.duration',
  ATTEMPTS: 'personalized_offers.attempts',
  CACHE_HITS: 'personalized_offers.token_cache.hits',
  CACHE_MISSES: 'personalized_offers.token_cache.misses',
  BREAKER_TRANSITIONS: 'personalized_offers.breaker.transitions',
} as const;

/** Name of the event on a call span when its credential was refused and renewed. */
export const CREDENTIAL_RENEWED_EVENT = 'personalized_offers.credential_renewed';

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,127}$/;

/**
 * `error.type` of a thrown value: its class name (`PersonalizedOffersApiError`), never its
 * message; `_OTHER` for anything that is not an `Error` with a plain class name.
 */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const name = (error.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && IDENTIFIER.test(name)) return name;
  }
  return '_OTHER';
}
