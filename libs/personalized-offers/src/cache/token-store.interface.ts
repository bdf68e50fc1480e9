/**
 * Where tokens (user tokens, access tokens) are kept. Implement it to bring your own store (Keyv, cache-manager, …) and
 * pass the object as `cache.store`; inject the active one with `InjectTokenStore()`.
 * Keys are opaque strings chosen by the module; values are the tokens. Methods may be sync or async.
 */
export interface TokenStore {
  /** The token under `key`, or `undefined`. */
  get(key: string): Promise<string | undefined> | string | undefined;
  /** Stores `token` under `key`; `ttlMs` (milliseconds) when the cache has a TTL. */
  set(key: string, token: string, ttlMs?: number): Promise<void> | void;
  /** Removes `key`. */
  delete(key: string): Promise<void> | void;
  /**
   * Optional cross-instance lock for single-flight across a fleet: resolves to an owner id when
   * acquired for `ttlMs`, `undefined` when another instance holds it. `owner` (when given) is the
   * id to claim it with; a lock already held by that same owner counts as acquired, so a claim
   * whose answer was lost (a timeout) can be repeated safely.
   */
  acquireLock?(key: string, ttlMs: number, owner?: string): Promise<string | undefined>;
  /** Releases a lock, only if `owner` still holds it. */
  releaseLock?(key: string, owner: string): Promise<void>;
  /** True when the store is shared between instances (then it is authoritative over the local copy). */
  readonly shared?: boolean;
  /**
   * Optional reachability probe for health checks (nestjs-personalized-offers/health): resolves
   * when the store answers, rejects when it does not. It must not touch any token.
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- published signature (API report): a sync probe returns nothing; `undefined` would change the public type
  ping?(): Promise<unknown> | void;
}
