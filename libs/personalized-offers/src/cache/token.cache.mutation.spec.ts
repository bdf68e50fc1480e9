import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ResolvedCacheOptions, ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PersonalizedOffersCacheError } from '../errors/personalized-offers-cache.error.js';
import { NOOP_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';
import { MemoryTokenStore } from './memory-token.store.js';
import { RedisTokenStore } from './redis-token.store.js';
import { TokenCache, type TokenNamespace } from './token.cache.js';
import type { TokenStore } from './token-store.interface.js';

const cacheOptions = (overrides: Partial<ResolvedCacheOptions> = {}): ResolvedCacheOptions => ({
  ttlMs: undefined,
  maxEntries: 100,
  store: 'memory',
  lockTtlMs: 1_000,
  lockWaitMs: 200,
  ...overrides,
});
const options = (cache: ResolvedCacheOptions | false) => ({ cache }) as unknown as ResolvedPersonalizedOffersOptions;

function recordingTelemetry() {
  const lookups: string[] = [];
  const telemetry: Telemetry = { ...NOOP_TELEMETRY, tokenCacheLookup: (kind, hit) => void lookups.push(`${kind}:${hit ? 'hit' : 'miss'}`) };
  return { lookups, telemetry };
}

const ACCESS: TokenNamespace = { kind: 'access', prefix: 'at:', ttlMs: 5_000 };

/** A fetch that answers `token-1`, `token-2`, … and counts its calls. */
function counter(prefix = 'token') {
  let n = 0;
  return jest.fn(() => Promise.resolve(`${prefix}-${++n}`));
}

/** A shared store kept in a Map, with fleet locks and switchable failures. */
class FakeSharedStore implements TokenStore {
  readonly shared = true;
  readonly data = new Map<string, string>();
  readonly locks = new Map<string, string>();
  readonly calls: string[] = [];
  /** When set, every command fails with it. */
  failure: Error | undefined;

  /** Logs the command, then rejects with the failure if one is set, else resolves with what `run` returns. */
  private command<T>(op: string, run: () => T): Promise<T> {
    this.calls.push(op);
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(run());
  }

  get(key: string) {
    return this.command(`get ${key}`, () => this.data.get(key));
  }
  set(key: string, token: string, ttlMs?: number) {
    return this.command(`set ${key}=${token}${ttlMs === undefined ? '' : ` ttl ${ttlMs}`}`, () => {
      this.data.set(key, token);
    });
  }
  delete(key: string) {
    return this.command(`delete ${key}`, () => {
      this.data.delete(key);
    });
  }
  acquireLock(key: string, ttlMs: number, owner?: string) {
    return this.command(`lock ${key} ttl ${ttlMs}`, () => {
      const holder = this.locks.get(key);
      if (holder !== undefined && holder !== owner) return undefined;
      this.locks.set(key, owner!);
      return owner;
    });
  }
  releaseLock(key: string, owner: string) {
    return this.command(`release ${key}`, () => {
      if (this.locks.get(key) === owner) this.locks.delete(key);
    });
  }
}

const timeout = () => new Error('Command timed out');
const down = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6379 password=hunter2'), { code: 'ECONNREFUSED' });

let warn: jest.SpiedFunction<Logger['warn']>;
beforeEach(() => {
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('TokenCache without a cache (cache: false)', () => {
  it('fetches every time, holds nothing and invalidates nothing', async () => {
    const cache = new TokenCache(options(false), null);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-1');
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-2');
    expect(cache.peek(cache.userTokens, 'u')).toBeUndefined();
    await expect(cache.invalidate(cache.userTokens, 'u')).resolves.toBeUndefined();
    expect(cache.userTokens).toEqual({ kind: 'user', prefix: '', ttlMs: undefined });
  });

  it('fetches every time with a cache configured but no store given', async () => {
    const cache = new TokenCache(options(cacheOptions({ ttlMs: 9 })), null);
    const fetch = counter();
    await cache.get(cache.userTokens, 'u', fetch);
    await cache.get(cache.userTokens, 'u', fetch);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(cache.userTokens.ttlMs).toBe(9);
  });
});

describe('TokenCache over the memory store', () => {
  it('serves a stored token without fetching again, and counts the miss then the hit', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new MemoryTokenStore({ maxEntries: 10 });
    const cache = new TokenCache(options(cacheOptions()), store, telemetry);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'fid:u', fetch)).toBe('token-1');
    expect(await cache.get(cache.userTokens, 'fid:u', fetch)).toBe('token-1');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(store.get('fid:u')).toBe('token-1');
    expect(lookups).toEqual(['user:miss', 'user:hit']);
  });

  it('peek answers the held token and counts a hit, and nothing for an unknown key', () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new MemoryTokenStore({ maxEntries: 10 });
    store.set('at:k', 'held');
    const cache = new TokenCache(options(cacheOptions()), store, telemetry);
    expect(cache.peek(ACCESS, 'k')).toBe('held');
    expect(cache.peek(ACCESS, 'other')).toBeUndefined();
    expect(cache.peek(cache.userTokens, 'k')).toBeUndefined();
    expect(lookups).toEqual(['access:hit']);
  });

  it('keeps kinds apart by prefix and stores with the namespace TTL', async () => {
    const store = new MemoryTokenStore({ maxEntries: 10 });
    const set = jest.spyOn(store, 'set');
    const cache = new TokenCache(options(cacheOptions({ ttlMs: 1_234 })), store);
    await cache.get(ACCESS, 'k', () => Promise.resolve('access-token'));
    await cache.get(cache.userTokens, 'k', () => Promise.resolve('user-token'));
    expect(set.mock.calls).toEqual([
      ['at:k', 'access-token', 5_000],
      ['k', 'user-token', 1_234],
    ]);
    expect(cache.peek(ACCESS, 'k')).toBe('access-token');
    expect(cache.peek(cache.userTokens, 'k')).toBe('user-token');
  });

  it('refresh skips the stored token, overwrites it and counts no lookup', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new MemoryTokenStore({ maxEntries: 10 });
    const cache = new TokenCache(options(cacheOptions()), store, telemetry);
    const fetch = counter();
    await cache.get(cache.userTokens, 'u', fetch);
    expect(await cache.get(cache.userTokens, 'u', fetch, true)).toBe('token-2');
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-2');
    expect(lookups).toEqual(['user:miss', 'user:hit']);
  });

  it('single-flight: concurrent misses share one fetch; waiting callers count a miss each', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const cache = new TokenCache(options(cacheOptions()), new MemoryTokenStore({ maxEntries: 10 }), telemetry);
    let release!: (token: string) => void;
    const fetch = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const calls = [cache.get(cache.userTokens, 'u', fetch), cache.get(cache.userTokens, 'u', fetch), cache.get(cache.userTokens, 'u', fetch)];
    await sleep(1);
    release('shared');
    expect(await Promise.all(calls)).toEqual(['shared', 'shared', 'shared']);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(lookups).toEqual(['user:miss', 'user:miss', 'user:miss']);
  });

  it('single-flight for refreshes too, and a read during a refresh waits for it', async () => {
    const cache = new TokenCache(options(cacheOptions()), new MemoryTokenStore({ maxEntries: 10 }));
    await cache.get(cache.userTokens, 'u', () => Promise.resolve('old'));
    let release!: (token: string) => void;
    const fetch = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const refreshes = [cache.get(cache.userTokens, 'u', fetch, true), cache.get(cache.userTokens, 'u', fetch, true)];
    await sleep(1);
    release('new');
    expect(await Promise.all(refreshes)).toEqual(['new', 'new']);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('new');
  });

  it('a refresh does not join a plain fetch under way: it fetches on its own', async () => {
    const cache = new TokenCache(options(cacheOptions()), new MemoryTokenStore({ maxEntries: 10 }));
    let release!: (token: string) => void;
    const slow = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const plain = cache.get(cache.userTokens, 'u', slow);
    const refreshed = await cache.get(cache.userTokens, 'u', () => Promise.resolve('refreshed'), true);
    expect(refreshed).toBe('refreshed');
    release('first');
    expect(await plain).toBe('first');
  });

  it('never caches an error: every waiting caller gets it, the next call fetches again', async () => {
    const cache = new TokenCache(options(cacheOptions()), new MemoryTokenStore({ maxEntries: 10 }));
    const failure = new Error('upstream down');
    const failing = jest.fn(async () => {
      await sleep(1);
      throw failure;
    });
    const calls = [cache.get(cache.userTokens, 'u', failing), cache.get(cache.userTokens, 'u', failing)];
    for (const call of calls) await expect(call).rejects.toBe(failure);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await cache.get(cache.userTokens, 'u', () => Promise.resolve('ok'))).toBe('ok');
  });

  it('invalidate removes the key of that namespace only', async () => {
    const store = new MemoryTokenStore({ maxEntries: 10 });
    const cache = new TokenCache(options(cacheOptions()), store);
    await cache.get(ACCESS, 'k', () => Promise.resolve('a'));
    await cache.get(cache.userTokens, 'k', () => Promise.resolve('u'));
    await cache.invalidate(ACCESS, 'k');
    expect(store.get('at:k')).toBeUndefined();
    expect(store.get('k')).toBe('u');
  });
});

describe('TokenCache over a store that is not shared (custom, remote only)', () => {
  it('reads and writes the store on every call, with no local copy', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const data = new Map<string, string>();
    const set = jest.fn((key: string, token: string) => void data.set(key, token));
    const del = jest.fn((key: string) => void data.delete(key));
    const store: TokenStore = { get: jest.fn((key: string) => data.get(key)), set, delete: del };
    const cache = new TokenCache(options(cacheOptions({ store: 'custom', ttlMs: 50 })), store, telemetry);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-1');
    expect(set).toHaveBeenCalledWith('u', 'token-1', 50);
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-1');
    expect(cache.peek(cache.userTokens, 'u')).toBeUndefined();
    data.clear();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-2');
    expect(lookups).toEqual(['user:miss', 'user:hit', 'user:miss']);
    await cache.invalidate(cache.userTokens, 'u');
    expect(del).toHaveBeenCalledWith('u');
  });

  it('falls back to fetching when the store fails, and a failed write still returns the token', async () => {
    const set = jest.fn(() => Promise.reject(down()));
    const store: TokenStore = { get: jest.fn(() => Promise.reject(down())), set, delete: jest.fn(() => undefined) };
    const cache = new TokenCache(options(cacheOptions({ store: 'custom' })), store);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-1');
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-2');
    expect(set).toHaveBeenCalledTimes(2);
  });
});

describe('TokenCache over a shared store with fleet locks', () => {
  const shared = (overrides: Partial<ResolvedCacheOptions> = {}) => options(cacheOptions({ store: 'custom', ...overrides }));

  it('on a miss: locks, fetches, stores locally and in the store, then releases', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new FakeSharedStore();
    const cache = new TokenCache(shared({ ttlMs: 700, lockTtlMs: 1_500 }), store, telemetry);
    expect(await cache.get(cache.userTokens, 'u', counter())).toBe('token-1');
    expect(store.calls).toEqual(['get u', 'lock u ttl 1500', 'get u', 'set u=token-1 ttl 700', 'release u']);
    expect(store.locks.size).toBe(0);
    expect(lookups).toEqual(['user:miss']);
  });

  it('serves what the store holds, and keeps a local copy for when it fails', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new FakeSharedStore();
    store.data.set('u', 'from-fleet');
    const cache = new TokenCache(shared(), store, telemetry);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('from-fleet');
    store.failure = down();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('from-fleet');
    expect(fetch).not.toHaveBeenCalled();
    expect(lookups).toEqual(['user:hit', 'user:hit']);
    // The shared store is authoritative: peek never answers from the local copy.
    expect(cache.peek(cache.userTokens, 'u')).toBeUndefined();
  });

  it('waits for the token another instance is fetching instead of fetching too', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new FakeSharedStore();
    store.locks.set('u', 'other-instance');
    const cache = new TokenCache(shared({ lockWaitMs: 2_000 }), store, telemetry);
    setTimeout(() => store.data.set('u', 'theirs'), 50);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('theirs');
    expect(fetch).not.toHaveBeenCalled();
    expect(lookups).toEqual(['user:hit']);
    // Their token is kept locally too.
    store.failure = down();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('theirs');
  });

  it('fetches without the lock once lockWaitMs has passed', async () => {
    const store = new FakeSharedStore();
    store.locks.set('u', 'other-instance');
    const cache = new TokenCache(shared({ lockWaitMs: 100 }), store);
    const started = performance.now();
    expect(await cache.get(cache.userTokens, 'u', counter())).toBe('token-1');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(1_500);
    expect(store.calls.filter((c) => c.startsWith('release'))).toEqual([]);
    expect(store.locks.get('u')).toBe('other-instance');
    expect(store.data.get('u')).toBe('token-1');
  });

  it('polls every 20 ms or so while waiting, not in a busy loop', async () => {
    const store = new FakeSharedStore();
    store.locks.set('u', 'other-instance');
    const cache = new TokenCache(shared({ lockWaitMs: 200 }), store);
    await cache.get(cache.userTokens, 'u', counter());
    const locks = store.calls.filter((c) => c.startsWith('lock')).length;
    expect(locks).toBeGreaterThanOrEqual(3);
    expect(locks).toBeLessThanOrEqual(12);
  });

  it('with lockWaitMs 0, asks for the lock once and then fetches', async () => {
    const store = new FakeSharedStore();
    store.locks.set('u', 'other-instance');
    const cache = new TokenCache(shared({ lockWaitMs: 0 }), store);
    expect(await cache.get(cache.userTokens, 'u', counter())).toBe('token-1');
    expect(store.calls.filter((c) => c.startsWith('lock'))).toHaveLength(1);
  });

  it('returns the token stored just before it locked, and releases the lock', async () => {
    const store = new FakeSharedStore();
    const cache = new TokenCache(shared(), store);
    const acquire = store.acquireLock.bind(store);
    store.acquireLock = async (key, ttl, owner) => {
      const got = await acquire(key, ttl, owner);
      store.data.set(key, 'stored-meanwhile');
      return got;
    };
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('stored-meanwhile');
    expect(fetch).not.toHaveBeenCalled();
    expect(store.locks.size).toBe(0);
  });

  it('asks again with the same owner when the lock command timed out, so a late claim counts as its own', async () => {
    const store = new FakeSharedStore();
    const acquire = store.acquireLock.bind(store);
    const owners: (string | undefined)[] = [];
    let first = true;
    store.acquireLock = async (key, ttl, owner) => {
      owners.push(owner);
      const got = await acquire(key, ttl, owner); // the claim reaches the store…
      if (first) {
        first = false;
        throw timeout(); // …but its answer is lost
      }
      return got;
    };
    const cache = new TokenCache(shared({ lockWaitMs: 1_000 }), store);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('token-1');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(owners).toHaveLength(2);
    expect(owners[0]).toBe(owners[1]);
    expect(owners[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.locks.size).toBe(0);
  });

  it('fetches at once when the store is down (not merely slow) while locking', async () => {
    const store = new FakeSharedStore();
    store.acquireLock = () => Promise.reject(down());
    const cache = new TokenCache(shared({ lockWaitMs: 5_000 }), store);
    const started = performance.now();
    expect(await cache.get(cache.userTokens, 'u', counter())).toBe('token-1');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(store.calls.filter((c) => c.startsWith('release'))).toEqual([]);
  });

  it('stops waiting for another instance when the store goes down meanwhile', async () => {
    const store = new FakeSharedStore();
    store.locks.set('u', 'other-instance');
    const cache = new TokenCache(shared({ lockWaitMs: 5_000 }), store);
    setTimeout(() => (store.failure = down()), 30);
    const started = performance.now();
    expect(await cache.get(cache.userTokens, 'u', counter())).toBe('token-1');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('keeps waiting while reads time out (slow, not down)', async () => {
    const store = new FakeSharedStore();
    store.locks.set('u', 'other-instance');
    const get = store.get.bind(store);
    let reads = 0;
    store.get = async (key) => {
      reads += 1;
      if (reads > 1 && reads < 4) throw timeout();
      return get(key);
    };
    setTimeout(() => store.data.set('u', 'theirs'), 120);
    const cache = new TokenCache(shared({ lockWaitMs: 3_000 }), store);
    const fetch = counter();
    expect(await cache.get(cache.userTokens, 'u', fetch)).toBe('theirs');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refresh skips the read and the lock, and overwrites the store', async () => {
    const { lookups, telemetry } = recordingTelemetry();
    const store = new FakeSharedStore();
    store.data.set('u', 'old');
    const cache = new TokenCache(shared(), store, telemetry);
    expect(await cache.get(cache.userTokens, 'u', () => Promise.resolve('new'), true)).toBe('new');
    expect(store.calls).toEqual(['set u=new']);
    expect(lookups).toEqual([]);
  });

  it('releases the lock when the fetch fails, and passes the error on', async () => {
    const store = new FakeSharedStore();
    const cache = new TokenCache(shared(), store);
    const failure = new Error('refused');
    await expect(cache.get(cache.userTokens, 'u', () => Promise.reject(failure))).rejects.toBe(failure);
    expect(store.calls.at(-1)).toBe('release u');
    expect(store.locks.size).toBe(0);
  });

  it('warns once per 30 s that the store is unavailable, naming only the error code', async () => {
    const store = new FakeSharedStore();
    store.failure = down();
    const cache = new TokenCache(shared(), store);
    await cache.get(cache.userTokens, 'a', counter());
    await cache.get(cache.userTokens, 'b', counter());
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('Token store unavailable (ECONNREFUSED); serving from process memory and the upstream until it is back.');
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 30_000);
    await cache.get(cache.userTokens, 'c', counter());
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('names the error by its name when it has no code, and "error" when it has neither', async () => {
    const store = new FakeSharedStore();
    const cache = new TokenCache(shared(), store);
    store.failure = Object.assign(new Error('x'), { name: 'ReplyError' });
    await cache.get(cache.userTokens, 'a', counter());
    expect(warn.mock.calls[0][0]).toContain('(ReplyError)');
    const other = new TokenCache(shared(), store);
    store.failure = { code: 42, name: 7 } as unknown as Error;
    await other.get(other.userTokens, 'a', counter());
    expect(warn.mock.calls[1][0]).toContain('(error)');
  });

  it('invalidate deletes locally and in the store; a store failure becomes a cache error without connection details', async () => {
    const store = new FakeSharedStore();
    const cache = new TokenCache(shared(), store);
    await cache.get(ACCESS, 'k', () => Promise.resolve('tok'));
    await cache.invalidate(ACCESS, 'k');
    expect(store.data.has('at:k')).toBe(false);
    store.failure = down();
    // The local copy went too: nothing to fall back on.
    expect(await cache.get(ACCESS, 'k', () => Promise.resolve('fresh'))).toBe('fresh');

    const error = await cache.invalidate(ACCESS, 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersCacheError);
    expect((error as Error).message).toBe('The shared token store could not be reached to invalidate the token.');
    const cause = (error as Error).cause as Error & { code: string };
    expect(cause.message).toBe('ECONNREFUSED');
    expect(cause.code).toBe('ECONNREFUSED');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});

describe('TokenCache.onModuleDestroy', () => {
  // Never connected (lazyConnect); disconnected after each test all the same, so no client is
  // left retrying in the background whatever the code under test does.
  const created: RedisTokenStore[] = [];
  afterEach(() => {
    for (const store of created.splice(0)) store.client.disconnect();
  });
  const redis = () => {
    const store = new RedisTokenStore({ url: 'redis://127.0.0.1:1', secret: Buffer.alloc(16, 1) });
    created.push(store);
    return store;
  };

  it('closes the Redis store the module opened', async () => {
    const store = redis();
    const close = jest.spyOn(store, 'close').mockResolvedValue();
    await new TokenCache(options(cacheOptions({ store: 'redis' })), store).onModuleDestroy();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('leaves a store the application supplied open, and does nothing without a store', async () => {
    const store = redis();
    const close = jest.spyOn(store, 'close').mockResolvedValue();
    await new TokenCache(options(cacheOptions({ store: 'custom' })), store).onModuleDestroy();
    await new TokenCache(options(false), store).onModuleDestroy();
    expect(close).not.toHaveBeenCalled();
    await expect(new TokenCache(options(cacheOptions()), new MemoryTokenStore({ maxEntries: 1 })).onModuleDestroy()).resolves.toBeUndefined();
  });
});
