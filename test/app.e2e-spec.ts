import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type {
  BrowseOffers,
  MatchedOffer,
  MatchedOffersResult,
  OfferDetails,
  OfferDetailsResult,
  RedeemedOffersResult,
  StatementCreditActivationResult,
  UserFeedbackListResult,
  UserOfferRating,
  UserOffers,
  UserPresentmentSavings,
} from 'nestjs-personalized-offers';
import type { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { AppModule, UPSTREAM } from '../src/app.module.js';
import type { Upstream } from '../src/upstream.js';
import { expectNoGatewayRefusal, gatewaySimulator, signedEnvironment } from './support/gateway.js';

async function startApp(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; url: string; upstream: Upstream }> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(env)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const upstream = moduleRef.get<Upstream>(UPSTREAM, { strict: false });
  return { app, url: `${await app.getUrl()}/user-token`.replace('[::1]', '127.0.0.1'), upstream };
}

/** The embedded simulator the app started (in gateway mode: the app signs every request for it). */
const embedded = (upstream: Upstream): PersonalizedOffersSimulator => {
  if (!upstream.simulator) throw new Error('the example app did not start the embedded simulator');
  return upstream.simulator;
};

describe('example app on the embedded simulator (no PLO_* variables)', () => {
  let app: INestApplication;
  let url: string;
  let upstream: Upstream;
  beforeAll(async () => {
    ({ app, url, upstream } = await startApp({}));
  });
  afterEach(() => expectNoGatewayRefusal(embedded(upstream)));
  afterAll(() => app.close());

  it('signs every request for the embedded simulator, which checks them as Mastercard’s gateway does', async () => {
    const simulator = embedded(upstream);
    simulator.clearRequests();
    expect((await fetch(url, { headers: { 'X-Demo-User-Id': 'app-signed-user' } })).status).toBe(200);
    expect(simulator.requests).toEqual([
      expect.objectContaining({
        operationId: 'getUserToken',
        headers: expect.objectContaining({ authorization: expect.stringMatching(/^OAuth .*oauth_signature="/) }),
      }),
    ]);
    // The gateway is on (an unsigned request is refused), so that 200 was signed and verified.
    const unsigned = await fetch(`${simulator.baseUrl}/plo/v1/usertoken?FId=999999&AuthInfo=00`);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ Errors: { Error: [{ Source: 'Gateway', ReasonCode: 'INVALID_AUTH_HEADER' }] } });
    simulator.clearRequests(); // that refusal was this test's own, not the app's
  });

  it('returns the demo user’s session token, the same on every call', async () => {
    const headers = { 'X-Demo-User-Id': '1PCLOSANDBOXBCN00002tra6athatR' };
    const first = await fetch(url, { headers });
    expect(first.status).toBe(200);
    const body = (await first.json()) as { token: string };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await (await fetch(url, { headers })).json()).toEqual(body);
  });

  it('refuses a request without the demo authentication header', async () => {
    expect((await fetch(url)).status).toBe(401);
  });

  it('maps an unusable user id to 400 without echoing it', async () => {
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'victim:999999' } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ statusCode: 400, code: 'INVALID_USER_ID', message: expect.any(String) });
    expect(text).not.toContain('victim');
  });
});

/** The body of the example app's `GET /offers/all`. */
interface AllOffers {
  count: number;
  offers: MatchedOffer[];
}

describe('example app: the legacy offer routes on the embedded simulator', () => {
  let app: INestApplication;
  let base: string;
  const headers = { 'X-Demo-User-Id': 'app-routes-user' };
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: await res.json() };
  };
  let upstream: Upstream;
  beforeAll(async () => {
    let url: string;
    ({ app, url, upstream } = await startApp({}));
    base = url.replace(/\/user-token$/, '');
  });
  afterEach(() => expectNoGatewayRefusal(embedded(upstream)));
  afterAll(() => app.close());

  it('GET /offers returns one page with the filters applied; /offers/all every page', async () => {
    const page = await get('/offers?page=1&itemsPerPage=5&category=SHOP&lang=fr_FR');
    expect(page.status).toBe(200);
    const matched = page.body as MatchedOffersResult;
    expect(matched.Items!.MatchedOffer).toHaveLength(5);
    expect(matched.Items!.MatchedOffer!.every((o) => o.Merchant!.Category === 'SHOP' && o.Language === 'French')).toBe(true);
    const all = await get('/offers/all?category=SHOP');
    expect(all.status).toBe(200);
    expect((all.body as AllOffers).count).toBe(matched.TotalCount);
  });

  it('activates an offer (201), reads the activation back, and answers 409 on a second activation', async () => {
    const list = await get('/offers/all?offerType=POSTPAIDCREDIT');
    const offer = (list.body as AllOffers).offers.find((o) => o.ActiveSc === 'AVAILABLE')!;
    const first = await fetch(`${base}/offers/${offer.OfferId!}/activation`, { method: 'POST', headers });
    expect(first.status).toBe(201);
    const activation = (await first.json()) as StatementCreditActivationResult;
    expect(activation.ScActivation!.OfferId).toBe(offer.OfferId);
    const detail = await get(`/activations/${activation.ScActivation!.ActivationId!}`);
    expect((detail.body as StatementCreditActivationResult).ScActivation!.Status).toBe('ACTIVATED');
    const again = await fetch(`${base}/offers/${offer.OfferId!}/activation`, { method: 'POST', headers });
    expect(again.status).toBe(409);
  });

  it('records feedback and lists it; details, savings and redeemed offers answer 200', async () => {
    const offerId = ((await get('/offers?itemsPerPage=1')).body as MatchedOffersResult).Items!.MatchedOffer![0].OfferId!;
    const put = await fetch(`${base}/offers/${offerId}/feedback`, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: '{"feedback":1}',
    });
    expect(put.status).toBe(200);
    expect(((await get('/feedback')).body as UserFeedbackListResult).Items!.UserFeedback).toEqual([
      expect.objectContaining({ OfferId: offerId, Feedback: '1' }),
    ]);
    expect(((await get(`/offers/${offerId}?lang=es_ES`)).body as OfferDetailsResult).OfferDetails!.Language).toBe('Spanish');
    expect((await get('/savings')).status).toBe(200);
    expect(((await get('/redeemed-offers?page=1&itemsPerPage=10')).body as RedeemedOffersResult).Items!.RedeemedOffer!.length).toBeGreaterThan(0);
  });

  it('answers 400 INVALID_ARGUMENT for bad input, before any upstream call', async () => {
    for (const path of ['/offers?page=0', '/offers?itemsPerPage=abc', '/offers?lang=english']) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, code: 'INVALID_ARGUMENT', message: expect.any(String) });
    }
    const bad = await fetch(`${base}/offers/x/feedback`, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: '{"feedback":7}',
    });
    expect(bad.status).toBe(400);
  });
});

describe('example app: the current API (/loyalty) and the admin route on the embedded simulator', () => {
  let app: INestApplication;
  let base: string;
  const headers = { 'X-Demo-User-Id': 'app-loyalty-user' };
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: await res.json() };
  };
  let upstream: Upstream;
  beforeAll(async () => {
    let url: string;
    ({ app, url, upstream } = await startApp({}));
    base = url.replace(/\/user-token$/, '');
  });
  afterEach(() => expectNoGatewayRefusal(embedded(upstream)));
  afterAll(() => app.close());

  it('lists, searches and reads offers', async () => {
    const page = await get('/loyalty/offers?offerType=POSTPAIDCREDIT&limit=5&lang=fr-FR');
    expect(page.status).toBe(200);
    const offers = (page.body as UserOffers).offers!;
    expect(offers).toHaveLength(5);
    expect(offers.every((o) => o.type === 'POSTPAIDCREDIT')).toBe(true);
    const search = await fetch(`${base}/loyalty/offers/search`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: '{"category":"SHOP","limit":3}',
    });
    expect(search.status).toBe(200);
    const found = (await search.json()) as UserOffers;
    expect(found.offers!.every((o) => o.category === 'SHOP')).toBe(true);
    const one = await get(`/loyalty/offers/${offers[0].id!}`);
    expect((one.body as OfferDetails).userOfferDetails!.id).toBe(offers[0].id);
  });

  it('activates (201, then 409), rates and reads savings; the admin route browses the FI’s offers', async () => {
    const page = await get('/loyalty/offers?offerType=POSTPAIDCREDIT&active=false&limit=50');
    const offer = (page.body as UserOffers).offers!.find((o) => o.activationType === 'USER_ACTIVATION')!;
    const offerId = offer.id!;
    const first = await fetch(`${base}/loyalty/offers/${offerId}/activation`, { method: 'POST', headers });
    expect(first.status).toBe(201);
    const again = await fetch(`${base}/loyalty/offers/${offerId}/activation`, { method: 'POST', headers });
    expect(again.status).toBe(409);
    const rated = await fetch(`${base}/loyalty/offers/${offerId}/rating`, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: '{"like":1}',
    });
    expect(((await rated.json()) as UserOfferRating).offerRating).toEqual({ offerId, like: 1 });
    expect(((await get('/loyalty/savings')).body as UserPresentmentSavings).savings).toBeDefined();
    const admin = await get('/admin/offers?limit=4&lang=ALL');
    expect(admin.status).toBe(200);
    expect((admin.body as BrowseOffers).offers).toHaveLength(4);
  });

  it('answers 400 for bad input before any upstream call', async () => {
    expect((await get('/loyalty/offers?limit=0')).status).toBe(400);
    expect((await get('/loyalty/offers?country=U$A')).status).toBe(400);
  });
});

describe('example app configured from PLO_* variables', () => {
  // A gated upstream: the app signs with the PLO_OAUTH_* credentials (a PEM key file), as in production.
  const upstream = gatewaySimulator({ fIds: ['424242'], authInfo: { key: 'A'.repeat(22) + '==', mode: 'ecb', encoding: 'base64url' } });
  const signing = signedEnvironment();
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    const { baseUrl } = await upstream.start();
    ({ app, url } = await startApp({
      PLO_FID: '424242',
      PLO_BASE_URL: baseUrl,
      PLO_AUTHINFO_KEY: 'A'.repeat(22) + '==',
      PLO_AUTHINFO_MODE: 'ecb',
      PLO_AUTHINFO_ENCODING: 'base64url',
      ...signing.env,
    }));
  });
  afterEach(() => expectNoGatewayRefusal(upstream));
  afterAll(async () => {
    await app.close();
    await upstream.stop();
    signing.remove();
  });

  it('talks to the configured base URL', async () => {
    upstream.resetRequestCount();
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'carol' } });
    expect(await res.json()).toEqual({ token: upstream.tokenFor('424242', 'carol') });
    expect(upstream.requestCount).toBe(1);
  });

  it('answers 502 with no upstream detail when the upstream refuses', async () => {
    upstream.setFault({ type: 'http-error', status: 403 }, { times: 1 });
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'dave' } });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toMatch(/Simulat|Source|ReasonCode/);
  });

  it('passes a 429 on as 503 with Retry-After once the retries are spent', async () => {
    upstream.setFault({ type: 'http-error', status: 429, retryAfter: '1' }, { times: 3 });
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'erin' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
  }, 15_000);
});
