import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { TokenStore } from './token-store.interface.js';

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** `redis://[:password@]host:port/db`. */
  url: string;
  /** Prefix of every key. @default 'plo:' */
  keyPrefix?: string;
  /** Secret the key hash and the value encryption key are derived from (HKDF-SHA256). */
  secret: Buffer;
  /** Longest wait for one Redis command, in milliseconds; slower counts as down. @default 250 */
  commandTimeoutMs?: number;
}

const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
// SET NX PX, except that a lock this owner already holds is acquired again (its TTL renewed).
const ACQUIRE_LOCK =
  "local v = redis.call('get', KEYS[1]) if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end " +
  "if v then return 0 end redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";
const VERSION = 1;

/**
 * A token store shared by a fleet, in Redis. Keys are `prefix + HMAC-SHA256(userKey)`, so a dump
 * shows no user id; values are AES-256-GCM encrypted with the Redis key as associated data, so a
 * dump shows no token and a value moved to another key does not decrypt. A value that does not
 * decrypt reads as a miss. Commands fail fast when Redis is down or slow (no offline queue).
 */
export class RedisTokenStore implements TokenStore {
  readonly shared = true;
  readonly client: Redis;
  private readonly prefix: string;
  private readonly hashKey: Buffer;
  private readonly valueKey: Buffer;

  constructor(options: RedisTokenStoreOptions, logger?: Logger) {
    this.prefix = options.keyPrefix ?? 'plo:';
    this.hashKey = derive(options.secret, 'redis key hash');
    this.valueKey = derive(options.secret, 'redis value encryption');
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: 1_000,
      // Keep trying to come back, at most once a second.
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    });
    // Connection errors are reported by the cache (rate-limited); without a listener ioredis prints them.
    this.client.on('error', (error) => logger?.debug?.(`Redis connection error (${(error as NodeJS.ErrnoException).code ?? 'error'}).`));
  }

  /**
   * The Redis key for a module-level key: a keyed hash, no user id in clear; `ut:` for user
   * tokens, `at:` for access tokens (their module keys start with `at:`).
   */
  redisKey(key: string): string {
    const kind = key.startsWith('at:') ? 'at' : 'ut';
    return `${this.prefix}${kind}:${createHmac('sha256', this.hashKey).update(key).digest('base64url')}`;
  }

  async get(key: string): Promise<string | undefined> {
    const redisKey = this.redisKey(key);
    const stored = await this.client.get(redisKey);
    return stored === null ? undefined : this.open(redisKey, stored);
  }

  async set(key: string, token: string, ttlMs?: number): Promise<void> {
    const redisKey = this.redisKey(key);
    const sealed = this.seal(redisKey, token);
    if (ttlMs) await this.client.set(redisKey, sealed, 'PX', ttlMs);
    else await this.client.set(redisKey, sealed);
  }

  async delete(key: string): Promise<void> {
    await this.client.del(this.redisKey(key));
  }

  async acquireLock(key: string, ttlMs: number, owner: string = randomUUID()): Promise<string | undefined> {
    const ok = await this.client.eval(ACQUIRE_LOCK, 1, `${this.redisKey(key)}:lock`, owner, ttlMs);
    return ok === 1 ? owner : undefined;
  }

  async releaseLock(key: string, owner: string): Promise<void> {
    await this.client.eval(RELEASE_LOCK, 1, `${this.redisKey(key)}:lock`, owner);
  }

  /**
   * PINGs Redis, bounded by the command timeout (for health checks). Rejects when Redis is slow
   * (ioredis's `Command timed out`), answers with an error (`code`: its first word, e.g.
   * `LOADING`, `NOPERM`), or is not connected (`code`: the client's state, `reconnecting`,
   * `connecting`, …, or `close` when the socket is gone and ioredis has not noticed yet).
   */
  async ping(): Promise<void> {
    const before = this.client.status;
    if (before !== 'ready') throw Object.assign(new Error(`Redis connection ${before}`), { code: before });
    try {
      await this.client.ping();
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; name?: unknown };
      if (e?.message === 'Command timed out' || typeof e?.code === 'string') throw error;
      const reply = e?.name === 'ReplyError' && typeof e.message === 'string' ? /^[A-Z]+\b/.exec(e.message)?.[0] : undefined;
      if (reply) throw Object.assign(new Error(`Redis answered ${reply}`), { code: reply });
      const status = this.client.status === 'ready' ? 'close' : this.client.status;
      throw Object.assign(new Error(`Redis connection ${status}`), { code: status });
    }
  }

  /**
   * Opens the connection, waiting at most `connectTimeout`. Failure is not fatal: the module
   * starts without its shared cache and the client keeps reconnecting in the background.
   */
  async connect(): Promise<boolean> {
    try {
      await this.client.connect();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Closes the connection (on application shutdown) and waits until it is closed. While Redis is
   * down the client is between sockets (`reconnecting`): `disconnect()` cancels the pending
   * reconnect, and ioredis never emits `end` then, so there is nothing to wait for.
   */
  async close(): Promise<void> {
    const status = this.client.status;
    if (status === 'end') return;
    if (status === 'reconnecting' || status === 'close') {
      this.client.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => this.client.once('end', () => resolve()));
    if (status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
    await ended;
  }

  private seal(redisKey: string, token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.valueKey, iv);
    cipher.setAAD(Buffer.from(redisKey));
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The token, or `undefined` when the value was not sealed under this key and Redis key. */
  private open(redisKey: string, stored: string): string | undefined {
    try {
      const bytes = Buffer.from(stored, 'base64url');
      if (bytes.length < 29 || bytes[0] !== VERSION) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.valueKey, bytes.subarray(1, 13));
      decipher.setAAD(Buffer.from(redisKey));
      decipher.setAuthTag(bytes.subarray(13, 29));
      return Buffer.concat([decipher.update(bytes.subarray(29)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function derive(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'nestjs-personalized-offers token cache', purpose, 32));
}
