import { Controller, Get, type INestApplication, Param, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  LegacyUserPresentmentService,
  PersonalizedOffersApiError,
  PersonalizedOffersExceptionFilter,
  PersonalizedOffersModule,
  PersonalizedOffersNotFoundError,
  PersonalizedOffersOutcomeStillUnknownError,
  PersonalizedOffersOutcomeUnknownError,
  UserPresentmentService,
  isAlreadyActivatedError,
} from 'nestjs-personalized-offers';
import type { SimulatorFault } from 'nestjs-personalized-offers/testing';
import { simulatorState } from '../soak/reconcile.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

const FID = '999999';
const TIMEOUT_MS = 300;
/** Fast resolution for tests: the defaults wait 250 ms before the first read. */
const FAST = { readBackoffMs: 10 } as const;

/**
 * Writes whose outcome is unknown, resolved: after each fault kind the simulator can put on an
 * activation, `ensureActivated` leaves the offer activated exactly once — sent once when the
 * write landed (its answer lost), twice when reads proved it had not — and answers
 * `activated: true`; `getActivationStatus` agrees with the simulator's own state before and
 * after. Signed, through the simulator's gateway; real HTTP on loopback.
 */
describe('resolving writes whose outcome is unknown', () => {
  const simulator = gatewaySimulator({ fIds: [FID] });
  let moduleRef: TestingModule;
  let legacy: LegacyUserPresentmentService;
  let current: UserPresentmentService;
  let serial = 0;

  beforeAll(async () => {
    await simulator.start();
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: FID,
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          ...signed,
          http: { timeoutMs: TIMEOUT_MS, retry: { retries: 2, minDelayMs: 0, maxDelayMs: 5 }, circuitBreaker: false },
        }),
      ],
    }).compile();
    legacy = moduleRef.get(LegacyUserPresentmentService);
    current = moduleRef.get(UserPresentmentService);
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

  const freshUser = () => `resolver-${++serial}`;
  const state = (userId: string) => simulatorState(simulator).user(FID, userId);
  const sent = (operationId: string) => simulator.requests.filter((r) => r.operationId === operationId).length;

  async function legacyActivatable(userId: string): Promise<string> {
    for await (const offer of legacy.iterateMatchedOffers(userId, { offerType: 'POSTPAIDCREDIT' })) {
      if (offer.ActiveSc === 'AVAILABLE') return offer.OfferId!;
    }
    throw new Error('no legacy offer to activate');
  }

  async function currentActivatable(userId: string): Promise<string> {
    for await (const offer of current.iterateOffers(userId, { offerType: 'POSTPAIDCREDIT', active: false })) {
      if (offer.activationType === 'USER_ACTIVATION') return offer.id!;
    }
    throw new Error('no offer to activate');
  }

  /** Fault kind, the fault, whether the write lands (its answer lost) under it. */
  const FAULTS: Array<[string, SimulatorFault, boolean]> = [
    ['reset-mid-body (the write ran, its answer was cut)', { type: 'reset-mid-body' }, true],
    [`hang (timeout ${TIMEOUT_MS} ms)`, { type: 'hang' }, false],
    [`latency past the timeout (the simulator drops it when the client gives up)`, { type: 'latency', ms: TIMEOUT_MS * 4 }, false],
    ['http-error 500', { type: 'http-error', status: 500 }, false],
    ['http-error 503', { type: 'http-error', status: 503 }, false],
    ['html-error 502 (a proxy page)', { type: 'html-error', status: 502 }, false],
    ['malformed-json', { type: 'malformed-json' }, false],
    ['empty-body', { type: 'empty-body' }, false],
    ['no-token (a success that confirms nothing)', { type: 'no-token' }, false],
  ];

  describe.each([
    ['legacy (activateStatementCreditOffer)', 'activateStatementCreditOffer'],
    ['current API (processActivations)', 'processActivations'],
  ] as const)('%s', (_, operation) => {
    const isLegacy = operation === 'activateStatementCreditOffer';
    const activatable = (userId: string) => (isLegacy ? legacyActivatable(userId) : currentActivatable(userId));
    const status = (userId: string, offerId: string) => (isLegacy ? legacy.getActivationStatus(userId, offerId) : current.getActivationStatus(userId, offerId));
    const ensure = (userId: string, offerId: string, options: object = FAST) =>
      isLegacy ? legacy.ensureActivated(userId, offerId, options) : current.ensureActivated(userId, offerId, options);
    const activate = (userId: string, offerId: string) =>
      isLegacy ? legacy.activateStatementCreditOffer(userId, { offerId }) : current.processActivations(userId, { offerId });

    it.each(FAULTS)('after %s: activated exactly once, answered activated: true, and getActivationStatus agrees', async (_kind, fault, lands) => {
      const user = freshUser();
      const offerId = await activatable(user);
      expect(state(user).activations.has(offerId)).toBe(false);
      expect(await status(user, offerId)).toEqual({ offerId, activated: false, pending: false });

      // The plain activation meets the fault as an outcome-unknown error: the premise of the test.
      simulator.setFault(fault, { operation, times: 1 });
      if (!lands) {
        await expect(activate(user, offerId)).rejects.toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
        expect(state(user).activations.has(offerId)).toBe(false);
        simulator.setFault(fault, { operation, times: 1 });
      }
      simulator.clearRequests();

      const result = await ensure(user, offerId);

      const activation = state(user).activations.get(offerId);
      expect(activation).toBeDefined();
      // Landed: never sent again (a second one would have been refused as already active, or doubled it on Mastercard).
      expect(sent(operation)).toBe(lands ? 1 : 2);
      expect(result).toEqual(
        isLegacy
          ? { activated: true, alreadyActive: false, activationId: activation!.activationId }
          : lands
            ? { activated: true, alreadyActive: false }
            : { activated: true, alreadyActive: false, activationId: expect.any(String) },
      );
      expect(await status(user, offerId)).toEqual({
        offerId,
        activated: true,
        pending: false,
        ...(isLegacy ? { activationId: activation!.activationId } : {}),
      });
    });

    it('an offer already active: alreadyActive: true, one activation sent, the simulator state unchanged', async () => {
      const user = freshUser();
      const offerId = await activatable(user);
      await activate(user, offerId);
      const before = state(user).activations.get(offerId);
      simulator.clearRequests();
      expect(isAlreadyActivatedError(await activate(user, offerId).catch((e: unknown) => e))).toBe(true);

      simulator.clearRequests();
      const result = await ensure(user, offerId);
      expect(result).toEqual({ activated: true, alreadyActive: true, ...(isLegacy ? { activationId: before!.activationId } : {}) });
      expect(sent(operation)).toBe(1);
      expect(state(user).activations.get(offerId)).toBe(before);
    });

    it('with the default options (no options argument): a lost answer is resolved by a read, sent once', async () => {
      const user = freshUser();
      const offerId = await activatable(user);
      simulator.setFault({ type: 'reset-mid-body' }, { operation, times: 1 });
      simulator.clearRequests();
      const result = await (isLegacy ? legacy.ensureActivated(user, offerId) : current.ensureActivated(user, offerId));
      expect(result).toMatchObject({ activated: true, alreadyActive: false });
      expect(sent(operation)).toBe(1);
      expect(state(user).activations.has(offerId)).toBe(true);
    });

    it('an ALWAYSON offer (active without a call): alreadyActive: true, and getActivationStatus says active', async () => {
      const user = freshUser();
      let offerId: string | undefined;
      if (isLegacy) {
        for await (const o of legacy.iterateMatchedOffers(user, { offerType: 'ALWAYSON' })) offerId ??= o.OfferId;
      } else {
        for await (const o of current.iterateOffers(user, { offerType: 'ALWAYSON' })) offerId ??= o.id;
      }
      expect(offerId).toBeDefined();
      expect(await status(user, offerId!)).toEqual({ offerId, activated: true, pending: false });
      simulator.clearRequests();
      expect(await ensure(user, offerId!)).toEqual({ activated: true, alreadyActive: true });
      expect(sent(operation)).toBe(1);
      expect(state(user).activations.has(offerId!)).toBe(false);
    });

    it('reads that keep failing: PersonalizedOffersOutcomeStillUnknownError (OUTCOME_UNKNOWN), never sent again', async () => {
      const user = freshUser();
      const offerId = await activatable(user);
      simulator.setFault({ type: 'http-error', status: 500 }, { operation, times: 1 });
      simulator.addFault({ type: 'http-error', status: 500 }, { operation: isLegacy ? 'matchedOffers' : 'getOffers' });
      simulator.clearRequests();
      const error = await ensure(user, offerId, { ...FAST, maxReads: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersOutcomeStillUnknownError);
      expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', operation, pending: false, reads: 3 });
      expect(sent(operation)).toBe(1);
      expect(state(user).activations.has(offerId)).toBe(false);
    });

    it('proven not landed but no send left (maxSends: 1): the write’s own definite error, nothing activated', async () => {
      const user = freshUser();
      const offerId = await activatable(user);
      simulator.setFault({ type: 'http-error', status: 500 }, { operation, times: 1 });
      simulator.clearRequests();
      const error = await ensure(user, offerId, { ...FAST, maxSends: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersApiError);
      expect(error).toMatchObject({ status: 500 });
      expect(sent(operation)).toBe(1);
      expect(state(user).activations.has(offerId)).toBe(false);
    });

    it('getActivationStatus of an offer the user does not have: PersonalizedOffersNotFoundError, not "not active"', async () => {
      await expect(status(freshUser(), 'no-such-offer')).rejects.toBeInstanceOf(PersonalizedOffersNotFoundError);
    });
  });

  it('legacy: a generic non-600 "Bad Request" on an offer that is NOT active is not taken for "already active" (the read disproves it)', async () => {
    const user = freshUser();
    const offerId = await legacyActivatable(user);
    simulator.setFault({ type: 'status-code', code: '400', message: 'Bad Request' }, { operation: 'activateStatementCreditOffer', times: 1 });
    const error = await legacy.ensureActivated(user, offerId, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(isAlreadyActivatedError(error)).toBe(true);
    expect(state(user).activations.has(offerId)).toBe(false);
    expect(await legacy.getActivationStatus(user, offerId)).toEqual({ offerId, activated: false, pending: false });
  });

  it('legacy: an activated offer the user disliked (missing from the plain matchedoffers list) is still found', async () => {
    const user = freshUser();
    const offerId = await legacyActivatable(user);
    const { activationId } = await legacy.ensureActivated(user, offerId, FAST);
    await legacy.sendUserFeedback(user, { offerId, feedback: 0 });
    expect(await legacy.getActivationStatus(user, offerId)).toEqual({ offerId, activated: true, pending: false, activationId });
  });

  it('the legacy and current views agree: an offer activated through one is active through the other', async () => {
    const user = freshUser();
    const offerId = await currentActivatable(user);
    await current.ensureActivated(user, offerId, FAST);
    const status = await legacy.getActivationStatus(user, offerId);
    expect(status).toEqual({ offerId, activated: true, pending: false, activationId: state(user).activations.get(offerId)!.activationId });
  });

  describe('PersonalizedOffersExceptionFilter end to end (Express, APP_FILTER)', () => {
    @Controller()
    class ActivationController {
      constructor(
        private readonly plo: LegacyUserPresentmentService,
        private readonly loyalty: UserPresentmentService,
      ) {}

      @Post('legacy/:user/:offerId')
      legacyActivate(@Param('user') user: string, @Param('offerId') offerId: string) {
        return this.plo.activateStatementCreditOffer(user, { offerId });
      }

      @Post('loyalty/:user/:offerId')
      loyaltyActivate(@Param('user') user: string, @Param('offerId') offerId: string) {
        return this.loyalty.processActivations(user, { offerId });
      }

      @Get('loyalty/:user/:offerId')
      loyaltyStatus(@Param('user') user: string, @Param('offerId') offerId: string) {
        return this.loyalty.getActivationStatus(user, offerId);
      }
    }

    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      const ref = await Test.createTestingModule({
        imports: [
          PersonalizedOffersModule.forRoot({
            fId: FID,
            baseUrl: simulator.baseUrl,
            authInfo: simulator.authInfo,
            ...signed,
            http: { timeoutMs: TIMEOUT_MS, retry: { retries: 0 }, circuitBreaker: false },
          }),
        ],
        controllers: [ActivationController],
        providers: [{ provide: APP_FILTER, useClass: PersonalizedOffersExceptionFilter }],
      }).compile();
      app = ref.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(() => app.close());

    const post = async (path: string) => {
      const response = await fetch(`${url}${path}`, { method: 'POST' });
      return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
    };

    it.each(['legacy', 'loyalty'] as const)('%s: activating twice → 201, then 409 ALREADY_ACTIVATED', async (api) => {
      const user = freshUser();
      const offerId = api === 'legacy' ? await legacyActivatable(user) : await currentActivatable(user);
      expect((await post(`/${api}/${user}/${offerId}`)).status).toBe(201);
      expect(await post(`/${api}/${user}/${offerId}`)).toEqual({
        status: 409,
        body: { statusCode: 409, code: 'ALREADY_ACTIVATED', message: 'The offer is already activated.' },
      });
    });

    it('an activation whose answer was lost → 202 OUTCOME_UNKNOWN telling the client to check the status; the status route then says active', async () => {
      const user = freshUser();
      const offerId = await currentActivatable(user);
      simulator.setFault({ type: 'reset-mid-body' }, { operation: 'processActivations', times: 1 });
      const answer = await post(`/loyalty/${user}/${offerId}`);
      expect(answer.status).toBe(202);
      expect(answer.body.code).toBe('OUTCOME_UNKNOWN');
      expect(answer.body.message).toMatch(/check .*activation status.*do not repeat/i);
      const status = await fetch(`${url}/loyalty/${user}/${offerId}`);
      expect(await status.json()).toEqual({ offerId, activated: true, pending: false });
    });

    it('an unknown offer → 404 NOT_FOUND (legacy upstream 404, and getActivationStatus)', async () => {
      const user = freshUser();
      expect(await post(`/legacy/${user}/no-such-offer`)).toEqual({
        status: 404,
        body: { statusCode: 404, code: 'NOT_FOUND', message: 'The offer or activation was not found.' },
      });
      expect(await post(`/loyalty/${user}/no-such-offer`)).toEqual({
        status: 404,
        body: { statusCode: 404, code: 'NOT_FOUND', message: 'The offer or activation was not found.' },
      });
      const status = await fetch(`${url}/loyalty/${user}/no-such-offer`);
      expect(status.status).toBe(404);
      expect(((await status.json()) as { code: string }).code).toBe('NOT_FOUND');
    });
  });
});
