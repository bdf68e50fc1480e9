import { Test, type TestingModule } from '@nestjs/testing';
import {
  AccessTokenService,
  InvalidArgumentError,
  InvalidUserIdError,
  LegacyUserPresentmentService,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersOutcomeUnknownError,
  PlatformAdminService,
  type PresentmentUser,
  UserPresentmentService,
} from 'nestjs-personalized-offers';
import type { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

/** The current API (`/loyalty/offers`) through the module against the simulator: signed, through its gateway. */
describe('UserPresentmentService, AccessTokenService and PlatformAdminService against the simulator', () => {
  // The gateway checks oauth_timestamp against the simulator clock, which one test moves 61 minutes
  // ahead (access-token expiry): a window wider than that keeps that test's requests admitted.
  const simulator = gatewaySimulator({ fIds: ['999999'] }, { timestampWindowSeconds: 2 * 60 * 60 });
  const refs: TestingModule[] = [];
  let presentment: UserPresentmentService;
  let accessTokens: AccessTokenService;
  let admin: PlatformAdminService;
  let legacy: LegacyUserPresentmentService;

  async function boot(extra: Partial<PersonalizedOffersModuleOptions> = {}): Promise<TestingModule> {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          http: { timeoutMs: 500, retry: { retries: 2, minDelayMs: 0, maxDelayMs: 5 }, circuitBreaker: false },
          ...signed,
          ...extra,
        }),
      ],
    }).compile();
    refs.push(ref);
    return ref;
  }

  beforeAll(async () => {
    await simulator.start();
    const ref = await boot();
    presentment = ref.get(UserPresentmentService);
    accessTokens = ref.get(AccessTokenService);
    admin = ref.get(PlatformAdminService);
    legacy = ref.get(LegacyUserPresentmentService);
  });
  afterAll(async () => {
    await Promise.all(refs.map((r) => r.close()));
    await simulator.stop();
  });
  beforeEach(() => {
    simulator.clearFaults();
    simulator.clearRequests();
  });
  afterEach(() => expectNoGatewayRefusal(simulator));

  const requestsFor = (operationId: string) => simulator.requests.filter((r) => r.operationId === operationId);
  const lastFor = (operationId: string) => requestsFor(operationId).at(-1)!;

  /** An offer this user can still activate through the current API. */
  async function activatable(user: PresentmentUser): Promise<string> {
    for await (const offer of presentment.iterateOffers(user, { offerType: 'POSTPAIDCREDIT', active: false })) {
      if (offer.activationType === 'USER_ACTIVATION') return offer.id!;
    }
    throw new Error('no offer to activate');
  }

  describe('access tokens', () => {
    it('createAccessToken posts { fiId, userId, utcOffset } and returns the token', async () => {
      const token = await accessTokens.createAccessToken('minter', { utcOffset: '-07:00' });
      expect(token.split('.')).toHaveLength(3);
      expect(JSON.parse(lastFor('createAccessToken').body)).toEqual({ fiId: '999999', userId: 'minter', utcOffset: '-07:00' });
    });

    it('getAccessToken: 50 concurrent calls and later ones → one mint per (user, utcOffset)', async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, () => accessTokens.getAccessToken('many')));
      expect(new Set(tokens).size).toBe(1);
      expect(await accessTokens.getAccessToken('many')).toBe(tokens[0]);
      expect(requestsFor('createAccessToken')).toHaveLength(1);
      expect(JSON.parse(lastFor('createAccessToken').body).utcOffset).toBe('+00:00');
      await accessTokens.getAccessToken('many', { utcOffset: '+10:00' });
      expect(requestsFor('createAccessToken')).toHaveLength(2);
    });

    it('a cached token is served until ttlMs - refreshBeforeMs, then minted again before it expires', async () => {
      const ref = await boot({ accessTokens: { ttlMs: 1_500, refreshBeforeMs: 1_200 } });
      const tokens = ref.get(AccessTokenService);
      const first = await tokens.getAccessToken('ahead');
      expect(await tokens.getAccessToken('ahead')).toBe(first);
      expect(requestsFor('createAccessToken')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 400));
      const second = await tokens.getAccessToken('ahead');
      expect(second).not.toBe(first);
      expect(requestsFor('createAccessToken')).toHaveLength(2);
    });

    it('an expired token (401) is dropped, minted again and the call repeated once', async () => {
      await presentment.getUserPresentmentSavings('expiring');
      simulator.advanceTime(61 * 60_000); // past the simulator's 60-minute lifetime; the module's cache still holds it
      try {
        simulator.clearRequests();
        await expect(presentment.getUserPresentmentSavings('expiring')).resolves.toBeDefined();
        expect(simulator.requests.map((r) => r.operationId)).toEqual(['getUserPresentmentSavings', 'createAccessToken', 'getUserPresentmentSavings']);
      } finally {
        simulator.advanceTime(-61 * 60_000); // back, so AuthInfo made with the real clock stays in the window
      }
    });

    it('a held { accessToken } that is refused is the caller’s error: no mint, one request', async () => {
      const held = await accessTokens.createAccessToken('holder');
      simulator.revokeAccessTokens();
      simulator.clearRequests();
      const error = await presentment.getUserPresentmentSavings({ accessToken: held }).catch((e: unknown) => e);
      expect((error as PersonalizedOffersApiError).status).toBe(401);
      expect((error as PersonalizedOffersApiError).operation).toBe('getUserPresentmentSavings');
      expect(simulator.requests.map((r) => r.operationId)).toEqual(['getUserPresentmentSavings']);
    });

    it('a 403 is not a refused token: not minted again', async () => {
      await presentment.getUserPresentmentSavings('forbidden');
      simulator.setFault({ type: 'http-error', status: 403 }, { operation: 'getUserPresentmentSavings', times: 1 });
      simulator.clearRequests();
      await expect(presentment.getUserPresentmentSavings('forbidden')).rejects.toMatchObject({ status: 403 });
      expect(requestsFor('createAccessToken')).toHaveLength(0);
    });

    it.each([
      ['a user id with a colon', () => accessTokens.getAccessToken('a:b'), InvalidUserIdError],
      ['a utcOffset that is not ±HH:MM', () => accessTokens.getAccessToken('u', { utcOffset: '+7' }), InvalidArgumentError],
      ['a utcOffset past +14:00', () => accessTokens.createAccessToken('u', { utcOffset: '+15:00' }), InvalidArgumentError],
    ])('refuses %s before any request', async (_, call, type) => {
      const before = simulator.requestCount;
      await expect(call()).rejects.toBeInstanceOf(type);
      expect(simulator.requestCount).toBe(before);
    });
  });

  describe.each<[string, () => Promise<PresentmentUser>]>([
    ['a user id', () => Promise.resolve('table-user')],
    ['a held { accessToken }', async () => ({ accessToken: await accessTokens.createAccessToken('table-holder') })],
  ])('every user-presentment operation, with the user given as %s', (_, userOf) => {
    let user: PresentmentUser;
    let token: string;
    beforeAll(async () => {
      user = await userOf();
      token = typeof user === 'string' ? await accessTokens.getAccessToken(user) : user.accessToken;
    });

    it('getOffers sends the filters under their wire names and the token as X-Auth-Token', async () => {
      const page = await presentment.getOffers(user, { offerType: 'POSTPAIDCREDIT', offerCountry: ['USA'], offset: 2, limit: 5, acceptLanguage: 'fr-FR' });
      const sent = lastFor('getOffers');
      expect(sent.query).toMatchObject({ offer_type: ['POSTPAIDCREDIT'], offer_country: ['USA'], offset: ['2'], limit: ['5'] });
      expect(sent.headers['x-auth-token']).toBe(token);
      expect(sent.headers['accept-language']).toBe('fr-FR');
      expect(page.offset).toBe(2);
      expect(page.offers!.length).toBeLessThanOrEqual(5);
      expect(page.offers!.every((o) => o.type === 'POSTPAIDCREDIT')).toBe(true);
    });

    it('getOffer returns the offer by id (in the path)', async () => {
      const id = (await presentment.getOffers(user, { limit: 1 })).offers![0].id!;
      const details = await presentment.getOffer(user, id, { acceptLanguage: 'es_ES' });
      expect(lastFor('getOffer').path).toBe(`/loyalty/offers/user-presentment/offers/${id}`);
      expect(lastFor('getOffer').headers['accept-language']).toBe('es-ES');
      expect(details.userOfferDetails?.id).toBe(id);
    });

    it('searchOffers posts the filter as JSON', async () => {
      const page = await presentment.searchOffers(user, { offerType: 'ALWAYSON', limit: 3 });
      expect(JSON.parse(lastFor('searchOffers').body)).toEqual({ offerType: 'ALWAYSON', limit: 3 });
      expect(page.offers!.every((o) => o.type === 'ALWAYSON')).toBe(true);
    });

    it('processActivations activates; a second activation is a 400 PersonalizedOffersApiError', async () => {
      const offerId = await activatable(user);
      const result = await presentment.processActivations(user, { offerId });
      expect(JSON.parse(lastFor('processActivations').body)).toEqual({ offerId });
      expect(result.activations?.[0]?.offerId).toBe(offerId);
      const again = await presentment.processActivations(user, { offerId }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(PersonalizedOffersApiError);
      expect((again as PersonalizedOffersApiError).status).toBe(400);
    });

    it('createOfferRating, getOfferRating and getOfferRatings', async () => {
      const id = (await presentment.getOffers(user, { limit: 1, offset: 7 })).offers![0].id!;
      const rated = await presentment.createOfferRating(user, id, { like: 1 });
      expect(JSON.parse(lastFor('createOfferRating').body)).toEqual({ like: 1 });
      expect(rated.offerRating).toEqual({ offerId: id, like: 1 });
      expect((await presentment.getOfferRating(user, id)).offerRating?.like).toBe(1);
      const all = await presentment.getOfferRatings(user, { current: false });
      expect(lastFor('getOfferRatings').query.current).toEqual(['false']);
      expect(all.offerRatings?.some((r) => r.offerId === id && r.like === 1)).toBe(true);
    });

    it('getUserPresentmentSavings, getUserPresentmentAdjustments and findGeoLocations', async () => {
      const savings = await presentment.getUserPresentmentSavings(user);
      expect(typeof savings.savings?.offersAvailable).toBe('number');
      const adjustments = await presentment.getUserPresentmentAdjustments(user, { startDate: '2020-01-01', dateFilter: 'CREATED', limit: 5 });
      expect(lastFor('getUserPresentmentAdjustments').query).toMatchObject({ start_date: ['2020-01-01'], date_filter: ['CREATED'], limit: ['5'] });
      expect(Array.isArray(adjustments.adjustments)).toBe(true);
      const places = await presentment.findGeoLocations(user, { keywords: 'San Diego, California' });
      expect(lastFor('findGeoLocations').url).toContain('keywords=San%20Diego%2C%20California');
      expect(Array.isArray(places.items)).toBe(true);
    });

    it('publishImpressions posts them once and returns the receipt', async () => {
      const id = (await presentment.getOffers(user, { limit: 1 })).offers![0].id!;
      const receipt = await presentment.publishImpressions(user, [{ offerId: id, order: 1, activityType: 'VIEWED', activityTimestamp: new Date() }]);
      expect(requestsFor('publishImpressions')).toHaveLength(1);
      expect(JSON.parse(lastFor('publishImpressions').body).impressions[0]).toMatchObject({ offerId: id, order: '1', activityType: 'VIEWED' });
      expect(typeof (receipt.message ?? '')).toBe('string');
    });
  });

  describe('writes that must not be repeated', () => {
    it.each<[string, Parameters<PersonalizedOffersSimulator['setFault']>[0]]>([
      ['a 503', { type: 'http-error', status: 503 }],
      ['a timeout', { type: 'hang' }],
    ])('processActivations after %s: one request, PersonalizedOffersOutcomeUnknownError', async (_, fault) => {
      const offerId = await activatable('no-repeat');
      simulator.setFault(fault, { operation: 'processActivations', times: 1 });
      simulator.clearRequests();
      await expect(presentment.processActivations('no-repeat', { offerId })).rejects.toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
      expect(requestsFor('processActivations')).toHaveLength(1);
    });

    it('publishImpressions after a 502: one request, PersonalizedOffersOutcomeUnknownError', async () => {
      const id = (await presentment.getOffers('no-repeat', { limit: 1 })).offers![0].id!;
      simulator.setFault({ type: 'http-error', status: 502 }, { operation: 'publishImpressions', times: 1 });
      simulator.clearRequests();
      await expect(
        presentment.publishImpressions('no-repeat', [{ offerId: id, order: '1', activityType: 'CLICKED', activityTimestamp: '2026-11-29T10:00:00Z' }]),
      ).rejects.toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
      expect(requestsFor('publishImpressions')).toHaveLength(1);
    });

    it('while a read with the same fault is retried', async () => {
      await presentment.getUserPresentmentSavings('no-repeat');
      simulator.setFault({ type: 'http-error', status: 503 }, { operation: 'getUserPresentmentSavings', times: 1 });
      simulator.clearRequests();
      await expect(presentment.getUserPresentmentSavings('no-repeat')).resolves.toBeDefined();
      expect(requestsFor('getUserPresentmentSavings')).toHaveLength(2);
    });
  });

  it('an offer activated through the legacy API shows as active through the current one', async () => {
    const offerId = await activatable('both-apis');
    await legacy.activateStatementCreditOffer('both-apis', { offerId });
    const details = await presentment.getOffers('both-apis', { active: true });
    expect(details.offers?.some((o) => o.id === offerId && o.assignments?.some((a) => a.active === true))).toBe(true);
  });

  it('iterateOffers yields every offer once, page by page by offset', async () => {
    const first = await presentment.getOffers('pager', { limit: 25 });
    simulator.clearRequests();
    const ids: string[] = [];
    for await (const offer of presentment.iterateOffers('pager', { limit: 25 })) ids.push(offer.id!);
    expect(ids).toHaveLength(first.total!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(requestsFor('getOffers').map((r) => r.query.offset[0])).toEqual(Array.from({ length: Math.ceil(first.total! / 25) }, (_, i) => String(i * 25)));
  });

  describe('platform admin', () => {
    it('browseOffers sends f_id from the configuration and the filters; iterateBrowseOffers pages', async () => {
      const page = await admin.browseOffers({ offerType: 'POSTPAIDCREDIT', lang: ['ALL'], limit: 10 });
      expect(lastFor('browseOffers').query).toMatchObject({ f_id: ['999999'], offer_type: ['POSTPAIDCREDIT'], lang: ['ALL'], limit: ['10'] });
      expect(page.status?.code).toBe(200);
      const ids: string[] = [];
      for await (const offer of admin.iterateBrowseOffers({ limit: 20 })) ids.push(offer.id!);
      expect(ids.length).toBe((await admin.browseOffers({ limit: 1 })).total);
    });

    it('searchAdminOffers posts fId from the configuration', async () => {
      await admin.searchAdminOffers({ category: 'SHOP', limit: 5 });
      expect(JSON.parse(lastFor('searchAdminOffers').body)).toEqual({ fId: '999999', category: 'SHOP', limit: 5 });
    });

    it('getAdjustments sends f_id and the dates', async () => {
      const result = await admin.getAdjustments({ startDate: new Date('2020-01-05T12:00:00Z'), endDate: '2030-01-01' });
      expect(lastFor('getAdjustments').query).toMatchObject({ f_id: ['999999'], start_date: ['2020-01-05'], end_date: ['2030-01-01'] });
      expect(Array.isArray(result.adjustments)).toBe(true);
    });
  });

  it('the module default Accept-Language applies when a call gives none', async () => {
    const ref = await boot({ language: 'es_ES' });
    await ref.get(UserPresentmentService).getOffers('lingo', { limit: 1 });
    expect(lastFor('getOffers').headers['accept-language']).toBe('es-ES');
  });

  describe('bad input is refused before any request', () => {
    it.each<[string, () => Promise<unknown>, string]>([
      ['offerCountry not a list', () => presentment.getOffers('u', { offerCountry: 'USA' as never }), 'offerCountry'],
      ['offerCountry with a bad code', () => presentment.getOffers('u', { offerCountry: ['US A'] }), 'offerCountry'],
      ['limit 0', () => presentment.getOffers('u', { limit: 0 }), 'limit'],
      ['offset -1', () => presentment.getOffers('u', { offset: -1 }), 'offset'],
      ['expiryDays 0', () => presentment.getOffers('u', { expiryDays: 0 }), 'expiryDays'],
      ['acceptLanguage english', () => presentment.getOffers('u', { acceptLanguage: 'english' }), 'acceptLanguage'],
      ['an empty offerId', () => presentment.getOffer('u', ''), 'offerId'],
      ['radius 5 miles', () => presentment.searchOffers('u', { radius: '5 miles' }), 'radius'],
      ['channels PHONE', () => presentment.searchOffers('u', { channels: ['PHONE' as 'ONLINE'] }), 'channels'],
      ['like 2', () => presentment.createOfferRating('u', 'o', { like: 2 as 1 }), 'like'],
      ['dateFilter NOW', () => presentment.getUserPresentmentAdjustments('u', { dateFilter: 'NOW' as 'CREATED' }), 'dateFilter'],
      ['startDate 2020-02-30', () => presentment.getUserPresentmentAdjustments('u', { startDate: '2020-02-30' }), 'startDate'],
      ['no keywords', () => presentment.findGeoLocations('u', {} as never), 'keywords'],
      ['no impressions', () => presentment.publishImpressions('u', []), 'impressions'],
      [
        'an impression with a bad activityType',
        () => presentment.publishImpressions('u', [{ offerId: 'o', order: 1, activityType: 'SEEN' as 'VIEWED', activityTimestamp: 'x' }]),
        'impressions[].activityType',
      ],
      ['an empty accessToken', () => presentment.getOffers({ accessToken: '' }), 'user.accessToken'],
      ['lang en', () => admin.browseOffers({ lang: ['en'] }), 'lang'],
      ['issuerIca 1.5', () => admin.searchAdminOffers({ issuerIca: 1.5 }), 'issuerIca'],
    ])('%s → InvalidArgumentError naming %s', async (_, call, argument) => {
      const before = simulator.requestCount;
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect(simulator.requestCount).toBe(before);
    });
  });
});
