import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import { type CacheOptions, PERSONALIZED_OFFERS_TOKEN_STORE, PersonalizedOffersModule, RedisTokenStore, UserTokenService } from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';
import { RedisCluster } from './support/redis-cluster.js';
import { steadyLoad } from './support/fleet-load.js';

jest.setTimeout(120_000);

/**
 * A fleet on a real Redis Cluster of this file's own (3 masters, one replica each), through the
 * simulator (signed, through its gateway). A master is killed mid-load: its replica takes over
 * and every call keeps succeeding.
 */
describe('token cache on Redis Cluster', () => {
  const cluster = new RedisCluster();
  const simulator = gatewaySimulator();
  const contexts: TestingModule[] = [];
  const { logger, lines } = captureLogger();
  let admin: Cluster;

  beforeAll(async () => {
    await cluster.start();
    await simulator.start();
    admin = new Cluster(cluster.seeds, { redisOptions: { maxRetriesPerRequest: 1 } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    admin.disconnect();
    await simulator.stop();
    await cluster.stop();
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

  async function instance(cache: Partial<CacheOptions> = {}): Promise<{ svc: UserTokenService; store: RedisTokenStore; ref: TestingModule }> {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          ...signed,
          cache: { store: { redis: { cluster: cluster.seeds, keyPrefix: 'test:', commandTimeoutMs: 1_000 } }, lockWaitMs: 10_000, ...cache },
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    await ref.init();
    contexts.push(ref);
    const store = ref.get<RedisTokenStore>(PERSONALIZED_OFFERS_TOKEN_STORE);
    await waitFor(() => store.client.status === 'ready', 20_000);
    return { svc: ref.get(UserTokenService), store, ref };
  }

  it('three instances × 30 concurrent calls for one user → 1 upstream request; the token key and its lock key share a hash tag (one slot); a 4th instance reads it', async () => {
    const fleet = await Promise.all([instance(), instance(), instance()]);
    expect(fleet[0].store.mode).toBe('cluster');
    simulator.setFault({ type: 'latency', ms: 200 }, { times: 1 });
    const tokens = await Promise.all(fleet.flatMap(({ svc }) => Array.from({ length: 30 }, () => svc.getUserToken('alice'))));
    expect(new Set(tokens)).toEqual(new Set([simulator.tokenFor('999999', 'alice')]));
    expect(simulator.requestCount).toBe(1);
    const key = fleet[0].store.redisKey('999999:alice');
    expect(key).toMatch(/^test:ut:\{[A-Za-z0-9_-]{43}\}$/);
    const port = (await cluster.masterPorts())[0];
    expect(await cluster.cli(port, 'cluster', 'keyslot', `${key}:lock`)).toBe(await cluster.cli(port, 'cluster', 'keyslot', key));
    const stored = (await admin.get(key))!;
    expect(stored).not.toContain(tokens[0]);
    expect(stored).not.toContain('alice');
    expect(await admin.exists(`${key}:lock`)).toBe(0); // released by its owner
    const late = await instance();
    expect(await late.svc.getUserToken('alice')).toBe(tokens[0]);
    expect(simulator.requestCount).toBe(1);
  });

  it('an application-owned Cluster client ({ client }) is used with hash-tagged keys and left open by module close', async () => {
    const client = new Cluster(cluster.seeds, {
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: { commandTimeout: 1_000, maxRetriesPerRequest: 0 },
    });
    await client.connect();
    try {
      const { svc, store, ref } = await instance({ store: { redis: { client, keyPrefix: 'test:' } } });
      expect(store.client).toBe(client);
      expect(store.mode).toBe('client');
      const token = await svc.getUserToken('owned');
      expect(store.redisKey('999999:owned')).toMatch(/^test:ut:\{/);
      expect(await admin.exists(store.redisKey('999999:owned'))).toBe(1);
      await contexts.splice(contexts.indexOf(ref), 1)[0].close();
      expect(client.status).toBe('ready');
      expect(await client.get(store.redisKey('999999:owned'))).toBeTruthy();
      expect(token).toBe(simulator.tokenFor('999999', 'owned'));
    } finally {
      client.disconnect();
    }
  });

  it('a master killed mid-load (3 instances, a steady stream of calls): its replica takes over, every call succeeds with the right token, upstream requests stay between 1 and 3 (one per instance) per new user, and the store is shared again afterwards', async () => {
    const fleet = await Promise.all([instance(), instance(), instance()]);
    const warm = Array.from({ length: 12 }, (_, i) => `warm-${i}`);
    for (const { svc } of fleet) for (const u of warm) await svc.getUserToken(u);
    expect(simulator.requestCount).toBe(warm.length);
    // The master that serves warm-0's key: it is the one killed.
    const victim = await cluster.masterOf(fleet[0].store.redisKey('999999:warm-0'));
    await cluster.cli(victim, 'wait', '1', '2000'); // its tokens are on its replica too
    simulator.resetRequestCount();

    const load = steadyLoad(fleet, warm, simulator);
    await sleep(2_000);
    await cluster.kill(victim);
    await cluster.waitHealthy();
    expect(await cluster.masterPorts()).not.toContain(victim);
    await sleep(3_000);
    const { calls, waves, wrong, errors } = await load.stop();

    expect(errors).toEqual([]);
    expect(wrong).toEqual([]);
    expect(calls).toBeGreaterThan(300);
    expect(simulator.requestCount).toBeGreaterThanOrEqual(waves.size);
    expect(simulator.requestCount).toBeLessThanOrEqual(waves.size * fleet.length);
    process.stdout.write(`cluster failover under load: ${calls} calls, ${waves.size} new users, ${simulator.requestCount} upstream requests\n`);

    // Shared again, on the promoted replica too: warm-0's token is still there, and a new user
    // whose key lives on the promoted master is fetched once for the fleet.
    simulator.resetRequestCount();
    const promoted = await cluster.masterOf(fleet[0].store.redisKey('999999:warm-0'));
    expect(promoted).not.toBe(victim);
    let user = '';
    for (let i = 0; !user; i++) if ((await cluster.masterOf(fleet[0].store.redisKey(`999999:after-${i}`))) === promoted) user = `after-${i}`;
    const fresh = await instance();
    expect(await fresh.svc.getUserToken('warm-0')).toBe(simulator.tokenFor('999999', 'warm-0'));
    const after = await fleet[0].svc.getUserToken(user);
    expect(await fleet[1].svc.getUserToken(user)).toBe(after);
    expect(await fleet[2].svc.getUserToken(user)).toBe(after);
    expect(simulator.requestCount).toBe(1);
    await cluster.restart(victim);
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
