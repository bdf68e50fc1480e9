import type { ConnectionOptions } from 'node:tls';
import type { Logger, LoggerService } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { EncryptedTokenStore, type KeyValueBackend } from './encrypted-token.store.js';
import type { TokenStore } from './token-store.interface.js';
import type { RedisNodeAddress } from '../interfaces/personalized-offers-options.interface.js';

/** How {@link RedisTokenStore} reaches Redis: one of a URL, a client of the app's, Sentinel or Cluster. */
export type RedisConnectionOptions =
  | {
      /** `redis://[:password@]host:port/db` (or `rediss://`). */
      url: string;
    }
  | {
      /** An ioredis `Redis` or `Cluster` the app owns: never closed, no option changed. */
      client: Redis | Cluster;
    }
  | {
      /** The sentinels to ask for the current master. */
      sentinels: RedisNodeAddress[];
      /** The master group name the sentinels monitor. */
      name: string;
      /** ACL user name of the data nodes. */
      username?: string;
      /** Password of the data nodes. */
      password?: string;
      /** Password of the sentinels, when they have one. */
      sentinelPassword?: string;
      /** TLS to the data nodes and sentinels: `true` for Node's defaults, or TLS options. */
      tls?: boolean | ConnectionOptions;
    }
  | {
      /** Seed nodes of the cluster. */
      cluster: RedisNodeAddress[];
      /** ACL user name of the nodes. */
      username?: string;
      /** Password of the nodes. */
      password?: string;
      /** TLS to the nodes: `true` for Node's defaults, or TLS options. */
      tls?: boolean | ConnectionOptions;
    };

/** Options of {@link RedisTokenStore}. */
export type RedisTokenStoreOptions = RedisConnectionOptions & {
  /** Prefix of every key. @default 'plo:' */
  keyPrefix?: string;
  /** Secret the key hash and the value encryption key are derived from (HKDF-SHA256). */
  secret: Buffer;
  /** Longest wait for one Redis command, in milliseconds; slower counts as down. @default 250 */
  commandTimeoutMs?: number;
};

/** Which form of Redis connection the options describe. */
export type RedisMode = 'url' | 'client' | 'sentinel' | 'cluster';

/** Which form of connection `options` give. */
export function redisMode(options: RedisConnectionOptions): RedisMode {
  if ('client' in options) return 'client';
  if ('sentinels' in options) return 'sentinel';
  if ('cluster' in options) return 'cluster';
  return 'url';
}

// Every script touches the keys of one token only: its key and its lock key, which share a hash
// tag on Cluster (one slot).
const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
// SET NX PX, except that a lock this owner already holds is acquired again (its TTL renewed).
const ACQUIRE_LOCK =
  "local v = redis.call('get', KEYS[1]) if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end " +
  "if v then return 0 end redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";
// SET KEYS[1] unless the lock KEYS[2] is held by someone other than ARGV[2] (a fenced write).
const SET_UNLESS_GUARDED =
  "local v = redis.call('get', KEYS[2]) if v and v ~= ARGV[2] then return 0 end " +
  "if ARGV[3] == '0' then redis.call('set', KEYS[1], ARGV[1]) else redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3]) end return 1";

const CONNECT_TIMEOUT_MS = 1_000;
/** Keep trying to come back, at most once a second. */
const retryStrategy = (times: number): number => Math.min(times * 100, 1_000);

/** The ioredis calls of {@link RedisTokenStore}, as a {@link KeyValueBackend}. */
class RedisBackend implements KeyValueBackend {
  readonly shared = true;
  constructor(private readonly client: Redis | Cluster) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }
  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs) await this.client.set(key, value, 'PX', ttlMs);
    else await this.client.set(key, value);
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }
  async delete(key: string): Promise<void> {
    await this.client.del(key);
  }
  async deleteIfEquals(key: string, value: string): Promise<void> {
    await this.client.eval(RELEASE_LOCK, 1, key, value);
  }
  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.eval(ACQUIRE_LOCK, 1, key, value, ttlMs)) === 1;
  }
  async setUnlessGuarded(key: string, value: string, ttlMs: number | undefined, guardKey: string, guardValue: string): Promise<boolean> {
    return (await this.client.eval(SET_UNLESS_GUARDED, 2, key, guardKey, value, guardValue, ttlMs ?? 0)) === 1;
  }
}

/**
 * A token store shared by a fleet, in Redis: one server by URL, a master found through Sentinel
 * (failovers followed), a Redis Cluster, or an ioredis client the application owns. Written on
 * {@link EncryptedTokenStore}: keys are `prefix + kind + ':' + HMAC-SHA256(userKey)` (in braces on
 * Cluster, so a token's key and its lock key share a slot), so a dump shows no user id; values are
 * AES-256-GCM encrypted with the Redis key as associated data, so a dump shows no token and a value
 * moved to another key does not decrypt (it reads as a miss). Commands fail fast when Redis is down
 * or slow (no offline queue, a command timeout, reconnection at most every second).
 *
 * Failover: Redis replicates asynchronously, so a lock taken on a master that fails before
 * replicating it is lost; another instance then takes it and fetches: one extra upstream call.
 * The token write is fenced (not written while another owner holds the lock), and a value only
 * opens at the key it was sealed for, so no instance ever reads another user's token.
 */
export class RedisTokenStore extends EncryptedTokenStore implements TokenStore {
  /** The connection, public so companions (the fleet rate limiter) can run their own scripts on it. */
  readonly client: Redis | Cluster;
  /** How the store reaches Redis. */
  readonly mode: RedisMode;
  /** False when the client is the application's (`{ client }`): then `close()` leaves it open. */
  readonly ownsClient: boolean;

  constructor(options: RedisTokenStoreOptions, logger?: Logger) {
    const mode = redisMode(options);
    const client = 'client' in options ? options.client : createClient(options, options.commandTimeoutMs ?? 250);
    super({ backend: new RedisBackend(client), secret: options.secret, keyPrefix: options.keyPrefix ?? 'plo:', hashTags: client.isCluster });
    this.client = client;
    this.mode = mode;
    this.ownsClient = mode !== 'client';
    // Connection errors are reported by the cache (rate-limited); without a listener ioredis prints
    // them. The application's own client is left as it is (its listeners are its business).
    if (this.ownsClient) {
      // JS callers may pass any LoggerService (`debug` is optional there): a throw here would crash the process.
      const log: LoggerService | undefined = logger;
      this.client.on('error', (error) => {
        log?.debug?.(`Redis connection error (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      });
    }
  }

  /** The Redis key of a module-level key (see {@link EncryptedTokenStore.storageKey}). */
  redisKey(key: string): string {
    return super.storageKey(key);
  }

  override storageKey(key: string): string {
    return this.redisKey(key);
  }

  /**
   * PINGs Redis, bounded by the command timeout (for health checks). Rejects when Redis is slow
   * (ioredis's `Command timed out`), answers with an error (`code`: its first word, e.g.
   * `LOADING`, `NOPERM`), or is not connected (`code`: the client's state, `reconnecting`,
   * `connecting`, …, or `close` when the socket is gone and ioredis has not noticed yet).
   */
  override async ping(): Promise<void> {
    const before = this.client.status;
    if (before !== 'ready') throw Object.assign(new Error(`Redis connection ${before}`), { code: before });
    try {
      await this.client.ping();
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; name?: unknown } | null | undefined;
      if (e?.message === 'Command timed out' || typeof e?.code === 'string') throw error;
      const reply = e?.name === 'ReplyError' && typeof e.message === 'string' ? /^[A-Z]+\b/.exec(e.message)?.[0] : undefined;
      if (reply) throw Object.assign(new Error(`Redis answered ${reply}`), { code: reply });
      const status = this.client.status === 'ready' ? 'close' : this.client.status;
      throw Object.assign(new Error(`Redis connection ${status}`), { code: status });
    }
  }

  /**
   * Opens the connection, waiting at most about a second (Cluster: until the slots are known).
   * Failure is not fatal: the module starts without its shared cache and the client keeps
   * reconnecting in the background. The application's client is only connected when it was
   * created with `lazyConnect` and never used (ioredis would connect it on its first command).
   */
  async connect(): Promise<boolean> {
    const status = this.client.status;
    if (status === 'ready') return true;
    if (!this.ownsClient && status !== 'wait') return waitReady(this.client, CONNECT_TIMEOUT_MS);
    let timer: NodeJS.Timeout | undefined;
    try {
      const connecting = this.client.connect();
      connecting.catch(() => undefined); // a late failure after the timeout: already answered false
      // Cluster keeps trying its seeds (clusterRetryStrategy) without rejecting: bound the wait.
      const timeout = new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error('connect timeout')), CONNECT_TIMEOUT_MS * 2);
      });
      await Promise.race([connecting, timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Closes the connection this store opened (on application shutdown) and waits until it is
   * closed; an application's client (`{ client }`) is left open. While Redis is down the client is
   * between sockets (`reconnecting`): `disconnect()` cancels the pending reconnect, and ioredis
   * never emits `end` then, so there is nothing to wait for.
   */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    const client = this.client;
    const status = client.status;
    if (status === 'end') return;
    if (status === 'reconnecting' || status === 'close' || status === 'wait') {
      client.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      client.once('end', () => resolve());
      // A Cluster whose nodes are gone may never say `end`: do not hold the shutdown for it.
      timer = setTimeout(() => {
        client.disconnect();
        resolve();
      }, 3_000);
    });
    if (status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
    await ended;
    clearTimeout(timer);
    // QUIT ends the data connection only: ioredis's failover detector keeps its subscriptions to
    // the sentinels (and reconnects them) until the connector is disconnected.
    if (this.mode === 'sentinel') client.disconnect();
  }
}

/** A client that fails fast: no offline queue, a command timeout, reconnects at most every second. */
function createClient(options: Exclude<RedisConnectionOptions, { client: unknown }>, commandTimeout: number): Redis | Cluster {
  const failFast = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout, connectTimeout: CONNECT_TIMEOUT_MS };
  if ('url' in options) return new Redis(options.url, { ...failFast, retryStrategy });
  const tls = options.tls === true ? {} : options.tls || undefined;
  const auth = {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  };
  if ('sentinels' in options) {
    return new Redis({
      ...failFast,
      ...auth,
      sentinels: options.sentinels.map(({ host, port }) => ({ host, port })),
      name: options.name,
      ...(options.sentinelPassword !== undefined ? { sentinelPassword: options.sentinelPassword } : {}),
      ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
      retryStrategy,
      // Asking the sentinels for the master: the same fail-fast pace.
      sentinelRetryStrategy: retryStrategy,
      sentinelCommandTimeout: commandTimeout,
      // The failover detector's subscriptions to the sentinels: back within a second, not ioredis's minute.
      sentinelReconnectStrategy: retryStrategy,
      // Subscribe to +switch-master so a promotion is followed at once, not at the next error.
      failoverDetector: true,
      // A demoted master that is back answers READONLY: reconnect, which asks the sentinels again.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    });
  }
  return new Cluster(
    options.cluster.map(({ host, port }) => ({ host, port })),
    {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      // Follow a failover quickly, but give up on one command within a few hundred milliseconds.
      maxRedirections: 3,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      retryDelayOnMoved: 0,
      slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
      slotsRefreshInterval: 2_000,
      redisOptions: { ...auth, ...(tls ? { tls } : {}), maxRetriesPerRequest: 0, commandTimeout, connectTimeout: CONNECT_TIMEOUT_MS },
    },
  );
}

/** Resolves to true once the client is ready, false after `ms`. */
function waitReady(client: Redis | Cluster, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(client.status === 'ready');
    }, ms);
    client.once('ready', onReady);
  });
}
