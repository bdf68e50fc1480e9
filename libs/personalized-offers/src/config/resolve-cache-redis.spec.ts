import { Cluster, Redis } from 'ioredis';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { describeStartup } from '../personalized-offers.providers.js';
import { resolveOptions } from './resolve-options.js';

const base: PersonalizedOffersModuleOptions = { fId: '999999', authInfo: { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' } };
const redisCache = (redis: object) => resolveOptions({ ...base, cache: { store: { redis } } } as PersonalizedOffersModuleOptions).cache;
const SECRET_PASSWORD = 'p@ss-w0rd-that-must-not-leak';

function refused(redis: object): PersonalizedOffersConfigError {
  try {
    redisCache(redis);
  } catch (error) {
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as Error).message).not.toContain(SECRET_PASSWORD);
    return error as PersonalizedOffersConfigError;
  }
  throw new Error('expected a PersonalizedOffersConfigError');
}

describe('cache.store.redis: Sentinel, Cluster and an application client', () => {
  it('resolves { sentinels, name } with credentials and TLS, keeping only known fields', () => {
    const cache = redisCache({
      sentinels: [
        { host: 's1', port: 26379, extra: 1 },
        { host: 's2', port: 26380 },
      ],
      name: 'mymaster',
      username: 'app',
      password: SECRET_PASSWORD,
      sentinelPassword: 'sp',
      tls: true,
      keyPrefix: 'x:',
      commandTimeoutMs: 500,
    });
    expect(cache && cache.redis).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'mymaster',
      username: 'app',
      password: SECRET_PASSWORD,
      sentinelPassword: 'sp',
      tls: true,
      keyPrefix: 'x:',
      commandTimeoutMs: 500,
      secret: expect.any(Buffer),
    });
  });

  it('resolves { cluster } with defaults (plo: prefix, 250 ms)', () => {
    const cache = redisCache({ cluster: [{ host: 'c1', port: 7000 }] });
    expect(cache && cache.redis).toEqual({ cluster: [{ host: 'c1', port: 7000 }], keyPrefix: 'plo:', commandTimeoutMs: 250, secret: expect.any(Buffer) });
  });

  it('resolves { client } to that very client (Redis or Cluster)', () => {
    const redis = new Redis({ lazyConnect: true });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    expect(redisCache({ client: redis }) && (redisCache({ client: redis }) as { redis: { client: unknown } }).redis.client).toBe(redis);
    expect((redisCache({ client: cluster }) as { redis: { client: unknown } }).redis.client).toBe(cluster);
    expect(redis.status).toBe('wait'); // resolving does not connect it
    redis.disconnect();
    cluster.disconnect();
  });

  it.each([
    [
      { url: 'redis://c', cluster: [{ host: 'c', port: 1 }] },
      ['cache.store.redis.url', 'cache.store.redis.cluster'],
      /exactly one of url, client, sentinels or cluster/,
    ],
    [{ sentinels: [], name: 'm' }, ['cache.store.redis.sentinels'], /non-empty array of \{ host, port \}/],
    [{ sentinels: 'host:26379', name: 'm' }, ['cache.store.redis.sentinels'], /non-empty array/],
    [{ sentinels: [{ host: 's', port: 0 }], name: 'm' }, ['cache.store.redis.sentinels'], /sentinels\[0\] must be \{ host: string, port: 1-65535 \}/],
    [
      {
        sentinels: [
          { host: 's', port: 26379 },
          { host: '', port: 1 },
        ],
        name: 'm',
      },
      ['cache.store.redis.sentinels'],
      /sentinels\[1\]/,
    ],
    [{ sentinels: [{ host: 's', port: 26379 }] }, ['cache.store.redis.name'], /master group name/],
    [{ sentinels: [{ host: 's', port: 26379 }], name: 'm', password: 42 }, ['cache.store.redis.password'], /must be a string/],
    [{ sentinels: [{ host: 's', port: 26379 }], name: 'm', sentinelPassword: {} }, ['cache.store.redis.sentinelPassword'], /must be a string/],
    [{ sentinels: [{ host: 's', port: 26379 }], name: 'm', tls: 'yes' }, ['cache.store.redis.tls'], /true, false or Node TLS options/],
    [{ cluster: [{ host: 'c', port: 70_000 }], password: SECRET_PASSWORD }, ['cache.store.redis.cluster'], /cluster\[0\]/],
    [{ cluster: [{ host: 'c', port: 7000 }], name: 'm' }, ['cache.store.redis.name'], /Sentinel only/],
    [{ cluster: [{ host: 'c', port: 7000 }], username: '' }, ['cache.store.redis.username'], /non-empty string/],
    [{ cluster: [{ host: 'c', port: 7000 }], keyPrefix: 'app{1}:' }, ['cache.store.redis.keyPrefix'], /must not contain \{ or \}/],
    [{ client: { get: () => 1 } }, ['cache.store.redis.client'], /ioredis Redis or Cluster instance/],
    [{ url: `redis://:${SECRET_PASSWORD}@c`, password: SECRET_PASSWORD }, ['cache.store.redis.password'], /does not apply with cache.store.redis.url/],
  ])('refuses %j naming %j, never echoing a password', (redis, settings, message) => {
    const error = refused(redis);
    expect(error.settings).toEqual(settings);
    expect(error.message).toMatch(message);
  });

  it('the start-up line names the form: redis, redis (sentinel), redis (cluster), redis (client)', () => {
    const line = (redis: object) => describeStartup(resolveOptions({ ...base, cache: { store: { redis } } } as PersonalizedOffersModuleOptions));
    expect(line({ url: 'redis://c' })).toContain('cache redis,');
    expect(line({ sentinels: [{ host: 's', port: 1 }], name: 'm', password: SECRET_PASSWORD })).toContain('cache redis (sentinel),');
    expect(line({ sentinels: [{ host: 's', port: 1 }], name: 'm', password: SECRET_PASSWORD })).not.toContain(SECRET_PASSWORD);
    expect(line({ cluster: [{ host: 'c', port: 1 }] })).toContain('cache redis (cluster),');
    const client = new Redis({ lazyConnect: true });
    expect(line({ client })).toContain('cache redis (client),');
    client.disconnect();
  });
});
