import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { MemoryTokenStore } from './memory-token.store.js';
import { RedisTokenStore } from './redis-token.store.js';

describe('MemoryTokenStore', () => {
  it('stores, reads and deletes tokens, counting entries', () => {
    const store = new MemoryTokenStore({ maxEntries: 10 });
    store.set('a', 'A');
    store.set('b', 'B');
    expect(store.get('a')).toBe('A');
    expect(store.size).toBe(2);
    store.delete('a');
    expect(store.get('a')).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = new MemoryTokenStore({ maxEntries: 2 });
    store.set('a', 'A');
    store.set('b', 'B');
    store.get('a');
    store.set('c', 'C');
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe('A');
    expect(store.size).toBe(2);
  });

  it('expires entries after the store TTL, or the TTL given with the entry', async () => {
    const store = new MemoryTokenStore({ maxEntries: 10, ttlMs: 40 });
    store.set('short', 'S');
    store.set('long', 'L', 5_000);
    await sleep(80);
    expect(store.get('short')).toBeUndefined();
    expect(store.get('long')).toBe('L');
  });

  it('keeps entries without a TTL until evicted, even when one entry has its own', async () => {
    const store = new MemoryTokenStore({ maxEntries: 10 });
    store.set('kept', 'K');
    store.set('brief', 'B', 30);
    await sleep(70);
    expect(store.get('kept')).toBe('K');
    expect(store.get('brief')).toBeUndefined();
  });
});

const SECRET = Buffer.alloc(32, 7);
/** Real disconnects of every client made here, run after each test even where a test replaced it. */
const disconnects: (() => void)[] = [];
afterEach(() => {
  for (const disconnect of disconnects.splice(0)) disconnect();
  jest.restoreAllMocks();
});

/** A store whose Redis client never connects: its commands are replaced by a Map-backed fake. */
function fakeRedis(options: { keyPrefix?: string; commandTimeoutMs?: number; secret?: Buffer } = {}, logger?: Logger) {
  const store = new RedisTokenStore({ url: 'redis://127.0.0.1:1', secret: options.secret ?? SECRET, ...options }, logger);
  disconnects.push(store.client.disconnect.bind(store.client));
  const data = new Map<string, string>();
  const calls: unknown[][] = [];
  const client = store.client as unknown as Record<string, unknown>;
  client.get = (key: string) => (calls.push(['get', key]), Promise.resolve(data.get(key) ?? null));
  client.set = (key: string, value: string, ...rest: unknown[]) => (calls.push(['set', key, value, ...rest]), data.set(key, value), Promise.resolve('OK'));
  client.del = (key: string) => (calls.push(['del', key]), Promise.resolve(Number(data.delete(key))));
  return { store, data, calls, client };
}

describe('RedisTokenStore: keys and sealed values', () => {
  it('keys are prefix + kind + the keyed hash of the module key, never the user id', () => {
    const { store } = fakeRedis();
    const hash = (key: string) => store.redisKey(key).split(':').at(-1);
    expect(store.redisKey('999:user-1')).toMatch(/^plo:ut:[A-Za-z0-9_-]{43}$/);
    expect(store.redisKey('at:999:user-1')).toMatch(/^plo:at:[A-Za-z0-9_-]{43}$/);
    expect(store.redisKey('999:user-1')).not.toContain('user-1');
    expect(hash('a')).not.toBe(hash('b'));
    expect(hash('a')).toBe(hash('a'));
    // Keyed: a plain HMAC under the secret itself is not what is stored (the key is derived).
    expect(hash('a')).not.toBe(createHmac('sha256', SECRET).update('a').digest('base64url'));
    expect(fakeRedis({ keyPrefix: 'app:' }).store.redisKey('k')).toMatch(/^app:ut:/);
    expect(fakeRedis({ secret: Buffer.alloc(32, 8) }).store.redisKey('k')).not.toBe(store.redisKey('k'));
  });

  it('round-trips a token sealed under its Redis key; the stored value shows no token', async () => {
    const { store, data } = fakeRedis();
    await store.set('k', 'the-token');
    const stored = data.get(store.redisKey('k'))!;
    expect(stored).not.toContain('the-token');
    expect(Buffer.from(stored, 'base64url').toString('latin1')).not.toContain('the-token');
    expect(await store.get('k')).toBe('the-token');
    expect(await store.get('missing')).toBeUndefined();
  });

  it('seals with a fresh IV each time, so equal tokens are stored differently', async () => {
    const { store, data } = fakeRedis();
    await store.set('a', 'same');
    const first = data.get(store.redisKey('a'));
    await store.set('a', 'same');
    expect(data.get(store.redisKey('a'))).not.toBe(first);
    expect(await store.get('a')).toBe('same');
  });

  it('reads a value moved to another key, tampered, of another version or too short as a miss', async () => {
    const { store, data } = fakeRedis();
    await store.set('a', 'token-a');
    const sealed = data.get(store.redisKey('a'))!;
    data.set(store.redisKey('b'), sealed);
    expect(await store.get('b')).toBeUndefined();

    const bytes = Buffer.from(sealed, 'base64url');
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1] ^= 1;
    data.set(store.redisKey('a'), tampered.toString('base64url'));
    expect(await store.get('a')).toBeUndefined();

    const otherVersion = Buffer.from(bytes);
    otherVersion[0] = 2;
    data.set(store.redisKey('a'), otherVersion.toString('base64url'));
    expect(await store.get('a')).toBeUndefined();

    data.set(store.redisKey('a'), bytes.subarray(0, 28).toString('base64url'));
    expect(await store.get('a')).toBeUndefined();

    // The layout: version 1, 12-byte IV, 16-byte tag, then the body (as long as the token).
    expect(bytes[0]).toBe(1);
    expect(bytes.length).toBe(1 + 12 + 16 + 'token-a'.length);
  });

  it('an empty token has a 29-byte value and still round-trips', async () => {
    const { store, data } = fakeRedis();
    await store.set('e', '');
    expect(Buffer.from(data.get(store.redisKey('e'))!, 'base64url')).toHaveLength(29);
    expect(await store.get('e')).toBe('');
  });

  it('a value sealed with another secret does not open', async () => {
    const one = fakeRedis();
    const two = fakeRedis({ secret: Buffer.alloc(32, 9) });
    await one.store.set('k', 'tok');
    two.data.set(one.store.redisKey('k'), one.data.get(one.store.redisKey('k'))!);
    // Same key string only if the hash keys matched; place it under two's key instead.
    two.data.set(two.store.redisKey('k'), one.data.get(one.store.redisKey('k'))!);
    expect(await two.store.get('k')).toBeUndefined();
  });

  it('sets with PX only when given a TTL, and deletes by the Redis key', async () => {
    const { store, calls } = fakeRedis();
    await store.set('k', 't', 1_500);
    await store.set('k', 't');
    await store.delete('k');
    const key = store.redisKey('k');
    expect(calls.map((c) => [c[0], c[1], ...c.slice(3)])).toEqual([
      ['set', key, 'PX', 1_500],
      ['set', key],
      ['del', key],
    ]);
  });
});

describe('RedisTokenStore: locks, health and connection', () => {
  it('acquireLock claims `<key>:lock` with the owner and TTL, answering the owner or undefined', async () => {
    const { store, client } = fakeRedis();
    const evals: unknown[][] = [];
    let answer = 1;
    client.eval = (...args: unknown[]) => (evals.push(args), Promise.resolve(answer));
    expect(await store.acquireLock('k', 2_000, 'me')).toBe('me');
    answer = 0;
    expect(await store.acquireLock('k', 2_000, 'me')).toBeUndefined();
    expect(evals[0].slice(1)).toEqual([1, `${store.redisKey('k')}:lock`, 'me', 2_000]);
    expect(String(evals[0][0])).toContain("redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])");
    answer = 1;
    expect(await store.acquireLock('k', 2_000)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('releaseLock runs the compare-and-delete script for that owner', async () => {
    const { store, client } = fakeRedis();
    const evals: unknown[][] = [];
    client.eval = (...args: unknown[]) => (evals.push(args), Promise.resolve(1));
    await store.releaseLock('k', 'me');
    expect(evals[0].slice(1)).toEqual([1, `${store.redisKey('k')}:lock`, 'me']);
    expect(String(evals[0][0])).toContain("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])");
  });

  it('is shared, never queues commands offline, retries at most once a second, and times commands out', () => {
    const { store } = fakeRedis();
    const options = (store.client as Redis).options;
    expect(store.shared).toBe(true);
    expect(options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250, connectTimeout: 1_000 });
    expect([1, 5, 10, 50].map((n) => options.retryStrategy!(n))).toEqual([100, 500, 1_000, 1_000]);
    expect((fakeRedis({ commandTimeoutMs: 900 }).store.client as Redis).options.commandTimeout).toBe(900);
  });

  it('ping rejects with the connection status as code unless ready, then PINGs', async () => {
    const { store, client } = fakeRedis();
    Object.defineProperty(store.client, 'status', { value: 'reconnecting', configurable: true });
    const ping = jest.fn(() => Promise.resolve('PONG'));
    client.ping = ping;
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'Redis connection reconnecting', code: 'reconnecting' });
    expect(ping).not.toHaveBeenCalled();
    Object.defineProperty(store.client, 'status', { value: 'ready', configurable: true });
    await expect(store.ping()).resolves.toBeUndefined();
    expect(ping).toHaveBeenCalledTimes(1);
  });

  it('ping passes a timeout or a coded error on, names a Redis error reply, and reads any other failure as a lost connection', async () => {
    const { store, client } = fakeRedis();
    Object.defineProperty(store.client, 'status', { value: 'ready', configurable: true });
    const failWith = (error: Error) => {
      client.ping = () => Promise.reject(error);
      return store.ping().catch((e: unknown) => e);
    };
    const timedOut = new Error('Command timed out');
    expect(await failWith(timedOut)).toBe(timedOut);
    const coded = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(await failWith(coded)).toBe(coded);
    const reply = Object.assign(new Error('NOAUTH Authentication required.'), { name: 'ReplyError' });
    expect(await failWith(reply)).toMatchObject({ message: 'Redis answered NOAUTH', code: 'NOAUTH' });
    expect(await failWith(Object.assign(new Error('lower case reply'), { name: 'ReplyError' }))).toMatchObject({
      message: 'Redis connection close',
      code: 'close',
    });
    expect(await failWith(new Error('Connection is closed.'))).toMatchObject({ message: 'Redis connection close', code: 'close' });
    client.ping = () => {
      Object.defineProperty(store.client, 'status', { value: 'end', configurable: true });
      return Promise.reject(new Error('Connection is closed.'));
    };
    expect(await store.ping().catch((e: unknown) => e)).toMatchObject({ message: 'Redis connection end', code: 'end' });
  });

  it('connect answers whether the connection opened', async () => {
    const { store, client } = fakeRedis();
    client.connect = () => Promise.resolve(undefined);
    expect(await store.connect()).toBe(true);
    client.connect = () => Promise.reject(new Error('ECONNREFUSED'));
    expect(await store.connect()).toBe(false);
  });

  it('close quits a ready connection (disconnecting if QUIT fails), disconnects a connecting one, and waits for the end', async () => {
    for (const [status, quitFails] of [
      ['ready', false],
      ['ready', true],
      ['connecting', false],
    ] as const) {
      const { store, client } = fakeRedis();
      Object.defineProperty(store.client, 'status', { value: status, configurable: true });
      const quit = jest.fn(() => (quitFails ? Promise.reject(new Error('closed')) : Promise.resolve('OK')));
      const disconnect = jest.fn();
      client.quit = quit;
      client.disconnect = disconnect;
      let closed = false;
      const closing = store.close().then(() => (closed = true));
      await sleep(5);
      expect([status, quitFails, closed]).toEqual([status, quitFails, false]);
      store.client.emit('end');
      await closing;
      expect(quit).toHaveBeenCalledTimes(status === 'ready' ? 1 : 0);
      expect(disconnect).toHaveBeenCalledTimes(status === 'ready' && !quitFails ? 0 : 1);
      Object.defineProperty(store.client, 'status', { value: 'end', configurable: true });
      client.disconnect = () => undefined;
    }
  });

  it.each(['reconnecting', 'close'])('close disconnects a client between sockets (%s) without waiting for an end that never comes', async (status) => {
    const { store, client } = fakeRedis();
    Object.defineProperty(store.client, 'status', { value: status, configurable: true });
    const quit = jest.fn();
    const disconnect = jest.fn();
    client.quit = quit;
    client.disconnect = disconnect;
    await store.close();
    expect(disconnect).toHaveBeenCalledTimes(1);
    expect(quit).not.toHaveBeenCalled();
    client.disconnect = () => undefined;
  });

  it('close returns at once when the connection has already ended', async () => {
    const { store, client } = fakeRedis();
    Object.defineProperty(store.client, 'status', { value: 'end', configurable: true });
    const quit = jest.fn();
    client.quit = quit;
    await store.close();
    expect(quit).not.toHaveBeenCalled();
  });

  it('reports connection errors to the logger at debug level, by code only', () => {
    const debug = jest.fn();
    const { store } = fakeRedis({}, { debug } as unknown as Logger);
    store.client.emit('error', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6379'), { code: 'ECONNREFUSED' }));
    store.client.emit('error', new Error('no code'));
    expect(debug.mock.calls).toEqual([['Redis connection error (ECONNREFUSED).'], ['Redis connection error (error).']]);
    // Without a logger, errors are swallowed (no unhandled 'error' event).
    expect(() => fakeRedis().store.client.emit('error', new Error('x'))).not.toThrow();
  });
});
