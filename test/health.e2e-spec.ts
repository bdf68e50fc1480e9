import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import type { INestApplication, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import {
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  PersonalizedOffersUnavailableError,
  getPersonalizedOffersToken,
  type TokenStore,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersHealthIndicator } from 'nestjs-personalized-offers/health';
import { AppModule } from '../src/app.module.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed, signedEnvironment } from './support/gateway.js';
import { RedisServer } from './support/redis-server.js';

const root = join(import.meta.dirname, '..');
const DB = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `probe` until `done(result)` or `ms` elapse; returns the last result. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/** How often Redis ran PING (INFO commandstats), to prove the indicator really asked it. */
async function pings(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(/cmdstat_ping:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/**
 * The terminus health indicator (nestjs-personalized-offers/health) on the simulator and a real
 * redis-server: what it reports for the circuit breaker and the token store, that it never calls
 * the upstream, and the example app's GET /health. Signed, through the simulator's gateway.
 */
describe('PersonalizedOffersHealthIndicator', () => {
  const simulator = gatewaySimulator();
  const redis = new RedisServer();
  const contexts: TestingModule[] = [];
  let admin: Redis;

  beforeAll(async () => {
    await Promise.all([simulator.start(), redis.start()]);
    admin = redis.admin(DB);
  });
  afterAll(async () => {
    admin.disconnect();
    await simulator.stop();
    await redis.stop();
  });
  beforeEach(() => {
    simulator.clearFaults();
    simulator.resetRequestCount();
    simulator.clearRequests();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expectNoGatewayRefusal(simulator);
  });

  async function boot(options: Partial<PersonalizedOffersModuleOptions> = {}) {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...signed, ...options }),
        TerminusModule,
      ],
      providers: [PersonalizedOffersHealthIndicator],
    })
      .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {} })
      .compile();
    await ref.init();
    contexts.push(ref);
    return { indicator: ref.get(PersonalizedOffersHealthIndicator), users: ref.get(UserTokenService) };
  }

  /** The upstream saw nothing: both its counter and its request log. */
  function expectNoUpstreamCall(): void {
    expect(simulator.requestCount).toBe(0);
    expect(simulator.requests).toEqual([]);
  }

  describe('memory store and no store', () => {
    it('is up with the memory store and a closed breaker, under the default key, without calling the upstream', async () => {
      const { indicator } = await boot();
      expect(await indicator.isHealthy()).toEqual({
        personalizedOffers: { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'memory' } },
      });
      expectNoUpstreamCall();
    });

    it('reports under the key it is given', async () => {
      const { indicator } = await boot();
      const result = await indicator.isHealthy('plo');
      expect(Object.keys(result)).toEqual(['plo']);
      expect(result.plo.status).toBe('up');
    });

    it('is up with cache: false and circuitBreaker: false (kind none, state disabled)', async () => {
      const { indicator } = await boot({ cache: false, http: { circuitBreaker: false } });
      expect(await indicator.isHealthy()).toEqual({
        personalizedOffers: { status: 'up', circuitBreaker: { state: 'disabled' }, tokenStore: { kind: 'none' } },
      });
    });
  });

  describe('circuit breaker', () => {
    const breaker = { consecutiveFailures: 2, halfOpenAfterMs: 800 };

    it('is down while the breaker is open (with the time left), half-open (up) once the pause is over, closed after a good call', async () => {
      const { indicator, users } = await boot({ cache: false, http: { retry: false, circuitBreaker: breaker } });
      simulator.setFault({ type: 'http-error', status: 503 });
      await expect(users.getUserToken('b1')).rejects.toThrow();
      await expect(users.getUserToken('b2')).rejects.toThrow();
      await expect(users.getUserToken('b3')).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError); // open for real
      expect(simulator.requestCount).toBe(2);

      const open = await indicator.isHealthy();
      const detail = open.personalizedOffers;
      expect(detail).toEqual({
        status: 'down',
        circuitBreaker: { state: 'open', retryInMs: expect.any(Number) },
        tokenStore: { kind: 'none' },
        message: expect.stringContaining('Circuit breaker open'),
      });
      expect(detail.circuitBreaker.retryInMs).toBeGreaterThan(0);
      expect(detail.circuitBreaker.retryInMs).toBeLessThanOrEqual(breaker.halfOpenAfterMs);
      expect(detail.message).toContain(`next probe in ${detail.circuitBreaker.retryInMs} ms`);
      await sleep(100);
      const later = (await indicator.isHealthy()).personalizedOffers;
      expect(later.circuitBreaker.retryInMs).toBeLessThan(detail.circuitBreaker.retryInMs);

      // The pause is over: the next call would be the probe. Health says so, and probes nothing itself.
      await sleep(breaker.halfOpenAfterMs);
      expect(await indicator.isHealthy()).toEqual({
        personalizedOffers: { status: 'up', circuitBreaker: { state: 'half-open' }, tokenStore: { kind: 'none' } },
      });
      expect(simulator.requestCount).toBe(2); // every health check above: no upstream call

      // The probe itself (slow, then good): up while it is under way, and still only its own request.
      simulator.setFault({ type: 'latency', ms: 300 });
      const probe = users.getUserToken('b4');
      await sleep(100);
      expect(await indicator.isHealthy()).toEqual({
        personalizedOffers: { status: 'up', circuitBreaker: { state: 'half-open' }, tokenStore: { kind: 'none' } },
      });
      await expect(probe).resolves.toBeDefined();
      expect(simulator.requestCount).toBe(3);
      expect(await indicator.isHealthy()).toEqual({
        personalizedOffers: { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'none' } },
      });
    });

    it('is down again when the probe fails', async () => {
      const { indicator, users } = await boot({ cache: false, http: { retry: false, circuitBreaker: { ...breaker, halfOpenAfterMs: 200 } } });
      simulator.setFault({ type: 'http-error', status: 503 });
      await expect(users.getUserToken('p1')).rejects.toThrow();
      await expect(users.getUserToken('p2')).rejects.toThrow();
      await sleep(250);
      expect((await indicator.isHealthy()).personalizedOffers.status).toBe('up');
      await expect(users.getUserToken('p3')).rejects.toThrow(); // the probe, failed
      expect(simulator.requestCount).toBe(3);
      const reopened = (await indicator.isHealthy()).personalizedOffers;
      expect(reopened.status).toBe('down');
      expect(reopened.circuitBreaker.state).toBe('open');
      expect(reopened.circuitBreaker.retryInMs).toBeGreaterThan(0);
    });
  });

  describe('Redis store', () => {
    const redisCache = (commandTimeoutMs = 1_000) => ({ cache: { store: { redis: { url: redis.url(DB), keyPrefix: 'health:', commandTimeoutMs } } } });

    it('is up with a live Redis, having PINGed it, and stores or reads no token', async () => {
      await admin.flushdb();
      const { indicator } = await boot(redisCache());
      const before = await pings(admin);
      expect(await indicator.isHealthy()).toEqual({
        personalizedOffers: { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'redis', reachable: true } },
      });
      expect(await pings(admin)).toBeGreaterThan(before);
      expect(await admin.keys('*')).toEqual([]);
      expectNoUpstreamCall();
    });

    it('leaves no timer behind after a check', async () => {
      const { indicator } = await boot(redisCache());
      await indicator.isHealthy(); // warm up the connection
      const timers = () => process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
      const before = timers();
      await indicator.isHealthy('personalizedOffers', { timeoutMs: 60_000 });
      expect(timers()).toBeLessThanOrEqual(before);
    });

    it('is down (timeout) while Redis is alive but slower than its command timeout, up again after', async () => {
      const { indicator } = await boot(redisCache(100));
      const blocker = redis.admin(DB);
      // Redis sleeps 1 s; the check starts 200 ms in (time for DEBUG SLEEP to arrive on a busy
      // machine) and its PING waits past the 100 ms command timeout.
      const sleeping = blocker.call('DEBUG', 'SLEEP', '1');
      await sleep(200);
      const slow = (await indicator.isHealthy()).personalizedOffers;
      await sleeping;
      blocker.disconnect();
      expect(slow).toMatchObject({ status: 'down', tokenStore: { kind: 'redis', reachable: false, reason: 'timeout' } });
      expect(slow.message).toContain('Token store (redis) unreachable: timeout');
      expect(
        (
          await until(
            () => indicator.isHealthy(),
            (r) => r.personalizedOffers.status === 'up',
          )
        ).personalizedOffers.status,
      ).toBe('up');
    });

    it('is down when Redis is stopped, fast and without calling the upstream; up again when it is back', async () => {
      const { indicator } = await boot(redisCache());
      expect((await indicator.isHealthy()).personalizedOffers.status).toBe('up');
      await redis.kill();
      try {
        const started = performance.now();
        const down = await until(
          () => indicator.isHealthy(),
          (r) => r.personalizedOffers.status === 'down',
        );
        expect(performance.now() - started).toBeLessThan(3_000);
        expect(down.personalizedOffers).toEqual({
          status: 'down',
          circuitBreaker: { state: 'closed' },
          // The client's connection state, read before any command is tried.
          tokenStore: { kind: 'redis', reachable: false, reason: expect.stringMatching(/^(reconnecting|connecting|close|end)$/) },
          message: expect.stringContaining('Token store (redis) unreachable'),
        });
        // A stopped Redis fails at once (the client is not connected), not after a timeout.
        const one = performance.now();
        await indicator.isHealthy();
        expect(performance.now() - one).toBeLessThan(500);
        expectNoUpstreamCall();
      } finally {
        await redis.start(); // same port
      }
      const back = await until(
        () => indicator.isHealthy(),
        (r) => r.personalizedOffers.status === 'up',
        8_000,
      );
      expect(back.personalizedOffers).toEqual({ status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'redis', reachable: true } });
      expectNoUpstreamCall();
    });

    it('is down with the error Redis answered (a user not allowed to PING), without the password', async () => {
      const password = 'no-ping-user-password';
      await admin.acl('SETUSER', 'noping', 'on', `>${password}`, '~*', '+@all', '-ping');
      const { indicator } = await boot({
        cache: { store: { redis: { url: `redis://noping:${password}@127.0.0.1:${redis.port}/${DB}`, commandTimeoutMs: 1_000 } } },
      });
      const result = await indicator.isHealthy();
      expect(result.personalizedOffers).toMatchObject({ status: 'down', tokenStore: { kind: 'redis', reachable: false, reason: 'NOPERM' } });
      expect(JSON.stringify(result)).not.toContain(password);
      expect(JSON.stringify(result)).not.toContain('redis://');
    });

    it('reports both problems when Redis is down and the breaker is open', async () => {
      const { indicator, users } = await boot({ ...redisCache(), http: { retry: false, circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 10_000 } } });
      simulator.setFault({ type: 'http-error', status: 503 });
      await expect(users.getUserToken('both')).rejects.toThrow();
      await redis.kill();
      try {
        const down = await until(
          () => indicator.isHealthy(),
          (r) => r.personalizedOffers.tokenStore.reachable === false,
        );
        expect(down.personalizedOffers).toMatchObject({ status: 'down', circuitBreaker: { state: 'open' }, tokenStore: { reachable: false } });
        expect(down.personalizedOffers.message).toMatch(/Circuit breaker open.*Token store \(redis\) unreachable/);
      } finally {
        await redis.start();
      }
    });
  });

  describe('your own token store', () => {
    const custom = (ping?: () => Promise<unknown>): TokenStore => ({ get: () => undefined, set() {}, delete() {}, ...(ping ? { ping } : {}) });

    it('without ping(): kind custom, reachability not claimed', async () => {
      const { indicator } = await boot({ cache: { store: custom() } });
      expect((await indicator.isHealthy()).personalizedOffers).toEqual({ status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'custom' } });
    });

    it('a ping() that resolves: reachable', async () => {
      const ping = jest.fn(() => Promise.resolve('PONG'));
      const { indicator } = await boot({ cache: { store: custom(ping) } });
      expect((await indicator.isHealthy()).personalizedOffers.tokenStore).toEqual({ kind: 'custom', reachable: true });
      expect(ping).toHaveBeenCalledTimes(1);
    });

    it('a ping() that rejects: down with its code only, never its message', async () => {
      const secret = 'redis://:hunter2@cache.internal:6379';
      const { indicator } = await boot({
        cache: { store: custom(() => Promise.reject(Object.assign(new Error(`cannot reach ${secret}`), { code: 'EHOSTUNREACH' }))) },
      });
      const result = await indicator.isHealthy();
      expect(result.personalizedOffers.tokenStore).toEqual({ kind: 'custom', reachable: false, reason: 'EHOSTUNREACH' });
      expect(JSON.stringify(result)).not.toContain('hunter2');
      const odd = await boot({ cache: { store: custom(() => Promise.reject(Object.assign(new Error('x'), { code: `bad code with ${secret}` }))) } });
      expect((await odd.indicator.isHealthy()).personalizedOffers.tokenStore.reason).toBe('error');
    });

    it('a ping() that never answers: down after timeoutMs', async () => {
      const { indicator } = await boot({ cache: { store: custom(() => new Promise(() => {})) } });
      const started = performance.now();
      const result = await indicator.isHealthy('personalizedOffers', { timeoutMs: 150 });
      const elapsed = performance.now() - started;
      expect(result.personalizedOffers.tokenStore).toEqual({ kind: 'custom', reachable: false, reason: 'timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(1_000); // not the 1 s default
    });
  });

  it('the main and testing entries never load @nestjs/terminus (it is an optional peer)', () => {
    const src = join(root, 'libs/personalized-offers/src');
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (spec.startsWith('@nestjs/terminus')) offenders.push(file);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    visit(join(src, 'index.ts'));
    visit(join(src, 'testing/index.ts'));
    expect(seen.size).toBeGreaterThan(30);
    expect([...seen].filter((f) => f.includes('/health/'))).toEqual([]);
    expect(offenders).toEqual([]);
    // …while the health entry does, and is declared as an optional peer and an export.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./health']).toEqual({ types: './dist/personalized-offers/health/index.d.ts', default: './dist/personalized-offers/health/index.js' });
    expect(pkg.peerDependencies['@nestjs/terminus']).toBeDefined();
    expect(pkg.peerDependenciesMeta['@nestjs/terminus']).toEqual({ optional: true });
  });
});

describe('example app: GET /health', () => {
  const simulator = gatewaySimulator();
  const signing = signedEnvironment(); // the app signs with PLO_OAUTH_* for this file's gated simulator
  const redis = new RedisServer();
  const password = 'health-test-redis-password';
  let app: INestApplication | undefined;

  beforeAll(async () => {
    await Promise.all([simulator.start(), redis.start()]);
    const admin = redis.admin();
    await admin.config('SET', 'requirepass', password);
    admin.disconnect();
  });
  beforeEach(() => {
    simulator.clearFaults();
    simulator.resetRequestCount();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    expectNoGatewayRefusal(simulator);
  });
  afterAll(async () => {
    await simulator.stop();
    await redis.stop();
    signing.remove();
  });

  async function start(env: NodeJS.ProcessEnv): Promise<string> {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(env)] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  /** The app on this file's simulator and a password-protected Redis, via PLO_* variables. */
  const env = (): NodeJS.ProcessEnv => ({
    PLO_FID: '999999',
    PLO_BASE_URL: simulator.baseUrl,
    PLO_AUTHINFO_KEY: simulator.authInfo.key as string,
    PLO_AUTHINFO_IV: simulator.authInfo.iv as string,
    PLO_HTTP_RETRIES: '0',
    PLO_CACHE: 'redis',
    PLO_REDIS_URL: `redis://:${password}@127.0.0.1:${redis.port}/3`,
    ...signing.env,
  });

  /** Nothing secret in a /health body: no password, URL, key material or token. */
  function expectNoSecret(text: string): void {
    for (const secret of [password, 'redis://', simulator.baseUrl, simulator.authInfo.key as string, simulator.authInfo.iv as string]) {
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
    }
    expect(text).not.toContain(simulator.tokenFor('999999', 'health-user-0'));
  }

  it('answers 200 with terminus’ shape on the embedded simulator (memory store)', async () => {
    const base = await start({});
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    const detail = { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'memory' } };
    expect(await res.json()).toEqual({ status: 'ok', info: { personalizedOffers: detail }, error: {}, details: { personalizedOffers: detail } });
  });

  it('answers 200 with a reachable Redis, 503 once the breaker opens, without calling the upstream and without secrets', async () => {
    const base = await start(env());
    const headers = (i: number) => ({ 'X-Demo-User-Id': `health-user-${i}` });
    expect((await fetch(`${base}/user-token`, { headers: headers(0) })).status).toBe(200); // Redis and upstream work

    const ok = await fetch(`${base}/health`);
    const okText = await ok.text();
    expect(ok.status).toBe(200);
    const up = { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'redis', reachable: true } };
    expect(JSON.parse(okText)).toEqual({ status: 'ok', info: { personalizedOffers: up }, error: {}, details: { personalizedOffers: up } });
    expectNoSecret(okText);

    // Five consecutive failures (the default) open the breaker.
    simulator.setFault({ type: 'http-error', status: 503 });
    for (let i = 1; i <= 5; i++) expect((await fetch(`${base}/user-token`, { headers: headers(i) })).status).not.toBe(200);
    expect((await fetch(`${base}/user-token`, { headers: headers(6) })).status).toBe(503); // failing fast
    const calls = simulator.requestCount;

    const down = await fetch(`${base}/health`);
    const downText = await down.text();
    expect(down.status).toBe(503);
    const body = JSON.parse(downText);
    expect(body).toEqual({
      status: 'error',
      info: {},
      error: { personalizedOffers: body.details.personalizedOffers },
      details: {
        personalizedOffers: {
          status: 'down',
          circuitBreaker: { state: 'open', retryInMs: expect.any(Number) },
          tokenStore: { kind: 'redis', reachable: true },
          message: expect.stringContaining('Circuit breaker open'),
        },
      },
    });
    expect(body.details.personalizedOffers.circuitBreaker.retryInMs).toBeGreaterThan(5_000); // default pause 10 s
    expectNoSecret(downText);
    expect(simulator.requestCount).toBe(calls);
  });

  it('answers 503 when its Redis is stopped, without the password', async () => {
    const base = await start(env());
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await redis.kill();
    const res = await until(
      () => fetch(`${base}/health`),
      (r) => r.status === 503,
    );
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text).error.personalizedOffers).toMatchObject({ status: 'down', tokenStore: { kind: 'redis', reachable: false } });
    expectNoSecret(text);
    expect(simulator.requestCount).toBe(0);
  });
});

/**
 * A named registration's indicator: `PersonalizedOffersHealthIndicator.forRegistration(name)`,
 * in an app with two registrations (bankA and bankB), each on its own simulator. Each indicator
 * reads its own registration's breaker and store only.
 */
describe('PersonalizedOffersHealthIndicator.forRegistration (named registrations)', () => {
  const simulatorA = gatewaySimulator();
  const simulatorB = gatewaySimulator();
  let ref: TestingModule | undefined;
  const breaker = { consecutiveFailures: 2, halfOpenAfterMs: 60_000 };

  beforeAll(async () => {
    await Promise.all([simulatorA.start(), simulatorB.start()]);
  });
  afterEach(async () => {
    await ref?.close();
    ref = undefined;
    expectNoGatewayRefusal(simulatorA);
    expectNoGatewayRefusal(simulatorB);
  });
  afterAll(async () => {
    await Promise.all([simulatorA.stop(), simulatorB.stop()]);
  });

  async function bootTwoBanks() {
    ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          name: 'bankA',
          fId: '999999',
          baseUrl: simulatorA.baseUrl,
          authInfo: simulatorA.authInfo,
          ...signed,
          cache: false,
          http: { retry: false, circuitBreaker: breaker },
        }),
        PersonalizedOffersModule.forRoot({ name: 'bankB', fId: '999999', baseUrl: simulatorB.baseUrl, authInfo: simulatorB.authInfo, ...signed }),
        TerminusModule,
      ],
      providers: [PersonalizedOffersHealthIndicator.forRegistration('bankA'), PersonalizedOffersHealthIndicator.forRegistration('bankB')],
    })
      .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {} })
      .compile();
    await ref.init();
    const get = <T>(type: Type<T>, name: string) => ref!.get<T>(getPersonalizedOffersToken(type, name));
    return {
      healthA: get(PersonalizedOffersHealthIndicator, 'bankA'),
      healthB: get(PersonalizedOffersHealthIndicator, 'bankB'),
      usersA: get(UserTokenService, 'bankA'),
      usersB: get(UserTokenService, 'bankB'),
    };
  }

  it("gives each registration's own store: bankA (cache: false) reports none, bankB the memory store", async () => {
    const { healthA, healthB } = await bootTwoBanks();
    expect(healthA).toBeInstanceOf(PersonalizedOffersHealthIndicator);
    expect(healthA).not.toBe(healthB);
    expect(await healthA.isHealthy('bankA')).toEqual({ bankA: { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'none' } } });
    expect(await healthB.isHealthy('bankB')).toEqual({ bankB: { status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'memory' } } });
    expect(simulatorA.requestCount + simulatorB.requestCount).toBe(0);
  });

  it("reports bankA down once bankA's breaker opens, while bankB's indicator stays up with a closed breaker", async () => {
    const { healthA, healthB, usersA, usersB } = await bootTwoBanks();
    simulatorA.setFault({ type: 'http-error', status: 503 });
    try {
      await expect(usersA.getUserToken('h1')).rejects.toThrow();
      await expect(usersA.getUserToken('h2')).rejects.toThrow();
      await expect(usersA.getUserToken('h3')).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError); // open
    } finally {
      simulatorA.clearFaults();
    }
    await expect(usersB.getUserToken('h1')).resolves.toBe(simulatorB.tokenFor('999999', 'h1'));
    expect((await healthA.isHealthy('bankA')).bankA).toMatchObject({
      status: 'down',
      circuitBreaker: { state: 'open' },
      message: expect.stringContaining('Circuit breaker open'),
    });
    expect((await healthB.isHealthy('bankB')).bankB).toEqual({ status: 'up', circuitBreaker: { state: 'closed' }, tokenStore: { kind: 'memory' } });
  });

  it('is a provider under getPersonalizedOffersToken(PersonalizedOffersHealthIndicator, name); a name no registration can have throws', () => {
    expect(PersonalizedOffersHealthIndicator.forRegistration('bankA').provide).toBe('PersonalizedOffers[bankA]:PersonalizedOffersHealthIndicator');
    expect(() => PersonalizedOffersHealthIndicator.forRegistration('bank A')).toThrow(PersonalizedOffersConfigError);
  });

  it('fails compile() naming the missing alias when the registration is not in the module', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({ name: 'bankB', fId: '999999', baseUrl: simulatorB.baseUrl, authInfo: simulatorB.authInfo, ...signed }),
        TerminusModule,
      ],
      providers: [PersonalizedOffersHealthIndicator.forRegistration('bankA')],
    })
      .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {} })
      .compile();
    await expect(compiling).rejects.toThrow(/PersonalizedOffers\[bankA\]:PersonalizedOffersHttpClient/);
  });
});
