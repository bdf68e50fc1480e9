import type { AccessTokenOwner } from './access-tokens.js';
import { type CatalogueOffer, type SimulatorLanguage, dayNumber } from './catalogue.js';
import { type AdjustmentSource, type Viewer, adjustmentTimes, adjustmentView } from './loyalty-views.js';
import { type SimulatorContext, type SimulatorRequest, SimulatorRequestError, intParam, invalid, param, today } from './handler.js';
import { type UserOfferState, isActive } from './state.js';

// Request-side helpers of the `/loyalty/offers/*` operations: the X-Auth-Token, offset/limit
// paging, list parameters with `!` exclusion, Accept-Language, typed JSON body fields, and the
// offer criteria every offer listing shares.

const DAY_MS = 86_400_000;

/** The largest `offset` accepted (int32 in the spec; 9 digits here, as the legacy page numbers). */
const MAX_OFFSET = 999_999_999;

/** The largest `limit` accepted (undocumented by Mastercard; the legacy `ItemsPerPage` cap). */
export const MAX_LIMIT = 100;

/** A header's value, repeated headers joined with `,` (Node lower-cases the names). */
export function header(req: SimulatorRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The user behind `X-Auth-Token`: missing (or empty) is a 400 like any missing parameter; a
 * token never minted, revoked, or minted for an fId no longer served is a 401, and so is an
 * expired one, with its own description.
 */
export function accessUser(req: SimulatorRequest, ctx: SimulatorContext): AccessTokenOwner {
  const token = header(req, 'X-Auth-Token');
  if (!token) throw invalid('X-Auth-Token');
  const found = ctx.accessTokens.lookup(token);
  if (found.owner && ctx.fIds.includes(found.owner.fId)) return found.owner;
  if ('reason' in found && found.reason === 'expired') throw new SimulatorRequestError(401, 'X-Auth-Token has expired');
  throw new SimulatorRequestError(401, 'X-Auth-Token is not provided or Value provided is invalid');
}

/** The token owner's view of offers: their state and time zone. */
export function viewerOf(owner: AccessTokenOwner, ctx: SimulatorContext): Viewer {
  return { ...owner, state: ctx.state.user(owner.fId, owner.userId) };
}

/** A known fId from a platform-admin parameter (`f_id` in the query, `fId` in a body), else 400 naming it. */
export function adminFId(ctx: SimulatorContext, value: unknown, name: 'f_id' | 'fId'): string {
  if (typeof value !== 'string' || !ctx.fIds.includes(value)) throw invalid(name);
  return value;
}

/** An optional integer query parameter within [min, max] (absent → undefined). */
export function optIntParam(req: SimulatorRequest, name: string, min: number, max: number): number | undefined {
  return param(req, name) === undefined ? undefined : intParam(req, name, min, min, max);
}

/** Offset/limit paging input. */
export interface OffsetLimit {
  offset: number;
  limit: number;
}

/** `offset` (default 0) and `limit` (default 25, 1–100) from the query. */
export function queryPaging(req: SimulatorRequest): OffsetLimit {
  return { offset: intParam(req, 'offset', 0, 0, MAX_OFFSET), limit: intParam(req, 'limit', 25, 1, MAX_LIMIT) };
}

/** `offset` and `limit` from a JSON body: integers (not strings), same defaults and bounds as the query. */
export function bodyPaging(body: Record<string, unknown>): OffsetLimit {
  return { offset: optInt(body, 'offset', 0, MAX_OFFSET) ?? 0, limit: optInt(body, 'limit', 1, MAX_LIMIT) ?? 25 };
}

/** One page of `items` with the offset/limit counters (`total` all items, `count` this page); past the end is an empty page. */
export function sliceOf<T>(items: readonly T[], { offset, limit }: OffsetLimit) {
  const page = items.slice(offset, offset + limit);
  return { offset, limit, total: items.length, count: page.length, page };
}

/** Every value of an array query parameter: repeated keys and comma lists alike (`a&a=b,c`), trimmed, empties dropped. */
export function queryList(req: SimulatorRequest, name: string): string[] | undefined {
  const raw = req.query.getAll(name);
  if (raw.length === 0) return undefined;
  return raw
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A boolean query parameter: exactly `true` or `false`. */
export function boolParam(req: SimulatorRequest, name: string): boolean | undefined {
  const raw = param(req, name);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw invalid(name);
  return raw === 'true';
}

/** An optional string field of a JSON body. */
export function optString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name);
  return value;
}

/** An optional integer field of a JSON body within [min, max] (a numeric string is refused: the spec says int32). */
export function optInt(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(name);
  return value;
}

/** An optional finite number field of a JSON body within [min, max]. */
export function optNumber(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw invalid(name);
  return value;
}

/** An optional boolean field of a JSON body. */
export function optBool(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(name);
  return value;
}

/** An optional array-of-strings field of a JSON body; `unique` refuses duplicates (the spec's `uniqueItems`). */
export function optStrings(body: Record<string, unknown>, name: string, unique = false): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw invalid(name);
  if (unique && new Set(value).size !== value.length) throw invalid(name);
  return value;
}

const LANGS: ReadonlyArray<[tag: string, code: SimulatorLanguage]> = [
  ['en-US', 'en_US'],
  ['fr-FR', 'fr_FR'],
  ['es-ES', 'es_ES'],
];

/** Every language the simulator has texts in, as `/loyalty` tags (`en-US`) with the catalogue's codes. */
export const ALL_LANGUAGES: ReadonlyArray<{ tag: string; code: SimulatorLanguage }> = LANGS.map(([tag, code]) => ({ tag, code }));

/**
 * The languages asked for by a list of tags (`Accept-Language` entries, `lang`, `languages`),
 * in order and without repeats: an exact tag (any case) first, else the same primary language
 * (`fr-CA` → fr-FR, `en` → en-US); `;q=` weights are ignored, unknown tags skipped, `ALL`
 * means every language. Nothing known → en-US.
 */
export function languagesOf(tags: readonly string[] | undefined): Array<{ tag: string; code: SimulatorLanguage }> {
  const chosen: Array<{ tag: string; code: SimulatorLanguage }> = [];
  for (const raw of tags ?? []) {
    const tag = raw.split(';')[0].trim().toLowerCase();
    if (tag === 'all') return [...ALL_LANGUAGES];
    const found = ALL_LANGUAGES.find((l) => l.tag.toLowerCase() === tag) ?? ALL_LANGUAGES.find((l) => l.tag.slice(0, 2).toLowerCase() === tag.split('-')[0]);
    if (found && !chosen.includes(found)) chosen.push(found);
  }
  return chosen.length > 0 ? chosen : [ALL_LANGUAGES[0]];
}

/** The languages of an `Accept-Language` header (a comma list; absent or empty → en-US). */
export function acceptLanguages(req: SimulatorRequest): Array<{ tag: string; code: SimulatorLanguage }> {
  return languagesOf(header(req, 'Accept-Language')?.split(','));
}

/** What an offer listing may filter on; absent fields do not filter. */
export interface OfferCriteria {
  offerType?: string;
  category?: string;
  /** Country codes; when any starts with `!`, the whole list is an exclusion list. */
  countries?: readonly string[];
  /** Active for the user (ALWAYSON, or activated): needs `user`. */
  active?: boolean;
  expiryDays?: number;
  superCategory?: string;
  targetingCategory?: string;
  channels?: readonly string[];
  merchants?: readonly string[];
  near?: { latitude: number; longitude: number; metres: number };
  bankProductCode?: string;
  issuerIca?: number;
}

/** The offers meeting every criterion (names and codes compared case-insensitively), in catalogue order. */
export function filterOffers(offers: readonly CatalogueOffer[], criteria: OfferCriteria, ctx: SimulatorContext, user?: UserOfferState): CatalogueOffer[] {
  const upper = (v: string | undefined) => v?.toUpperCase();
  const offerType = upper(criteria.offerType);
  const category = upper(criteria.category);
  const superCategory = upper(criteria.superCategory);
  const targetingCategory = upper(criteria.targetingCategory);
  const countries = criteria.countries && criteria.countries.length > 0 ? criteria.countries : undefined;
  const exclude = countries?.some((c) => c.startsWith('!')) ?? false;
  const countrySet = new Set(countries?.map((c) => c.replace(/^!/, '').toUpperCase()));
  const channels = criteria.channels?.map((c) => c.toUpperCase());
  const merchants = criteria.merchants && criteria.merchants.length > 0 ? new Set(criteria.merchants.map((m) => m.toLowerCase())) : undefined;
  const lastDay = criteria.expiryDays !== undefined ? today(ctx) + criteria.expiryDays : undefined;
  const day = today(ctx);
  return offers.filter((offer) => {
    const m = offer.merchant;
    if (offerType && offer.type !== offerType) return false;
    if (category && m.category !== category) return false;
    if (superCategory && m.superCategory !== superCategory) return false;
    if (targetingCategory && m.targetingCategory !== targetingCategory) return false;
    if (countries && countrySet.has(m.country) === exclude) return false;
    if (criteria.active !== undefined && user && isActive(offer, user) !== criteria.active) return false;
    if (lastDay !== undefined && day + offer.endOffsetDays > lastDay) return false;
    if (channels && !channels.some((c) => offer.redemptionType.split('-').includes(c))) return false;
    if (merchants && !merchants.has(m.shortName) && !merchants.has(m.name.toLowerCase())) return false;
    if (criteria.near && distanceMetres(criteria.near, { latitude: Number(m.latitude), longitude: Number(m.longitude) }) > criteria.near.metres) return false;
    if (criteria.bankProductCode !== undefined && !offer.bankProductCodes.includes(criteria.bankProductCode)) return false;
    return criteria.issuerIca === undefined || offer.issuerIcas.includes(criteria.issuerIca);
  });
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function distanceMetres(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const RADIUS = /^(\d+(?:\.\d+)?)\s*(km|mi)?$/i;

/** A `radius` such as `5mi`, `10km` or `10` (km by default), in metres; else 400. */
export function radiusMetres(value: string): number {
  const match = RADIUS.exec(value.trim());
  if (!match) throw invalid('radius');
  const [, amount, unit = 'km'] = match;
  const metres = Number(amount) * (unit.toLowerCase() === 'mi' ? 1609.344 : 1000);
  if (!(metres > 0)) throw invalid('radius');
  return Math.round(metres);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An optional `YYYY-MM-DD` query parameter as a UTC day number; impossible dates are a 400. */
export function dayParam(req: SimulatorRequest, name: string): number | undefined {
  const raw = param(req, name);
  if (raw === undefined) return undefined;
  const match = ISO_DATE.exec(raw);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw) throw invalid(name);
  return dayNumber(ms);
}

/** Which adjustments a listing asks for: by creation or last update, within [from, to] in simulator-clock milliseconds. */
export interface AdjustmentWindow {
  by: 'CREATED' | 'UPDATED';
  from: number;
  to: number;
}

/**
 * `start_date`, `end_date` and `date_filter` of the adjustment listings: no `start_date` means
 * the last 24 hours (the spec's words), no `end_date` the end of today; a start after the end
 * is a 400.
 */
export function adjustmentWindow(req: SimulatorRequest, ctx: SimulatorContext): AdjustmentWindow {
  const by = param(req, 'date_filter') ?? 'CREATED';
  if (by !== 'CREATED' && by !== 'UPDATED') throw invalid('date_filter');
  const start = dayParam(req, 'start_date');
  const end = dayParam(req, 'end_date');
  if (start !== undefined && end !== undefined && start > end) throw new SimulatorRequestError(400, 'start_date must not be after end_date');
  const now = ctx.now();
  return {
    by,
    from: start !== undefined ? start * DAY_MS : now - DAY_MS,
    to: ((end ?? dayNumber(now)) + 1) * DAY_MS - 1,
  };
}

/**
 * The adjustments (one per redemption) of `users` in `window`, oldest first: what U10 lists
 * for one user and P3 for every user of the fId the simulator has seen.
 */
export function adjustmentsIn(
  ctx: SimulatorContext,
  fId: string,
  users: ReadonlyArray<{ userId: string; state: UserOfferState }>,
  window: AdjustmentWindow,
): { items: Record<string, unknown>[]; lastModified: number | undefined } {
  const now = ctx.now();
  const sources: AdjustmentSource[] = users.flatMap(({ userId, state }) =>
    state.redemptions.map((redemption) => {
      const offer = ctx.catalogue.get(fId, redemption.offerId);
      return { fId, userId, offer, redemption, activation: state.activations.get(offer.id) };
    }),
  );
  const picked = sources
    .map((source) => ({ source, times: adjustmentTimes(source.redemption, now) }))
    .filter(({ times }) => {
      const at = window.by === 'CREATED' ? times.created : times.updated;
      return at >= window.from && at <= window.to;
    })
    .sort((a, b) => a.times.created - b.times.created || a.source.redemption.serial - b.source.redemption.serial);
  const lastModified = picked.length > 0 ? Math.max(...picked.map((p) => p.times.updated)) : undefined;
  return { items: picked.map((p) => adjustmentView(p.source, now)), lastModified };
}
