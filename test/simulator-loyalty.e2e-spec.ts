import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  type Adjustment,
  AuthInfoCryptoService,
  AuthInfoKeyMaterial,
  type GeoLocation,
  type Localization,
  type MatchedOffer,
  type OfferRating,
  type PresentmentSavings,
  type RedeemedOffer,
  type RedeemedTransaction,
  type UserAdjustments,
  type UserOffer,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, type SimulatorRequestRecord } from 'nestjs-personalized-offers/testing';
import type { WireJson } from './support/wire.js';

/**
 * The simulator's `/loyalty/offers/*` API (Mastercard's current one) over plain HTTP: access
 * tokens and their expiry, every operation's shape checked strictly against the v1.5 schemas
 * (only declared fields, JSON-native types, no nulls), wire names as the spec spells them,
 * paging, filters, languages, state shared with the legacy API, and faults per operation.
 */

const SPEC = fileURLToPath(new URL('../../shared/specs/personalized-card-linked-offers-v1.5.openapi.yaml', import.meta.url));
/** js-yaml is a dev dependency without a type package; required this way to need none. */
const { load: parseYaml } = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

// ---- the v1.5 spec, read strictly ---------------------------------------------------------------

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  uniqueItems?: boolean;
  minimum?: number;
}
interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  /** By status; a status the spec does not declare is absent. */
  responses: Record<string, { content?: Record<string, { schema: Schema }> } | undefined>;
}
const spec = parseYaml(readFileSync(SPEC, 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const operations = new Map<string, { method: string; path: string; op: Operation }>();
for (const [path, byMethod] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(byMethod)) operations.set(op.operationId, { method: method.toUpperCase(), path, op });
}
const resolve = (s: Schema): Schema => (s.$ref ? resolve(spec.components.schemas[s.$ref.split('/').pop()!]) : s);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/** What in `value` breaks `schema`, read strictly: undeclared properties, nulls, wrong JSON types, enums, formats. */
function violations(schemaIn: Schema, value: unknown, at = '$', out: string[] = []): string[] {
  const s = resolve(schemaIn);
  if (value === null) out.push(`${at}: null (the spec declares no nullable)`);
  else if (s.type === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) out.push(`${at}: not an object`);
    else {
      for (const name of s.required ?? []) if (!(name in value)) out.push(`${at}.${name}: required`);
      for (const [k, v] of Object.entries(value)) {
        const p = s.properties?.[k];
        if (!p) out.push(`${at}.${k}: not declared`);
        else violations(p, v, `${at}.${k}`, out);
      }
    }
  } else if (s.type === 'array') {
    if (!Array.isArray(value)) out.push(`${at}: not an array`);
    else {
      if (s.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) out.push(`${at}: items not unique`);
      value.forEach((v, i) => violations(s.items!, v, `${at}[${i}]`, out));
    }
  } else if (s.type === 'string') {
    if (typeof value !== 'string') out.push(`${at}: ${JSON.stringify(value)} is not a string`);
    else if (s.enum && !s.enum.includes(value)) out.push(`${at}: ${value} not in ${s.enum.join('|')}`);
    else if (s.format === 'date' && !isDate(value)) out.push(`${at}: ${value} is not a date`);
    else if (s.format === 'date-time' && !DATE_TIME.test(value)) out.push(`${at}: ${value} is not a date-time`);
    else if (s.format === 'uuid' && !UUID.test(value)) out.push(`${at}: ${value} is not a uuid`);
  } else if (s.type === 'integer') {
    if (!Number.isInteger(value)) out.push(`${at}: ${JSON.stringify(value)} is not an integer`);
    else if (s.format === 'int32' && Math.abs(value as number) > 2 ** 31) out.push(`${at}: beyond int32`);
    else if (s.minimum !== undefined && (value as number) < s.minimum) out.push(`${at}: below ${s.minimum}`);
  } else if (s.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${at}: ${JSON.stringify(value)} is not a number`);
  } else if (s.type === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${at}: ${JSON.stringify(value)} is not a boolean`);
  } else out.push(`${at}: schema without a type`);
  return out;
}

/** The answer follows the operation's declared schema for its status, strictly. */
function expectConforms(operationId: string, res: Answer): void {
  const content = operations.get(operationId)!.op.responses[String(res.status)]?.content?.['application/json'];
  expect([operationId, res.status, res.headers.get('content-type')]).toEqual([operationId, res.status, 'application/json']);
  expect(content).toBeDefined();
  expect(violations(content!.schema, res.body)).toEqual([]);
}

/** The request (as the simulator logged it) uses only names the spec declares for its operation, case included, and its JSON body is the declared schema. */
function expectDeclaredWireNames(record: SimulatorRequestRecord): void {
  const { op, path } = operations.get(record.operationId!)!;
  const declared = (where: Parameter['in']) => (op.parameters ?? []).filter((p) => p.in === where);
  const problems: string[] = [];
  for (const name of Object.keys(record.query)) if (!declared('query').some((p) => p.name === name)) problems.push(`query ${name}`);
  for (const p of [...declared('query'), ...declared('header')]) {
    const sent = p.in === 'query' ? p.name in record.query : record.headers[p.name.toLowerCase()] !== undefined;
    if (p.required && !sent) problems.push(`missing ${p.in} ${p.name}`);
  }
  const template = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  if (!template.test(record.path)) problems.push(`path ${record.path} is not ${path}`);
  if (op.requestBody) problems.push(...violations(op.requestBody.content['application/json'].schema, JSON.parse(record.body)));
  else if (record.body !== '') problems.push('a body where none is declared');
  expect([record.operationId, problems]).toEqual([record.operationId, []]);
}

// ---- HTTP helpers ---------------------------------------------------------------------------------

type Query = Record<string, string | number | boolean | Array<string | number> | undefined>;
/** A platform-admin offer, for the eligibility lists the simulator always sends. */
interface AdminOffer {
  id: string;
  redemptionIssuerICAs: { values: number[] };
  redemptionBankProductCodes: { values: string[] };
}
/** An offer as the simulator's /loyalty API sends it: the library's model, with the fields it always sends. */
type SimulatorOffer = UserOffer &
  Required<
    Pick<
      UserOffer,
      | 'id'
      | 'type'
      | 'category'
      | 'offerCountry'
      | 'merchant'
      | 'localizations'
      | 'rewards'
      | 'assignments'
      | 'eventEndDate'
      | 'redemptionIssuerICAs'
      | 'redemptionBankProductCodes'
    >
  >;
interface Call {
  query?: Query;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  token?: string;
}
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: WireJson;
}

const search = (query: Query = {}) => {
  const parts: string[] = [];
  // RFC 3986 as the module sends it: `!` is %21 (pitfall 9 of the catalogue).
  const enc = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${enc(k)}=${enc(String(one))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
};

const UP = '/loyalty/offers/user-presentment';
const PA = '/loyalty/offers/platform-admin';
const nowMs = 1_800_000_000_000; // 2027-01-15T08:00:00Z
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const isoDay = (offset = 0, base = nowMs) => new Date(base + offset * DAY).toISOString().slice(0, 10);
const invalid = (name: string) => `${name} is not provided or Value provided is invalid`;
const errorShape = (status: number, description: string) => ({
  status,
  body: {
    Errors: { Error: [expect.objectContaining({ ReasonCode: String(status), Description: description, Source: expect.any(String), Recoverable: false })] },
  },
});
const refused = (res: Answer) => ({ status: res.status, body: res.body });

describe('PersonalizedOffersSimulator: /loyalty/offers (the current API)', () => {
  const simulator = new PersonalizedOffersSimulator({ fIds: ['999999', '123456'], now: () => nowMs, maxClockSkewSeconds: 60 });
  let baseUrl: string;
  let serial = 0;

  beforeAll(async () => {
    ({ baseUrl } = await simulator.start());
  });
  afterAll(() => simulator.stop());
  afterEach(() => simulator.clearFaults());

  async function call(method: string, path: string, c: Call = {}, base = baseUrl): Promise<Answer> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...(c.json !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(c.token !== undefined ? { 'X-Auth-Token': c.token } : {}),
      ...c.headers,
    };
    const res = await fetch(`${base}${path}${search(c.query)}`, { method, headers, body: c.json !== undefined ? JSON.stringify(c.json) : c.body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  }

  const crypto = (fId: string, sim = simulator, now = nowMs) => new AuthInfoCryptoService(fId, AuthInfoKeyMaterial.from(sim.authInfo), { now: () => now });

  /** A legacy UserToken, through usertoken as a client gets it. */
  async function login(userId: string, fId = '999999', sim = simulator, base = baseUrl, now = nowMs): Promise<string> {
    const res = await call('GET', '/plo/v1/usertoken', { query: { FId: fId, AuthInfo: crypto(fId, sim, now).encrypt(userId) } }, base);
    expect(res.status).toBe(200);
    return res.body.Response.UserToken.Token;
  }

  async function mint(fiId: string, userId: string, utcOffset = '-07:00', base = baseUrl): Promise<string> {
    const res = await call('POST', `${UP}/access-tokens`, { json: { fiId, userId, utcOffset } }, base);
    expect(res.status).toBe(200);
    return res.body.accessToken;
  }

  interface Session {
    fId: string;
    userId: string;
    token: string;
    creds: { FId: string; UserToken: string };
  }
  /** A user with both credentials: an access token (utcOffset -07:00) and a legacy UserToken. */
  async function session(fId = '999999'): Promise<Session> {
    const userId = `loyal-${serial++}`;
    const token = await mint(fId, userId);
    return { fId, userId, token, creds: { FId: fId, UserToken: await login(userId, fId) } };
  }

  const offers = (s: Session, query: Query = {}, headers?: Record<string, string>) => call('GET', `${UP}/offers`, { token: s.token, query, headers });
  const allOffers = async (s: Session, query: Query = {}, headers?: Record<string, string>): Promise<SimulatorOffer[]> => {
    const res = await offers(s, { limit: 100, ...query }, headers);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(res.body.total);
    return res.body.offers;
  };
  const inactive = async (s: Session) => (await allOffers(s, { offer_type: 'POSTPAIDCREDIT', active: false }))[0];
  const legacyOffers = async (s: Session, query: Query = {}): Promise<MatchedOffer[]> =>
    (await call('GET', '/plo/v1/matchedoffers', { query: { ...s.creds, ItemsPerPage: 100, ...query } })).body.Response.Items.MatchedOffer;
  const activate = (s: Session, offerId: string) => call('POST', `${UP}/activations`, { token: s.token, json: { offerId } });
  const legacyActivate = (s: Session, offerId: string) => call('POST', '/plo/v2/activatestatementcreditoffer', { json: { ...s.creds, OfferId: offerId } });
  const rate = (s: Session, offerId: string, like: unknown) =>
    call('POST', `${UP}/offer-ratings/${encodeURIComponent(offerId)}/likes`, { token: s.token, json: { like } });
  const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

  // ---- access tokens ------------------------------------------------------------------------------

  describe('createAccessToken', () => {
    it('mints a JWT-shaped token like Mastercard’s: HS256 header, {fiId, userRef, utcOffset, iat ms}, no exp, base64-in-base64url signature', async () => {
      const res = await call('POST', `${UP}/access-tokens`, { json: { fiId: '999999', userId: 'jwt-user', utcOffset: '-07:00' } });
      expectConforms('createAccessToken', res);
      expect(Object.keys(res.body)).toEqual(['accessToken']);
      const [header, payload, signature] = res.body.accessToken.split('.');
      expect(decode(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = decode(payload);
      expect(claims).toEqual({ fiId: '999999', userRef: expect.stringMatching(UUID), utcOffset: '-07:00', iat: nowMs });
      // Mastercard's third segment is the base64url of a padded standard base64 HMAC-SHA256 (…WT0).
      expect(Buffer.from(signature, 'base64url').toString('utf8')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    });

    it('each mint is a new token; userRef is stable per (fiId, userId) and differs per user and per fId', async () => {
      const ref = async (fiId: string, userId: string) => decode((await mint(fiId, userId)).split('.')[1]).userRef;
      const [a, b] = [await mint('999999', 'same'), await mint('999999', 'same')];
      expect(a).not.toBe(b);
      expect(await ref('999999', 'same')).toBe(decode(a.split('.')[1]).userRef);
      expect(await ref('999999', 'other')).not.toBe(await ref('999999', 'same'));
      expect(await ref('123456', 'same')).not.toBe(await ref('999999', 'same'));
      // Both tokens work for the same user.
      for (const token of [a, b]) expect((await call('GET', `${UP}/savings`, { token })).status).toBe(200);
    });

    it.each<[string, unknown, string]>([
      ['no fiId', { userId: 'u', utcOffset: '-07:00' }, invalid('fiId')],
      ['an unknown fiId', { fiId: '555555', userId: 'u', utcOffset: '-07:00' }, invalid('fiId')],
      ['a numeric fiId', { fiId: 999999, userId: 'u', utcOffset: '-07:00' }, invalid('fiId')],
      ['FId spelt the legacy way', { FId: '999999', userId: 'u', utcOffset: '-07:00' }, invalid('fiId')],
      ['no userId', { fiId: '999999', utcOffset: '-07:00' }, invalid('userId')],
      ['an empty userId', { fiId: '999999', userId: '', utcOffset: '-07:00' }, invalid('userId')],
      ['no utcOffset', { fiId: '999999', userId: 'u' }, invalid('utcOffset')],
      ['utcOffset -7:00', { fiId: '999999', userId: 'u', utcOffset: '-7:00' }, invalid('utcOffset')],
      ['utcOffset 07:00 (no sign)', { fiId: '999999', userId: 'u', utcOffset: '07:00' }, invalid('utcOffset')],
      ['utcOffset +15:00', { fiId: '999999', userId: 'u', utcOffset: '+15:00' }, invalid('utcOffset')],
      ['utcOffset -0700', { fiId: '999999', userId: 'u', utcOffset: '-0700' }, invalid('utcOffset')],
    ])('refuses %s with a 400', async (_, json, description) => {
      const res = await call('POST', `${UP}/access-tokens`, { json });
      expect(refused(res)).toEqual(errorShape(400, description));
      expectConforms('createAccessToken', res);
    });

    it('refuses a body that is not JSON (Content-Type or syntax)', async () => {
      const body = JSON.stringify({ fiId: '999999', userId: 'u', utcOffset: '+00:00' });
      expect(refused(await call('POST', `${UP}/access-tokens`, { body, headers: { 'Content-Type': 'text/plain' } }))).toEqual(
        errorShape(400, invalid('Content-Type')),
      );
      expect(refused(await call('POST', `${UP}/access-tokens`, { body: '{"fiId":', headers: { 'Content-Type': 'application/json' } }))).toEqual(
        errorShape(400, invalid('Request body')),
      );
    });

    it('accessTokenFor() mints without HTTP; bad arguments throw', async () => {
      const token = simulator.accessTokenFor('999999', 'direct', '+05:30');
      expect(decode(token.split('.')[1])).toMatchObject({ fiId: '999999', utcOffset: '+05:30' });
      expect((await call('GET', `${UP}/savings`, { token })).status).toBe(200);
      expect(() => simulator.accessTokenFor('555555', 'u')).toThrow(RangeError);
      expect(() => simulator.accessTokenFor('999999', 'u', '5:30')).toThrow(RangeError);
    });
  });

  describe('X-Auth-Token on every user-presentment and impressions operation', () => {
    const ops: Array<[string, string, (offerId: string) => string, (offerId: string) => unknown]> = [
      ['getOffers', 'GET', () => `${UP}/offers`, () => undefined],
      ['getOffer', 'GET', (o) => `${UP}/offers/${o}`, () => undefined],
      ['searchOffers', 'POST', () => `${UP}/offers/filters`, () => ({})],
      ['processActivations', 'POST', () => `${UP}/activations`, (o) => ({ offerId: o })],
      ['getOfferRatings', 'GET', () => `${UP}/offer-ratings`, () => undefined],
      ['getOfferRating', 'GET', (o) => `${UP}/offer-ratings/${o}`, () => undefined],
      ['createOfferRating', 'POST', (o) => `${UP}/offer-ratings/${o}/likes`, () => ({ like: 1 })],
      ['getUserPresentmentSavings', 'GET', () => `${UP}/savings`, () => undefined],
      ['getUserPresentmentAdjustments', 'GET', () => `${UP}/adjustments`, () => undefined],
      ['findGeoLocations', 'GET', () => `${UP}/geo-locations?keywords=Paris`, () => undefined],
      [
        'publishImpressions',
        'POST',
        () => '/loyalty/offers/impressions',
        (o) => ({ impressions: [{ offerId: o, order: '1', activityType: 'VIEWED', activityTimestamp: 't' }] }),
      ],
    ];

    it.each(ops)('%s: missing → 400, unknown / a legacy UserToken / another API’s credential → 401', async (operationId, method, path, json) => {
      const s = await session();
      const [offer] = await allOffers(s);
      const cases: Array<[string, Record<string, string>, number, string]> = [
        ['no header', {}, 400, invalid('X-Auth-Token')],
        ['an empty header', { 'X-Auth-Token': '' }, 400, invalid('X-Auth-Token')],
        ['a token never minted', { 'X-Auth-Token': `${s.token.slice(0, -4)}AAAA` }, 401, invalid('X-Auth-Token')],
        ['the legacy UserToken', { 'X-Auth-Token': s.creds.UserToken }, 401, invalid('X-Auth-Token')],
        ['the token as UserToken in the query', {}, 400, invalid('X-Auth-Token')],
      ];
      for (const [label, headers, status, description] of cases) {
        const query = label.includes('query') ? { UserToken: s.token } : undefined;
        const res = await call(method, path(offer.id), { headers, json: json(offer.id), query });
        expect([label, refused(res)]).toEqual([label, errorShape(status, description)]);
        expectConforms(operationId, res);
      }
      await rate(s, offer.id, 1); // so that getOfferRating has something to find
      const ok = await call(method, path(offer.id), { token: s.token, json: json(offer.id) });
      expect([operationId, ok.status]).toEqual([operationId, 200]);
    });
  });

  describe('access-token expiry and revocation (simulator clock)', () => {
    let sim: PersonalizedOffersSimulator;
    let url: string;
    let clock: number;
    beforeEach(async () => {
      clock = nowMs;
      sim = new PersonalizedOffersSimulator({ fIds: ['999999'], now: () => clock, maxClockSkewSeconds: 60 });
      ({ baseUrl: url } = await sim.start());
    });
    afterEach(() => sim.stop());
    const savings = (token: string) => call('GET', `${UP}/savings`, { token }, url);

    it('accepted until 60 minutes after minting (default TTL), then 401 "expired"; a new mint works', async () => {
      const token = await mint('999999', 'ttl', '+00:00', url);
      sim.advanceTime(60 * 60_000 - 1);
      expect((await savings(token)).status).toBe(200);
      sim.advanceTime(1);
      const expired = await savings(token);
      expect(refused(expired)).toEqual(errorShape(401, 'X-Auth-Token has expired'));
      expectConforms('getUserPresentmentSavings', expired);
      const fresh = await mint('999999', 'ttl', '+00:00', url);
      expect(decode(fresh.split('.')[1]).iat).toBe(nowMs + 60 * 60_000);
      expect((await savings(fresh)).status).toBe(200);
    });

    it('accessTokenTtlMs configures the lifetime; advanceTime adds to the now option', async () => {
      const short = new PersonalizedOffersSimulator({ fIds: ['999999'], now: () => clock, accessTokenTtlMs: 5_000 });
      const { baseUrl: shortUrl } = await short.start();
      try {
        const token = short.accessTokenFor('999999', 'short');
        clock += 4_000; // the now option moves…
        expect((await call('GET', `${UP}/savings`, { token }, shortUrl)).status).toBe(200);
        short.advanceTime(1_000); // …and advanceTime adds to it
        expect((await call('GET', `${UP}/savings`, { token }, shortUrl)).status).toBe(401);
      } finally {
        await short.stop();
      }
      expect(() => new PersonalizedOffersSimulator({ accessTokenTtlMs: 0 })).toThrow(RangeError);
      expect(() => sim.advanceTime(Number.NaN)).toThrow(RangeError);
    });

    it('advanceTime moves the AuthInfo window and "today" of the legacy API too', async () => {
      sim.advanceTime(10 * 60_000);
      const stale = await call('GET', '/plo/v1/usertoken', { query: { FId: '999999', AuthInfo: crypto('999999', sim).encrypt('u') } }, url);
      expect(refused(stale)).toEqual(errorShape(401, 'AuthInfo time is outside the accepted window'));
      const token = await login('u', '999999', sim, url, nowMs + 10 * 60_000);
      sim.advanceTime(2 * DAY);
      const matched = (date: string) => call('GET', '/plo/v1/matchedoffers', { query: { FId: '999999', UserToken: token, PresentmentDate: date } }, url);
      expect((await matched(isoDay(0))).status).toBe(400);
      expect((await matched(isoDay(2))).status).toBe(200);
    });

    it('revokeAccessTokens: every access token gets 401, UserTokens still work, a new mint works, state is kept', async () => {
      const token = await mint('999999', 'rev', '-07:00', url);
      const legacy = await login('rev', '999999', sim, url);
      const offers = (await call('GET', `${UP}/offers`, { token, query: { offer_type: 'POSTPAIDCREDIT', active: false, limit: 1 } }, url)).body.offers;
      expect((await call('POST', `${UP}/activations`, { token, json: { offerId: offers[0].id } }, url)).status).toBe(200);

      sim.revokeAccessTokens();
      expect(refused(await savings(token))).toEqual(errorShape(401, invalid('X-Auth-Token')));
      expect((await call('GET', '/plo/v1/usersavings', { query: { FId: '999999', UserToken: legacy } }, url)).status).toBe(200);
      const fresh = await mint('999999', 'rev', '-07:00', url);
      const again = await call('GET', `${UP}/offers/${offers[0].id}`, { token: fresh }, url);
      expect(again.status).toBe(200);
      const listed = await call('GET', `${UP}/offers`, { token: fresh, query: { active: true, limit: 100 } }, url);
      expect(listed.body.offers.map((o: UserOffer) => o.id)).toContain(offers[0].id);
    });

    it('revokeUserTokens leaves access tokens alone', async () => {
      const token = await mint('999999', 'both', '-07:00', url);
      const legacy = await login('both', '999999', sim, url);
      sim.revokeUserTokens();
      expect((await call('GET', '/plo/v1/usersavings', { query: { FId: '999999', UserToken: legacy } }, url)).status).toBe(401);
      expect((await savings(token)).status).toBe(200);
    });
  });

  // ---- every operation: success shape, strictly against the spec --------------------------------

  describe('success shapes (v1.5 schemas, only declared fields, wire names as the spec spells them)', () => {
    interface Fixture {
      s: Session;
      offer: SimulatorOffer;
      always: SimulatorOffer;
    }
    const fixture = async (): Promise<Fixture> => {
      const s = await session();
      const offer = await inactive(s);
      const [always] = await allOffers(s, { offer_type: 'ALWAYSON' });
      return { s, offer, always };
    };

    it.each<[string, (f: Fixture) => Promise<Answer>, (body: WireJson, f: Fixture) => void]>([
      [
        'getOffers',
        (f) =>
          call('GET', `${UP}/offers`, {
            token: f.s.token,
            query: { offer_type: 'POSTPAIDCREDIT', category: 'SHOP', offer_country: ['USA', 'AUS'], active: false, expiry_days: 400, offset: 0, limit: 5 },
            headers: { 'Accept-Language': 'en-US' },
          }),
        (b) => {
          expect(b).toMatchObject({ offset: 0, limit: 5, total: expect.any(Number), count: b.offers.length });
          expect(b.offers.length).toBeGreaterThan(0);
          for (const o of b.offers) {
            expect(o).toMatchObject({
              type: 'POSTPAIDCREDIT',
              category: 'SHOP',
              activationType: 'USER_ACTIVATION',
              offerCountry: expect.stringMatching(/^(USA|AUS)$/),
            });
            expect(o.assignments).toEqual([expect.objectContaining({ active: false, id: expect.stringMatching(UUID) })]);
            expect(o.localizations.map((l: Localization) => l.lang)).toEqual(['en-US']);
          }
        },
      ],
      [
        'getOffer',
        (f) => call('GET', `${UP}/offers/${f.offer.id}`, { token: f.s.token, headers: { 'Accept-Language': 'en-US' } }),
        (b, f) => {
          const { assignments, ...details } = f.offer;
          expect(b).toEqual({ userOfferDetails: details });
          expect(assignments).toHaveLength(1);
        },
      ],
      [
        'searchOffers',
        (f) =>
          call('POST', `${UP}/offers/filters`, {
            token: f.s.token,
            headers: { 'Accept-Language': 'fr-FR' },
            json: {
              offerType: 'POSTPAIDCREDIT',
              offerCountries: ['FRA'],
              offset: 0,
              limit: 5,
              latitude: 48.8566,
              longitude: 2.3522,
              radius: '10km',
              active: false,
              channels: ['ONLINE', 'INSTORE'],
            },
          }),
        (b) => {
          expect(b).toMatchObject({ offset: 0, limit: 5, location: { latitude: 48.8566, longitude: 2.3522 }, distance: { text: '10km', value: 10_000 } });
          expect(b.offers.length).toBeGreaterThan(0);
          for (const o of b.offers)
            expect(o).toMatchObject({ offerCountry: 'FRA', merchant: { locations: [{ city: 'Paris', country: 'FRA' }] }, localizations: [{ lang: 'fr-FR' }] });
        },
      ],
      [
        'processActivations',
        (f) => activate(f.s, f.offer.id),
        (b, f) => {
          expect(b).toEqual({
            activations: [
              {
                assignments: [
                  expect.objectContaining({
                    id: f.offer.assignments[0].id,
                    status: 'ACTIVATED',
                    active: true,
                    activationDateTime: expect.stringMatching(/-07:00$/),
                  }),
                ],
                id: expect.stringMatching(UUID),
                status: 'QUEUED',
                offerId: f.offer.id,
              },
            ],
          });
        },
      ],
      [
        'getOfferRatings',
        async (f) => {
          await rate(f.s, f.always.id, 1);
          await rate(f.s, f.offer.id, 0);
          return call('GET', `${UP}/offer-ratings`, { token: f.s.token, query: { current: 'false', offset: 0, limit: 10 } });
        },
        (b, f) =>
          expect(b).toEqual({
            offset: 0,
            limit: 10,
            total: 2,
            count: 2,
            offerRatings: [
              { offerId: f.always.id, like: 1 },
              { offerId: f.offer.id, like: 0 },
            ],
          }),
      ],
      [
        'getOfferRating',
        async (f) => {
          await rate(f.s, f.offer.id, 1);
          return call('GET', `${UP}/offer-ratings/${f.offer.id}`, { token: f.s.token });
        },
        (b, f) => expect(b).toEqual({ offerRating: { offerId: f.offer.id, like: 1 } }),
      ],
      ['createOfferRating', (f) => rate(f.s, f.offer.id, 0), (b, f) => expect(b).toEqual({ offerRating: { offerId: f.offer.id, like: 0 } })],
      [
        'getUserPresentmentSavings',
        (f) => call('GET', `${UP}/savings`, { token: f.s.token }),
        (b) => {
          expect(Object.keys(b.savings).sort()).toEqual([
            'adjustmentsCashTotal',
            'adjustmentsPointsTotal',
            'offersAvailable',
            'offersRedeemed',
            'potentialCash',
            'potentialPoints',
          ]);
          expect(b.savings.offersRedeemed).toBeGreaterThanOrEqual(1);
        },
      ],
      [
        'getUserPresentmentAdjustments',
        (f) =>
          call('GET', `${UP}/adjustments`, {
            token: f.s.token,
            query: { start_date: isoDay(-90), end_date: isoDay(), date_filter: 'CREATED', offset: 0, limit: 5 },
          }),
        (b, f) => {
          expect(b).toMatchObject({
            offset: 0,
            limit: 5,
            total: expect.any(Number),
            count: b.adjustments.length,
            responseLastModifiedDateTime: expect.stringMatching(DATE_TIME),
          });
          expect(b.adjustments.length).toBeGreaterThanOrEqual(1);
          expect(b.adjustments[0]).toMatchObject({
            id: expect.stringMatching(UUID),
            adjustmentId: expect.any(Number),
            activationId: expect.any(Number),
            offerType: 'POSTPAIDCREDIT',
            status: 'COMPLETED',
            bankCustomerNumber: f.s.userId,
            adjustmentValueSign: '+',
            adjustmentMerchantCategoryCode: '6555',
          });
        },
      ],
      [
        'findGeoLocations',
        (f) => call('GET', `${UP}/geo-locations`, { token: f.s.token, query: { keywords: 'San Diego, California', offset: 0, limit: 25 } }),
        (b) =>
          expect(b).toEqual({
            offset: 0,
            limit: 25,
            total: 1,
            count: 1,
            items: [
              {
                name: 'San Diego',
                subdivision1: 'California',
                subdivision2: 'San Diego County',
                country: 'United States',
                latitude: 32.71571,
                longitude: -117.16472,
              },
            ],
          }),
      ],
      [
        'publishImpressions',
        (f) =>
          call('POST', '/loyalty/offers/impressions', {
            token: f.s.token,
            json: { impressions: [{ offerId: f.offer.id, order: '1', activityType: 'VIEWED', activityTimestamp: '2027-01-15T08:00:00Z' }] },
          }),
        (b) => expect(b).toBe('Accepted'),
      ],
      [
        'browseOffers',
        () =>
          call('GET', `${PA}/offers`, {
            query: { f_id: '999999', offer_type: 'ALWAYSON', category: 'TRAVEL', offer_country: ['USA'], lang: ['en-US'], offset: 0, limit: 5 },
          }),
        (b) => {
          expect(b).toMatchObject({ offset: 0, limit: 5, status: { code: 200, message: 'Success' }, count: b.offers.length });
          expect(b.offers.length).toBeGreaterThan(0);
          for (const o of b.offers) {
            expect(o).toMatchObject({ type: 'ALWAYSON', activationType: 'AUTO_ACTIVATION', category: 'TRAVEL', offerCountry: 'USA' });
            expect(o).not.toHaveProperty('assignments');
          }
        },
      ],
      [
        'searchAdminOffers',
        () =>
          call('POST', `${PA}/offers/filters`, {
            json: { fId: '999999', offerType: 'POSTPAIDCREDIT', category: 'DEPARTMENTSTORE', offerCountries: ['USA'], offset: 0, limit: 5, languages: ['ALL'] },
          }),
        (b) => {
          expect(b).toMatchObject({ offset: 0, limit: 5, status: { code: 200, message: 'Success' } });
          for (const o of b.offers) expect(o.localizations.map((l: Localization) => l.lang)).toEqual(['en-US', 'fr-FR', 'es-ES']);
        },
      ],
      [
        'getAdjustments',
        (f) =>
          call('GET', `${PA}/adjustments`, {
            query: { f_id: f.s.fId, offset: 0, limit: 5, start_date: isoDay(-90), end_date: isoDay(), date_filter: 'CREATED' },
          }),
        (b) => {
          expect(b).toMatchObject({ offset: 0, limit: 5, status: { code: 200, message: 'Success' }, count: 5 });
          expect(b.total).toBeGreaterThan(5);
        },
      ],
    ])('%s', async (operationId, request, check) => {
      const f = await fixture();
      simulator.clearRequests();
      const res = await request(f);
      expect([operationId, res.status]).toEqual([operationId, 200]);
      expectConforms(operationId, res);
      check(res.body, f);
      const record = simulator.requests.filter((r) => r.operationId === operationId).at(-1)!;
      expectDeclaredWireNames(record);
    });

    it('every offer (each reward kind, active or not, all languages) and CASH, POINTS and ALWAYSON adjustments conform strictly', async () => {
      const s = await session();
      const all = await allOffers(s, {}, { 'Accept-Language': 'en-US,fr-FR,es-ES' });
      const kinds = new Set(all.map((o) => `${o.rewards[0].mode}/${o.rewards[0].discountType}`));
      expect(kinds).toEqual(new Set(['CASH/ABSOLUTE', 'CASH/PERCENTAGE', 'POINTS/ABSOLUTE', 'POINTS/PERCENTAGE']));
      const pick = (mode: string, type = 'POSTPAIDCREDIT') => all.find((o) => o.rewards[0].mode === mode && o.type === type && !o.assignments[0].active)!;
      const bought = [pick('CASH'), pick('POINTS'), all.find((o) => o.type === 'ALWAYSON')!].map((o) => o.id);
      for (const offerId of bought) simulator.recordRedemption(s.fId, s.userId, offerId, '1000.00');
      await activate(s, (await inactive(s)).id);
      expectConforms('getOffers', await offers(s, { limit: 100 }, { 'Accept-Language': 'en-US,fr-FR,es-ES' }));
      const adjustments = await call('GET', `${UP}/adjustments`, { token: s.token, query: { start_date: isoDay(-90), limit: 100 } });
      expectConforms('getUserPresentmentAdjustments', adjustments);
      const recorded = adjustments.body.adjustments.filter((a: Adjustment) => bought.includes(a.offerId!));
      expect(recorded.map((a: Adjustment) => [a.adjustmentMode, a.offerType, a.status, 'activationId' in a, 'adjustmentPointsValue' in a])).toEqual([
        ['CASH', 'POSTPAIDCREDIT', 'CONFIRMED', true, false],
        ['POINTS', 'POSTPAIDCREDIT', 'CONFIRMED', true, true],
        [expect.any(String), 'ALWAYSON', 'CONFIRMED', false, expect.any(Boolean)],
      ]);
      expectConforms('browseOffers', await call('GET', `${PA}/offers`, { query: { f_id: s.fId, lang: 'ALL', limit: 100 } }));
    });

    it('createAccessToken sends only fiId, userId, utcOffset', async () => {
      simulator.clearRequests();
      await mint('999999', 'names');
      expectDeclaredWireNames(simulator.requests[0]);
    });

    it('numbers are JSON numbers in /loyalty (strings in the legacy API): the same offer both ways', async () => {
      const s = await session();
      const [offer] = await allOffers(s);
      const legacy = (await legacyOffers(s)).find((o) => o.OfferId === offer.id)!;
      expect(offer.redemptionSpendThreshold).toBe(Number(legacy.MinTotalSpend));
      expect(offer.eventEndDate).toBe(legacy.EventEndDate);
      expect(offer.offerCountry).toBe(legacy.OfferCountry);
      expect(offer.localizations[0].headline).toBe(legacy.Headline);
      expect(offer.merchant.locations![0].latitude).toBe(Number(legacy.Merchant!.Addresses!.Address![0].Latitude));
    });
  });

  // ---- paging ------------------------------------------------------------------------------------------

  describe('offset/limit paging', () => {
    it('defaults offset 0 and limit 25; total is the whole catalogue (the legacy TotalCount); pages tile it', async () => {
      const s = await session();
      const first = (await offers(s)).body;
      const legacyTotal = Number((await call('GET', '/plo/v1/matchedoffers', { query: s.creds })).body.Response.TotalCount);
      expect(first).toMatchObject({ offset: 0, limit: 25, total: legacyTotal, count: 25 });
      const pages = await Promise.all([0, 25, 50].map(async (offset) => (await offers(s, { offset })).body));
      expect(pages.map((p) => p.count)).toEqual([25, 25, legacyTotal - 50]);
      const all = await allOffers(s);
      expect(pages.flatMap((p) => p.offers.map((o: UserOffer) => o.id))).toEqual(all.map((o) => o.id));
      const odd = (await offers(s, { offset: 7, limit: 3 })).body;
      expect(odd).toMatchObject({ offset: 7, limit: 3, count: 3, total: legacyTotal });
      expect(odd.offers.map((o: UserOffer) => o.id)).toEqual(all.slice(7, 10).map((o) => o.id));
    });

    it('an offset past the end is a 200 with an empty page and the total', async () => {
      const s = await session();
      expect((await offers(s, { offset: 500 })).body).toEqual({ offset: 500, limit: 25, total: expect.any(Number), count: 0, offers: [] });
    });

    it.each([
      ['limit', '0'],
      ['limit', '101'],
      ['limit', 'abc'],
      ['limit', '2.5'],
      ['offset', '-1'],
      ['offset', ''],
      ['expiry_days', '0'],
      ['active', 'yes'],
      ['active', 'TRUE'],
    ])('getOffers %s=%j is a 400 naming it', async (name, value) => {
      const s = await session();
      expect(refused(await offers(s, { [name]: value }))).toEqual(errorShape(400, invalid(name)));
    });

    it('every other listing pages the same way', async () => {
      const s = await session();
      const geo = (await call('GET', `${UP}/geo-locations`, { token: s.token, query: { keywords: 'san', limit: 2, offset: 1 } })).body;
      expect(geo).toMatchObject({ offset: 1, limit: 2, count: 2, total: 5 });
      expect(geo.items.map((i: GeoLocation) => i.name)).toEqual(['San Francisco', 'San Jose']);
      const admin = (await call('GET', `${PA}/offers`, { query: { f_id: s.fId, offset: 60, limit: 10 } })).body;
      expect(admin).toMatchObject({ offset: 60, limit: 10, count: admin.total - 60 });
      for (const [path, extra] of [
        [`${UP}/offer-ratings`, {}],
        [`${UP}/adjustments`, {}],
        [`${UP}/geo-locations`, { keywords: 'san' }],
      ] as const) {
        expect(refused(await call('GET', path, { token: s.token, query: { ...extra, limit: 101 } }))).toEqual(errorShape(400, invalid('limit')));
      }
      expect(refused(await call('GET', `${PA}/adjustments`, { query: { f_id: s.fId, offset: 'x' } }))).toEqual(errorShape(400, invalid('offset')));
      expect(refused(await call('POST', `${UP}/offers/filters`, { token: s.token, json: { offset: '0' } }))).toEqual(errorShape(400, invalid('offset')));
      expect(refused(await call('POST', `${PA}/offers/filters`, { json: { fId: s.fId, limit: 0 } }))).toEqual(errorShape(400, invalid('limit')));
    });
  });

  // ---- filters --------------------------------------------------------------------------------------------

  describe('getOffers filters', () => {
    it('offer_type and category split the catalogue; activationType follows the type', async () => {
      const s = await session();
      const [all, post, always] = await Promise.all([allOffers(s), allOffers(s, { offer_type: 'POSTPAIDCREDIT' }), allOffers(s, { offer_type: 'ALWAYSON' })]);
      expect(post.length + always.length).toBe(all.length);
      expect(new Set(post.map((o) => o.activationType))).toEqual(new Set(['USER_ACTIVATION']));
      expect(new Set(always.map((o) => o.activationType))).toEqual(new Set(['AUTO_ACTIVATION']));
      const dining = await allOffers(s, { category: 'DINING' });
      expect(dining.length).toBeGreaterThan(0);
      expect(new Set(dining.map((o) => o.category))).toEqual(new Set(['DINING']));
    });

    it('offer_country: repeated keys and a comma list are the same inclusion list', async () => {
      const s = await session();
      const countries = (list: UserOffer[]) => new Set(list.map((o) => o.offerCountry));
      const all = await allOffers(s);
      expect(countries(all)).toEqual(new Set(['USA', 'AUS', 'FRA']));
      const repeated = await allOffers(s, { offer_country: ['AUS', 'FRA'] });
      expect(countries(repeated)).toEqual(new Set(['AUS', 'FRA']));
      expect((await allOffers(s, { offer_country: 'AUS,FRA' })).map((o) => o.id)).toEqual(repeated.map((o) => o.id));
      expect((await allOffers(s, { offer_country: 'USA' })).length + repeated.length).toBe(all.length);
    });

    it('a leading ! on any value makes the whole list an exclusion list (offer_country=%21USA)', async () => {
      const s = await session();
      simulator.clearRequests();
      const notUsa = await allOffers(s, { offer_country: '!USA' });
      expect(simulator.requests.at(-1)!.url).toContain('offer_country=%21USA');
      expect(new Set(notUsa.map((o) => o.offerCountry))).toEqual(new Set(['AUS', 'FRA']));
      const mixed = await allOffers(s, { offer_country: ['!USA', 'AUS'] });
      expect(new Set(mixed.map((o) => o.offerCountry))).toEqual(new Set(['FRA']));
      expect((await allOffers(s, { offer_country: '!USA,AUS' })).map((o) => o.id)).toEqual(mixed.map((o) => o.id));
    });

    it('active=true / false partition the offers by assignments[].active; ALWAYSON counts as active', async () => {
      const s = await session();
      const [all, on, off] = await Promise.all([allOffers(s), allOffers(s, { active: true }), allOffers(s, { active: false })]);
      expect(on.length + off.length).toBe(all.length);
      for (const o of on) expect(o.assignments[0]).toMatchObject({ active: true, status: 'ACTIVATED' });
      for (const o of off) {
        expect(o.assignments[0].active).toBe(false);
        expect(o.assignments[0]).not.toHaveProperty('status');
      }
      expect(on.filter((o) => o.type === 'POSTPAIDCREDIT').length).toBeGreaterThanOrEqual(1); // the seeded redeemed offers
      expect(on.filter((o) => o.type === 'ALWAYSON').length).toBe(all.filter((o) => o.type === 'ALWAYSON').length);
      for (const o of on.filter((x) => x.type === 'ALWAYSON')) expect(o.assignments[0]).not.toHaveProperty('activationDateTime');
    });

    it('expiry_days keeps offers ending within that many days', async () => {
      const s = await session();
      const all = await allOffers(s);
      const soon = await allOffers(s, { expiry_days: 90 });
      expect(soon.length).toBeGreaterThan(0);
      expect(soon.length).toBeLessThan(all.length);
      for (const o of soon) expect(o.eventEndDate <= isoDay(90)).toBe(true);
      expect(all.filter((o) => o.eventEndDate <= isoDay(90)).map((o) => o.id)).toEqual(soon.map((o) => o.id));
    });

    it('disliked offers stay listed (only the legacy matchedoffers suppresses them)', async () => {
      const s = await session();
      const all = await allOffers(s);
      await rate(s, all[0].id, 0);
      expect((await allOffers(s)).map((o) => o.id)).toEqual(all.map((o) => o.id));
      expect((await legacyOffers(s)).map((o) => o.OfferId)).not.toContain(all[0].id);
    });
  });

  describe('searchOffers filters', () => {
    const filter = (s: Session, json: unknown, headers?: Record<string, string>) => call('POST', `${UP}/offers/filters`, { token: s.token, json, headers });

    it('an empty filter is getOffers with defaults', async () => {
      const s = await session();
      expect((await filter(s, {})).body).toEqual((await offers(s)).body);
    });

    it.each<[string, object, (o: SimulatorOffer) => boolean]>([
      ['merchants (short name)', { merchants: ['koalla'] }, (o) => o.merchant.name === 'koalla'],
      ['merchants (display name, any case)', { merchants: ['bistro lumière', 'CineStar'] }, (o) => ['bistrolumiere', 'cinestar'].includes(o.merchant.name!)],
      ['channels ONLINE', { channels: ['ONLINE'] }, (o) => o.redemptionChannel !== 'INSTORE'],
      ['channels INSTORE', { channels: ['INSTORE'] }, (o) => o.redemptionChannel !== 'ONLINE'],
      ['superCategory', { superCategory: 'FOODANDDRINK' }, (o) => o.superCategory === 'FOODANDDRINK'],
      ['targetingCategory', { targetingCategory: 'HOTELS' }, (o) => o.targetingCategory === 'HOTELS'],
      ['offerCountries exclusion', { offerCountries: ['!USA', '!FRA'] }, (o) => o.offerCountry === 'AUS'],
      ['expiryDays', { expiryDays: 60 }, (o) => o.eventEndDate <= isoDay(60)],
      ['active', { active: true }, (o) => o.assignments[0].active === true],
      ['near Los Angeles, 5mi', { latitude: 34.0522, longitude: -118.2437, radius: '5mi' }, (o) => o.merchant.name === 'cinestar'],
    ])('%s', async (_, json, holds) => {
      const s = await session();
      const all = await allOffers(s);
      const res = await filter(s, { ...json, limit: 100 });
      expect(res.status).toBe(200);
      expectConforms('searchOffers', res);
      expect(res.body.offers.length).toBeGreaterThan(0);
      expect(res.body.offers.map((o: UserOffer) => o.id)).toEqual(all.filter(holds).map((o) => o.id));
    });

    it('latitude/longitude echo location and distance (radius in metres; 50km when absent)', async () => {
      const s = await session();
      expect((await filter(s, { latitude: 34.0522, longitude: -118.2437, radius: '5mi' })).body).toMatchObject({ distance: { text: '5mi', value: 8047 } });
      expect((await filter(s, { latitude: 48.85, longitude: 2.35 })).body).toMatchObject({
        location: { latitude: 48.85, longitude: 2.35 },
        distance: { text: '50km', value: 50_000 },
      });
      const none = (await filter(s, { latitude: 32.7157, longitude: -117.1647, radius: '10km' })).body; // San Diego: no merchant there
      expect(none).toMatchObject({ total: 0, count: 0, offers: [] });
      expect((await filter(s, { radius: '5mi' })).body).not.toHaveProperty('location');
    });

    it.each<[string, object, string]>([
      ['offset as a string', { offset: '0' }, 'offset'],
      ['limit 101', { limit: 101 }, 'limit'],
      ['expiryDays 0 (minimum 1)', { expiryDays: 0 }, 'expiryDays'],
      ['channels MAIL', { channels: ['MAIL'] }, 'channels'],
      ['merchants repeated (uniqueItems)', { merchants: ['koalla', 'koalla'] }, 'merchants'],
      ['merchants as a string', { merchants: 'koalla' }, 'merchants'],
      ['radius far', { radius: 'far' }, 'radius'],
      ['latitude without longitude', { latitude: 1 }, 'longitude'],
      ['latitude 91', { latitude: 91, longitude: 0 }, 'latitude'],
      ['active "true"', { active: 'true' }, 'active'],
      ['offerCountries as a string', { offerCountries: 'USA' }, 'offerCountries'],
    ])('refuses %s with a 400 naming it', async (_, json, name) => {
      const s = await session();
      expect(refused(await filter(s, json))).toEqual(errorShape(400, invalid(name)));
    });
  });

  describe('Accept-Language', () => {
    it('picks the localizations: default en-US, one language, a comma list in order, unknown → en-US; offers and order stay', async () => {
      const s = await session();
      const langs = async (value?: string) => {
        const list = await allOffers(s, {}, value === undefined ? undefined : { 'Accept-Language': value });
        return { ids: list.map((o) => o.id), langs: list[0].localizations.map((l: Localization) => l.lang), headline: list[0].localizations[0].headline };
      };
      const dflt = await langs();
      expect(dflt.langs).toEqual(['en-US']);
      expect((await langs('')).langs).toEqual(['en-US']);
      expect((await langs('en-US')).headline).toBe(dflt.headline);
      const fr = await langs('fr-FR');
      expect(fr.langs).toEqual(['fr-FR']);
      expect(fr.ids).toEqual(dflt.ids);
      expect(fr.headline).not.toBe(dflt.headline);
      expect((await langs('es-ES,fr-FR')).langs).toEqual(['es-ES', 'fr-FR']);
      expect((await langs('fr-CA;q=0.9, en-US;q=0.8')).langs).toEqual(['fr-FR', 'en-US']);
      expect((await langs('de-DE')).langs).toEqual(['en-US']);
      expect((await langs('en-AU')).langs).toEqual(['en-US']);
    });

    it('the texts are the legacy Lang texts (fr-FR here is fr_FR there)', async () => {
      const s = await session();
      const [offer] = await allOffers(s, {}, { 'Accept-Language': 'fr-FR' });
      const [legacy] = await legacyOffers(s, { Lang: 'fr_FR' });
      expect(offer.localizations[0]).toMatchObject({
        headline: legacy.Headline,
        descriptionShort: legacy.ShortDescription,
        merchantDisplayName: legacy.Merchant!.Name,
      });
      const details = await call('GET', `${UP}/offers/${offer.id}`, { token: s.token, headers: { 'Accept-Language': 'es-ES' } });
      expect(details.body.userOfferDetails.localizations.map((l: Localization) => l.lang)).toEqual(['es-ES']);
    });
  });

  // ---- state shared with the legacy API ------------------------------------------------------------

  describe('activation, across both APIs', () => {
    it('activated through the legacy API → getOffers shows it active (status ACTIVATED, activationDateTime in the token’s offset)', async () => {
      const s = await session();
      const offer = await inactive(s);
      const legacy = await legacyActivate(s, offer.id);
      expect(legacy.body.Response.Status.Code).toBe('600');
      const shown = (await allOffers(s, { active: true })).find((o) => o.id === offer.id)!;
      expect(shown.assignments).toEqual([
        {
          id: offer.assignments[0].id,
          redemptionStartDate: offer.eventStartDate,
          redemptionEndDate: offer.eventEndDate,
          activationDateTime: '2027-01-15T01:00:00-07:00',
          status: 'ACTIVATED',
          active: true,
          propensityScore: offer.assignments[0].propensityScore,
        },
      ]);
      const again = await activate(s, offer.id);
      expect(refused(again)).toEqual(errorShape(400, 'Offer is already ACTIVATED'));
      expectConforms('processActivations', again);
    });

    it('activated through /loyalty → legacy ActiveSc ACTIVATED_STATEMENT_CREDIT with an ScActivation; a legacy re-activation is the 200 "Bad Request"', async () => {
      const s = await session();
      const offer = await inactive(s);
      const res = await activate(s, offer.id);
      expect(res.body.activations[0]).toMatchObject({ status: 'QUEUED', offerId: offer.id });
      const legacy = (await legacyOffers(s)).find((o) => o.OfferId === offer.id);
      expect(legacy).toMatchObject({ ActiveSc: 'ACTIVATED_STATEMENT_CREDIT', ActivationDate: isoDay(), ScActivation: { ActivationId: expect.any(String) } });
      expect((await legacyActivate(s, offer.id)).body).toEqual({ Response: { Status: { Code: '400', Message: 'Bad Request' } } });
      expect(refused(await activate(s, offer.id))).toEqual(errorShape(400, 'Offer is already ACTIVATED'));
    });

    it('an AUTO_ACTIVATION offer is a 400 whose description starts like the already-activated one', async () => {
      const s = await session();
      const [always] = await allOffers(s, { offer_type: 'ALWAYSON' });
      expect(refused(await activate(s, always.id))).toEqual(errorShape(400, 'Offer is already ACTIVATED (AUTO_ACTIVATION: no activation needed)'));
    });

    it.each<[string, unknown, number, string]>([
      ['no offerId', {}, 400, invalid('offerId')],
      ['a numeric offerId', { offerId: 42 }, 400, invalid('offerId')],
      ['OfferId spelt the legacy way', { OfferId: 'x' }, 400, invalid('offerId')],
      ['an unknown offerId', { offerId: '00000000-0000-5000-8000-000000000000' }, 404, 'offerId does not match any resource of this user'],
    ])('refuses %s', async (_, json, status, description) => {
      const s = await session();
      expect(refused(await call('POST', `${UP}/activations`, { token: s.token, json }))).toEqual(errorShape(status, description));
    });

    it('another fId’s offer is a 404 for getOffer and processActivations', async () => {
      const [a, b] = [await session('999999'), await session('123456')];
      const [offer] = await allOffers(b);
      expect(refused(await call('GET', `${UP}/offers/${offer.id}`, { token: a.token }))).toEqual(
        errorShape(404, 'offer_id does not match any resource of this user'),
      );
      expect((await activate(a, offer.id)).status).toBe(404);
    });
  });

  describe('ratings, shared with the legacy feedback', () => {
    it('a /loyalty rating is legacy Feedback and vice versa; the last write wins', async () => {
      const s = await session();
      const [a, b] = await allOffers(s, { offer_type: 'ALWAYSON' });
      await rate(s, a.id, 1);
      await call('POST', '/plo/v2/userfeedback', { json: { ...s.creds, OfferId: b.id, Feedback: 0 } });
      const legacy = await call('GET', '/plo/v1/userfeedback', { query: s.creds });
      expect(legacy.body.Response.Items.UserFeedback).toEqual([
        { OfferId: a.id, Feedback: '1' },
        { OfferId: b.id, Feedback: '0' },
      ]);
      await rate(s, b.id, 1);
      expect((await call('GET', `${UP}/offer-ratings/${b.id}`, { token: s.token })).body).toEqual({ offerRating: { offerId: b.id, like: 1 } });
    });

    it('current (default "true") keeps ratings of offers active for the user; "false" lists every rating', async () => {
      const s = await session();
      const [always] = await allOffers(s, { offer_type: 'ALWAYSON' });
      const offer = await inactive(s);
      await rate(s, always.id, 1);
      await rate(s, offer.id, 1);
      const list = async (query: Query) =>
        (await call('GET', `${UP}/offer-ratings`, { token: s.token, query })).body.offerRatings.map((r: OfferRating) => r.offerId);
      expect(await list({})).toEqual([always.id]);
      expect(await list({ current: 'true' })).toEqual([always.id]);
      expect(await list({ current: 'false' })).toEqual([always.id, offer.id]);
      await activate(s, offer.id);
      expect(await list({})).toEqual([always.id, offer.id]);
      expect(refused(await call('GET', `${UP}/offer-ratings`, { token: s.token, query: { current: 'yes' } }))).toEqual(errorShape(400, invalid('current')));
    });

    it.each<[string, (s: Session, offerId: string) => Promise<Answer>, number, string]>([
      [
        'getOfferRating of an offer never rated',
        (s, o) => call('GET', `${UP}/offer-ratings/${o}`, { token: s.token }),
        404,
        'offer_id has no rating from this user',
      ],
      [
        'getOfferRating of an unknown offer',
        (s) => call('GET', `${UP}/offer-ratings/nope`, { token: s.token }),
        404,
        'offer_id does not match any resource of this user',
      ],
      ['like 2', (s, o) => rate(s, o, 2), 400, invalid('like')],
      ['like "1" (a string, not int32)', (s, o) => rate(s, o, '1'), 400, invalid('like')],
      ['no like', (s, o) => call('POST', `${UP}/offer-ratings/${o}/likes`, { token: s.token, json: {} }), 400, invalid('like')],
      ['a rating of an unknown offer', (s) => rate(s, 'nope', 1), 404, 'offer_id does not match any resource of this user'],
    ])('refuses %s', async (_, request, status, description) => {
      const s = await session();
      const [offer] = await allOffers(s);
      const res = await request(s, offer.id);
      expect(refused(res)).toEqual(errorShape(status, description));
      expect(res.body.Errors.Error[0].Details).toBe(status === 404 ? 'Not Found' : 'Bad Request');
    });
  });

  describe('savings and adjustments, from the same redemptions', () => {
    it('savings are the legacy usersavings numbers, and move together', async () => {
      const s = await session();
      const both = async (): Promise<Array<Required<PresentmentSavings>>> => [
        (await call('GET', `${UP}/savings`, { token: s.token })).body.savings,
        (await call('GET', '/plo/v1/usersavings', { query: s.creds })).body.Response.UserSavings.savings,
      ];
      const [before, legacyBefore] = await both();
      expect(before).toEqual(legacyBefore);
      const offer = (await allOffers(s, { active: false })).find((o) => o.rewards[0].mode === 'CASH' && o.rewards[0].discountType === 'ABSOLUTE')!;
      simulator.recordRedemption(s.fId, s.userId, offer.id, '999.00');
      const [after, legacyAfter] = await both();
      expect(after).toEqual(legacyAfter);
      expect(after.offersRedeemed).toBe(before.offersRedeemed + 1);
      expect(after.adjustmentsCashTotal).toBeCloseTo(before.adjustmentsCashTotal + offer.rewards[0].cashValueAbsolute!, 2);
    });

    it('one adjustment per legacy redeemed transaction, same amounts and dates', async () => {
      const s = await session();
      const adjustments = (await call('GET', `${UP}/adjustments`, { token: s.token, query: { start_date: isoDay(-90), end_date: isoDay() } })).body.adjustments;
      const legacy = (await call('GET', '/plo/v1/redeemedoffers', { query: s.creds })).body.Response.Items.RedeemedOffer;
      const fromLegacy = legacy.flatMap((o: RedeemedOffer) =>
        o.Transactions!.Transaction!.map((t: RedeemedTransaction) => [
          o.OfferId,
          Number(t.TransactionAmount),
          t.RedemptionDate,
          Number(o.ScActivation!.ActivationId!.replace(/\D/g, '')),
        ]),
      );
      const fromLoyalty = adjustments.map((a: Adjustment) => [a.offerId, a.transactionAmount, a.transactionDate, a.activationId]);
      expect(new Set(fromLoyalty.map((x: unknown) => JSON.stringify(x)))).toEqual(new Set(fromLegacy.map((x: unknown) => JSON.stringify(x))));
    });

    it('no start_date means the last 24 hours: a redemption now is CONFIRMED, COMPLETED a day later (date_filter UPDATED follows)', async () => {
      let clock = nowMs;
      const sim = new PersonalizedOffersSimulator({ fIds: ['999999'], now: () => clock });
      const { baseUrl: url } = await sim.start();
      try {
        // A token per call: the clock moves past the 60-minute lifetime here.
        const list = async (query: Query = {}): Promise<Required<UserAdjustments>> =>
          (await call('GET', `${UP}/adjustments`, { token: sim.accessTokenFor('999999', 'adj'), query }, url)).body;
        const seeded = await list({ start_date: isoDay(-90) });
        const token = sim.accessTokenFor('999999', 'adj');
        const offer = (await call('GET', `${UP}/offers`, { token, query: { active: false, offer_type: 'POSTPAIDCREDIT', limit: 1 } }, url)).body.offers[0];
        clock += 3 * HOUR;
        sim.recordRedemption('999999', 'adj', offer.id, '500.00');
        const recent = await list();
        expect(recent.adjustments.map((a: Adjustment) => [a.offerId, a.status, a.redemptionDateTime])).toContainEqual([
          offer.id,
          'CONFIRMED',
          new Date(nowMs + 3 * HOUR).toISOString(),
        ]);
        expect((await list({ start_date: isoDay(-90) })).total).toBe(seeded.total + 1);

        sim.advanceTime(DAY + 60_000);
        const later = await list({ date_filter: 'UPDATED' });
        expect(later.adjustments.map((a: Adjustment) => [a.offerId, a.status, a.lastModifiedDateTime])).toContainEqual([
          offer.id,
          'COMPLETED',
          new Date(nowMs + 3 * HOUR + DAY).toISOString(),
        ]);
        expect(later.responseLastModifiedDateTime).toBe(new Date(nowMs + 3 * HOUR + DAY).toISOString());
        expect((await list({ date_filter: 'CREATED' })).adjustments.map((a: Adjustment) => a.offerId)).not.toContain(offer.id); // created > 24 h ago
        expect((await list({ start_date: isoDay(0), end_date: isoDay(0) })).adjustments.map((a: Adjustment) => a.offerId)).toContain(offer.id);
        const empty = await list({ start_date: '2020-01-01', end_date: '2020-01-31' });
        expect(empty).toEqual({ offset: 0, limit: 25, total: 0, count: 0, adjustments: [] });
      } finally {
        await sim.stop();
      }
    });

    it.each<[Query, string]>([
      [{ start_date: '2027-02-30' }, invalid('start_date')],
      [{ end_date: '15/01/2027' }, invalid('end_date')],
      [{ date_filter: 'DELETED' }, invalid('date_filter')],
      [{ start_date: '2027-01-10', end_date: '2027-01-01' }, 'start_date must not be after end_date'],
    ])('adjustments refuse %j', async (query, description) => {
      const s = await session();
      expect(refused(await call('GET', `${UP}/adjustments`, { token: s.token, query }))).toEqual(errorShape(400, description));
      expect(refused(await call('GET', `${PA}/adjustments`, { query: { f_id: s.fId, ...query } }))).toEqual(errorShape(400, description));
    });

    it('platform-admin adjustments list every user of the fId seen so far (a token minted is enough)', async () => {
      const [a, b] = [await session(), await session()];
      const all: Adjustment[] = [];
      for (let offset = 0, total = 1; offset < total; offset += 100) {
        const res = await call('GET', `${PA}/adjustments`, { query: { f_id: '999999', start_date: isoDay(-90), limit: 100, offset } });
        expectConforms('getAdjustments', res);
        expect(res.body.status).toEqual({ code: 200, message: 'Success' });
        total = res.body.total;
        all.push(...res.body.adjustments);
      }
      const users = new Set(all.map((x: Adjustment) => x.bankCustomerNumber));
      expect(users.has(a.userId) && users.has(b.userId)).toBe(true);
      expect(users.size).toBeGreaterThan(10); // every session of this suite so far
      expect(new Set(all.map((x) => x.adjustmentId)).size).toBe(all.length);
      const other = await call('GET', `${PA}/adjustments`, { query: { f_id: '123456', start_date: isoDay(-90), limit: 100 } });
      expect(other.body.adjustments.map((x: Adjustment) => x.bankCustomerNumber)).not.toContain(a.userId);
    });
  });

  describe('findGeoLocations', () => {
    it.each<[string, string[]]>([
      ['San Diego', ['San Diego']],
      ['San Diego, California, USA', ['San Diego']],
      ['san', ['San Diego', 'San Francisco', 'San Jose', 'San Antonio', 'Santa Fe']],
      ['PORTLAND', ['Portland', 'Portland']],
      ['portland, maine', ['Portland']],
      ['paris, france', ['Paris']],
      ['texas', ['San Antonio', 'Dallas']],
      ['atlantis', []],
    ])('%j', async (keywords, names) => {
      const s = await session();
      const res = await call('GET', `${UP}/geo-locations`, { token: s.token, query: { keywords } });
      expectConforms('findGeoLocations', res);
      expect(res.body.items.map((i: GeoLocation) => i.name)).toEqual(names);
      expect(res.body.total).toBe(names.length);
    });

    it.each([undefined, '', ' , '])('keywords %j is a 400', async (keywords) => {
      const s = await session();
      expect(refused(await call('GET', `${UP}/geo-locations`, { token: s.token, query: { keywords } }))).toEqual(errorShape(400, invalid('keywords')));
    });
  });

  describe('publishImpressions', () => {
    it('records every impression for the token’s user, in order, and answers the JSON string "Accepted"', async () => {
      const s = await session();
      const [a, b] = await allOffers(s);
      const impressions = [
        { offerId: a.id, order: '1', activityType: 'VIEWED', activityTimestamp: '2027-01-15T08:00:00Z' },
        { offerId: b.id, order: '2', activityType: 'CLICKED', activityTimestamp: '2027-01-15T08:00:01Z' },
      ];
      const res = await call('POST', '/loyalty/offers/impressions', { token: s.token, json: { impressions } });
      expect([res.status, res.text]).toEqual([200, '"Accepted"']);
      expect(simulator.impressions(s.fId, s.userId)).toEqual(impressions.map((i) => ({ ...i, receivedAt: nowMs })));
      expect(simulator.impressions(s.fId, 'someone-else')).toEqual([]);
    });

    it.each<[string, (offerId: string) => unknown, string]>([
      ['no impressions', () => ({}), 'impressions'],
      ['an empty list', () => ({ impressions: [] }), 'impressions'],
      ['order as a number', (o) => ({ impressions: [{ offerId: o, order: 1, activityType: 'VIEWED', activityTimestamp: 't' }] }), 'impressions[0].order'],
      [
        'activityType SHARED',
        (o) => ({ impressions: [{ offerId: o, order: '1', activityType: 'SHARED', activityTimestamp: 't' }] }),
        'impressions[0].activityType',
      ],
      ['no activityTimestamp', (o) => ({ impressions: [{ offerId: o, order: '1', activityType: 'LIKED' }] }), 'impressions[0].activityTimestamp'],
      [
        'an unknown offer in second place',
        (o) => ({
          impressions: [
            { offerId: o, order: '1', activityType: 'LIKED', activityTimestamp: 't' },
            { offerId: 'nope', order: '2', activityType: 'LIKED', activityTimestamp: 't' },
          ],
        }),
        'impressions[1].offerId',
      ],
    ])('refuses %s with a 400 and records nothing', async (_, json, name) => {
      const s = await session();
      const [offer] = await allOffers(s);
      expect(refused(await call('POST', '/loyalty/offers/impressions', { token: s.token, json: json(offer.id) }))).toEqual(errorShape(400, invalid(name)));
      expect(simulator.impressions(s.fId, s.userId)).toEqual([]);
    });
  });

  describe('platform admin (no X-Auth-Token: the fId identifies the FI)', () => {
    it('f_id is required and must be known; fId in the body likewise', async () => {
      expect(refused(await call('GET', `${PA}/offers`))).toEqual(errorShape(400, invalid('f_id')));
      expect(refused(await call('GET', `${PA}/offers`, { query: { f_id: '555555' } }))).toEqual(errorShape(400, invalid('f_id')));
      expect(refused(await call('GET', `${PA}/offers`, { query: { fId: '999999' } }))).toEqual(errorShape(400, invalid('f_id')));
      expect(refused(await call('GET', `${PA}/adjustments`))).toEqual(errorShape(400, invalid('f_id')));
      expect(refused(await call('POST', `${PA}/offers/filters`, { json: { f_id: '999999' } }))).toEqual(errorShape(400, invalid('fId')));
    });

    it('browseOffers is the fId’s catalogue (same ids as a user sees), with status 200/Success', async () => {
      const s = await session();
      const res = await call('GET', `${PA}/offers`, { query: { f_id: s.fId, limit: 100 } });
      expect(res.body.status).toEqual({ code: 200, message: 'Success' });
      expect(res.body.offers.map((o: UserOffer) => o.id)).toEqual((await allOffers(s)).map((o) => o.id));
    });

    it('lang: ALL gives every language; tags repeated or in a comma list; en-US when absent', async () => {
      const langs = async (lang?: string | string[]) =>
        (await call('GET', `${PA}/offers`, { query: { f_id: '999999', lang, limit: 1 } })).body.offers[0].localizations.map((l: Localization) => l.lang);
      expect(await langs()).toEqual(['en-US']);
      expect(await langs('ALL')).toEqual(['en-US', 'fr-FR', 'es-ES']);
      expect(await langs(['fr-FR', 'es-ES'])).toEqual(['fr-FR', 'es-ES']);
      expect(await langs('es-ES,en-US')).toEqual(['es-ES', 'en-US']);
    });

    it('issuer_ica and bank_product_code keep offers whose INCLUSION lists hold them; the body form agrees', async () => {
      const all = (await call('GET', `${PA}/offers`, { query: { f_id: '999999', limit: 100 } })).body.offers;
      const [ica1, ica2] = [...new Set(all.flatMap((o: AdminOffer) => o.redemptionIssuerICAs.values))] as number[];
      const [code1] = [...new Set(all.flatMap((o: AdminOffer) => o.redemptionBankProductCodes.values))] as string[];
      const byIca = (await call('GET', `${PA}/offers`, { query: { f_id: '999999', issuer_ica: ica2, limit: 100 } })).body.offers;
      expect(byIca.length).toBeGreaterThan(0);
      expect(byIca.length).toBeLessThan(all.length);
      expect(byIca.map((o: AdminOffer) => o.id)).toEqual(
        all.filter((o: AdminOffer) => o.redemptionIssuerICAs.values.includes(ica2)).map((o: AdminOffer) => o.id),
      );
      expect(ica1).toBeDefined();
      const byCode = (await call('GET', `${PA}/offers`, { query: { f_id: '999999', bank_product_code: code1, limit: 100 } })).body.offers;
      expect(byCode.map((o: AdminOffer) => o.id)).toEqual(
        all.filter((o: AdminOffer) => o.redemptionBankProductCodes.values.includes(code1)).map((o: AdminOffer) => o.id),
      );
      const body = (await call('POST', `${PA}/offers/filters`, { json: { fId: '999999', bankProductCode: code1, issuerIca: ica2, limit: 100 } })).body.offers;
      expect(body.map((o: AdminOffer) => o.id)).toEqual(
        byCode.filter((o: AdminOffer) => o.redemptionIssuerICAs.values.includes(ica2)).map((o: AdminOffer) => o.id),
      );
      expect(refused(await call('GET', `${PA}/offers`, { query: { f_id: '999999', issuer_ica: 'x' } }))).toEqual(errorShape(400, invalid('issuer_ica')));
      expect(refused(await call('POST', `${PA}/offers/filters`, { json: { fId: '999999', issuerIca: '1' } }))).toEqual(errorShape(400, invalid('issuerIca')));
    });

    it('offer_country exclusion and offerCountries work as for users', async () => {
      const ids = async (query: Query) =>
        (await call('GET', `${PA}/offers`, { query: { f_id: '999999', limit: 100, ...query } })).body.offers.map((o: UserOffer) => o.offerCountry);
      expect(new Set(await ids({ offer_country: '!USA' }))).toEqual(new Set(['AUS', 'FRA']));
      const body = (await call('POST', `${PA}/offers/filters`, { json: { fId: '999999', offerCountries: ['FRA'], limit: 100 } })).body.offers;
      expect(new Set(body.map((o: UserOffer) => o.offerCountry))).toEqual(new Set(['FRA']));
    });
  });

  // ---- routing and faults --------------------------------------------------------------------------

  describe('routing', () => {
    it.each([
      ['GET', `${UP}/offers/filters`, 'POST'],
      ['GET', `${UP}/access-tokens`, 'POST'],
      ['DELETE', `${UP}/offers/some-id`, 'GET'],
      ['GET', `${UP}/offer-ratings/some-id/likes`, 'POST'],
      ['POST', `${PA}/offers`, 'GET'],
      ['GET', '/loyalty/offers/impressions', 'POST'],
    ])('%s %s: 405 with Allow %s', async (method, path, allow) => {
      const res = await call(method, path);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
    });

    it.each([`${UP}/offers/`, `${UP}/offer-ratings/x/likes/`, `${UP}/nothing`, '/loyalty/offers/user-presentment'])('%s: 404', async (path) => {
      expect(refused(await call('GET', path))).toEqual(errorShape(404, 'Resource not found'));
    });

    it('offer_id is percent-decoded and logged under its operation', async () => {
      const s = await session();
      const [offer] = await allOffers(s);
      simulator.clearRequests();
      const encoded = offer.id.replace(/-/g, '%2D');
      expect((await call('GET', `${UP}/offers/${encoded}`, { token: s.token })).status).toBe(200);
      expect(simulator.requests[0]).toMatchObject({ operationId: 'getOffer', path: `${UP}/offers/${encoded}` });
    });
  });

  describe('faults targeted per operation', () => {
    it('every new operationId can be targeted', () => {
      for (const operation of [
        'createAccessToken',
        'getOffers',
        'getOffer',
        'searchOffers',
        'processActivations',
        'getOfferRatings',
        'getOfferRating',
        'createOfferRating',
        'getUserPresentmentSavings',
        'getUserPresentmentAdjustments',
        'findGeoLocations',
        'publishImpressions',
        'browseOffers',
        'searchAdminOffers',
        'getAdjustments',
      ]) {
        expect(() => simulator.addFault({ type: 'hang' }, { operation, times: 1 })).not.toThrow();
      }
      simulator.clearFaults();
      expect(() => simulator.addFault({ type: 'hang' }, { operation: 'getoffers' })).toThrow(/Unknown operation getoffers/);
    });

    it('an http-error on getOffers leaves createAccessToken and the other operations alone', async () => {
      simulator.resetRequestCount();
      simulator.setFault({ type: 'http-error', status: 503, retryAfter: '1' }, { operation: 'getOffers', times: 1 });
      const s = await session();
      expect((await call('GET', `${UP}/savings`, { token: s.token })).status).toBe(200);
      const failed = await offers(s);
      expect(refused(failed)).toEqual({
        status: 503,
        body: { Errors: { Error: [expect.objectContaining({ ReasonCode: '503', Description: 'Simulated failure', Recoverable: true })] } },
      });
      expect(failed.headers.get('retry-after')).toBe('1');
      expect((await offers(s)).status).toBe(200);
      expect(simulator.faultsApplied).toEqual({ 'http-error': 1 });
    });

    it('no-token on createAccessToken: a 200 without accessToken, and nothing minted', async () => {
      simulator.setFault({ type: 'no-token' }, { operation: 'createAccessToken', times: 1 });
      const res = await call('POST', `${UP}/access-tokens`, { json: { fiId: '999999', userId: 'nt', utcOffset: '+00:00' } });
      expect([res.status, res.body]).toEqual([200, {}]);
      expect((await mint('999999', 'nt')).split('.')).toHaveLength(3);
    });

    it('status-code on processActivations: a 200 with no payload, and the activation did not happen', async () => {
      const s = await session();
      const offer = await inactive(s);
      simulator.setFault({ type: 'status-code', code: '601' }, { operation: 'processActivations', times: 1 });
      expect((await activate(s, offer.id)).body).toEqual({});
      expect((await allOffers(s, { active: true })).map((o) => o.id)).not.toContain(offer.id);
      expect((await activate(s, offer.id)).status).toBe(200);
    });

    it('status-code on browseOffers: a 200 whose StatusInfo carries the code as an integer', async () => {
      simulator.setFault({ type: 'status-code', code: '601', message: 'Offer not eligible' }, { operation: 'browseOffers', times: 1 });
      const res = await call('GET', `${PA}/offers`, { query: { f_id: '999999' } });
      expect([res.status, res.body]).toEqual([200, { status: { code: 601, message: 'Offer not eligible' } }]);
      expectConforms('browseOffers', res);
    });

    it('status-code leaves /loyalty errors alone', async () => {
      simulator.setFault({ type: 'status-code', code: '601' }, { operation: 'getOffers' });
      expect((await call('GET', `${UP}/offers`)).status).toBe(400);
    });

    it('reset-mid-body on processActivations loses the answer but the activation happened (re-read, do not blind-retry)', async () => {
      const s = await session();
      const offer = await inactive(s);
      simulator.setFault({ type: 'reset-mid-body' }, { operation: 'processActivations', times: 1 });
      await expect(activate(s, offer.id)).rejects.toThrow();
      expect((await allOffers(s, { active: true })).map((o) => o.id)).toContain(offer.id);
      expect((await activate(s, offer.id)).status).toBe(400);
    });

    it('malformed-json on createOfferRating; the next request is normal', async () => {
      const s = await session();
      const [offer] = await allOffers(s);
      simulator.setFault({ type: 'malformed-json' }, { operation: 'createOfferRating', times: 1 });
      const res = await fetch(`${baseUrl}${UP}/offer-ratings/${offer.id}/likes`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': s.token },
        body: '{"like":1}',
      });
      expect([res.status, await res.text()]).toEqual([200, '{"Response":{"Status":']);
      expect((await rate(s, offer.id, 1)).status).toBe(200);
    });

    it('latency delays only the targeted operation', async () => {
      const s = await session();
      simulator.setFault({ type: 'latency', ms: 300 }, { operation: 'findGeoLocations' });
      let started = performance.now();
      await call('GET', `${UP}/savings`, { token: s.token });
      expect(performance.now() - started).toBeLessThan(250);
      started = performance.now();
      expect((await call('GET', `${UP}/geo-locations`, { token: s.token, query: { keywords: 'Paris' } })).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    });
  });
});
