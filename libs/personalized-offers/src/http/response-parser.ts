import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type ApiErrorItem, PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import type { HttpResult } from './http-result.js';
import { scrubText } from '../operations/secret-scrubber.js';
import { type CompiledResult, compileModel, hasWireFields } from './model-compiler.js';
import { redactGatewayDescription } from '../signing/base-string-redaction.js';
import { clockOffsetMs } from '../signing/server-clock.js';
import { correlationIdOf } from './correlation-id.js';

const EXCERPT_LENGTH = 120;
/** Error items kept from one answer. */
const MAX_ERROR_ITEMS = 10;
// Opaque runs (tokens, AuthInfo, keys, signatures) are cut out of excerpts: 12+ token characters
// with a digit (the spec's sample token "mh3WonUm5xmE" is 12) or with base64 punctuation, or any
// run of 32+. Words and class names such as "PersonalizedOffersSimulator" stay readable.
const OPAQUE_RUN = /[A-Za-z0-9+/=_%-]{12,}/g;
// Mastercard's constant reason codes (AUTHENTICATION_FAILED, INVALID_BODY_HASH) are what a user
// debugging a refusal needs: upper-case words joined by `_` are never secrets.
const CONSTANT_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
// OAuth parameter names (`oauth_timestamp`, `oauth_body_hash`) are what a refusal talks about: kept.
const OAUTH_NAME = /^oauth_[a-z]+(?:_[a-z]+)*$/;
// OAuth 2.0's error codes (RFC 6749 §5.2, RFC 6750 §3.1, RFC 9449): what a refusal is about.
const OAUTH2_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_token',
  'insufficient_scope',
  'invalid_dpop_proof',
  'use_dpop_nonce',
]);
// Runs of C0 control characters and DEL (U+0000–U+001F, U+007F), as the simulator's CLI cleans log text.
// eslint-disable-next-line no-control-regex -- matching the control characters is the point: they become spaces in the excerpt
const C0_OR_DEL_RUN = /[\u0000-\u001f\u007f]+/g;
const redactRun = (run: string) =>
  CONSTANT_CODE.test(run) || OAUTH_NAME.test(run) || OAUTH2_ERROR_CODES.has(run) ? run : run.length >= 32 || /[0-9+/=_%-]/.test(run) ? '[redacted]' : run;

/**
 * A short, printable excerpt of an unexpected body: the values the module itself sent
 * (`secrets`: tokens, AuthInfo, the consumer key) removed in every encoding they may be echoed
 * in, then secret-looking runs removed too.
 */
export function redactedExcerpt(body: string, secrets: readonly string[] = []): string {
  const scrubbed = scrubText(body, secrets);
  const text = scrubbed
    .slice(0, 4 * EXCERPT_LENGTH)
    .replace(C0_OR_DEL_RUN, ' ')
    .replace(OPAQUE_RUN, redactRun);
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

/** `Retry-After` (delta-seconds or HTTP-date) in milliseconds from `now`, when present and valid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** An upstream text field, bounded and with secret-looking runs removed. */
function str(v: unknown, secrets: readonly string[]): string | undefined {
  return typeof v === 'string' ? redactedExcerpt(v, secrets) : typeof v === 'number' ? String(v) : undefined;
}

/** Items of `{"Errors":{"Error":[…]}}` (also a single object instead of an array), or `undefined`. */
function parseErrorItems(json: unknown, secrets: readonly string[]): ApiErrorItem[] | undefined {
  // OAuth 2.0's own error shape (RFC 6749 §5.2, RFC 9449): `{ error, error_description }`.
  const oauth2 = json as { error?: unknown; error_description?: unknown; Errors?: unknown } | undefined;
  if (oauth2 && typeof oauth2.error === 'string' && oauth2.Errors === undefined) {
    const description = str(oauth2.error_description, secrets);
    return [{ reasonCode: redactedExcerpt(oauth2.error, secrets), source: 'OAuth2', ...(description !== undefined ? { description } : {}) }];
  }
  const list = (json as { Errors?: { Error?: unknown } } | undefined)?.Errors?.Error;
  const raw = Array.isArray(list) ? list : list && typeof list === 'object' ? [list] : undefined;
  if (!raw || raw.length === 0) return undefined;
  // A hostile or broken answer may list thousands: the first few say what there is to say.
  // Items are whatever the JSON holds: `null` and other non-objects give empty items.
  return raw.slice(0, MAX_ERROR_ITEMS).map((item: Record<string, unknown> | null | undefined) => {
    const out: ApiErrorItem = {};
    const reasonCode = str(item?.ReasonCode, secrets);
    const source = str(item?.Source, secrets);
    // A gateway refusal's description stays readable and whole: an echoed signature base string
    // redacted structurally (path segments and parameter names kept), body hashes kept.
    const fromGateway = typeof item?.Source === 'string' && item.Source.toLowerCase() === 'gateway';
    const echoes = typeof item?.Description === 'string' && /signature base string:/i.test(item.Description);
    const description =
      typeof item?.Description === 'string' && (fromGateway || echoes)
        ? bounded(redactGatewayDescription(item.Description, secrets), MAX_GATEWAY_SUMMARY)
        : str(item?.Description, secrets);
    const details = str(item?.Details, secrets);
    if (reasonCode !== undefined) out.reasonCode = reasonCode;
    if (source !== undefined) out.source = source;
    if (description !== undefined) out.description = description;
    if (details !== undefined) out.details = details;
    if (typeof item?.Recoverable === 'boolean') out.recoverable = item.Recoverable;
    return out;
  });
}

/**
 * Whether a refusal came from Mastercard's API gateway (`Source: "Gateway"`, any case) rather
 * than from the service behind it: the credential in the request was never looked at.
 */
export function isGatewayRefusal(result: HttpResult): boolean {
  const list = (parseJson(result.body) as { Errors?: { Error?: unknown } } | undefined)?.Errors?.Error;
  const items = Array.isArray(list) ? list : list && typeof list === 'object' ? [list] : [];
  return items.some((item: { Source?: unknown } | null | undefined) => typeof item?.Source === 'string' && item.Source.toLowerCase() === 'gateway');
}

/** The longest gateway description carried into an error message (a base string is ~400 characters). */
const MAX_GATEWAY_SUMMARY = 2_000;
const bounded = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** A refusal's `Date` further than this from the module's clock is reported as clock skew. */
const CLOCK_SKEW_REPORTED_MS = 60_000;

/**
 * The server's clock minus this machine's, in whole seconds, when a refusal (401/403) carries a
 * `Date` header more than a minute off: Mastercard refuses OAuth timestamps more than 300 s off,
 * and a terse gateway does not say that this is why.
 */
export function refusalClockSkew(result: HttpResult, now = Date.now()): number | undefined {
  if (result.status !== 401 && result.status !== 403) return undefined;
  const offset = clockOffsetMs(result.headers.date, now);
  if (offset === undefined || Math.abs(offset) <= CLOCK_SKEW_REPORTED_MS) return undefined;
  return Math.round(offset / 1000);
}

/** The clock-skew sentence of a refusal's message (and of its warn line). */
export function skewSentence(seconds: number): string {
  return ` The server's clock (its Date header) is ${Math.abs(seconds)} s ${seconds > 0 ? 'ahead of' : 'behind'} this machine's: Mastercard refuses OAuth timestamps more than 300 s off. Synchronize this host's clock (NTP), or set oauth.clockSkewCorrection.`;
}

/**
 * Turns a status that is not 2xx into a `PersonalizedOffersApiError` with whatever the body
 * tells: a 3xx (a redirect, never followed) has code `UNEXPECTED_REDIRECT`; a refusal whose
 * `Date` is more than a minute off carries `clockSkewSeconds` and says so.
 */
export function toApiError(result: HttpResult, secrets: readonly string[] = []): PersonalizedOffersApiError {
  const retryAfterMs = parseRetryAfter(result.headers['retry-after']);
  const correlationId = correlationIdOf(result.headers);
  if (result.status >= 300 && result.status < 400) {
    return new PersonalizedOffersApiError(
      `Personalized Offers API responded ${result.status}, a redirect, which the module never follows: check baseUrl and any proxy in between.`,
      { status: result.status, retryAfterMs, bodyExcerpt: redactedExcerpt(result.body, secrets), correlationId },
      'UNEXPECTED_REDIRECT',
    );
  }
  const clockSkewSeconds = refusalClockSkew(result);
  const skew = clockSkewSeconds === undefined ? '' : skewSentence(clockSkewSeconds);
  const items = parseErrorItems(parseJson(result.body), secrets);
  if (items) {
    const first = items[0];
    // A gateway description is already redacted (readable, whole): not excerpted again, which
    // would cut the encoded URI into `GET&[redacted].0.…`.
    const gateway = first.source?.toLowerCase() === 'gateway';
    // Bounded all the same (anything can claim to be the gateway): redacted whole first, then cut.
    const summary = gateway
      ? bounded([first.reasonCode, first.description].filter(Boolean).join(' '), MAX_GATEWAY_SUMMARY)
      : redactedExcerpt([first.reasonCode, first.description].filter(Boolean).join(' '), secrets);
    return new PersonalizedOffersApiError(`Personalized Offers API responded ${result.status}${summary ? `: ${summary}` : ''}.${skew}`, {
      status: result.status,
      errors: items,
      retryAfterMs,
      clockSkewSeconds,
      correlationId,
    });
  }
  return new PersonalizedOffersApiError(`Personalized Offers API responded ${result.status} with an unexpected body.${skew}`, {
    status: result.status,
    retryAfterMs,
    bodyExcerpt: redactedExcerpt(result.body, secrets),
    clockSkewSeconds,
    correlationId,
  });
}

/** The deepest JSON a model without wire fields is given; no model of this API is near it. */
const MAX_JSON_DEPTH = 64;

/** Whether `value` nests at most `limit` levels of objects and arrays (iterative: no recursion). */
export function nestingWithin(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, depth] = next;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return true;
}

/** Per model: its compiled parser, or `null` for a model without wire fields (looked up once, not per answer). */
const compiledParsers = new WeakMap<object, ((json: unknown) => CompiledResult<object>) | null>();

function compiledParserOf(model: new () => object): ((json: unknown) => CompiledResult<object>) | null {
  let parse = compiledParsers.get(model);
  if (parse === undefined) compiledParsers.set(model, (parse = hasWireFields(model) ? compileModel(model) : null));
  return parse;
}

/**
 * Parses a 2xx JSON body into `model` and validates it; a body that is not JSON or does not fit
 * becomes a `PersonalizedOffersInvalidResponseError` with a redacted excerpt. Models declared
 * with the wire decorators go through their compiled parser (`model-compiler.ts`: the same
 * acceptance as class-validator at a fraction of the cost); a model with its own `build` is
 * built by it and validated with class-validator; any other class with class-transformer and
 * class-validator.
 */
export function parseModel<T extends object>(
  result: HttpResult,
  model: ClassConstructor<T>,
  build?: (json: object) => T,
  secrets: readonly string[] | (() => readonly string[]) = [],
): T {
  const json = parseJson(result.body);
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const parse = build === undefined ? compiledParserOf(model) : null;
    if (parse !== null) {
      // Compiled models bound the depth of what they keep themselves (`MAX_UNKNOWN_DEPTH`).
      const parsed = parse(json);
      if (parsed.ok) return parsed.value as T;
    } else if (nestingWithin(json, MAX_JSON_DEPTH)) {
      // class-transformer recurses: a body nested past any model is refused before it does.
      const instance = build ? build(json) : plainToInstance(model, json);
      if (validateSync(instance).length === 0) return instance;
    }
  }
  throw new PersonalizedOffersInvalidResponseError(
    `Personalized Offers API responded ${result.status} with a body that is not the expected ${model.name}.`,
    // The secrets are only gathered now, on failure: a success builds no list.
    {
      status: result.status,
      bodyExcerpt: redactedExcerpt(result.body, typeof secrets === 'function' ? secrets() : secrets),
      correlationId: correlationIdOf(result.headers),
    },
  );
}
