import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { type CacheOptions, PERSONALIZED_OFFERS_TOKEN_STORE, PersonalizedOffersModule, RedisTokenStore, UserTokenService } from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';
import { RedisSentinelSetup } from './support/redis-sentinel.js';
import { steadyLoad } from './support/fleet-load.js';

jest.setTimeout(120_000);
/**
 * A fleet on a real Sentinel set-up (master, replica, 3 sentinels) of this file's own, through the
 * simulator (signed, through its gateway). The master is killed mid-load: the sentinels promote
 * the replica and every call keeps succeeding.
 */
describe('token cache on Redis Sentinel', () => {
  const setup = new RedisSentinelSetup(3);
  const simulator = gatewaySimulator();
  const contexts: TestingModule[] = [];
  const { logger, lines } = captureLogger();

  beforeAll(async () => {
    await setup.start();
    await simulator.start();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await simulator.stop();
    await setup.stop();
  });
  beforeEach(() => {
    simulator.resetRequestCount();
    simulator.setFault(undefined);
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expectNoGatewayRefusal(simulator);
  });

  const sentinelStore = () => ({ redis: { sentinels: setup.sentinels, name: setup.name, keyPrefix: 'test:', commandTimeoutMs: 1_000 } });

  async function instance(cache: Partial<CacheOptions> = {}): Promise<{ svc: UserTokenService; store: RedisTokenStore }> {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          ...signed,
          cache: { store: sentinelStore(), lockWaitMs: 10_000, ...cache },
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    await ref.init();
    contexts.push(ref);
    const store = ref.get<RedisTokenStore>(PERSONALIZED_OFFERS_TOKEN_STORE);
    await waitFor(() => store.client.status === 'ready', 20_000);
    return { svc: ref.get(UserTokenService), store };
  }

  async function master(): Promise<Redis> {
    return new Redis({ port: await setup.masterPort(), host: '127.0.0.1', maxRetriesPerRequest: 1 });
  }

  it('three instances × 30 concurrent calls for one user → 1 upstream request, and a 4th instance started later reads it from the master', async () => {
    const fleet = await Promise.all([instance(), instance(), instance()]);
    expect(fleet[0].store.mode).toBe('sentinel');
    simulator.setFault({ type: 'latency', ms: 200 }, { times: 1 });
    const tokens = await Promise.all(fleet.flatMap(({ svc }) => Array.from({ length: 30 }, () => svc.getUserToken('alice'))));
    expect(new Set(tokens)).toEqual(new Set([simulator.tokenFor('999999', 'alice')]));
    expect(simulator.requestCount).toBe(1);
    const admin = await master();
    const key = fleet[0].store.redisKey('999999:alice');
    expect(key).toMatch(/^test:ut:[A-Za-z0-9_-]{43}$/); // no hash tags needed off Cluster: today's key format
    expect(await admin.exists(key)).toBe(1);
    admin.disconnect();
    const late = await instance();
    expect(await late.svc.getUserToken('alice')).toBe(tokens[0]);
    expect(simulator.requestCount).toBe(1);
  });

  it('a lock lost with a failed master costs exactly one extra upstream call and every caller gets the right token', async () => {
    const [a, b, c] = await Promise.all([instance(), instance(), instance()]);
    simulator.setFault({ type: 'latency', ms: 8_000 }, { times: 1 }); // A's fetch hangs while the master dies
    const first = a.svc.getUserToken('lost-lock');
    await waitFor(async () => (await master().then(async (m) => (await m.keys('test:*:lock')).length + (m.disconnect(), 0))) === 1);
    const old = await setup.killMaster();
    await setup.waitPromoted(old);
    await waitFor(
      async () =>
        b.store.client.status === 'ready' &&
        (await b.store.ping().then(
          () => true,
          () => false,
        )),
      20_000,
    );
    // Redis replicates asynchronously: a lock taken just before the master died may be missing
    // on the promoted replica. Make it so, deterministically.
    const promoted = await master();
    expect(await promoted.del(b.store.lockKey('999999:lost-lock'))).toBe(1); // it had been replicated
    const second = await b.svc.getUserToken('lost-lock'); // takes the lock A lost, fetches
    const both = [await first, second];
    expect(both).toEqual([simulator.tokenFor('999999', 'lost-lock'), simulator.tokenFor('999999', 'lost-lock')]);
    await waitFor(() => c.store.client.status === 'ready', 20_000);
    expect(await c.svc.getUserToken('lost-lock')).toBe(both[0]);
    expect(simulator.requestCount).toBe(2);
    expect(await promoted.keys('test:*:lock')).toEqual([]);
    promoted.disconnect();
    await setup.restartKilled(); // a replica again for the next test
  });

  it('the master killed mid-load (3 instances, a steady stream of calls): the replica is promoted, every call succeeds with the right token, upstream requests stay between 1 and 3 (one per instance) per new user, and the store is shared again afterwards', async () => {
    const fleet = await Promise.all([instance(), instance(), instance()]);
    const warm = Array.from({ length: 10 }, (_, i) => `warm-${i}`);
    for (const { svc } of fleet) for (const u of warm) await svc.getUserToken(u);
    expect(simulator.requestCount).toBe(warm.length);
    const admin = await master();
    await admin.wait(1, 2_000); // the tokens are on the replica too
    admin.disconnect();
    simulator.resetRequestCount();

    const load = steadyLoad(fleet, warm, simulator);
    await sleep(2_000);
    const old = await setup.killMaster();
    await setup.waitPromoted(old);
    // Generous: on a loaded CI machine the clients take a while to find the promoted master.
    await Promise.all(fleet.map(({ store }) => waitFor(() => store.client.status === 'ready', 60_000)));
    await sleep(2_000);
    const { calls, waves, wrong, errors } = await load.stop();

    expect(errors).toEqual([]);
    expect(wrong).toEqual([]);
    expect(calls).toBeGreaterThan(300);
    // Warm users are served from Redis or, while it is down, from each instance's memory: never
    // re-fetched. A wave user is fetched once by the fleet, or once per instance while Redis is down.
    expect(simulator.requestCount).toBeGreaterThanOrEqual(waves.size);
    expect(simulator.requestCount).toBeLessThanOrEqual(waves.size * fleet.length);
    process.stdout.write(`sentinel failover under load: ${calls} calls, ${waves.size} new users, ${simulator.requestCount} upstream requests\n`);

    // Shared again: one instance fetches, the two others read it from the promoted master.
    simulator.resetRequestCount();
    const after = await fleet[0].svc.getUserToken('after-failover');
    expect(await fleet[1].svc.getUserToken('after-failover')).toBe(after);
    expect(await fleet[2].svc.getUserToken('after-failover')).toBe(after);
    expect(simulator.requestCount).toBe(1);
    const promoted = await master();
    expect(await setup.masterPort()).not.toBe(old);
    expect(await promoted.exists(fleet[0].store.redisKey('999999:after-failover'))).toBe(1);
    promoted.disconnect();
    await setup.restartKilled();
  });

  it("an application-owned Redis client ({ client }, through Sentinel) is used with today's key format and left open by module close", async () => {
    const client = new Redis({ sentinels: setup.sentinels, name: setup.name, lazyConnect: true, enableOfflineQueue: false, commandTimeout: 1_000 });
    await client.connect();
    try {
      const { svc, store } = await instance({ store: { redis: { client, keyPrefix: 'test:' } } });
      expect(store.client).toBe(client);
      expect(store.mode).toBe('client');
      const token = await svc.getUserToken('owned');
      expect(token).toBe(simulator.tokenFor('999999', 'owned'));
      expect(store.redisKey('999999:owned')).toMatch(/^test:ut:[A-Za-z0-9_-]{43}$/);
      await contexts.splice(0)[0].close();
      expect(client.status).toBe('ready');
      expect(await client.exists(store.redisKey('999999:owned'))).toBe(1);
      expect(lines.some((l) => l.includes('cache redis (client)'))).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('closes the connection it opened on application shutdown', async () => {
    const { store } = await instance();
    await contexts.splice(0)[0].close();
    expect(store.client.status).toBe('end');
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const met = async () => {
    try {
      return await condition();
    } catch {
      return false;
    }
  };
  while (!(await met())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
