import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { MatchedOffersResult, OfferDetailsResult } from 'nestjs-personalized-offers';
import type { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { AppModule, BANK_UPSTREAMS, UPSTREAM } from '../src/app.module.js';
import { BANK_SIMULATOR_FIDS, type BankName, type Upstream, resolveBankUpstream } from '../src/upstream.js';
import { expectNoGatewayRefusal } from './support/gateway.js';

jest.setTimeout(60_000);

/**
 * The example app's two banks (`/banks/:bank/…`): bankA and bankB, one named registration each,
 * each on its own embedded simulator (no PLO_* variables). Each bank's calls reach its own
 * simulator only, with its own fId, and tokens never cross from one bank to the other.
 */
describe('example app: two banks, each on its own embedded simulator', () => {
  let app: INestApplication;
  let base: string;
  let main: PersonalizedOffersSimulator;
  const sims = {} as Record<BankName, PersonalizedOffersSimulator>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register({})] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    main = moduleRef.get<Upstream>(UPSTREAM, { strict: false }).simulator!;
    const banks = moduleRef.get<ReadonlyMap<BankName, Upstream>>(BANK_UPSTREAMS, { strict: false });
    sims.bankA = banks.get('bankA')!.simulator!;
    sims.bankB = banks.get('bankB')!.simulator!;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    for (const sim of [main, sims.bankA, sims.bankB]) {
      sim.clearRequests();
      sim.resetRequestCount();
    }
  });
  afterEach(() => {
    for (const sim of [main, sims.bankA, sims.bankB]) expectNoGatewayRefusal(sim);
  });

  const get = (path: string, user?: string) => fetch(`${base}${path}`, { headers: user ? { 'X-Demo-User-Id': user } : {} });
  const counts = () => ({ main: main.requestCount, bankA: sims.bankA.requestCount, bankB: sims.bankB.requestCount });

  it('runs three distinct simulators: the default one and one per bank, each serving its bank’s fId', () => {
    expect(new Set([main, sims.bankA, sims.bankB]).size).toBe(3);
    expect(new Set([main.baseUrl, sims.bankA.baseUrl, sims.bankB.baseUrl]).size).toBe(3);
    expect(sims.bankA.fIds).toEqual([BANK_SIMULATOR_FIDS.bankA]);
    expect(sims.bankB.fIds).toEqual([BANK_SIMULATOR_FIDS.bankB]);
  });

  it("GET /banks/bankA/user-token: bankA's simulator issues the token (bankA's fId); bankB's and the default one see nothing", async () => {
    const res = await get('/banks/bankA/user-token', 'bank-user-1');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ token: sims.bankA.tokenFor('111111', 'bank-user-1') });
    expect(counts()).toEqual({ main: 0, bankA: 1, bankB: 0 });
    expect(sims.bankA.requests.map((r) => [r.operationId, r.query.FId])).toEqual([['getUserToken', ['111111']]]);
  });

  it("the same user at bankB gets bankB's token from bankB's simulator, never bankA's cached one; each bank then serves its own from its cache", async () => {
    const a = (await (await get('/banks/bankA/user-token', 'shared-user')).json()) as { token: string };
    const b = (await (await get('/banks/bankB/user-token', 'shared-user')).json()) as { token: string };
    expect(a.token).toBe(sims.bankA.tokenFor('111111', 'shared-user'));
    expect(b.token).toBe(sims.bankB.tokenFor('222222', 'shared-user'));
    expect(b.token).not.toBe(a.token);
    expect(counts()).toEqual({ main: 0, bankA: 1, bankB: 1 });
    // Cached per registration: no further upstream call, and still each bank's own token.
    expect(await (await get('/banks/bankA/user-token', 'shared-user')).json()).toEqual(a);
    expect(await (await get('/banks/bankB/user-token', 'shared-user')).json()).toEqual(b);
    expect(await (await get('/user-token', 'shared-user')).json()).toEqual({ token: main.tokenFor('999999', 'shared-user') });
    expect(counts()).toEqual({ main: 1, bankA: 1, bankB: 1 });
  });

  it("GET /banks/:bank/offers: each bank's offer calls reach its own simulator, carrying that bank's token and fId only", async () => {
    const user = 'offers-user';
    const resA = await get('/banks/bankA/offers?itemsPerPage=3', user);
    expect(resA.status).toBe(200);
    expect(((await resA.json()) as MatchedOffersResult).Items!.MatchedOffer).toHaveLength(3);
    const resB = await get('/banks/bankB/offers?itemsPerPage=2', user);
    expect(resB.status).toBe(200);
    expect(((await resB.json()) as MatchedOffersResult).Items!.MatchedOffer).toHaveLength(2);

    const tokenA = sims.bankA.tokenFor('111111', user);
    const tokenB = sims.bankB.tokenFor('222222', user);
    const offerCalls = (sim: PersonalizedOffersSimulator) => sim.requests.filter((r) => r.operationId !== 'getUserToken');
    expect(offerCalls(sims.bankA).length).toBeGreaterThan(0);
    expect(offerCalls(sims.bankB).length).toBeGreaterThan(0);
    for (const r of offerCalls(sims.bankA)) expect([r.query.UserToken, r.query.FId]).toEqual([[tokenA], ['111111']]);
    for (const r of offerCalls(sims.bankB)) expect([r.query.UserToken, r.query.FId]).toEqual([[tokenB], ['222222']]);
    // Neither bank's token ever reached the other's simulator (query, headers or body).
    const seen = (sim: PersonalizedOffersSimulator) => sim.requests.map((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body}`).join('\n');
    expect(seen(sims.bankA)).not.toContain(tokenB);
    expect(seen(sims.bankB)).not.toContain(tokenA);
    expect(main.requestCount).toBe(0);
  });

  it('GET /banks/bankB/offers/:offerId answers from bankB’s simulator', async () => {
    const list = (await (await get('/banks/bankB/offers?itemsPerPage=1', 'detail-user')).json()) as MatchedOffersResult;
    const offerId = list.Items!.MatchedOffer![0].OfferId!;
    const before = counts();
    const res = await get(`/banks/bankB/offers/${offerId}?lang=es_ES`, 'detail-user');
    expect(res.status).toBe(200);
    expect(((await res.json()) as OfferDetailsResult).OfferDetails!.Language).toBe('Spanish');
    const after = counts();
    expect([after.main - before.main, after.bankA - before.bankA, after.bankB - before.bankB]).toEqual([0, 0, 1]);
  });

  it('an unknown bank is a 404 that does not echo the name, and no simulator is called', async () => {
    for (const path of ['/banks/bankC/user-token', '/banks/bankC/offers', '/banks/constructor/offers', '/banks/__proto__/user-token', '/banks/bankc/health']) {
      const res = await get(path, 'unknown-bank-user');
      const text = await res.text();
      expect([path, res.status]).toEqual([path, 404]);
      expect(text).not.toMatch(/bankC|bankc|constructor|__proto__/);
    }
    expect(counts()).toEqual({ main: 0, bankA: 0, bankB: 0 });
  });

  it('the bank routes need the demo authentication header, as the others do', async () => {
    expect((await get('/banks/bankA/user-token')).status).toBe(401);
    expect((await get('/banks/bankA/offers')).status).toBe(401);
    expect(counts()).toEqual({ main: 0, bankA: 0, bankB: 0 });
  });

  it("GET /banks/:bank/health reports that bank's registration under its name, without calling any simulator", async () => {
    for (const bank of ['bankA', 'bankB'] as const) {
      const res = await get(`/banks/${bank}/health`);
      expect(res.status).toBe(200);
      const detail = { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'memory' } };
      expect(await res.json()).toEqual({ status: 'ok', info: { [bank]: detail }, error: {}, details: { [bank]: detail } });
    }
    expect(counts()).toEqual({ main: 0, bankA: 0, bankB: 0 });
  });

  it("bankA's breaker opening (its simulator failing) makes /banks/bankA/health 503; bankB and its health are untouched", async () => {
    sims.bankA.setFault({ type: 'http-error', status: 503 });
    try {
      // Five consecutive failures (the default) open the breaker; each call may retry.
      for (let i = 0; i < 5; i++) expect((await get('/banks/bankA/user-token', `breaker-user-${i}`)).status).not.toBe(200);
    } finally {
      sims.bankA.clearFaults();
    }
    expect((await get('/banks/bankA/health')).status).toBe(503);
    expect((await get('/banks/bankB/user-token', 'breaker-user-0')).status).toBe(200);
    expect((await get('/banks/bankB/health')).status).toBe(200);
    expect((await get('/health')).status).toBe(200);
    expect(main.requestCount).toBe(0);
  });
});

describe("example app: a bank's PLO_BANK_*_ variables", () => {
  it('configure that bank only, and errors name the variables as the operator set them', async () => {
    await expect(resolveBankUpstream('bankA', { PLO_BANK_A_HTTP_RETRIES: '1' })).rejects.toThrow(/PLO_BANK_A_FID/);
    const upstream = await resolveBankUpstream('bankB', { PLO_BANK_B_FID: '333333', PLO_BANK_B_BASE_URL: 'http://127.0.0.1:1', PLO_BANK_A_FID: '444444' });
    expect(upstream.simulator).toBeUndefined();
    expect(upstream.options).toMatchObject({ fId: '333333', baseUrl: 'http://127.0.0.1:1' });
  });
});
