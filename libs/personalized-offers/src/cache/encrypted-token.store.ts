import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { TokenStore } from './token-store.interface.js';

/**
 * A simple key-value store that {@link EncryptedTokenStore} keeps tokens in: Memcached, DynamoDB,
 * a SQL table, Redis… Keys and values are plain strings (the values are already sealed: base64url
 * text). Only `get`, `set`, `setIfAbsent` and `delete` are required; the optional atomic
 * operations make the fleet lock exact where the backend can offer them.
 */
export interface KeyValueBackend {
  /** The value under `key`, or `undefined` when there is none (or it expired). */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, expiring after `ttlMs` milliseconds when given. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Stores `value` under `key` (expiring after `ttlMs`) only if `key` holds nothing; `true` when it stored. Must be atomic. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
  /** Atomically removes `key` only if it holds `value` (a lock released only by its owner). Without it: get, compare, delete. */
  deleteIfEquals?(key: string, value: string): Promise<void>;
  /**
   * Atomically: stores `value` with `ttlMs` if `key` holds nothing, or renews the TTL if it already
   * holds `value`; `true` in both cases (a re-entrant lock claim). Without it: `setIfAbsent`, then
   * `get` to recognise a lock this owner already holds (not renewed).
   */
  claim?(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Atomically: stores `value` under `key` unless `guardKey` holds a value other than `guardValue`;
   * `true` when it stored (a write fenced by the lock). Without it: `get(guardKey)`, then `set`.
   */
  setUnlessGuarded?(key: string, value: string, ttlMs: number | undefined, guardKey: string, guardValue: string): Promise<boolean>;
  /** Reachability probe for health checks (touches no token). */
  ping?(): Promise<unknown>;
  /** True when the backend is shared between instances (Memcached, DynamoDB, Redis…: usually true). @default true */
  readonly shared?: boolean;
}

/** Options of {@link EncryptedTokenStore}. */
export interface EncryptedTokenStoreOptions {
  /** The key-value store that holds the sealed tokens and the locks. */
  backend: KeyValueBackend;
  /** Secret (at least 16 bytes) the key hash and the value encryption key are derived from (HKDF-SHA256). */
  secret: Buffer;
  /** Prefix of every backend key. @default 'plo:' */
  keyPrefix?: string;
  /**
   * Wrap the hash in braces (`plo:ut:{hash}`, lock `plo:ut:{hash}:lock`) so a token's key and its
   * lock key share a Redis Cluster slot. @default false (`plo:ut:hash`)
   */
  hashTags?: boolean;
}

/** True for any non-null object (what `options` and `options.backend` must be, whatever a JS caller passes). */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

const VERSION = 1;
const HEADER = 1 + 12 + 16; // version, IV, GCM tag

/**
 * A {@link TokenStore} over any simple key-value backend, with the module's protection of what it
 * stores: keys are `prefix + kind + ':' + HMAC-SHA256(module key)` (no user id in a key; `ut:` for
 * user tokens, `at:` for access tokens), values are AES-256-GCM sealed with the backend key as
 * associated data (no token in a value, and a value copied to another key does not open: it reads
 * as a miss). Both keys derive from `secret` with HKDF-SHA256, exactly as the built-in Redis store
 * does, so the two read each other's data.
 *
 * The fleet lock (`acquireLock`/`releaseLock`) is a key next to the token's (`…:lock`) holding
 * the owner id: re-entrant for the same owner, released only by its owner, and a token written
 * while this process holds the lock is fenced: it is not written when another owner holds it.
 */
export class EncryptedTokenStore implements TokenStore {
  readonly shared: boolean;
  /** Prefix of every backend key. */
  readonly keyPrefix: string;
  /** The key-value store that holds the sealed tokens and the locks. */
  protected readonly backend: KeyValueBackend;
  private readonly hashKey: Buffer;
  private readonly valueKey: Buffer;
  private readonly hashTags: boolean;
  /** Locks this process holds, by module key: their owner id (fences the token write). */
  private readonly held = new Map<string, string>();

  constructor(options: EncryptedTokenStoreOptions) {
    // JS callers (and parsed configuration) may pass anything: checked, not trusted to the type.
    if (!isObject(options) || !isObject(options.backend)) throw new TypeError('EncryptedTokenStore needs a backend.');
    for (const m of ['get', 'set', 'setIfAbsent', 'delete'] as const) {
      if (typeof options.backend[m] !== 'function') throw new TypeError(`EncryptedTokenStore: the backend has no ${m}() method.`);
    }
    if (!Buffer.isBuffer(options.secret) || options.secret.length < 16)
      throw new TypeError('EncryptedTokenStore: secret must be a Buffer of at least 16 bytes.');
    this.backend = options.backend;
    this.shared = options.backend.shared ?? true;
    this.keyPrefix = options.keyPrefix ?? 'plo:';
    this.hashTags = options.hashTags ?? false;
    this.hashKey = deriveKey(options.secret, 'redis key hash');
    this.valueKey = deriveKey(options.secret, 'redis value encryption');
  }

  /**
   * The backend key of a module key: a keyed hash, no user id in clear; `ut:` for user tokens,
   * `at:` for access tokens (their module keys start with `at:`).
   */
  storageKey(key: string): string {
    const kind = key.startsWith('at:') ? 'at' : 'ut';
    const hash = createHmac('sha256', this.hashKey).update(key).digest('base64url');
    return this.hashTags ? `${this.keyPrefix}${kind}:{${hash}}` : `${this.keyPrefix}${kind}:${hash}`;
  }

  /** The backend key of the lock on a module key (same hash tag as the token's key). */
  lockKey(key: string): string {
    return `${this.storageKey(key)}:lock`;
  }

  async get(key: string): Promise<string | undefined> {
    const storageKey = this.storageKey(key);
    const stored = await this.backend.get(storageKey);
    // `== null`: a backend written against a client that answers `null` for a miss is a miss too.
    return stored == null ? undefined : this.open(storageKey, stored);
  }

  /**
   * Stores the token, sealed. While this process holds the lock on `key`, the write is fenced: it
   * does not happen when the lock is now held by another owner (this one's claim was lost, e.g.
   * with a failed Redis master): that owner is fetching and will write the newer token.
   */
  async set(key: string, token: string, ttlMs?: number): Promise<void> {
    const storageKey = this.storageKey(key);
    const sealed = this.seal(storageKey, token);
    const ttl = ttlMs && ttlMs > 0 ? ttlMs : undefined;
    const owner = this.held.get(key);
    if (owner === undefined) return this.backend.set(storageKey, sealed, ttl);
    const lockKey = `${storageKey}:lock`;
    if (this.backend.setUnlessGuarded) {
      await this.backend.setUnlessGuarded(storageKey, sealed, ttl, lockKey, owner);
      return;
    }
    const holder = await this.backend.get(lockKey);
    if (holder != null && holder !== owner) return; // `!= null`: a `null` answer is no holder either
    await this.backend.set(storageKey, sealed, ttl);
  }

  async delete(key: string): Promise<void> {
    await this.backend.delete(this.storageKey(key));
  }

  async acquireLock(key: string, ttlMs: number, owner: string = randomUUID()): Promise<string | undefined> {
    const lockKey = this.lockKey(key);
    let acquired: boolean;
    if (this.backend.claim) acquired = await this.backend.claim(lockKey, owner, ttlMs);
    else acquired = (await this.backend.setIfAbsent(lockKey, owner, ttlMs)) || (await this.backend.get(lockKey)) === owner;
    if (!acquired) return undefined;
    this.held.set(key, owner);
    return owner;
  }

  async releaseLock(key: string, owner: string): Promise<void> {
    if (this.held.get(key) === owner) this.held.delete(key);
    const lockKey = this.lockKey(key);
    if (this.backend.deleteIfEquals) return this.backend.deleteIfEquals(lockKey, owner);
    if ((await this.backend.get(lockKey)) === owner) await this.backend.delete(lockKey);
  }

  async ping(): Promise<unknown> {
    return this.backend.ping?.();
  }

  /** `version ‖ IV ‖ GCM tag ‖ ciphertext`, base64url; the backend key is the associated data. */
  protected seal(storageKey: string, token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.valueKey, iv);
    cipher.setAAD(Buffer.from(storageKey));
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The token, or `undefined` when the value was not sealed under this secret and this backend key. */
  protected open(storageKey: string, stored: string): string | undefined {
    try {
      const bytes = Buffer.from(stored, 'base64url');
      if (bytes.length < HEADER || bytes[0] !== VERSION) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.valueKey, bytes.subarray(1, 13));
      decipher.setAAD(Buffer.from(storageKey));
      decipher.setAuthTag(bytes.subarray(13, HEADER));
      return Buffer.concat([decipher.update(bytes.subarray(HEADER)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'nestjs-personalized-offers token cache', purpose, 32));
}
