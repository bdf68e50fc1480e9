import {
  AuthInfoCryptoService,
  AuthInfoKeyMaterial,
  type LegacySavings,
  type MatchedOffer,
  type RedeemedOffer,
  type UserFeedbackItem,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, type SimulatorFault } from 'nestjs-personalized-offers/testing';
import type { WireJson } from './support/wire.js';

/** The simulator's own contract, over plain HTTP, as users' tests would rely on it. */
describe('PersonalizedOffersSimulator', () => {
  const nowMs = 1_800_000_000_000;
  const simulator = new PersonalizedOffersSimulator({ fIds: ['999999', '123456'], now: () => nowMs, maxClockSkewSeconds: 60 });
  const crypto = (fId: string, authInfo = simulator.authInfo) => new AuthInfoCryptoService(fId, AuthInfoKeyMaterial.from(authInfo), { now: () => nowMs });
  let baseUrl: string;
  let serial = 0;

  beforeAll(async () => {
    ({ baseUrl } = await simulator.start());
  });
  afterAll(() => simulator.stop());
  afterEach(() => simulator.clearFaults());

  // ---- plain HTTP helpers -------------------------------------------------------------------

  type Query = Record<string, string | number | undefined>;
  /** A matched offer as the simulator sends it: the library's model, with the fields it always sends. */
  type SimulatorOffer = MatchedOffer & Required<Pick<MatchedOffer, 'OfferId' | 'OfferType' | 'ActiveSc' | 'Merchant' | 'EventStartDate' | 'EventEndDate'>>;
  interface Call {
    query?: Query;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
  }
  interface Answer {
    status: number;
    headers: Headers;
    text: string;
    body: WireJson;
  }

  const search = (query: Query = {}) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.append(k, String(v));
    const text = qs.toString();
    return text ? `?${text}` : '';
  };

  async function call(method: string, path: string, c: Call = {}, base = baseUrl): Promise<Answer> {
    const headers = { Accept: 'application/json', ...(c.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...c.headers };
    const res = await fetch(`${base}${path}${search(c.query)}`, { method, headers, body: c.json !== undefined ? JSON.stringify(c.json) : c.body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  }

  async function get(query: string): Promise<{ status: number; body: WireJson }> {
    const res = await fetch(`${baseUrl}/plo/v1/usertoken${query}`, { headers: { Accept: 'application/json' } });
    return { status: res.status, body: await res.json() };
  }
  const q = (fId: string, authInfo: string) => `?FId=${encodeURIComponent(fId)}&AuthInfo=${encodeURIComponent(authInfo)}`;

  async function login(userId: string, fId = '999999', sim = simulator, base = baseUrl): Promise<string> {
    const res = await call('GET', '/plo/v1/usertoken', { query: { FId: fId, AuthInfo: crypto(fId, sim.authInfo).encrypt(userId) } }, base);
    expect(res.status).toBe(200);
    return res.body.Response.UserToken.Token;
  }

  interface Session {
    fId: string;
    userId: string;
    token: string;
    creds: { FId: string; UserToken: string };
  }
  async function session(fId = '999999'): Promise<Session> {
    const userId = `user-${serial++}`;
    const token = await login(userId, fId);
    return { fId, userId, token, creds: { FId: fId, UserToken: token } };
  }

  const matched = (s: Session, query: Query = {}, base = baseUrl) => call('GET', '/plo/v1/matchedoffers', { query: { ...s.creds, ...query } }, base);
  const allOffers = async (s: Session, query: Query = {}): Promise<SimulatorOffer[]> => {
    const res = await matched(s, { ItemsPerPage: 100, ...query });
    expect(res.status).toBe(200);
    return res.body.Response.Items.MatchedOffer;
  };
  const available = async (s: Session) => (await allOffers(s, { OfferType: 'POSTPAIDCREDIT' })).filter((o) => o.ActiveSc === 'AVAILABLE');
  const activate = (s: Session, offerId: string, extra: object = {}) =>
    call('POST', '/plo/v2/activatestatementcreditoffer', { json: { ...s.creds, OfferId: offerId, ...extra } });
  const feedback = (s: Session, offerId: string, value: unknown) =>
    call('POST', '/plo/v2/userfeedback', { json: { ...s.creds, OfferId: offerId, Feedback: value } });
  const redeemed = (s: Session, query: Query = {}) => call('GET', '/plo/v1/redeemedoffers', { query: { ...s.creds, ...query } });
  const savings = async (s: Session): Promise<Required<LegacySavings>> =>
    (await call('GET', '/plo/v1/usersavings', { query: s.creds })).body.Response.UserSavings.savings;

  const isoDay = (offset = 0) => new Date(nowMs + offset * 86_400_000).toISOString().slice(0, 10);
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const SUCCESS = { Code: '600', Message: 'Success' };

  const errorShape = (status: number, description: string) => ({
    status,
    body: { Errors: { Error: [expect.objectContaining({ ReasonCode: String(status), Description: description, Source: expect.any(String) })] } },
  });
  const refused = (res: Answer) => ({ status: res.status, body: res.body });
  const invalid = (name: string) => `${name} is not provided or Value provided is invalid`;

  /** Every leaf of a legacy `Response` is a string (v1.5), except the savings numbers; every date is `YYYY-MM-DD`. */
  function expectLegacyTypes(response: unknown): void {
    const wrong: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, `${path}[${i}]`));
        return;
      }
      if (value !== null && typeof value === 'object') {
        Object.entries(value).forEach(([k, v]) => walk(v, path ? `${path}.${k}` : k));
        return;
      }
      const numeric = path.startsWith('UserSavings.savings.');
      if (numeric ? typeof value !== 'number' : typeof value !== 'string') wrong.push(`${path}: ${JSON.stringify(value)}`);
      if (/Date$/.test(path) && !/^\d{4}-\d{2}-\d{2}$/.test(String(value))) wrong.push(`${path}: not a date`);
    };
    walk(response, '');
    expect(wrong).toEqual([]);
  }

  // ---- usertoken, as before ----------------------------------------------------------------

  it('listens on loopback with a host-only base URL (paths carry /plo/v1)', () => {
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(simulator.baseUrl).toBe(baseUrl);
  });

  it('answers a valid request with the spec-shaped success body', async () => {
    const res = await get(q('999999', crypto('999999').encrypt('user-1')));
    expect(res).toEqual({
      status: 200,
      body: { Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: simulator.tokenFor('999999', 'user-1') } } },
    });
  });

  it('keeps tokens stable per (fId, userId) and distinct across users and fIds', async () => {
    const t = async (fId: string, user: string) => (await get(q(fId, crypto(fId).encrypt(user)))).body.Response.UserToken.Token;
    const a = await t('999999', 'alice');
    expect(await t('999999', 'alice')).toBe(a);
    expect(await t('999999', 'bob')).not.toBe(a);
    expect(await t('123456', 'alice')).not.toBe(a);
  });

  it('derives the same tokens as before from a fixed tokenSecret (until tokens are revoked)', () => {
    const fixed = new PersonalizedOffersSimulator({ tokenSecret: 'fixed' });
    // HMAC-SHA256(tokenSecret, 'fId:userId'), base64url, 24 characters: what earlier versions issued.
    expect(fixed.tokenFor('999999', 'alice')).toBe('Kxa7-Zs00tU9BjqJdEMSa0Z5');
    fixed.revokeUserTokens();
    expect(fixed.tokenFor('999999', 'alice')).not.toBe('Kxa7-Zs00tU9BjqJdEMSa0Z5');
  });

  it.each([
    ['no FId', () => `?AuthInfo=${crypto('999999').encrypt('u')}`, 400, 'FId is not provided or Value provided is invalid'],
    ['a lower-case fid name', () => `?fid=999999&AuthInfo=${crypto('999999').encrypt('u')}`, 400, 'FId is not provided or Value provided is invalid'],
    ['an unknown FId', () => q('555555', crypto('555555').encrypt('u')), 400, 'FId is not provided or Value provided is invalid'],
    ['no AuthInfo', () => '?FId=999999', 400, 'AuthInfo is not provided or Value provided is invalid'],
    ['AuthInfo that does not decrypt', () => q('999999', 'ab'.repeat(32)), 401, 'AuthInfo could not be decrypted'],
    ['AuthInfo for another fId', () => q('999999', crypto('123456').encrypt('u')), 401, 'AuthInfo was issued for another FId'],
    ['stale AuthInfo', () => q('999999', crypto('999999').encrypt('u', nowMs / 1000 - 61)), 401, 'AuthInfo time is outside the accepted window'],
    ['future AuthInfo', () => q('999999', crypto('999999').encrypt('u', nowMs / 1000 + 61)), 401, 'AuthInfo time is outside the accepted window'],
  ])('refuses %s in Mastercard’s error shape', async (_, query, status, description) => {
    expect(await get(query())).toEqual(errorShape(status, description));
  });

  it('accepts AuthInfo exactly at the edge of the window', async () => {
    expect((await get(q('999999', crypto('999999').encrypt('u', nowMs / 1000 - 60)))).status).toBe(200);
  });

  it('counts every request it receives', async () => {
    simulator.resetRequestCount();
    await get('?FId=999999');
    await get(q('999999', crypto('999999').encrypt('u')));
    expect(simulator.requestCount).toBe(2);
  });

  // ---- routing -----------------------------------------------------------------------------

  describe('route table', () => {
    it.each([
      ['GET', '/usertoken'],
      ['GET', '/plo/v1/nothing'],
      ['GET', '/plo/v1/usertoken/'],
      ['POST', '/loyalty/offers/user-presentment/access-token'],
    ])('%s %s: 404 in Mastercard’s error shape', async (method, path) => {
      expect(refused(await call(method, path))).toEqual(errorShape(404, 'Resource not found'));
    });

    it.each([
      ['POST', '/plo/v1/usertoken', 'GET', 'Only GET is supported'],
      ['GET', '/plo/v2/userfeedback', 'POST', 'Only POST is supported'],
      ['GET', '/plo/v1/activatestatementcreditoffer', 'POST', 'Only POST is supported'],
      ['PUT', '/plo/v1/userfeedback', 'GET, POST', 'Only GET, POST are supported'],
      ['DELETE', '/plo/v1/matchedoffers', 'GET', 'Only GET is supported'],
    ])('%s %s: 405 with Allow', async (method, path, allow, description) => {
      const res = await call(method, path);
      expect(refused(res)).toEqual(errorShape(405, description));
      expect(res.headers.get('allow')).toBe(allow);
    });

    it('GET and POST /plo/v1/userfeedback are two operations: the method decides', async () => {
      const s = await session();
      const [offer] = await allOffers(s);
      simulator.clearRequests();
      const read = await call('GET', '/plo/v1/userfeedback', { query: s.creds });
      const write = await call('POST', '/plo/v1/userfeedback', { query: { ...s.creds, OfferId: offer.OfferId, Feedback: 1 } });
      expect(read.body.Response.Items).toEqual({ UserFeedback: [] });
      expect(write.body.Response.UserFeedback).toEqual({ OfferId: offer.OfferId, Feedback: '1' });
      expect(simulator.requests.map((r) => r.operationId)).toEqual(['getUserFeedback', 'sendUserFeedback']);
    });
  });

  // ---- every operation: success shape ------------------------------------------------------

  describe('success shapes (v1.5 wire names and types)', () => {
    interface Fixture {
      s: Session;
      offer: SimulatorOffer;
      activationId: string;
    }
    const fixture = async (): Promise<Fixture> => {
      const s = await session();
      const [offer] = await available(s);
      const activationId = (await redeemed(s)).body.Response.Items.RedeemedOffer[0].ScActivation.ActivationId;
      return { s, offer, activationId };
    };

    it.each<[string, (f: Fixture) => Promise<Answer>, (response: WireJson, f: Fixture) => void]>([
      [
        'matchedOffers',
        (f) => matched(f.s),
        (r) => {
          expect(r).toMatchObject({ TotalCount: expect.stringMatching(/^6\d$/), CurrentPage: '1', NumberOfPages: '3', ItemsPerPage: '25' });
          expect(r.Items.MatchedOffer).toHaveLength(25);
          const o = r.Items.MatchedOffer[0];
          expect(o).toMatchObject({
            OfferId: expect.stringMatching(UUID),
            OfferType: expect.stringMatching(/^(POSTPAIDCREDIT|ALWAYSON)$/),
            Language: 'English',
            CurrencyCode: 'USD',
            Merchant: {
              Name: expect.any(String),
              Category: expect.any(String),
              Addresses: { Address: [expect.objectContaining({ Street: expect.any(String) })] },
            },
            Headline: expect.any(String),
            ShortDescription: expect.any(String),
            EventStartDate: expect.any(String),
            ActiveSc: expect.stringMatching(/^(AVAILABLE|ACTIVATED_STATEMENT_CREDIT)$/),
            DiscountType: expect.stringMatching(/^(ABSOLUTE|PERCENTAGE)$/),
          });
        },
      ],
      [
        'getOfferDetails',
        (f) => call('GET', '/plo/v1/offerdetails', { query: { ...f.s.creds, OfferId: f.offer.OfferId } }),
        (r, f) => {
          expect(r.OfferDetails).toMatchObject({
            OfferId: f.offer.OfferId,
            Headline: f.offer.Headline,
            LongDescription: expect.any(String),
            RedemptionType: expect.stringMatching(/^(INSTORE|ONLINE|ONLINE-INSTORE)$/),
            OfferMedia: { OfferImages: [expect.objectContaining({ ImageUrl: expect.stringMatching(/^https:\/\//) })] },
            OfferDisplay: { Terms: expect.any(String), Category: f.offer.Merchant.Category, DetailedTerms: expect.any(String), LongTerms: expect.any(String) },
            DetailPostpaidCreditOffer: expect.objectContaining({ CashBack: expect.stringMatching(/^\d+\.\d\d$/), CurrencyCode: 'USD' }),
          });
          expect(r.OfferDetails).not.toHaveProperty('ActiveSc');
          expect(r.OfferDetails).not.toHaveProperty('ScActivation');
        },
      ],
      [
        'getRedeemedOfferDetails',
        (f) => redeemed(f.s),
        (r) => {
          expect(r).toMatchObject({ CurrentPage: '1', NumberOfPages: '1', ItemsPerPage: '25', TotalCount: expect.stringMatching(/^[123]$/) });
          expect(r.Items.RedeemedOffer).toHaveLength(Number(r.TotalCount));
          expect(r.Items.RedeemedOffer[0]).toMatchObject({
            OfferId: expect.stringMatching(UUID),
            OfferType: 'POSTPAIDCREDIT',
            ScActivation: { ActivationId: expect.any(String), RedemptionStartDate: expect.any(String), RedemptionEndDate: expect.any(String) },
            Transactions: {
              Transaction: [
                {
                  CashbackEarned: expect.stringMatching(/^\d+\.\d\d$/),
                  PointsEarned: expect.stringMatching(/^\d+$/),
                  TransactionAmount: expect.stringMatching(/^\d+\.\d\d$/),
                  RedemptionDate: expect.any(String),
                  InstallmentPayment: 'false',
                },
              ],
            },
          });
          expect(r.Items.RedeemedOffer[0]).not.toHaveProperty('PointsType'); // not in the v1.5 RedeemedOffer schema
        },
      ],
      [
        'getStatementCreditActivationDetail',
        (f) => call('GET', '/plo/v1/statementcreditactivationdetail', { query: { ...f.s.creds, ActivationId: f.activationId } }),
        (r, f) => {
          expect(r.ScActivation).toMatchObject({
            ActivationId: f.activationId,
            OfferId: expect.stringMatching(UUID),
            Status: 'ACTIVATED',
            Merchant: expect.any(String), // a string here, an object in offers
            CashBack: expect.stringMatching(/^\d+\.\d\d$/),
            TotalVisits: '1',
            RedemptionDate: expect.any(String),
          });
        },
      ],
      [
        'getUserSavings',
        (f) => call('GET', '/plo/v1/usersavings', { query: f.s.creds }),
        (r) => {
          expect(r.UserSavings.savings).toEqual({
            adjustmentsCashTotal: expect.any(Number),
            offersRedeemed: expect.any(Number),
            adjustmentsPointsTotal: expect.any(Number),
            potentialCash: expect.any(Number),
            offersAvailable: expect.any(Number),
            potentialPoints: expect.any(Number),
          });
          expect(r.UserSavings.savings.offersRedeemed).toBeGreaterThanOrEqual(1);
          expect(Number.isInteger(r.UserSavings.savings.offersAvailable)).toBe(true);
        },
      ],
      [
        'getUserFeedback',
        async (f) => {
          await feedback(f.s, f.offer.OfferId, 1);
          return call('GET', '/plo/v1/userfeedback', { query: f.s.creds });
        },
        (r, f) => {
          expect(r).toMatchObject({ TotalCount: '1', CurrentPage: '1', NumberOfPages: '1', ItemsPerPage: '1' });
          expect(r.Items.UserFeedback).toEqual([{ OfferId: f.offer.OfferId, Feedback: '1' }]);
        },
      ],
      [
        'activateStatementCreditOffer (v2, JSON body)',
        (f) => activate(f.s, f.offer.OfferId, { Lang: 'en_US', PresentmentDate: isoDay() }),
        (r, f) => {
          expect(r.ScActivation).toMatchObject({
            ActivationId: expect.any(String),
            OfferId: f.offer.OfferId,
            Headline: f.offer.Headline,
            Status: 'ACTIVATED',
            ActivationDate: isoDay(),
            RedemptionStartDate: isoDay(),
            RedemptionEndDate: f.offer.EventEndDate,
            Merchant: f.offer.Merchant.Name,
            TotalSpend: '0.00',
            TotalVisits: '0',
          });
        },
      ],
      [
        'activateStatementCreditOffer (v1.3, query, empty body)',
        (f) => call('POST', '/plo/v1/activatestatementcreditoffer', { query: { ...f.s.creds, OfferId: f.offer.OfferId } }),
        (r, f) => expect(r.ScActivation).toMatchObject({ OfferId: f.offer.OfferId, Status: 'ACTIVATED' }),
      ],
      [
        'sendUserFeedback (v2, JSON body)',
        (f) => feedback(f.s, f.offer.OfferId, 0),
        (r, f) => expect(r.UserFeedback).toEqual({ OfferId: f.offer.OfferId, Feedback: '0' }),
      ],
      [
        'sendUserFeedback (v1.3, query, empty body)',
        (f) => call('POST', '/plo/v1/userfeedback', { query: { ...f.s.creds, OfferId: f.offer.OfferId, Feedback: '1' } }),
        (r, f) => expect(r.UserFeedback).toEqual({ OfferId: f.offer.OfferId, Feedback: '1' }),
      ],
    ])('%s', async (_, request, check) => {
      const f = await fixture();
      const res = await request(f);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.body.Response.Status).toEqual(SUCCESS);
      expectLegacyTypes(res.body.Response);
      check(res.body.Response, f);
    });
  });

  // ---- credentials and parameters ----------------------------------------------------------

  describe('credentials: FId and UserToken on every operation', () => {
    type Where = 'query' | 'v1.3' | 'body';
    const ops: Array<[string, string, string, Where, (offerId: string) => Record<string, unknown>]> = [
      ['matchedOffers', 'GET', '/plo/v1/matchedoffers', 'query', () => ({})],
      ['getOfferDetails', 'GET', '/plo/v1/offerdetails', 'query', (o) => ({ OfferId: o })],
      ['getRedeemedOfferDetails', 'GET', '/plo/v1/redeemedoffers', 'query', () => ({})],
      ['getStatementCreditActivationDetail', 'GET', '/plo/v1/statementcreditactivationdetail', 'query', () => ({ ActivationId: 'SIM_1000001' })],
      ['getUserSavings', 'GET', '/plo/v1/usersavings', 'query', () => ({})],
      ['getUserFeedback', 'GET', '/plo/v1/userfeedback', 'query', () => ({})],
      ['activateStatementCreditOffer v2', 'POST', '/plo/v2/activatestatementcreditoffer', 'body', (o) => ({ OfferId: o })],
      ['activateStatementCreditOffer v1.3', 'POST', '/plo/v1/activatestatementcreditoffer', 'v1.3', (o) => ({ OfferId: o })],
      ['sendUserFeedback v2', 'POST', '/plo/v2/userfeedback', 'body', (o) => ({ OfferId: o, Feedback: 1 })],
      ['sendUserFeedback v1.3', 'POST', '/plo/v1/userfeedback', 'v1.3', (o) => ({ OfferId: o, Feedback: '1' })],
    ];
    const send = (method: string, path: string, where: Where, params: Record<string, unknown>) =>
      where === 'body' ? call(method, path, { json: params }) : call(method, path, { query: params as Query });

    const cases = (s: Session, other: string) =>
      [
        ['no FId', { UserToken: s.token }, 400, invalid('FId')],
        ['an unknown FId', { FId: '555555', UserToken: s.token }, 400, invalid('FId')],
        ['no UserToken', { FId: s.fId }, 400, invalid('UserToken')],
        ['a token it never issued', { FId: s.fId, UserToken: 'not-a-token-it-issued' }, 401, invalid('UserToken')],
        ['a token issued for another FId', { FId: s.fId, UserToken: other }, 401, invalid('UserToken')],
      ] as const;

    it.each(ops)('%s', async (_, method, path, where, extra) => {
      const s = await session();
      const other = await login(s.userId, '123456');
      const [offer] = await allOffers(s);
      for (const [label, creds, status, description] of cases(s, other)) {
        const res = await send(method, path, where, { ...creds, ...extra(offer.OfferId) });
        expect([label, refused(res)]).toEqual([label, errorShape(status, description)]);
      }
    });

    it('accepts a token from tokenFor() without a usertoken call', async () => {
      const token = simulator.tokenFor('999999', `direct-${serial++}`);
      expect((await call('GET', '/plo/v1/usersavings', { query: { FId: '999999', UserToken: token } })).status).toBe(200);
    });

    it.each<[string, string, Query, number, string]>([
      ['getOfferDetails without OfferId', '/plo/v1/offerdetails', {}, 400, invalid('OfferId')],
      ['getOfferDetails with an empty OfferId', '/plo/v1/offerdetails', { OfferId: '' }, 400, invalid('OfferId')],
      [
        'getOfferDetails with an unknown OfferId',
        '/plo/v1/offerdetails',
        { OfferId: '00000000-0000-5000-8000-000000000000' },
        404,
        'OfferId does not match any resource of this user',
      ],
      ['an activation detail without ActivationId', '/plo/v1/statementcreditactivationdetail', {}, 400, invalid('ActivationId')],
      [
        'an unknown ActivationId',
        '/plo/v1/statementcreditactivationdetail',
        { ActivationId: 'SIM_9999999' },
        404,
        'ActivationId does not match any resource of this user',
      ],
    ])('refuses %s', async (_, path, query, status, description) => {
      const s = await session();
      expect(refused(await call('GET', path, { query: { ...s.creds, ...query } }))).toEqual(errorShape(status, description));
    });

    it('another user’s ActivationId is a 404, not a leak', async () => {
      const [a, b] = [await session(), await session()];
      const id = (await redeemed(a)).body.Response.Items.RedeemedOffer[0].ScActivation.ActivationId;
      expect((await call('GET', '/plo/v1/statementcreditactivationdetail', { query: { ...a.creds, ActivationId: id } })).status).toBe(200);
      const res = await call('GET', '/plo/v1/statementcreditactivationdetail', { query: { ...b.creds, ActivationId: id } });
      expect(refused(res)).toEqual(errorShape(404, 'ActivationId does not match any resource of this user'));
    });
  });

  // ---- matched offers ----------------------------------------------------------------------

  describe('matchedOffers: paging', () => {
    it('default paging gives 3 pages of 25, 25 and at least 10, string counters, no overlap', async () => {
      const s = await session();
      const pages = await Promise.all([1, 2, 3].map((PageNumber) => matched(s, { PageNumber })));
      const total = pages[0].body.Response.TotalCount;
      expect(Number(total)).toBeGreaterThanOrEqual(60);
      pages.forEach((p, i) => expect(p.body.Response).toMatchObject({ TotalCount: total, CurrentPage: String(i + 1), NumberOfPages: '3', ItemsPerPage: '25' }));
      const sizes = pages.map((p) => p.body.Response.Items.MatchedOffer.length);
      expect(sizes.slice(0, 2)).toEqual([25, 25]);
      expect(sizes[2]).toBeGreaterThanOrEqual(10);
      const ids = pages.flatMap((p) => p.body.Response.Items.MatchedOffer.map((o: MatchedOffer) => o.OfferId));
      expect(new Set(ids).size).toBe(Number(total));
    });

    it('a page past the end is a 200 with an empty list and the counters', async () => {
      const s = await session();
      const res = await matched(s, { PageNumber: 4 });
      expect(res.status).toBe(200);
      expect(res.body.Response).toMatchObject({ Status: SUCCESS, CurrentPage: '4', NumberOfPages: '3', ItemsPerPage: '25', Items: { MatchedOffer: [] } });
    });

    it('ItemsPerPage 100 returns everything on one page; 7 gives ceil(total / 7) pages', async () => {
      const s = await session();
      const all = (await matched(s, { ItemsPerPage: 100 })).body.Response;
      expect(all).toMatchObject({ NumberOfPages: '1', ItemsPerPage: '100' });
      expect(all.Items.MatchedOffer).toHaveLength(Number(all.TotalCount));
      const seven = (await matched(s, { ItemsPerPage: 7, PageNumber: 2 })).body.Response;
      expect(seven).toMatchObject({ NumberOfPages: String(Math.ceil(Number(all.TotalCount) / 7)), CurrentPage: '2' });
      expect(seven.Items.MatchedOffer.map((o: MatchedOffer) => o.OfferId)).toEqual(all.Items.MatchedOffer.slice(7, 14).map((o: MatchedOffer) => o.OfferId));
    });

    it.each([
      ['ItemsPerPage', '0'],
      ['ItemsPerPage', '101'],
      ['ItemsPerPage', 'abc'],
      ['ItemsPerPage', '-1'],
      ['ItemsPerPage', '2.5'],
      ['ItemsPerPage', ''],
      ['PageNumber', '0'],
      ['PageNumber', 'x'],
    ])('%s=%s is a 400 naming it', async (name, value) => {
      const s = await session();
      expect(refused(await matched(s, { [name]: value }))).toEqual(errorShape(400, invalid(name)));
    });

    it('redeemedoffers pages the same way', async () => {
      const s = await session();
      const res = (await redeemed(s, { ItemsPerPage: 1, PageNumber: 1 })).body.Response;
      expect(res).toMatchObject({ ItemsPerPage: '1', CurrentPage: '1', NumberOfPages: res.TotalCount });
      expect(res.Items.RedeemedOffer).toHaveLength(1);
      expect(refused(await redeemed(s, { ItemsPerPage: 0 }))).toEqual(errorShape(400, invalid('ItemsPerPage')));
    });
  });

  describe('matchedOffers: filters', () => {
    it('MerchantName is a case-insensitive substring', async () => {
      const s = await session();
      const offers = await allOffers(s, { MerchantName: 'kOaL' });
      expect(offers.length).toBeGreaterThan(0);
      expect(new Set(offers.map((o) => o.Merchant.Name))).toEqual(new Set(['Koalla']));
    });

    it('the reference app’s query (Koalla, POSTPAIDCREDIT, page 1 of 5, en_US) finds offers', async () => {
      const s = await session();
      const res = await matched(s, { MerchantName: 'Koalla', OfferType: 'POSTPAIDCREDIT', PageNumber: 1, ItemsPerPage: 5, Lang: 'en_US' });
      const items = res.body.Response.Items.MatchedOffer;
      expect(items.length).toBeGreaterThan(0);
      expect(items.length).toBeLessThanOrEqual(5);
      for (const o of items) expect(o).toMatchObject({ OfferType: 'POSTPAIDCREDIT', Merchant: { Name: 'Koalla' } });
      expect(items[0].OfferId).toMatch(UUID);
    });

    it.each(['SHOP', 'DINING', 'TRAVEL', 'DEPARTMENTSTORE'])('Category=%s', async (category) => {
      const s = await session();
      const offers = await allOffers(s, { Category: category });
      expect(offers.length).toBeGreaterThan(0);
      for (const o of offers) expect(o.Merchant.Category).toBe(category);
    });

    it('OfferType splits the catalogue: ALWAYSON offers are ready and carry no ScActivation', async () => {
      const s = await session();
      const [all, always, postpaid] = await Promise.all([allOffers(s), allOffers(s, { OfferType: 'ALWAYSON' }), allOffers(s, { OfferType: 'POSTPAIDCREDIT' })]);
      expect(always.length).toBeGreaterThan(0);
      expect(always.length + postpaid.length).toBe(all.length);
      for (const o of always) {
        expect(o).toMatchObject({ OfferType: 'ALWAYSON', ActiveSc: 'ACTIVATED_STATEMENT_CREDIT' });
        expect(o).not.toHaveProperty('ScActivation');
      }
      expect(postpaid.filter((o) => o.ActiveSc === 'AVAILABLE').length).toBeGreaterThan(0);
    });

    it('Latitude, Longitude and Radius are accepted and ignored', async () => {
      const s = await session();
      const plain = await allOffers(s);
      expect(await allOffers(s, { Latitude: '40.7', Longitude: '-74.0', Radius: 5 })).toEqual(plain);
    });

    it.each([
      ['yesterday', isoDay(-1), 200],
      ['today', isoDay(0), 200],
      ['tomorrow', isoDay(1), 200],
      ['a date-time today', `${isoDay(0)}T13:50:59.028Z`, 200],
      ['a date-time tomorrow with an offset', `${isoDay(1)}T00:10:00+02:00`, 200],
      ['two days ago', isoDay(-2), 400],
      ['in two days', isoDay(2), 400],
      ['an impossible date', '2027-02-30', 400],
      ['not a date', 'today', 400],
      ['a date-time with garbage', `${isoDay(0)}Tnoon`, 400],
    ])('PresentmentDate %s', async (_, date, status) => {
      const s = await session();
      const res = await matched(s, { PresentmentDate: date });
      expect(res.status).toBe(status);
      if (status === 400) expect(refused(res)).toEqual(errorShape(400, invalid('PresentmentDate')));
    });
  });

  describe('languages', () => {
    it('Lang switches Headline, ShortDescription and Language; offers and order stay the same', async () => {
      const s = await session();
      const [en, fr, es, dflt] = await Promise.all([
        allOffers(s, { Lang: 'en_US' }),
        allOffers(s, { Lang: 'fr_FR' }),
        allOffers(s, { Lang: 'es_ES' }),
        allOffers(s),
      ]);
      expect(dflt).toEqual(en);
      expect(fr.map((o) => o.OfferId)).toEqual(en.map((o) => o.OfferId));
      expect(es.map((o) => o.OfferId)).toEqual(en.map((o) => o.OfferId));
      expect(new Set([en[0].Language, fr[0].Language, es[0].Language])).toEqual(new Set(['English', 'French', 'Spanish']));
      for (let i = 0; i < en.length; i++) {
        expect(new Set([en[i].Headline, fr[i].Headline, es[i].Headline]).size).toBe(3);
        expect(new Set([en[i].ShortDescription, fr[i].ShortDescription, es[i].ShortDescription]).size).toBe(3);
        expect(fr[i].Headline).toContain(en[i].Merchant.Name);
      }
    });

    it.each(['de_DE', 'fr-FR', 'FR_fr', ''])('Lang=%j falls back to en_US', async (lang) => {
      const s = await session();
      const [offer] = await allOffers(s, { Lang: lang });
      expect(offer.Language).toBe('English');
    });

    it('offerdetails, redeemedoffers and the activation detail take Lang too; v2 activation takes it in the body', async () => {
      const s = await session();
      const [offer] = await available(s);
      const details = await call('GET', '/plo/v1/offerdetails', { query: { ...s.creds, OfferId: offer.OfferId, Lang: 'fr_FR' } });
      expect(details.body.Response.OfferDetails.Language).toBe('French');
      expect((await redeemed(s, { Lang: 'es_ES' })).body.Response.Items.RedeemedOffer[0].Language).toBe('Spanish');
      const act = await activate(s, offer.OfferId, { Lang: 'fr_FR' });
      expect(act.body.Response.ScActivation.Headline).toBe(details.body.Response.OfferDetails.Headline);
      const id = act.body.Response.ScActivation.ActivationId;
      const detail = await call('GET', '/plo/v1/statementcreditactivationdetail', { query: { ...s.creds, ActivationId: id, Lang: 'es_ES' } });
      expect(detail.body.Response.ScActivation.Headline).not.toBe(act.body.Response.ScActivation.Headline);
    });
  });

  // ---- feedback ----------------------------------------------------------------------------

  describe('feedback', () => {
    it('a dislike suppresses the offer from matched offers unless the UserFeedback filter asks for it; likes show', async () => {
      const s = await session();
      const before = await allOffers(s);
      const [a, b] = before;
      await feedback(s, a.OfferId, 0);
      await call('POST', '/plo/v1/userfeedback', { query: { ...s.creds, OfferId: b.OfferId, Feedback: '1' } });

      const after = await allOffers(s);
      expect(after.map((o) => o.OfferId)).toEqual(before.slice(1).map((o) => o.OfferId));
      expect(after[0]).toMatchObject({ OfferId: b.OfferId, UserFeedback: { OfferId: b.OfferId, Feedback: '1' } });
      expect((await matched(s)).body.Response.TotalCount).toBe(String(before.length - 1));

      expect((await allOffers(s, { UserFeedback: '0' })).map((o) => [o.OfferId, o.UserFeedback])).toEqual([[a.OfferId, { OfferId: a.OfferId, Feedback: '0' }]]);
      expect((await allOffers(s, { UserFeedback: '1' })).map((o) => o.OfferId)).toEqual([b.OfferId]);
      expect((await allOffers(s, { UserFeedback: '0,1' })).map((o) => o.OfferId)).toEqual([a.OfferId, b.OfferId]);
    });

    it('the last write wins', async () => {
      const s = await session();
      const [a] = await allOffers(s);
      await feedback(s, a.OfferId, 0);
      await feedback(s, a.OfferId, 1);
      expect((await allOffers(s))[0]).toMatchObject({ OfferId: a.OfferId, UserFeedback: { Feedback: '1' } });
      const list = await call('GET', '/plo/v1/userfeedback', { query: s.creds });
      expect(list.body.Response.Items.UserFeedback).toEqual([{ OfferId: a.OfferId, Feedback: '1' }]);
    });

    it('getUserFeedback filters by offer_id and feedback, all on page 1', async () => {
      const s = await session();
      const [a, b, c] = await allOffers(s);
      await feedback(s, a.OfferId, 0);
      await feedback(s, b.OfferId, 1);
      await feedback(s, c.OfferId, 1);
      const list = async (query: Query) => (await call('GET', '/plo/v1/userfeedback', { query: { ...s.creds, ...query } })).body.Response;
      expect(await list({})).toMatchObject({ TotalCount: '3', CurrentPage: '1', NumberOfPages: '1', ItemsPerPage: '3' });
      expect((await list({ feedback: '1' })).Items.UserFeedback.map((f: UserFeedbackItem) => f.OfferId)).toEqual([b.OfferId, c.OfferId]);
      expect((await list({ feedback: '0' })).Items.UserFeedback).toEqual([{ OfferId: a.OfferId, Feedback: '0' }]);
      expect((await list({ feedback: '0,1' })).TotalCount).toBe('3');
      expect((await list({ offer_id: c.OfferId })).Items.UserFeedback).toEqual([{ OfferId: c.OfferId, Feedback: '1' }]);
      expect(await list({ offer_id: 'nothing' })).toMatchObject({ TotalCount: '0', NumberOfPages: '0', Items: { UserFeedback: [] } });
      expect(refused(await call('GET', '/plo/v1/userfeedback', { query: { ...s.creds, feedback: '2' } }))).toEqual(errorShape(400, invalid('feedback')));
    });

    it.each<[string, (s: Session, offerId: string) => Promise<Answer>, number, string]>([
      ['Feedback 2', (s, o) => feedback(s, o, 2), 400, invalid('Feedback')],
      ['Feedback "1" (a string, not int32)', (s, o) => feedback(s, o, '1'), 400, invalid('Feedback')],
      ['no Feedback', (s, o) => call('POST', '/plo/v2/userfeedback', { json: { ...s.creds, OfferId: o } }), 400, invalid('Feedback')],
      ['no OfferId', (s) => call('POST', '/plo/v2/userfeedback', { json: { ...s.creds, Feedback: 1 } }), 400, invalid('OfferId')],
      ['an unknown OfferId', (s) => feedback(s, 'nope', 1), 404, 'OfferId does not match any resource of this user'],
      ['v1.3 Feedback=yes', (s, o) => call('POST', '/plo/v1/userfeedback', { query: { ...s.creds, OfferId: o, Feedback: 'yes' } }), 400, invalid('Feedback')],
      [
        'v1.3 with a body',
        (s, o) => call('POST', '/plo/v1/userfeedback', { query: { ...s.creds, OfferId: o, Feedback: '1' }, body: '{}' }),
        400,
        'Request body must be empty: this form takes its parameters in the query',
      ],
      ['UserFeedback=2 on matched offers', (s) => matched(s, { UserFeedback: '2' }), 400, invalid('UserFeedback')],
    ])('refuses %s', async (_, request, status, description) => {
      const s = await session();
      const [offer] = await allOffers(s);
      expect(refused(await request(s, offer.OfferId))).toEqual(errorShape(status, description));
    });
  });

  // ---- activation --------------------------------------------------------------------------

  describe('activation', () => {
    it('activate, see it in matched offers and the activation detail; a second activation is HTTP 200 with a non-600 status', async () => {
      const s = await session();
      const [offer] = await available(s);
      const first = await activate(s, offer.OfferId, { PresentmentDate: isoDay(-1) });
      const sc = first.body.Response.ScActivation;
      expect(sc).toMatchObject({ OfferId: offer.OfferId, Status: 'ACTIVATED', ActivationDate: isoDay() });

      const shown = (await allOffers(s)).find((o) => o.OfferId === offer.OfferId);
      expect(shown).toMatchObject({
        ActiveSc: 'ACTIVATED_STATEMENT_CREDIT',
        ActivationDate: isoDay(),
        ScActivation: { ActivationId: sc.ActivationId, RedemptionStartDate: sc.RedemptionStartDate, RedemptionEndDate: sc.RedemptionEndDate },
      });

      const detail = await call('GET', '/plo/v1/statementcreditactivationdetail', { query: { ...s.creds, ActivationId: sc.ActivationId } });
      expect(detail.body.Response.ScActivation).toEqual(sc);

      for (const again of [
        await activate(s, offer.OfferId),
        await call('POST', '/plo/v1/activatestatementcreditoffer', { query: { ...s.creds, OfferId: offer.OfferId } }),
      ]) {
        expect(again).toMatchObject({ status: 200, body: { Response: { Status: { Code: '400', Message: 'Bad Request' } } } });
        expect(again.body.Response).not.toHaveProperty('ScActivation');
      }
    });

    it('an ALWAYSON offer cannot be activated: HTTP 200 with a non-600 status', async () => {
      const s = await session();
      const [offer] = await allOffers(s, { OfferType: 'ALWAYSON' });
      expect((await activate(s, offer.OfferId)).body).toEqual({ Response: { Status: { Code: '400', Message: 'Bad Request' } } });
    });

    it('activation ids are strings unique across users', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const s = await session();
        const [offer] = await available(s);
        ids.add((await activate(s, offer.OfferId)).body.Response.ScActivation.ActivationId);
      }
      expect(ids.size).toBe(3);
      for (const id of ids) expect(typeof id).toBe('string');
    });

    it.each<[string, (s: Session, offerId: string) => Call, string]>([
      [
        'a text/plain body',
        (s, o) => ({ body: JSON.stringify({ ...s.creds, OfferId: o }), headers: { 'Content-Type': 'text/plain' } }),
        invalid('Content-Type'),
      ],
      ['no Content-Type', (s, o) => ({ body: JSON.stringify({ ...s.creds, OfferId: o }) }), invalid('Content-Type')],
      ['a body that is not JSON', () => ({ body: '{"FId":', headers: { 'Content-Type': 'application/json' } }), invalid('Request body')],
      ['a JSON array', () => ({ json: [] }), invalid('Request body')],
      ['no body', () => ({ headers: { 'Content-Type': 'application/json' } }), invalid('Request body')],
      ['no OfferId', (s) => ({ json: s.creds }), invalid('OfferId')],
      ['a numeric OfferId', (s) => ({ json: { ...s.creds, OfferId: 42 } }), invalid('OfferId')],
      ['a PresentmentDate two days ago', (s, o) => ({ json: { ...s.creds, OfferId: o, PresentmentDate: isoDay(-2) } }), invalid('PresentmentDate')],
      ['UserToken in the query instead of the body', (s, o) => ({ query: s.creds, json: { OfferId: o } }), invalid('FId')],
    ])('v2 refuses %s with a 400', async (_, build, description) => {
      const s = await session();
      const [offer] = await available(s);
      expect(refused(await call('POST', '/plo/v2/activatestatementcreditoffer', build(s, offer.OfferId)))).toEqual(errorShape(400, description));
      expect((await allOffers(s)).find((o) => o.OfferId === offer.OfferId)!.ActiveSc).toBe('AVAILABLE');
    });

    it('v1.3 refuses a body (even {}) and an unknown offer', async () => {
      const s = await session();
      const [offer] = await available(s);
      const path = '/plo/v1/activatestatementcreditoffer';
      const withBody = await call('POST', path, { query: { ...s.creds, OfferId: offer.OfferId }, json: {} });
      expect(refused(withBody)).toEqual(errorShape(400, 'Request body must be empty: this form takes its parameters in the query'));
      expect(refused(await call('POST', path, { query: { ...s.creds, OfferId: 'nope' } }))).toEqual(
        errorShape(404, 'OfferId does not match any resource of this user'),
      );
      expect(refused(await call('POST', path, { query: s.creds }))).toEqual(errorShape(400, invalid('OfferId')));
    });
  });

  // ---- redemptions and savings -------------------------------------------------------------

  describe('redemptions and savings', () => {
    it('each user starts with 1–3 redeemed offers derived from the user id, the same in another simulator', async () => {
      const other = new PersonalizedOffersSimulator({ fIds: ['999999'], now: () => nowMs, maxClockSkewSeconds: 60 });
      const { baseUrl: otherUrl } = await other.start();
      try {
        const userId = `seeded-${serial++}`;
        const here = await redeemed({ creds: { FId: '999999', UserToken: await login(userId) } } as Session);
        const token = await login(userId, '999999', other, otherUrl);
        const there = await call('GET', '/plo/v1/redeemedoffers', { query: { FId: '999999', UserToken: token } }, otherUrl);
        const strip = (r: Answer) => r.body.Response.Items.RedeemedOffer.map((o: RedeemedOffer) => [o.OfferId, o.Transactions]);
        expect(strip(there)).toEqual(strip(here));
        expect(strip(here).length).toBeGreaterThanOrEqual(1);
        expect(strip(here).length).toBeLessThanOrEqual(3);
      } finally {
        await other.stop();
      }
    });

    it('different users get different redeemed offers', async () => {
      const sets = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const s = await session();
        sets.add(JSON.stringify((await redeemed(s)).body.Response.Items.RedeemedOffer.map((o: RedeemedOffer) => o.OfferId)));
      }
      expect(sets.size).toBeGreaterThan(1);
    });

    it('recordRedemption adds a redeemed offer (activating it) and moves the savings', async () => {
      const s = await session();
      const before = await savings(s);
      const all = await allOffers(s);
      expect(before.offersAvailable + before.offersRedeemed).toBe(all.length);
      const offer = all.find((o) => o.ActiveSc === 'AVAILABLE' && o.RedemptionMode === 'CASH' && o.DiscountType === 'ABSOLUTE')!;
      const count = Number((await redeemed(s)).body.Response.TotalCount);

      simulator.recordRedemption(s.fId, s.userId, offer.OfferId, '999.50');
      const list = (await redeemed(s)).body.Response;
      expect(list.TotalCount).toBe(String(count + 1));
      expect(list.Items.RedeemedOffer.at(-1)).toMatchObject({
        OfferId: offer.OfferId,
        ScActivation: { ActivationId: expect.any(String) },
        Transactions: { Transaction: [{ TransactionAmount: '999.50', CashbackEarned: offer.Discount, RedemptionDate: isoDay() }] },
      });
      expect((await allOffers(s)).find((o) => o.OfferId === offer.OfferId)!.ActiveSc).toBe('ACTIVATED_STATEMENT_CREDIT');

      const after = await savings(s);
      expect(after.offersRedeemed).toBe(before.offersRedeemed + 1);
      expect(after.offersAvailable).toBe(before.offersAvailable - 1);
      expect(after.adjustmentsCashTotal).toBeCloseTo(before.adjustmentsCashTotal + Number(offer.Discount), 2);
      expect(after.potentialCash).toBeCloseTo(before.potentialCash - Number(offer.Discount), 2);

      simulator.recordRedemption(s.fId, s.userId, offer.OfferId, '1000');
      const again = (await redeemed(s)).body.Response;
      expect(again.TotalCount).toBe(String(count + 1));
      expect(again.Items.RedeemedOffer.at(-1).Transactions.Transaction).toHaveLength(2);
      const detail = await call('GET', '/plo/v1/statementcreditactivationdetail', {
        query: { ...s.creds, ActivationId: again.Items.RedeemedOffer.at(-1).ScActivation.ActivationId },
      });
      expect(detail.body.Response.ScActivation).toMatchObject({ TotalSpend: '1999.50', TotalVisits: '2', RemainingSpend: '0.00', RedemptionDate: isoDay() });
    });

    it('a dislike makes an offer unavailable in the savings', async () => {
      const s = await session();
      const before = await savings(s);
      const [offer] = await available(s);
      await feedback(s, offer.OfferId, 0);
      expect((await savings(s)).offersAvailable).toBe(before.offersAvailable - 1);
    });

    it.each<[string, () => [string, string, string, string]]>([
      ['an unknown fId', () => ['555555', 'u', 'x', '1.00']],
      ['an unknown offer', () => ['999999', 'u', 'not-an-offer', '1.00']],
      ['a malformed amount', () => ['999999', 'u', '', '1,00']],
    ])('recordRedemption refuses %s', async (_, args) => {
      const s = await session();
      const [offer] = await allOffers(s);
      const [fId, userId, offerId, amount] = args();
      expect(() => simulator.recordRedemption(fId, userId, offerId || offer.OfferId, amount)).toThrow(RangeError);
    });
  });

  // ---- catalogue ---------------------------------------------------------------------------

  describe('catalogue', () => {
    it('is the same for the same fId in another simulator, and different for another fId', async () => {
      const other = new PersonalizedOffersSimulator({ fIds: ['999999'], now: () => nowMs, maxClockSkewSeconds: 60 });
      const { baseUrl: otherUrl } = await other.start();
      try {
        const userId = `cat-${serial++}`;
        // A user's own state (seeded activations) differs per user: compare offers minus that.
        const neutral = (offers: MatchedOffer[]) => offers.map(({ ActiveSc, ScActivation, ActivationDate, ...o }) => o);
        const here = neutral(await allOffers({ creds: { FId: '999999', UserToken: await login(userId) } } as Session));
        const token = await login(userId, '999999', other, otherUrl);
        const there = await call('GET', '/plo/v1/matchedoffers', { query: { FId: '999999', UserToken: token, ItemsPerPage: 100 } }, otherUrl);
        expect(neutral(there.body.Response.Items.MatchedOffer)).toEqual(here);
        const elsewhere = await allOffers(await session('123456'));
        const ids = new Set(here.map((o) => o.OfferId));
        expect(elsewhere.some((o) => ids.has(o.OfferId))).toBe(false);
      } finally {
        await other.stop();
      }
    });

    it('has merchants (Koalla among them), categories, both offer types and both discount types', async () => {
      const offers = await allOffers(await session());
      expect(offers.length).toBeGreaterThanOrEqual(60);
      const merchants = new Set(offers.map((o) => o.Merchant.Name));
      expect(merchants.has('Koalla')).toBe(true);
      expect(merchants.size).toBeGreaterThanOrEqual(8);
      expect([...new Set(offers.map((o) => o.Merchant.Category))]).toEqual(expect.arrayContaining(['SHOP', 'DINING', 'TRAVEL', 'DEPARTMENTSTORE']));
      expect(new Set(offers.map((o) => o.OfferType))).toEqual(new Set(['POSTPAIDCREDIT', 'ALWAYSON']));
      expect(new Set(offers.map((o) => o.DiscountType))).toEqual(new Set(['ABSOLUTE', 'PERCENTAGE']));
      for (const o of offers) {
        expect(o.OfferId).toMatch(UUID);
        expect(o.EventStartDate < isoDay(1) && o.EventEndDate > isoDay()).toBe(true);
        expect(o.MinTotalSpend).toMatch(/^\d+\.\d\d$/);
      }
    });
  });

  // ---- revocation --------------------------------------------------------------------------

  describe('revokeUserTokens', () => {
    it('old tokens get 401, usertoken returns a different token that works, state is kept', async () => {
      const s = await session();
      const [offer] = await allOffers(s);
      await feedback(s, offer.OfferId, 1);
      const before = simulator.tokenFor(s.fId, s.userId);
      expect(before).toBe(s.token);

      simulator.revokeUserTokens();
      expect(refused(await matched(s))).toEqual(errorShape(401, invalid('UserToken')));
      expect(refused(await feedback(s, offer.OfferId, 0))).toEqual(errorShape(401, invalid('UserToken')));

      const fresh = await login(s.userId);
      expect(fresh).not.toBe(s.token);
      expect(simulator.tokenFor(s.fId, s.userId)).toBe(fresh);
      expect(await login(s.userId)).toBe(fresh);
      const list = await call('GET', '/plo/v1/userfeedback', { query: { FId: s.fId, UserToken: fresh } });
      expect(list.body.Response.Items.UserFeedback).toEqual([{ OfferId: offer.OfferId, Feedback: '1' }]);
    });
  });

  // ---- faults per operation ----------------------------------------------------------------

  describe('faults targeted per operation', () => {
    it('an http-error on matchedOffers leaves usertoken (and other operations) alone', async () => {
      simulator.resetRequestCount();
      simulator.setFault({ type: 'http-error', status: 503, retryAfter: '2' }, { operation: 'matchedOffers', times: 1 });
      const s = await session();
      expect((await call('GET', '/plo/v1/usersavings', { query: s.creds })).status).toBe(200);
      const failed = await matched(s);
      expect(refused(failed)).toEqual(errorShape(503, 'Simulated failure'));
      expect(failed.headers.get('retry-after')).toBe('2');
      expect((await matched(s)).status).toBe(200);
      expect(simulator.faultsApplied).toEqual({ 'http-error': 1 });
    });

    it('only targeted requests count against times', async () => {
      const s = await session();
      simulator.setFault({ type: 'http-error', status: 500 }, { operation: 'getUserSavings', times: 2 });
      const statuses: number[] = [];
      for (const path of ['/plo/v1/matchedoffers', '/plo/v1/usersavings', '/plo/v1/redeemedoffers', '/plo/v1/usersavings', '/plo/v1/usersavings']) {
        statuses.push((await call('GET', path, { query: s.creds })).status);
      }
      expect(statuses).toEqual([200, 500, 200, 500, 200]);
    });

    it('a status-code fault strips the payload; the write it stood for did not happen', async () => {
      const s = await session();
      const [offer] = await available(s);
      simulator.setFault({ type: 'status-code', code: '601', message: 'Offer not eligible' }, { operation: 'activateStatementCreditOffer', times: 1 });
      expect(await activate(s, offer.OfferId)).toMatchObject({ status: 200, body: { Response: { Status: { Code: '601', Message: 'Offer not eligible' } } } });
      expect((await activate(s, offer.OfferId)).body.Response.Status).toEqual(SUCCESS);
    });

    it('a status-code fault leaves error answers alone', async () => {
      const s = await session();
      simulator.setFault({ type: 'status-code', code: '601' }, { operation: 'getOfferDetails' });
      expect((await call('GET', '/plo/v1/offerdetails', { query: s.creds })).status).toBe(400);
    });

    it('no-token on another operation: a 600 with no payload', async () => {
      const s = await session();
      simulator.setFault({ type: 'no-token' }, { operation: 'getUserSavings', times: 1 });
      expect((await call('GET', '/plo/v1/usersavings', { query: s.creds })).body).toEqual({ Response: { Status: SUCCESS } });
    });

    it('reset-mid-body loses the answer but the activation happened (re-read, do not blind-retry)', async () => {
      const s = await session();
      const [offer] = await available(s);
      simulator.setFault({ type: 'reset-mid-body' }, { operation: 'activateStatementCreditOffer', times: 1 });
      await expect(activate(s, offer.OfferId)).rejects.toThrow();
      expect((await allOffers(s)).find((o) => o.OfferId === offer.OfferId)!.ActiveSc).toBe('ACTIVATED_STATEMENT_CREDIT');
      expect((await activate(s, offer.OfferId)).body.Response.Status.Code).toBe('400');
    });

    it.each<[string, SimulatorFault, (res: Response) => Promise<void>]>([
      ['malformed-json', { type: 'malformed-json' }, async (res) => expect(await res.text()).toBe('{"Response":{"Status":')],
      ['empty-body', { type: 'empty-body' }, async (res) => expect(await res.text()).toBe('')],
      [
        'html-error',
        { type: 'html-error', status: 504 },
        async (res) => expect([res.status, await res.text()]).toEqual([504, expect.stringContaining('<html>')]),
      ],
    ])('%s on getRedeemedOfferDetails', async (_, fault, check) => {
      const s = await session();
      simulator.setFault(fault, { operation: 'getRedeemedOfferDetails', times: 1 });
      await check(await fetch(`${baseUrl}/plo/v1/redeemedoffers${search(s.creds)}`));
      expect((await redeemed(s)).status).toBe(200);
    });

    it('latency delays only the targeted operation', async () => {
      const s = await session();
      simulator.setFault({ type: 'latency', ms: 300 }, { operation: 'getUserFeedback' });
      let started = performance.now();
      await call('GET', '/plo/v1/usersavings', { query: s.creds });
      expect(performance.now() - started).toBeLessThan(250);
      started = performance.now();
      expect((await call('GET', '/plo/v1/userfeedback', { query: s.creds })).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('a fault without an operation applies to every routed request, but never to unknown paths', async () => {
      const s = await session();
      simulator.setFault({ type: 'http-error', status: 502 });
      expect((await matched(s)).status).toBe(502);
      expect((await call('GET', '/plo/v1/usertoken')).status).toBe(502);
      expect((await call('GET', '/plo/v1/nothing')).status).toBe(404);
    });

    it('an unknown operation is refused when the fault is added', () => {
      expect(() => simulator.addFault({ type: 'hang' }, { operation: 'matchedoffers' })).toThrow(/Unknown operation matchedoffers/);
      expect(() => new PersonalizedOffersSimulator({ faults: [{ fault: { type: 'hang' }, schedule: { operation: 'nope' } }] })).toThrow(RangeError);
    });

    it('probability draws happen only on targeted requests, so the mix replays whatever else is interleaved', async () => {
      const run = async (noise: number) => {
        const sim = new PersonalizedOffersSimulator({
          now: () => nowMs,
          faults: [{ fault: { type: 'http-error', status: 503 }, schedule: { operation: 'getUserSavings', probability: 0.3, seed: 9 } }],
        });
        const { baseUrl: url } = await sim.start();
        const token = sim.tokenFor('999999', 'p');
        const outcomes: number[] = [];
        for (let i = 0; i < 30; i++) {
          for (let n = 0; n < noise; n++)
            expect((await call('GET', '/plo/v1/matchedoffers', { query: { FId: '999999', UserToken: token, ItemsPerPage: 1 } }, url)).status).toBe(200);
          outcomes.push((await call('GET', '/plo/v1/usersavings', { query: { FId: '999999', UserToken: token } }, url)).status);
        }
        await sim.stop();
        return outcomes;
      };
      const [quiet, noisy] = [await run(0), await run(2)];
      expect(noisy).toEqual(quiet);
      expect(quiet.filter((s) => s === 503).length).toBeGreaterThan(3);
    });
  });

  // ---- request log -------------------------------------------------------------------------

  describe('request log', () => {
    it('keeps the raw body, the raw and decoded query, the headers and the operation', async () => {
      const s = await session();
      simulator.clearRequests();
      const raw = `{ "FId": "999999",\n  "UserToken": "${s.token}", "OfferId": "x-1", "Feedback": 1 }`;
      await fetch(`${baseUrl}/plo/v2/userfeedback`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 't-1' }, body: raw });
      await fetch(`${baseUrl}/plo/v1/matchedoffers?FId=999999&UserToken=${s.token}&MerchantName=a%20b&MerchantName=c%2Bd&Lang=fr_FR`);
      await fetch(`${baseUrl}/nowhere?x=1`, { method: 'DELETE' });

      const [post, getReq, unknown] = simulator.requests;
      expect(post).toMatchObject({ operationId: 'sendUserFeedback', method: 'POST', path: '/plo/v2/userfeedback', body: raw, query: {} });
      expect(post.headers).toMatchObject({ 'content-type': 'application/json', 'x-trace': 't-1' });
      expect(getReq).toMatchObject({
        operationId: 'matchedOffers',
        method: 'GET',
        path: '/plo/v1/matchedoffers',
        url: `/plo/v1/matchedoffers?FId=999999&UserToken=${s.token}&MerchantName=a%20b&MerchantName=c%2Bd&Lang=fr_FR`,
        query: { FId: ['999999'], UserToken: [s.token], MerchantName: ['a b', 'c+d'], Lang: ['fr_FR'] },
        body: '',
      });
      expect(unknown).toEqual(expect.objectContaining({ method: 'DELETE', path: '/nowhere', query: { x: ['1'] } }));
      expect(unknown).not.toHaveProperty('operationId');

      simulator.clearRequests();
      expect(simulator.requests).toEqual([]);
    });

    it('keeps only the last 200 requests', async () => {
      simulator.clearRequests();
      for (let i = 0; i < 205; i++) await fetch(`${baseUrl}/plo/v1/usertoken?n=${i}`);
      const log = simulator.requests;
      expect(log).toHaveLength(200);
      expect(log[0].query.n).toEqual(['5']);
      expect(log.at(-1)!.query.n).toEqual(['204']);
    });
  });
});
