import type { IncomingHttpHeaders } from 'node:http';
import type { AuthInfoKeyMaterial } from '../../crypto/auth-info-key-material.js';
import type { AccessTokenRegistry } from './access-tokens.js';
import { type CatalogueOffer, type OfferCatalogue, dayNumber } from './catalogue.js';
import type { SimulatorState } from './state.js';
import type { SimulatorReply } from './wire.js';

/** A request as handlers see it: the body already read in full. */
export interface SimulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Path parameters of a templated route (`offer_id`), percent-decoded; empty for the others (so a name may be absent). */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Who a user token belongs to. */
export interface SimulatorUser {
  readonly fId: string;
  readonly userId: string;
}

/** What the simulator lends every handler. */
export interface SimulatorContext {
  readonly fIds: readonly string[];
  /** The simulator clock (its `now` option plus every `advanceTime`). */
  readonly now: () => number;
  readonly authInfo: AuthInfoKeyMaterial;
  readonly maxClockSkewSeconds: number;
  readonly catalogue: OfferCatalogue;
  readonly state: SimulatorState;
  /** Mints the user's current token and remembers it as issued. */
  issueToken(fId: string, userId: string): string;
  /** The owner of a token issued in the current epoch, if any. */
  tokenOwner(token: string): SimulatorUser | undefined;
  /** The `/loyalty` access tokens (`X-Auth-Token`) minted so far. */
  readonly accessTokens: AccessTokenRegistry;
  /** False when a fault will discard the answer (a non-600 status): writes must not happen then. */
  readonly commit: boolean;
}

/** One operation's logic: validate, act, answer. Throws {@link SimulatorRequestError} to refuse. */
export type SimulatorHandler = (req: SimulatorRequest, ctx: SimulatorContext) => SimulatorReply;

/** A refusal with an HTTP status and Mastercard's error description; the dispatcher writes the error body. */
export class SimulatorRequestError extends Error {
  constructor(
    readonly status: number,
    description: string,
  ) {
    super(description);
  }
}

/** The 400 for a missing or malformed parameter, in the wording Mastercard uses for `FId`. */
export function invalid(name: string): SimulatorRequestError {
  return new SimulatorRequestError(400, `${name} is not provided or Value provided is invalid`);
}

/** A 404 for an id that names nothing this user may see. */
export function notFound(name: string): SimulatorRequestError {
  return new SimulatorRequestError(404, `${name} does not match any resource of this user`);
}

/** The first value of a query parameter (names are case-exact, as on the real API). */
export function param(req: SimulatorRequest, name: string): string | undefined {
  return req.query.get(name) ?? undefined;
}

/** A required non-empty string, from the query or a JSON body. */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(name);
  return value;
}

/** A known FId, else the 400 every operation answers first. */
export function requireFId(ctx: SimulatorContext, value: unknown): string {
  if (typeof value !== 'string' || !ctx.fIds.includes(value)) throw invalid('FId');
  return value;
}

/**
 * The user behind `FId` + `UserToken`: a missing token is a 400 like any parameter; a token this
 * simulator did not issue (or revoked, or issued for another FId) is a 401, so clients can
 * tell a token to mint again (401) apart from a request to correct (400).
 */
export function requireUser(ctx: SimulatorContext, fIdValue: unknown, tokenValue: unknown): SimulatorUser {
  const fId = requireFId(ctx, fIdValue);
  const token = requireString(tokenValue, 'UserToken');
  const owner = ctx.tokenOwner(token);
  if (!owner || owner.fId !== fId) throw new SimulatorRequestError(401, 'UserToken is not provided or Value provided is invalid');
  return owner;
}

/** `FId` and `UserToken` from the query (legacy GETs and the v1.3 POSTs). */
export function queryUser(req: SimulatorRequest, ctx: SimulatorContext): SimulatorUser {
  return requireUser(ctx, param(req, 'FId'), param(req, 'UserToken'));
}

/** The offer `offerId` of the user's FId, else 404. */
export function requireOffer(ctx: SimulatorContext, user: SimulatorUser, offerId: string): CatalogueOffer {
  const offer = ctx.catalogue.find(user.fId, offerId);
  if (!offer) throw notFound('OfferId');
  return offer;
}

/** The v2 JSON body: `Content-Type: application/json` and a JSON object, else 400. */
export function jsonBody(req: SimulatorRequest): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw invalid('Content-Type');
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    throw invalid('Request body');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('Request body');
  return body as Record<string, unknown>;
}

/** The v1.3 POSTs carry everything in the query; a body (even `{}`) means the caller mixed up the two forms. */
export function requireEmptyBody(req: SimulatorRequest): void {
  if (req.body.length > 0) throw new SimulatorRequestError(400, 'Request body must be empty: this form takes its parameters in the query');
}

const DIGITS = /^[0-9]{1,9}$/;

/** An optional integer query parameter within [min, max]. */
export function intParam(req: SimulatorRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = param(req, name);
  if (raw === undefined) return fallback;
  const value = DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw invalid(name);
  return value;
}

/** Legacy paging input: `PageNumber` (1-based, default 1) and `ItemsPerPage` (default 25, at most 100). */
export function paging(req: SimulatorRequest): { page: number; perPage: number } {
  return { page: intParam(req, 'PageNumber', 1, 1, 1_000_000), perPage: intParam(req, 'ItemsPerPage', 25, 1, 100) };
}

/** One page of `items` with the legacy counters, all strings; a page past the end is empty, not an error. */
export function pageOf<T>(items: readonly T[], { page, perPage }: { page: number; perPage: number }) {
  return {
    counters: {
      TotalCount: String(items.length),
      CurrentPage: String(page),
      NumberOfPages: String(Math.ceil(items.length / perPage)),
      ItemsPerPage: String(perPage),
    },
    items: items.slice((page - 1) * perPage, page * perPage),
  };
}

/** A feedback filter (`0`, `1`, `0,1`): the feedback values asked for, or undefined when absent. */
export function feedbackFilter(req: SimulatorRequest, name: string): Set<0 | 1> | undefined {
  const raw = param(req, name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',');
  if (!parts.every((p) => p === '0' || p === '1')) throw invalid(name);
  return new Set(parts.map((p) => (p === '1' ? 1 : 0)));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(T.+)?$/;

/** `PresentmentDate`: a date (or a date-time, by its written date) that is yesterday, today or tomorrow on the simulator clock. */
export function checkPresentmentDate(value: unknown, ctx: SimulatorContext): void {
  if (value === undefined) return;
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  const time = match?.[4]; // the optional time part
  if (!match || (time !== undefined && Number.isNaN(Date.parse(value as string)))) throw invalid('PresentmentDate');
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-30 over to March: compare back to reject impossible dates.
  if (new Date(ms).toISOString().slice(0, 10) !== (value as string).slice(0, 10)) throw invalid('PresentmentDate');
  if (Math.abs(dayNumber(ms) - today(ctx)) > 1) throw invalid('PresentmentDate');
}

/** The simulator clock's UTC day number. */
export function today(ctx: SimulatorContext): number {
  return dayNumber(ctx.now());
}
