import { Test, type TestingModule } from '@nestjs/testing';
import {
  InvalidArgumentError,
  InvalidUserIdError,
  LegacyUserPresentmentService,
  type LegacyUser,
  PersonalizedOffersApiError,
  PersonalizedOffersInvalidResponseError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersOutcomeUnknownError,
  UserTokenService,
} from 'nestjs-personalized-offers';
import type { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

/** Every legacy operation through the module against the simulator, as a bank's back end uses it: signed, through its gateway. */
describe('LegacyUserPresentmentService against the simulator', () => {
  const simulator = gatewaySimulator({ fIds: ['999999'] });
  let moduleRef: TestingModule;
  let service: LegacyUserPresentmentService;
  let tokens: UserTokenService;

  async function boot(extra: Partial<PersonalizedOffersModuleOptions> = {}): Promise<TestingModule> {
    return Test.createTestingModule({
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
  }

  beforeAll(async () => {
    await simulator.start();
    moduleRef = await boot();
    service = moduleRef.get(LegacyUserPresentmentService);
    tokens = moduleRef.get(UserTokenService);
  });
  afterAll(async () => {
    await moduleRef.close();
    await simulator.stop();
  });
  beforeEach(() => {
    simulator.clearFaults();
    simulator.clearRequests();
  });
  afterEach(() => expectNoGatewayRefusal(simulator));

  const requestsFor = (operationId: string) => simulator.requests.filter((r) => r.operationId === operationId);
  const lastFor = (operationId: string) => requestsFor(operationId).at(-1)!;

  /** An offer this user can still activate (POSTPAIDCREDIT, not yet active). */
  async function availableOffer(user: LegacyUser): Promise<string> {
    for await (const offer of service.iterateMatchedOffers(user, { offerType: 'POSTPAIDCREDIT' })) {
      if (offer.ActiveSc === 'AVAILABLE') return offer.OfferId!;
    }
    throw new Error('no available offer');
  }

  describe.each<[string, (userId: string) => Promise<LegacyUser>]>([
    ['a user id', (userId) => Promise.resolve(userId)],
    ['a { userToken } the caller holds', async (userId) => ({ userToken: await tokens.getUserToken(userId) })],
  ])('every operation, with the user given as %s', (label, userOf) => {
    const userId = `table-${label.length}`;
    let user: LegacyUser;
    let token: string;
    beforeAll(async () => {
      user = await userOf(userId);
      token = await tokens.getUserToken(userId);
    });

    it('matchedOffers sends every filter under its wire name and returns the page with numeric counters', async () => {
      const page = await service.matchedOffers(user, {
        pageNumber: 2,
        itemsPerPage: 5,
        lang: 'en-US',
        category: 'SHOP',
        offerType: 'POSTPAIDCREDIT',
        merchantName: 'a',
      });
      const sent = lastFor('matchedOffers');
      expect(sent.method).toBe('GET');
      expect(sent.path).toBe('/plo/v1/matchedoffers');
      expect(sent.query).toMatchObject({
        FId: ['999999'],
        UserToken: [token],
        PageNumber: ['2'],
        ItemsPerPage: ['5'],
        Lang: ['en_US'],
        Category: ['SHOP'],
        OfferType: ['POSTPAIDCREDIT'],
        MerchantName: ['a'],
      });
      expect(page.Status.Code).toBe('600');
      expect(page.CurrentPage).toBe(2);
      expect(typeof page.TotalCount).toBe('number');
      expect(Array.isArray(page.Items?.MatchedOffer)).toBe(true);
      for (const offer of page.Items!.MatchedOffer!) {
        expect(offer.OfferType).toBe('POSTPAIDCREDIT');
        expect(offer.Merchant?.Category).toBe('SHOP');
      }
    });

    it('getOfferDetails sends OfferId and Lang and returns that offer', async () => {
      const first = (await service.matchedOffers(user, { itemsPerPage: 1 })).Items!.MatchedOffer![0];
      const details = await service.getOfferDetails(user, { offerId: first.OfferId!, lang: 'fr_FR' });
      expect(lastFor('getOfferDetails').query).toMatchObject({ FId: ['999999'], UserToken: [token], OfferId: [first.OfferId!], Lang: ['fr_FR'] });
      expect(details.OfferDetails?.OfferId).toBe(first.OfferId);
      expect(details.OfferDetails?.Language).toBe('French');
    });

    it('activateStatementCreditOffer posts a JSON body with the token in it, then the activation detail reads it back', async () => {
      const offerId = await availableOffer(user);
      const activated = await service.activateStatementCreditOffer(user, { offerId, lang: 'en_US' });
      const sent = lastFor('activateStatementCreditOffer');
      expect(sent.method).toBe('POST');
      expect(sent.path).toBe('/plo/v2/activatestatementcreditoffer');
      expect(sent.headers['content-type']).toBe('application/json');
      expect(JSON.parse(sent.body)).toEqual({ FId: '999999', OfferId: offerId, Lang: 'en_US', UserToken: token });
      expect(Object.keys(sent.query)).toEqual([]);
      const activationId = activated.ScActivation?.ActivationId;
      expect(activated.ScActivation?.OfferId).toBe(offerId);
      expect(typeof activationId).toBe('string');

      const detail = await service.getStatementCreditActivationDetail(user, { activationId: activationId! });
      expect(lastFor('getStatementCreditActivationDetail').query).toMatchObject({ ActivationId: [activationId!], UserToken: [token] });
      expect(detail.ScActivation?.ActivationId).toBe(activationId);
      expect(detail.ScActivation?.Status).toBe('ACTIVATED');
    });

    it('sendUserFeedback posts Feedback as an integer; getUserFeedback reads it back with offer_id and feedback', async () => {
      const offerId = (await service.matchedOffers(user, { itemsPerPage: 1, pageNumber: 3 })).Items!.MatchedOffer![0].OfferId!;
      const sent = await service.sendUserFeedback(user, { offerId, feedback: 1 });
      expect(JSON.parse(lastFor('sendUserFeedback').body)).toEqual({ FId: '999999', OfferId: offerId, Feedback: 1, UserToken: token });
      expect(sent.UserFeedback).toEqual({ OfferId: offerId, Feedback: '1' });

      const list = await service.getUserFeedback(user, { offerId, feedback: [1] });
      expect(lastFor('getUserFeedback').query).toMatchObject({ offer_id: [offerId], feedback: ['1'], UserToken: [token] });
      expect(list.Items?.UserFeedback).toEqual([expect.objectContaining({ OfferId: offerId, Feedback: '1' })]);
    });

    it('getRedeemedOfferDetails and getUserSavings return the user’s redemptions and savings', async () => {
      const redeemed = await service.getRedeemedOfferDetails(user, { pageNumber: 1, itemsPerPage: 10 });
      expect(lastFor('getRedeemedOfferDetails').query).toMatchObject({ PageNumber: ['1'], ItemsPerPage: ['10'], UserToken: [token] });
      expect(redeemed.Items?.RedeemedOffer?.length).toBeGreaterThan(0);
      expect(redeemed.TotalCount).toBe(redeemed.Items!.RedeemedOffer!.length);

      const savings = await service.getUserSavings(user);
      expect(lastFor('getUserSavings').query).toEqual({ FId: ['999999'], UserToken: [token] });
      expect(savings.UserSavings?.savings?.offersRedeemed).toBe(redeemed.TotalCount);
    });
  });

  describe('paging', () => {
    it('iterateMatchedOffers yields every offer once, page by page, up to NumberOfPages', async () => {
      const first = await service.matchedOffers('pager', { itemsPerPage: 25 });
      simulator.clearRequests();
      const ids: string[] = [];
      for await (const offer of service.iterateMatchedOffers('pager', { itemsPerPage: 25 })) ids.push(offer.OfferId!);
      expect(first.NumberOfPages).toBeGreaterThanOrEqual(3);
      expect(ids).toHaveLength(first.TotalCount!);
      expect(new Set(ids).size).toBe(ids.length);
      expect(requestsFor('matchedOffers').map((r) => r.query.PageNumber[0])).toEqual(Array.from({ length: first.NumberOfPages! }, (_, i) => String(i + 1)));
    });

    it('stops at maxPages even when more pages remain', async () => {
      const ids: string[] = [];
      for await (const offer of service.iterateMatchedOffers('pager', { itemsPerPage: 10 }, { maxPages: 2 })) ids.push(offer.OfferId!);
      expect(ids).toHaveLength(20);
      expect(requestsFor('matchedOffers')).toHaveLength(2);
    });

    it('iterateRedeemedOffers yields the same items as one big page', async () => {
      const all = await service.getRedeemedOfferDetails('pager', { itemsPerPage: 100 });
      const ids: string[] = [];
      for await (const offer of service.iterateRedeemedOffers('pager', { itemsPerPage: 1 })) ids.push(offer.OfferId!);
      expect(ids).toEqual(all.Items!.RedeemedOffer!.map((o) => o.OfferId));
    });
  });

  describe('a refused user token', () => {
    it('is dropped, minted again and the call repeated once when the user was given by id', async () => {
      const before = await tokens.getUserToken('refresher');
      await service.getUserSavings('refresher');
      simulator.revokeUserTokens();
      simulator.clearRequests();
      await expect(service.getUserSavings('refresher')).resolves.toBeDefined();
      expect(simulator.requests.map((r) => r.operationId)).toEqual(['getUserSavings', 'getUserToken', 'getUserSavings']);
      const after = await tokens.getUserToken('refresher');
      expect(after).not.toBe(before);
      expect(lastFor('getUserSavings').query.UserToken).toEqual([after]);
    });

    it('is never replaced when the caller passed it in: the 401 is the caller’s error', async () => {
      const held = { userToken: await tokens.getUserToken('holder') };
      simulator.revokeUserTokens();
      simulator.clearRequests();
      const error = await service.getUserSavings(held).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersApiError);
      expect((error as PersonalizedOffersApiError).status).toBe(401);
      expect((error as PersonalizedOffersApiError).operation).toBe('getUserSavings');
      expect(requestsFor('getUserToken')).toHaveLength(0);
      expect(requestsFor('getUserSavings')).toHaveLength(1);
    });

    it('a 403 is treated like a 401: the token is minted again and the call repeated once', async () => {
      await service.getUserSavings('forbidden');
      simulator.setFault({ type: 'http-error', status: 403 }, { operation: 'getUserSavings', times: 1 });
      simulator.clearRequests();
      await expect(service.getUserSavings('forbidden')).resolves.toBeDefined();
      expect(simulator.requests.map((r) => r.operationId)).toEqual(['getUserSavings', 'getUserToken', 'getUserSavings']);
    });

    it('a refused token on the activation is renewed and the activation sent once more (a refusal means nothing was done)', async () => {
      const offerId = await availableOffer('refused-activator');
      simulator.revokeUserTokens();
      simulator.clearRequests();
      const result = await service.activateStatementCreditOffer('refused-activator', { offerId });
      expect(result.ScActivation?.OfferId).toBe(offerId);
      expect(simulator.requests.map((r) => r.operationId)).toEqual(['activateStatementCreditOffer', 'getUserToken', 'activateStatementCreditOffer']);
    });

    it('is renewed only once: a second refusal is the caller’s error', async () => {
      await service.getUserSavings('twice');
      simulator.setFault({ type: 'http-error', status: 401 }, { operation: 'getUserSavings' });
      simulator.clearRequests();
      const error = await service.getUserSavings('twice').catch((e: unknown) => e);
      expect((error as PersonalizedOffersApiError).status).toBe(401);
      expect(requestsFor('getUserSavings')).toHaveLength(2);
      expect(requestsFor('getUserToken')).toHaveLength(1);
    });
  });

  describe('the activation is never repeated after it may have arrived', () => {
    it.each<[string, Parameters<PersonalizedOffersSimulator['setFault']>[0], boolean]>([
      ['a 503', { type: 'http-error', status: 503 }, false],
      ['a 500', { type: 'http-error', status: 500 }, false],
      ['a timeout', { type: 'hang' }, true],
      ['a reset mid-body', { type: 'reset-mid-body' }, false],
    ])('after %s: one request, PersonalizedOffersOutcomeUnknownError', async (_, fault, timedOut) => {
      const offerId = await availableOffer('activator');
      simulator.setFault(fault, { operation: 'activateStatementCreditOffer', times: 1 });
      simulator.clearRequests();
      const error = await service.activateStatementCreditOffer('activator', { offerId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
      expect((error as PersonalizedOffersOutcomeUnknownError).timedOut).toBe(timedOut);
      expect((error as PersonalizedOffersOutcomeUnknownError).operation).toBe('activateStatementCreditOffer');
      expect(requestsFor('activateStatementCreditOffer')).toHaveLength(1);
    });

    it('while a read with the same fault is retried and succeeds', async () => {
      await service.getUserSavings('activator');
      simulator.setFault({ type: 'http-error', status: 503 }, { operation: 'getUserSavings', times: 1 });
      simulator.clearRequests();
      await expect(service.getUserSavings('activator')).resolves.toBeDefined();
      expect(requestsFor('getUserSavings')).toHaveLength(2);
    });

    it('and feedback (last write wins) is retried too', async () => {
      const offerId = (await service.matchedOffers('activator', { itemsPerPage: 1 })).Items!.MatchedOffer![0].OfferId!;
      simulator.setFault({ type: 'http-error', status: 502 }, { operation: 'sendUserFeedback', times: 1 });
      simulator.clearRequests();
      await expect(service.sendUserFeedback('activator', { offerId, feedback: 0 })).resolves.toBeDefined();
      expect(requestsFor('sendUserFeedback')).toHaveLength(2);
    });

    it('an offer that is already active is a PersonalizedOffersApiError with the non-600 status, not a success', async () => {
      const offerId = await availableOffer('twice-active');
      await service.activateStatementCreditOffer('twice-active', { offerId });
      const error = await service.activateStatementCreditOffer('twice-active', { offerId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersApiError);
      expect((error as PersonalizedOffersApiError).status).toBe(200);
      expect((error as PersonalizedOffersApiError).apiStatus).toEqual({ code: '400', message: 'Bad Request' });
      expect((error as PersonalizedOffersApiError).operation).toBe('activateStatementCreditOffer');
    });
  });

  describe('bad input is refused before any request', () => {
    it.each<[string, (s: LegacyUserPresentmentService) => Promise<unknown>, string]>([
      ['pageNumber 0', (s) => s.matchedOffers('u', { pageNumber: 0 }), 'pageNumber'],
      ['itemsPerPage 2.5', (s) => s.matchedOffers('u', { itemsPerPage: 2.5 }), 'itemsPerPage'],
      ['lang en', (s) => s.matchedOffers('u', { lang: 'en' }), 'lang'],
      ['userFeedback 2', (s) => s.matchedOffers('u', { userFeedback: 2 as 0 }), 'userFeedback'],
      ['presentmentDate 2024-13-01', (s) => s.matchedOffers('u', { presentmentDate: '2024-13-01' }), 'presentmentDate'],
      ['latitude 91', (s) => s.matchedOffers('u', { latitude: 91 }), 'latitude'],
      ['merchantName with a newline', (s) => s.matchedOffers('u', { merchantName: 'a\nb' }), 'merchantName'],
      ['no offerId', (s) => s.getOfferDetails('u', {} as never), 'offerId'],
      ['an empty activationId', (s) => s.getStatementCreditActivationDetail('u', { activationId: '' }), 'activationId'],
      ['feedback 5', (s) => s.sendUserFeedback('u', { offerId: 'x', feedback: 5 as 0 }), 'feedback'],
      ['params that are not an object', (s) => s.activateStatementCreditOffer('u', 'x' as never), 'params'],
      ['an empty userToken', (s) => s.getUserSavings({ userToken: '' }), 'user.userToken'],
    ])('%s → InvalidArgumentError naming %s', async (_, call, argument) => {
      const before = simulator.requestCount;
      const error = await call(service).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect(simulator.requestCount).toBe(before);
    });

    it('a bad user id is an InvalidUserIdError before any request', async () => {
      const before = simulator.requestCount;
      await expect(service.getUserSavings('a:b')).rejects.toBeInstanceOf(InvalidUserIdError);
      expect(simulator.requestCount).toBe(before);
    });
  });

  it('a 200 whose body is not the model is a PersonalizedOffersInvalidResponseError naming the operation', async () => {
    await service.getUserSavings('shape');
    simulator.setFault({ type: 'malformed-json' }, { operation: 'matchedOffers' });
    const error = await service.matchedOffers('shape').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersInvalidResponseError);
    expect((error as PersonalizedOffersInvalidResponseError).code).toBe('INVALID_RESPONSE');
    expect((error as PersonalizedOffersInvalidResponseError).operation).toBe('matchedOffers');
  });

  it("legacyWrites: 'v1' sends both writes in the v1.3 form: POST /plo/v1 with query parameters and no body", async () => {
    const v1 = await boot({ legacyWrites: 'v1' });
    try {
      const legacy = v1.get(LegacyUserPresentmentService);
      const token = await v1.get(UserTokenService).getUserToken('v1-user');
      const offerId = await availableOffer('v1-user');
      const activated = await legacy.activateStatementCreditOffer('v1-user', { offerId });
      expect(activated.ScActivation?.OfferId).toBe(offerId);
      const activation = lastFor('activateStatementCreditOffer');
      expect(activation.path).toBe('/plo/v1/activatestatementcreditoffer');
      expect(activation.query).toEqual({ FId: ['999999'], OfferId: [offerId], UserToken: [token] });
      expect(activation.body).toBe('');

      await legacy.sendUserFeedback('v1-user', { offerId, feedback: 0 });
      const feedback = lastFor('sendUserFeedback');
      expect(feedback.method).toBe('POST');
      expect(feedback.path).toBe('/plo/v1/userfeedback');
      expect(feedback.query).toEqual({ FId: ['999999'], OfferId: [offerId], Feedback: ['0'], UserToken: [token] });
      expect(feedback.body).toBe('');
      await expect(legacy.activateStatementCreditOffer('v1-user', { offerId, lang: 'en_US' })).rejects.toBeInstanceOf(InvalidArgumentError);
    } finally {
      await v1.close();
    }
  });
});
