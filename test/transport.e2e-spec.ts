import type { HttpService } from '@nestjs/axios';
import { Test, type TestingModule } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import {
  type HttpOptions,
  PERSONALIZED_OFFERS_HTTP,
  PersonalizedOffersApiError,
  PersonalizedOffersError,
  PersonalizedOffersModule,
  PersonalizedOffersNetworkError,
  PersonalizedOffersUnavailableError,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { LoopbackServer, answerOk, okBody } from './support/loopback-server.js';

const authInfo = { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' };
const fastRetry = { retries: 2, minDelayMs: 10, maxDelayMs: 50 };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

describe.each(['undici', 'node'] as const)('transport %s against a real loopback server', (transport) => {
  const server = new LoopbackServer();
  let baseUrl: string;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    server.responder = answerOk;
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    expect(unhandled).toEqual([]);
  });

  async function service(http: HttpOptions = {}): Promise<UserTokenService> {
    moduleRef = await Test.createTestingModule({
      // No token cache here: every call must reach the transport under test.
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo, cache: false, http: { transport, retry: fastRetry, ...http } })],
    }).compile();
    return moduleRef.get(UserTokenService);
  }

  const statusThenOk = (statuses: number[], headers: Record<string, string> = {}) =>
    (server.responder = (req, res, i) => (i < statuses.length ? res.writeHead(statuses[i], headers).end('{}') : answerOk(req, res, i)));

  describe('timeouts', () => {
    it('aborts a request that never gets an answer and frees its socket', async () => {
      server.responder = () => {}; // never answers
      const users = await service({ timeoutMs: 150, retry: false });
      const started = performance.now();
      const error = await users.getUserToken('alice').catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(PersonalizedOffersNetworkError);
      expect(error).toMatchObject({ timedOut: true, code: 'NETWORK_TIMEOUT' });
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(2_000);
      await waitFor(() => server.sockets.size === 0);
    });

    it('covers the whole attempt: a body that trickles in past the limit times out', async () => {
      server.responder = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"Response":');
        const drip = setInterval(() => (res.writableEnded || res.destroyed ? clearInterval(drip) : res.write(' ')), 40);
        res.on('close', () => clearInterval(drip));
      };
      const users = await service({ timeoutMs: 200, retry: false });
      await expect(users.getUserToken('alice')).rejects.toMatchObject({ timedOut: true });
      await waitFor(() => server.sockets.size === 0);
    });

    it('retries a timed-out attempt', async () => {
      server.responder = (req, res, i) => (i === 0 ? undefined : answerOk(req, res, i));
      const users = await service({ timeoutMs: 150 });
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123');
      expect(server.requests).toHaveLength(2);
    });
  });

  describe('retries', () => {
    it.each([500, 502, 503, 504, 429])('retries %i and then succeeds', async (status) => {
      statusThenOk([status, status]);
      const users = await service();
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123');
      expect(server.requests).toHaveLength(3);
    });

    it('gives up after the configured retries with the last error', async () => {
      statusThenOk([500, 500, 500, 500]);
      const users = await service();
      await expect(users.getUserToken('alice')).rejects.toMatchObject({ name: 'PersonalizedOffersApiError', status: 500 });
      expect(server.requests).toHaveLength(3);
    });

    it.each([400, 401, 403, 404, 409])('never retries %i', async (status) => {
      statusThenOk([status]);
      const users = await service();
      await expect(users.getUserToken('alice')).rejects.toMatchObject({ status });
      expect(server.requests).toHaveLength(1);
    });

    it('retries a connection reset', async () => {
      server.responder = (req, res, i) => (i === 0 ? req.socket.destroy() : answerOk(req, res, i));
      const users = await service();
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123');
      expect(server.requests).toHaveLength(2);
    });

    it('honours Retry-After in seconds on 429', async () => {
      statusThenOk([429], { 'Retry-After': '1' });
      const users = await service({ retry: { retries: 1, minDelayMs: 10, maxDelayMs: 5_000 } });
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123');
      const gap = server.requests[1].at - server.requests[0].at;
      expect(gap).toBeGreaterThanOrEqual(950);
      expect(gap).toBeLessThan(2_500);
    });

    it('honours Retry-After as an HTTP date on 503', async () => {
      server.responder = (req, res, i) =>
        i === 0 ? res.writeHead(503, { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() }).end() : answerOk(req, res, i);
      const users = await service({ retry: { retries: 1, minDelayMs: 10, maxDelayMs: 5_000 } });
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123');
      const gap = server.requests[1].at - server.requests[0].at;
      expect(gap).toBeGreaterThanOrEqual(900); // HTTP dates have 1 s resolution
      expect(gap).toBeLessThan(3_000);
    });

    it('caps Retry-After at maxDelayMs', async () => {
      statusThenOk([429], { 'Retry-After': '60' });
      const users = await service({ retry: { retries: 1, minDelayMs: 10, maxDelayMs: 300 } });
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123');
      const gap = server.requests[1].at - server.requests[0].at;
      expect(gap).toBeGreaterThanOrEqual(280);
      expect(gap).toBeLessThan(1_500);
    });

    it('reports Retry-After on the final error', async () => {
      statusThenOk([429, 429], { 'Retry-After': '0' });
      const users = await service({ retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 } });
      await expect(users.getUserToken('alice')).rejects.toMatchObject({ status: 429, retryAfterMs: 0 });
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, fails fast, half-opens to probe and closes', async () => {
      server.responder = (_req, res) => res.writeHead(503).end();
      const users = await service({ retry: false, circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 } });
      for (let i = 0; i < 3; i++) await expect(users.getUserToken('alice')).rejects.toBeInstanceOf(PersonalizedOffersApiError);
      expect(server.requests).toHaveLength(3);

      const started = performance.now();
      const fast = await users.getUserToken('alice').catch((e: unknown) => e);
      expect(fast).toBeInstanceOf(PersonalizedOffersUnavailableError);
      expect(performance.now() - started).toBeLessThan(50);
      expect(server.requests).toHaveLength(3); // no request while open

      await new Promise((r) => setTimeout(r, 350));
      server.responder = answerOk;
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123'); // the probe
      await expect(users.getUserToken('alice')).resolves.toBe('tok-123'); // closed again
      expect(server.requests).toHaveLength(5);
    });

    it('a failed probe opens the circuit again', async () => {
      server.responder = (_req, res) => res.writeHead(500).end();
      const users = await service({ retry: false, circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 200 } });
      for (let i = 0; i < 2; i++) await users.getUserToken('alice').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
      await expect(users.getUserToken('alice')).rejects.toBeInstanceOf(PersonalizedOffersApiError); // probe fails
      await expect(users.getUserToken('alice')).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
      expect(server.requests).toHaveLength(3);
    });

    it('4xx answers do not count as failures', async () => {
      server.responder = (_req, res) => res.writeHead(400).end('{}');
      const users = await service({ retry: false, circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
      for (let i = 0; i < 5; i++) await expect(users.getUserToken('alice')).rejects.toMatchObject({ status: 400 });
      expect(server.requests).toHaveLength(5);
    });
  });

  describe('connections', () => {
    it('reuses keep-alive connections and respects maxSockets', async () => {
      server.responder = (req, res, i) => setTimeout(() => answerOk(req, res, i), 20);
      const before = server.connections;
      server.maxConcurrentConnections = 0;
      const users = await service({ maxSockets: 4 });
      await Promise.all(Array.from({ length: 40 }, (_, i) => users.getUserToken(`u${i}`)));
      expect(server.requests).toHaveLength(40);
      expect(server.connections - before).toBeLessThanOrEqual(4);
      expect(server.maxConcurrentConnections).toBeLessThanOrEqual(4);
    });

    it('closes its sockets when the application shuts down', async () => {
      const users = await service();
      await users.getUserToken('alice');
      expect(server.sockets.size).toBeGreaterThan(0);
      await moduleRef!.close();
      moduleRef = undefined;
      await waitFor(() => server.sockets.size === 0);
    });
  });

  describe('cancellation through the module’s HttpService', () => {
    it('unsubscribing aborts the request (HttpService’s own cancel token)', async () => {
      server.responder = () => {}; // never answers
      await service();
      const http = moduleRef!.get<HttpService>(PERSONALIZED_OFFERS_HTTP);
      const subscription = http.get(`${baseUrl}/usertoken?FId=1&AuthInfo=00`).subscribe({ error: () => {} });
      await waitFor(() => server.requests.length === 1);
      subscription.unsubscribe();
      await waitFor(() => server.sockets.size === 0);
    });

    it('an aborted signal cancels with a CanceledError', async () => {
      server.responder = () => {};
      await service();
      const http = moduleRef!.get<HttpService>(PERSONALIZED_OFFERS_HTTP);
      const controller = new AbortController();
      const pending = firstValueFrom(http.get(`${baseUrl}/usertoken?FId=1&AuthInfo=00`, { signal: controller.signal }));
      await waitFor(() => server.requests.length === 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'CanceledError' });
      await waitFor(() => server.sockets.size === 0);
    });
  });

  describe('errors', () => {
    it('every failure is one of the module’s classes, never an AxiosError', async () => {
      const cases: Array<() => void> = [
        () => (server.responder = (_q, res) => res.writeHead(500).end('<html>oops</html>')),
        () => (server.responder = (req) => req.socket.destroy()),
        () => (server.responder = (_q, res) => res.writeHead(200).end('not json')),
        // To this same live server, which answers the redirected request with a token: following it would succeed.
        () =>
          (server.responder = (req, res, i) =>
            req.url!.startsWith('/moved/') ? answerOk(req, res, i) : res.writeHead(301, { Location: `/moved${req.url}` }).end()),
        () => (server.responder = (_q, res) => res.writeHead(200).end(okBody(''))),
      ];
      for (const arrange of cases) {
        arrange();
        const users = await service({ retry: false, circuitBreaker: false });
        const error = await users.getUserToken('alice').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PersonalizedOffersError);
        expect((error as Error).constructor.name).not.toBe('AxiosError');
        expect(JSON.stringify(error)).not.toMatch(/config|headers|AuthInfo=/);
        await moduleRef!.close();
        moduleRef = undefined;
      }
    });

    it.each([301, 302, 307, 308])('does not follow a %d redirect to the same live server: one request, and the redirect is an error', async (status) => {
      // The target answers with a token, so a client that followed the redirect would succeed.
      server.responder = (req, res, i) =>
        req.url!.startsWith('/moved/') ? answerOk(req, res, i) : res.writeHead(status, { Location: `${new URL(baseUrl).origin}/moved${req.url}` }).end();
      const users = await service({ retry: false, circuitBreaker: false });
      const outcome = await users.getUserToken('alice').then(
        (token) => ({ followedTo: token }),
        (e: unknown) => e,
      );
      expect(outcome).toBeInstanceOf(PersonalizedOffersApiError);
      expect(outcome).toMatchObject({ status, code: 'UNEXPECTED_REDIRECT', operation: 'getUserToken' });
      expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(['/plo/v1/usertoken']);
    });

    it('keeps the caller’s line in the stack trace', async () => {
      statusThenOk([500, 500, 500]);
      const users = await service();
      async function callerInTheUsersApp(): Promise<unknown> {
        try {
          await users.getUserToken('alice');
        } catch (e) {
          return e;
        }
      }
      const error = (await callerInTheUsersApp()) as Error;
      // Async stack traces survive the retries: the user's own frame is there.
      expect(error.stack).toMatch(/at (async )?callerInTheUsersApp \(.*transport\.e2e-spec\.ts:\d+/);
      expect(error.stack).toContain('UserTokenService.fetchUserToken');
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
