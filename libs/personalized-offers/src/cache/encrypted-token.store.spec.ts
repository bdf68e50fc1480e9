import { createHmac, hkdfSync } from 'node:crypto';
import { jest } from '@jest/globals';
import { EncryptedTokenStore, type KeyValueBackend } from './encrypted-token.store.js';
import { RedisTokenStore } from './redis-token.store.js';

/** A plain in-memory backend: only the required methods, and a log of every call. */
class MapBackend implements KeyValueBackend {
  readonly data = new Map<string, { value: string; ttlMs?: number }>();
  readonly calls: string[] = [];
  get(key: string): Promise<string | undefined> {
    this.calls.push(`get ${key}`);
    return Promise.resolve(this.data.get(key)?.value);
  }
  set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.calls.push(`set ${key}`);
    this.data.set(key, { value, ttlMs });
    return Promise.resolve();
  }
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.calls.push(`setIfAbsent ${key}`);
    if (this.data.has(key)) return Promise.resolve(false);
    this.data.set(key, { value, ttlMs });
    return Promise.resolve(true);
  }
  delete(key: string): Promise<void> {
    this.calls.push(`delete ${key}`);
    this.data.delete(key);
    return Promise.resolve();
  }
}

/** The same backend with the optional atomic operations. */
class AtomicBackend extends MapBackend {
  deleteIfEquals(key: string, value: string): Promise<void> {
    this.calls.push(`deleteIfEquals ${key}`);
    if (this.data.get(key)?.value === value) this.data.delete(key);
    return Promise.resolve();
  }
  claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.calls.push(`claim ${key}`);
    const v = this.data.get(key)?.value;
    if (v !== undefined && v !== value) return Promise.resolve(false);
    this.data.set(key, { value, ttlMs });
    return Promise.resolve(true);
  }
  setUnlessGuarded(key: string, value: string, ttlMs: number | undefined, guardKey: string, guardValue: string): Promise<boolean> {
    this.calls.push(`setUnlessGuarded ${key}`);
    const v = this.data.get(guardKey)?.value;
    if (v !== undefined && v !== guardValue) return Promise.resolve(false);
    this.data.set(key, { value, ttlMs });
    return Promise.resolve(true);
  }
}

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const USER_KEY = '999999:1PCLOSANDBOXBCN00002tra6athatR';
const TOKEN = 'user-token-ABCDEFGHIJKLMNOP';

function store(backend: KeyValueBackend = new MapBackend(), options: { keyPrefix?: string; hashTags?: boolean; secret?: Buffer } = {}) {
  return new EncryptedTokenStore({ backend, secret: options.secret ?? SECRET, ...options });
}

describe('EncryptedTokenStore: keys and sealing', () => {
  it('keys are prefix + kind + HMAC-SHA256 (HKDF-derived key) of the module key: no user id, fId or module key in clear', async () => {
    const backend = new MapBackend();
    const s = store(backend);
    await s.set(USER_KEY, TOKEN);
    const hashKey = Buffer.from(hkdfSync('sha256', SECRET, 'nestjs-personalized-offers token cache', 'redis key hash', 32));
    const expected = `plo:ut:${createHmac('sha256', hashKey).update(USER_KEY).digest('base64url')}`;
    expect([...backend.data.keys()]).toEqual([expected]);
    expect(expected).not.toContain('1PCLOSANDBOX');
    expect(expected).not.toContain('999999');
    expect(s.storageKey(`at:${USER_KEY}`)).toMatch(/^plo:at:[A-Za-z0-9_-]{43}$/);
    expect(store(backend, { keyPrefix: 'x:' }).storageKey(USER_KEY)).toBe(expected.replace('plo:', 'x:'));
  });

  it('with hashTags the hash is in braces and the lock key shares it (one Cluster slot)', () => {
    const s = store(new MapBackend(), { hashTags: true });
    const plain = store(new MapBackend()).storageKey(USER_KEY).slice('plo:ut:'.length);
    expect(s.storageKey(USER_KEY)).toBe(`plo:ut:{${plain}}`);
    expect(s.lockKey(USER_KEY)).toBe(`plo:ut:{${plain}}:lock`);
  });

  it('values are AES-256-GCM sealed: no token in the value or in its base64url decoding, and a fresh IV per write', async () => {
    const backend = new MapBackend();
    const s = store(backend);
    await s.set(USER_KEY, TOKEN);
    const [[key, { value: first }]] = [...backend.data.entries()];
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first).not.toContain(TOKEN);
    expect(Buffer.from(first, 'base64url').toString('latin1')).not.toContain(TOKEN);
    expect(Buffer.from(first, 'base64url')).toHaveLength(1 + 12 + 16 + TOKEN.length);
    await s.set(USER_KEY, TOKEN);
    expect(backend.data.get(key)!.value).not.toBe(first);
    expect(await s.get(USER_KEY)).toBe(TOKEN);
  });

  it('byte-compatible with RedisTokenStore: the same key, and RedisTokenStore opens what EncryptedTokenStore sealed', async () => {
    const backend = new MapBackend();
    const s = store(backend, { keyPrefix: 'test:' });
    const redis = new RedisTokenStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'test:', secret: SECRET });
    expect(redis.redisKey(USER_KEY)).toBe(s.storageKey(USER_KEY));
    await s.set(USER_KEY, TOKEN);
    const sealed = backend.data.get(s.storageKey(USER_KEY))!.value;
    (redis.client as unknown as { get: (k: string) => Promise<string | null> }).get = (k) => Promise.resolve(k === redis.redisKey(USER_KEY) ? sealed : null);
    expect(await redis.get(USER_KEY)).toBe(TOKEN);
    redis.client.disconnect();
  });

  it('the backend key is the associated data: a value moved to another key reads as a miss', async () => {
    const backend = new MapBackend();
    const s = store(backend);
    await s.set('999999:victor', 'victor-token');
    await s.set('999999:walter', 'walter-token');
    backend.data.set(s.storageKey('999999:walter'), backend.data.get(s.storageKey('999999:victor'))!);
    expect(await s.get('999999:walter')).toBeUndefined();
    expect(await s.get('999999:victor')).toBe('victor-token');
  });

  it('a value sealed under another secret, tampered, truncated or of another version reads as a miss', async () => {
    const backend = new MapBackend();
    const s = store(backend);
    const other = store(backend, { secret: Buffer.from('another-secret-of-32-bytes-length') });
    const key = s.storageKey(USER_KEY);
    // another secret, planted at this store's key name
    jest.spyOn(other, 'storageKey').mockReturnValue(key);
    await other.set(USER_KEY, 'planted');
    expect(await s.get(USER_KEY)).toBeUndefined();
    await s.set(USER_KEY, TOKEN);
    const bytes = Buffer.from(backend.data.get(key)!.value, 'base64url');
    const variants = [
      Buffer.concat([bytes.subarray(0, -1), Buffer.of(bytes.at(-1)! ^ 1)]),
      bytes.subarray(0, 28),
      Buffer.concat([Buffer.of(2), bytes.subarray(1)]),
    ];
    for (const v of variants) {
      backend.data.set(key, { value: v.toString('base64url') });
      expect(await s.get(USER_KEY)).toBeUndefined();
    }
  });

  it('passes the TTL to the backend only when there is one, and deletes by the hashed key', async () => {
    const backend = new MapBackend();
    const s = store(backend);
    await s.set('a', 'A', 5_000);
    await s.set('b', 'B');
    expect(backend.data.get(s.storageKey('a'))!.ttlMs).toBe(5_000);
    expect(backend.data.get(s.storageKey('b'))!.ttlMs).toBeUndefined();
    await s.delete('a');
    expect(backend.data.has(s.storageKey('a'))).toBe(false);
    expect(await s.get('a')).toBeUndefined();
  });

  it('refuses a backend without the required methods or a secret shorter than 16 bytes; is shared unless the backend says otherwise', () => {
    expect(() => store({ get: () => Promise.resolve(undefined) } as unknown as KeyValueBackend)).toThrow(/no set\(\) method/);
    expect(() => store(new MapBackend(), { secret: Buffer.alloc(15) })).toThrow(/at least 16 bytes/);
    expect(store().shared).toBe(true);
    const local = Object.assign(new MapBackend(), { shared: false });
    expect(store(local).shared).toBe(false);
  });
});

describe.each([
  ['with the atomic operations', () => new AtomicBackend()],
  ['with get/set/setIfAbsent/delete only (fallbacks)', () => new MapBackend()],
])('EncryptedTokenStore: the fleet lock %s', (_name, makeBackend) => {
  it('acquires a free lock for the given owner with its TTL, at <key>:lock; another owner is refused', async () => {
    const backend = makeBackend();
    const s = store(backend);
    expect(await s.acquireLock(USER_KEY, 2_000, 'me')).toBe('me');
    expect(backend.data.get(s.lockKey(USER_KEY))).toEqual({ value: 'me', ttlMs: 2_000 });
    expect(await s.acquireLock(USER_KEY, 2_000, 'you')).toBeUndefined();
    expect(await s.acquireLock(USER_KEY, 2_000)).toBeUndefined();
    expect(await store(backend).acquireLock('another-user', 2_000)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is re-entrant for the same owner (a claim whose answer was lost can be repeated)', async () => {
    const s = store(makeBackend());
    expect(await s.acquireLock(USER_KEY, 2_000, 'me')).toBe('me');
    expect(await s.acquireLock(USER_KEY, 2_000, 'me')).toBe('me');
  });

  it('is released only by its owner', async () => {
    const backend = makeBackend();
    const s = store(backend);
    await s.acquireLock(USER_KEY, 2_000, 'me');
    await s.releaseLock(USER_KEY, 'you');
    expect(backend.data.get(s.lockKey(USER_KEY))?.value).toBe('me');
    await s.releaseLock(USER_KEY, 'me');
    expect(backend.data.has(s.lockKey(USER_KEY))).toBe(false);
    expect(await s.acquireLock(USER_KEY, 2_000, 'you')).toBe('you');
  });

  it('fences the token write: a holder whose lock was taken over (lost with a failed master) does not overwrite; once free, it writes', async () => {
    const backend = makeBackend();
    const a = store(backend);
    const b = store(backend);
    await a.acquireLock(USER_KEY, 2_000, 'a');
    backend.data.delete(a.lockKey(USER_KEY)); // the lock was lost (not replicated before a failover)
    await b.acquireLock(USER_KEY, 2_000, 'b');
    await b.set(USER_KEY, 'token-by-b');
    await a.set(USER_KEY, 'token-by-a'); // A's late write: B holds the lock now
    expect(await b.get(USER_KEY)).toBe('token-by-b');
    await b.releaseLock(USER_KEY, 'b');
    await a.set(USER_KEY, 'token-by-a'); // nobody holds it: the write is useful, it happens
    expect(await b.get(USER_KEY)).toBe('token-by-a');
    await a.releaseLock(USER_KEY, 'a');
    await a.set(USER_KEY, 'plain'); // no lock held by this process: a plain write
    expect(await a.get(USER_KEY)).toBe('plain');
  });
});

describe('EncryptedTokenStore: which backend operations it uses', () => {
  it('with deleteIfEquals / claim / setUnlessGuarded it uses them (atomic), not get-then-act', async () => {
    const backend = new AtomicBackend();
    const s = store(backend);
    await s.acquireLock('k', 1_000, 'me');
    await s.set('k', 'T');
    await s.releaseLock('k', 'me');
    const lock = s.lockKey('k');
    const key = s.storageKey('k');
    expect(backend.calls).toEqual([`claim ${lock}`, `setUnlessGuarded ${key}`, `deleteIfEquals ${lock}`]);
  });

  it('without them: setIfAbsent (then get to recognise its own lock), get-then-set, get-then-delete', async () => {
    const backend = new MapBackend();
    const s = store(backend);
    await s.acquireLock('k', 1_000, 'me');
    await s.acquireLock('k', 1_000, 'me');
    await s.set('k', 'T');
    await s.releaseLock('k', 'me');
    const lock = s.lockKey('k');
    const key = s.storageKey('k');
    expect(backend.calls).toEqual([`setIfAbsent ${lock}`, `setIfAbsent ${lock}`, `get ${lock}`, `get ${lock}`, `set ${key}`, `get ${lock}`, `delete ${lock}`]);
  });

  it('ping asks the backend when it can, and resolves otherwise', async () => {
    const backend = Object.assign(new MapBackend(), { ping: jest.fn(() => Promise.resolve('PONG')) });
    expect(await store(backend).ping()).toBe('PONG');
    expect(backend.ping).toHaveBeenCalledTimes(1);
    await expect(store().ping()).resolves.toBeUndefined();
  });
});
