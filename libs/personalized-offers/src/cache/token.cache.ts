import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PersonalizedOffersCacheError } from '../errors/personalized-offers-cache.error.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS, PERSONALIZED_OFFERS_TOKEN_STORE } from '../personalized-offers.constants.js';
import { MemoryTokenStore } from './memory-token.store.js';
import { RedisTokenStore } from './redis-token.store.js';
import type { TokenStore } from './token-store.interface.js';
import { NOOP_TELEMETRY, PERSONALIZED_OFFERS_TELEMETRY, type Telemetry, type TokenKind } from '../telemetry/telemetry.js';

const WARN_INTERVAL_MS = 30_000;
const POLL_INTERVAL_MS = 20;

/**
 * One kind of token in the cache: its key prefix in the store (so kinds never collide) and its
 * time to live. User tokens keep the bare `fId:userId` key they always had.
 */
export interface TokenNamespace {
  /** Which token it holds (the `personalized_offers.token.kind` of the cache metrics). */
  readonly kind: TokenKind;
  readonly prefix: string;
  /** Milliseconds a stored token is served; `undefined` = until evicted. */
  readonly ttlMs: number | undefined;
}

/** A store that offers the fleet-wide lock. */
type LockingStore = TokenStore & Required<Pick<TokenStore, 'acquireLock'>>;

function canLock(store: TokenStore): store is LockingStore {
  return !!store.acquireLock;
}

/** What a store operation gave: a value, a failure, or a timeout (slow but possibly alive). */
type StoreResult<T> = { ok: true; value: T } | { ok: false; slow: boolean };

/**
 * Token caching in front of the upstream calls, one namespace per kind of token (user tokens,
 * access tokens), over one store:
 * - single-flight: concurrent misses for one key in this process share one fetch (and its error;
 *   errors are never cached);
 * - a process-local LRU that is the cache itself with the memory store, and the fallback when a
 *   shared store (Redis) fails, so no request fails because the cache did;
 * - with a shared store that can lock, one instance of a fleet fetches while the others wait a
 *   bounded time for its result, then fetch themselves if it never comes.
 */
@Injectable()
export class TokenCache implements OnModuleDestroy {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly inflight = new Map<string, Promise<string>>();
  /** Synchronous local tier: the store itself (memory) or the fallback copy (shared stores). */
  private readonly local: MemoryTokenStore | undefined;
  /** Remote/authoritative tier when it is not the local one. */
  private readonly remote: TokenStore | undefined;
  /** User tokens: the bare `fId:userId` key, the `cache.ttlMs` TTL. */
  readonly userTokens: TokenNamespace;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly ownsStore: boolean;
  /**
   * The registration's segment of every key (`@bankA:`; empty for the default registration, whose
   * keys stay as they were): two registrations never share a token, even in one store with one
   * encryption key and the same fId. It goes after the kind prefix, which stores may read.
   */
  private readonly scope: string;
  private lastWarning = 0;

  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    @Inject(PERSONALIZED_OFFERS_TOKEN_STORE) store: TokenStore | null,
    @Optional() @Inject(PERSONALIZED_OFFERS_TELEMETRY) private readonly telemetry: Telemetry = NOOP_TELEMETRY,
  ) {
    const cache = options.cache;
    this.scope = options.registration !== undefined ? `@${options.registration}:` : '';
    this.userTokens = { kind: 'user', prefix: '', ttlMs: cache ? cache.ttlMs : undefined };
    this.lockTtlMs = cache ? cache.lockTtlMs : 0;
    this.lockWaitMs = cache ? cache.lockWaitMs : 0;
    // The module closes the Redis connection it opened, never an application's client ({ client }).
    this.ownsStore = cache ? cache.store === 'redis' && !(cache.redis && 'client' in cache.redis) : false;
    if (!cache || !store) return;
    // OAuth 2.0 tokens through a shared store: a fleet mints once, but only when every instance
    // holds the same DPoP key (a token is bound to it). Only the token goes to the store.
    if (options.oauth2?.dpopKeyConfigured && store.shared) {
      const ns: TokenNamespace = { kind: 'oauth2', prefix: 'o2:', ttlMs: 3_600_000 };
      options.oauth2.shareThrough((key, fetch, refresh) => this.get(ns, key, fetch, refresh));
    }
    if (store instanceof MemoryTokenStore) {
      this.local = store;
    } else {
      this.remote = store;
      if (store.shared) this.local = new MemoryTokenStore({ maxEntries: cache.maxEntries, ttlMs: cache.ttlMs });
    }
  }

  /**
   * A token held in this process, when the local tier is authoritative (memory store). Counts a
   * hit when it has one; without one, the caller's `get` counts the lookup.
   */
  peek(ns: TokenNamespace, key: string): string | undefined {
    if (this.remote) return undefined;
    const hit = this.local?.get(ns.prefix + this.scope + key);
    if (hit !== undefined) this.telemetry.tokenCacheLookup(ns.kind, true);
    return hit;
  }

  /**
   * The cached token for `key`, or the result of `fetch` (stored on success). With `refresh`,
   * skips the reads and overwrites what is stored.
   */
  get(ns: TokenNamespace, key: string, fetch: () => Promise<string>, refresh = false): Promise<string> {
    const storeKey = ns.prefix + this.scope + key;
    if (!refresh) {
      const running = this.inflight.get(storeKey);
      if (running) {
        this.telemetry.tokenCacheLookup(ns.kind, false); // waits for a fetch under way
        return running;
      }
    }
    const flightKey = refresh ? `refresh\u0000${storeKey}` : storeKey;
    const existing = this.inflight.get(flightKey);
    if (existing) return existing;
    // An async wrapper rather than .finally(): `await` chains keep the caller's async stack trace.
    const flight = (async () => {
      try {
        return await this.load(storeKey, ns.ttlMs, fetch, refresh, ns.kind);
      } finally {
        this.inflight.delete(flightKey);
      }
    })();
    this.inflight.set(flightKey, flight);
    return flight;
  }

  /** Removes `key` from every tier. Throws `PersonalizedOffersCacheError` if the shared store cannot be reached. */
  async invalidate(ns: TokenNamespace, key: string): Promise<void> {
    const storeKey = ns.prefix + this.scope + key;
    this.local?.delete(storeKey);
    if (!this.remote) return;
    try {
      await this.remote.delete(storeKey);
    } catch (error) {
      throw new PersonalizedOffersCacheError('The shared token store could not be reached to invalidate the token.', plain(error));
    }
  }

  /** Closes the Redis connection this module opened (a store you supplied is yours to close). */
  async onModuleDestroy(): Promise<void> {
    if (this.remote instanceof RedisTokenStore && this.ownsStore && this.remote.ownsClient) await this.remote.close();
  }

  /** Every lookup (not a refresh) counts one hit (served from a tier) or one miss (fetched). */
  private async load(key: string, ttlMs: number | undefined, fetch: () => Promise<string>, refresh: boolean, kind: TokenKind): Promise<string> {
    const remote = this.remote;
    if (!remote) {
      if (!refresh) {
        const hit = this.local?.get(key);
        this.telemetry.tokenCacheLookup(kind, hit !== undefined);
        if (hit !== undefined) return hit;
      }
      const token = await fetch();
      this.local?.set(key, token, ttlMs);
      return token;
    }

    if (!refresh) {
      const hit = await this.remoteGet(remote, key, ttlMs);
      if (hit !== undefined) {
        this.telemetry.tokenCacheLookup(kind, true);
        return hit;
      }
    }
    let owner: string | undefined;
    if (canLock(remote) && !refresh) {
      const claim = await this.claim(remote, key, ttlMs);
      if (claim.token !== undefined) {
        this.telemetry.tokenCacheLookup(kind, true); // another instance fetched it
        return claim.token;
      }
      owner = claim.owner;
    }
    if (!refresh) this.telemetry.tokenCacheLookup(kind, false);
    try {
      const token = await fetch();
      this.local?.set(key, token, ttlMs);
      await this.attempt(() => remote.set(key, token, ttlMs));
      return token;
    } finally {
      if (owner) await this.release(remote, key, owner);
    }
  }

  /**
   * The fleet-wide lock on `key`, for at most `lockWaitMs`: returns the token another instance
   * stored meanwhile, or the lock's owner id, or neither (fetch without the lock: the store is
   * down, or nobody delivered in time). A slow store (a command past its timeout) is waited for,
   * not skipped: the lock is asked for again with the same owner id, so a claim that reached
   * Redis late is recognized as ours instead of making this instance wait for itself.
   */
  private async claim(remote: LockingStore, key: string, ttlMs: number | undefined): Promise<{ token?: string; owner?: string }> {
    const owner = randomUUID();
    const deadline = performance.now() + this.lockWaitMs;
    for (let first = true; ; first = false) {
      if (!first) {
        if (performance.now() >= deadline) return {};
        await sleep(POLL_INTERVAL_MS);
        const got = await this.attempt(() => remote.get(key));
        if (got.ok && got.value !== undefined) {
          this.local?.set(key, got.value, ttlMs);
          return { token: got.value };
        }
        if (!got.ok && !got.slow) return {}; // down: fetch ourselves
      }
      const lock = await this.attempt(() => remote.acquireLock(key, this.lockTtlMs, owner));
      if (!lock.ok) {
        if (lock.slow) continue; // alive but slow: ask again
        return {};
      }
      if (lock.value === undefined) continue; // another instance holds it: wait for its token
      const hit = await this.remoteGet(remote, key, ttlMs); // it may have been stored just before we locked
      if (hit !== undefined) {
        await this.release(remote, key, lock.value);
        return { token: hit };
      }
      return { owner: lock.value };
    }
  }

  /** Reads the shared store; on failure serves the local copy. */
  private async remoteGet(remote: TokenStore, key: string, ttlMs: number | undefined): Promise<string | undefined> {
    const got = await this.attempt(() => remote.get(key));
    if (!got.ok) return this.local?.get(key);
    if (got.value !== undefined) this.local?.set(key, got.value, ttlMs);
    return got.value;
  }

  private async release(remote: TokenStore, key: string, owner: string): Promise<void> {
    await this.attempt(() => remote.releaseLock?.(key, owner));
  }

  /** Runs a store operation; a failure becomes `{ ok: false, slow }` and a rate-limited warning. */
  private async attempt<T>(op: () => Promise<T> | T): Promise<StoreResult<T>> {
    try {
      return { ok: true, value: await op() };
    } catch (error) {
      const slow = isTimeout(error);
      const now = Date.now();
      if (now - this.lastWarning >= WARN_INTERVAL_MS) {
        this.lastWarning = now;
        this.logger.warn(`Token store unavailable (${describe(error)}); serving from process memory and the upstream until it is back.`);
      }
      return { ok: false, slow };
    }
  }
}

/** ioredis's command timeout: the server may be alive, only slow (or this process is busy). */
function isTimeout(error: unknown): boolean {
  return (error as { message?: unknown } | null | undefined)?.message === 'Command timed out';
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null | undefined;
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
}

/** A cause with only the error's name and code: store errors can carry connection details. */
function plain(error: unknown): Error {
  return Object.assign(new Error(describe(error)), { code: describe(error) });
}
