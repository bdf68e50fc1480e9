import { Test, type TestingModule } from '@nestjs/testing';
import OAuth from 'mastercard-oauth1-signer';
import {
  type HttpOptions,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  PersonalizedOffersNetworkError,
  PersonalizedOffersUnavailableError,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, type SimulatorFault, type SimulatorFaultSchedule } from 'nestjs-personalized-offers/testing';
import { GATEWAY, expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';
import { LeakWatch } from './support/leaks.js';

/**
 * Each simulator fault mode through the module: what users see, how many attempts were made
 * (the simulator's count), and that nothing is left running afterwards. Signed, through the
 * simulator's gateway: every attempt (retries included) is signed afresh and admitted, so each
 * one draws its fault exactly as an ungated simulator's would, in the same order.
 */
describe('fault modes through the module', () => {
  const simulator = gatewaySimulator();
  const leaks = new LeakWatch();
  let moduleRef: TestingModule | undefined;
  let serial = 0;

  beforeAll(async () => {
    await simulator.start();
    leaks.start();
  });
  afterAll(async () => {
    leaks.stop();
    await simulator.stop();
  });
  beforeEach(() => {
    simulator.clearFaults();
    simulator.resetRequestCount();
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    await leaks.check();
    expectNoGatewayRefusal(simulator);
  });

  async function users(http: HttpOptions = {}): Promise<UserTokenService> {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          ...signed,
          cache: false,
          http: { timeoutMs: 1_000, retry: { retries: 2, minDelayMs: 10, maxDelayMs: 1_500 }, ...http },
        }),
      ],
    }).compile();
    return moduleRef.get(UserTokenService);
  }

  const user = () => `fault-user-${serial++}`;
  const fault = (f: SimulatorFault, schedule: SimulatorFaultSchedule = {}) => simulator.setFault(f, schedule);

  describe('recovered by retries', () => {
    it.each([500, 502, 503, 504])('HTTP %i twice, then success: 3 attempts', async (status) => {
      fault({ type: 'http-error', status }, { times: 2 });
      const u = user();
      await expect((await users()).getUserToken(u)).resolves.toBe(simulator.tokenFor('999999', u));
      expect(simulator.requestCount).toBe(3);
    });

    it.each([429, 503])('HTTP %i with Retry-After: 1 waits a second, then succeeds', async (status) => {
      fault({ type: 'http-error', status, retryAfter: '1' }, { times: 1 });
      const svc = await users();
      const started = performance.now();
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
      expect(simulator.requestCount).toBe(2);
    });

    it('a hung answer is freed by the timeout and retried', async () => {
      fault({ type: 'hang' }, { times: 1 });
      const svc = await users({ timeoutMs: 300 });
      const started = performance.now();
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(simulator.requestCount).toBe(2);
    });

    it('a connection reset mid-body is retried', async () => {
      fault({ type: 'reset-mid-body' }, { times: 1 });
      await expect((await users()).getUserToken(user())).resolves.toBeDefined();
      expect(simulator.requestCount).toBe(2);
    });

    it('added latency below the timeout is just slower', async () => {
      fault({ type: 'latency', ms: 150 });
      const svc = await users();
      const started = performance.now();
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      expect(simulator.requestCount).toBe(1);
    });
  });

  describe('reported as typed errors', () => {
    it.each([500, 502, 503, 504, 429])('HTTP %i every time: PersonalizedOffersApiError after 3 attempts', async (status) => {
      fault({ type: 'http-error', status, ...(status === 429 ? { retryAfter: '0' } : {}) });
      const error = await (await users()).getUserToken(user()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersApiError);
      expect(error).toMatchObject({ status, errors: [{ reasonCode: String(status), source: 'PersonalizedOffersSimulator' }] });
      if (status === 429) expect(error).toMatchObject({ retryAfterMs: 0 });
      expect(simulator.requestCount).toBe(3);
    });

    it('an HTML error page: PersonalizedOffersApiError with a short excerpt', async () => {
      fault({ type: 'html-error' });
      const error = await (await users()).getUserToken(user()).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PersonalizedOffersApiError', status: 502, errors: [] });
      expect((error as PersonalizedOffersApiError).bodyExcerpt).toContain('502 Bad Gateway');
      expect(simulator.requestCount).toBe(3);
    });

    it('latency past the timeout: PersonalizedOffersNetworkError (timedOut) after 3 attempts', async () => {
      fault({ type: 'latency', ms: 1_000 });
      const error = await (await users({ timeoutMs: 200 })).getUserToken(user()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersNetworkError);
      expect(error).toMatchObject({ timedOut: true, code: 'NETWORK_TIMEOUT' });
      expect(simulator.requestCount).toBe(3);
    });

    it('an upstream that never answers: PersonalizedOffersNetworkError (timedOut)', async () => {
      fault({ type: 'hang' });
      const svc = await users({ timeoutMs: 200, retry: false });
      await expect(svc.getUserToken(user())).rejects.toMatchObject({ name: 'PersonalizedOffersNetworkError', timedOut: true });
      expect(simulator.requestCount).toBe(1);
    });

    it('resets every time: PersonalizedOffersNetworkError with the low-level code as cause', async () => {
      fault({ type: 'reset-mid-body' });
      const error = await (await users()).getUserToken(user()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersNetworkError);
      expect(error).toMatchObject({ timedOut: false, code: 'NETWORK_ERROR' });
      expect(((error as Error).cause as { code: string }).code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET|ERR_BAD_RESPONSE)$/);
      expect(simulator.requestCount).toBe(3);
    });

    it.each<[string, SimulatorFault, object]>([
      ['malformed JSON', { type: 'malformed-json' }, { status: 200, bodyExcerpt: expect.stringContaining('{"Response"') }],
      ['an empty body', { type: 'empty-body' }, { status: 200, bodyExcerpt: '' }],
      [
        'a non-600 status',
        { type: 'status-code', code: '601', message: 'User not enrolled' },
        { status: 200, apiStatus: { code: '601', message: 'User not enrolled' } },
      ],
      ['a 600 without a token', { type: 'no-token' }, { status: 200, apiStatus: { code: '600' } }],
    ])('%s: PersonalizedOffersApiError, not retried', async (_, f, fields) => {
      fault(f);
      const error = await (await users()).getUserToken(user()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersApiError);
      expect(error).toMatchObject(fields);
      expect(simulator.requestCount).toBe(1);
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, fails fast, half-opens, and closes on a good probe', async () => {
      fault({ type: 'http-error', status: 503 });
      const svc = await users({ retry: false, circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 } });
      for (let i = 0; i < 3; i++) await expect(svc.getUserToken(user())).rejects.toBeInstanceOf(PersonalizedOffersApiError);
      await expect(svc.getUserToken(user())).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
      await expect(svc.getUserToken(user())).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
      expect(simulator.requestCount).toBe(3);
      simulator.clearFaults();
      await new Promise((r) => setTimeout(r, 350));
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      expect(simulator.requestCount).toBe(5);
    });

    it('timeouts count as failures too', async () => {
      fault({ type: 'hang' });
      const svc = await users({ timeoutMs: 100, retry: false, circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
      for (let i = 0; i < 2; i++) await expect(svc.getUserToken(user())).rejects.toBeInstanceOf(PersonalizedOffersNetworkError);
      await expect(svc.getUserToken(user())).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
      expect(simulator.requestCount).toBe(2);
    });
  });

  describe('fault schedules are deterministic', () => {
    it('applies from a given request number', async () => {
      fault({ type: 'status-code', code: '602' }, { fromRequest: 3 });
      const svc = await users();
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      await expect(svc.getUserToken(user())).resolves.toBeDefined();
      await expect(svc.getUserToken(user())).rejects.toMatchObject({ apiStatus: { code: '602' } });
    });

    it('replays the same faults for the same seed and request order; behind the gateway too, where refused requests draw none', async () => {
      const run = async (gated: boolean) => {
        const faults = [
          { fault: { type: 'status-code', code: '601' }, schedule: { probability: 0.2, seed: 42 } },
          { fault: { type: 'empty-body' }, schedule: { probability: 0.1, seed: 7 } },
        ] as const;
        const sim = gated ? gatewaySimulator({ faults: [...faults] }) : new PersonalizedOffersSimulator({ faults: [...faults] });
        const { baseUrl } = await sim.start();
        const url = `${baseUrl}/plo/v1/usertoken?FId=999999&AuthInfo=00`;
        const outcomes: string[] = [];
        let refused = 0;
        for (let i = 0; i < 60; i++) {
          if (gated) {
            // An unsigned request before each signed one: refused by the gateway, so it must not draw.
            const unsigned = await fetch(url);
            await unsigned.text();
            if (unsigned.status === 400) refused += 1;
          }
          const headers: Record<string, string> = gated
            ? { Authorization: OAuth.getAuthorizationHeader(url, 'GET', null, GATEWAY.consumerKey, GATEWAY.signingKey) }
            : {};
          const res = await fetch(url, { headers });
          outcomes.push(`${res.status}:${(await res.text()).slice(0, 40)}`);
        }
        await sim.stop();
        return { outcomes, applied: sim.faultsApplied, refused };
      };
      const [a, b, gated] = [await run(false), await run(false), await run(true)];
      expect(a.outcomes).toEqual(b.outcomes);
      expect(a.applied['status-code']).toBeGreaterThan(3);
      expect(a.applied['empty-body']).toBeGreaterThan(0);
      expect(a.applied['status-code'] + a.applied['empty-body']).toBeLessThan(40);
      // Behind the gateway the 60 admitted requests get the very same sequence: only admission draws.
      expect(gated.refused).toBe(60);
      expect(gated.outcomes).toEqual(a.outcomes);
      expect(gated.applied).toEqual(a.applied);
    });
  });
});
