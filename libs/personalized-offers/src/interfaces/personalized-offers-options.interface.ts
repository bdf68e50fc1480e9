import type { KeyObject } from 'node:crypto';
import type { TokenStore } from '../cache/token-store.interface.js';

/** How AuthInfo is encrypted. @see README "AuthInfo formats" */
export type AuthInfoMode = 'cbc' | 'cbc-random-iv' | 'ecb';

/** How AuthInfo ciphertext bytes are written. */
export type AuthInfoEncoding = 'hex' | 'base64' | 'base64url';

/** The AuthInfo key material and format agreed with Mastercard for your FI. */
export interface AuthInfoOptions {
  /** AES-128 key: 16 bytes as a `Buffer`, 32 hex characters, or base64. */
  key: string | Buffer;
  /** AES IV for mode `cbc` (required there, refused elsewhere): 16 bytes, same forms as `key`. */
  iv?: string | Buffer;
  /** Cipher mode. @default 'cbc' */
  mode?: AuthInfoMode;
  /** Text encoding of the ciphertext. @default 'hex' */
  encoding?: AuthInfoEncoding;
}

/**
 * Mastercard OAuth 1.0a (RSA-SHA256) credentials. Give exactly one of `signingKey` and `pkcs12`.
 * @see README "Production set-up"
 */
export interface OAuthOptions {
  /** Consumer key from your Mastercard Developers project. Only its last 4 characters are ever logged. */
  consumerKey: string;
  /** RSA private key (≥ 2048 bits): PEM (PKCS#1 or PKCS#8) as a string or Buffer, or a `KeyObject`. */
  signingKey?: string | Buffer | KeyObject;
  /** A PKCS#12 keystore (`.p12`) holding the signing key, from a file `path` or in-memory `data`. */
  pkcs12?: {
    /** Path of the `.p12` file (or give `data`). */
    path?: string;
    /** The `.p12` file's contents (or give `path`). */
    data?: Buffer;
    /** Alias of the key inside the keystore. */
    alias: string;
    /** The keystore's password. */
    password: string;
  };
  /** `'RSA-SHA256'` (PKCS#1 v1.5) or `'RSA-PSS'` (SHA-256, salt length = digest), as Mastercard's signer offers. @default 'RSA-SHA256' */
  signatureMethod?: 'RSA-SHA256' | 'RSA-PSS';
  /**
   * Sign with the server's clock as learned from the `Date` headers of its answers, instead of
   * this machine's: for hosts whose clock cannot be trusted (Mastercard refuses OAuth timestamps
   * more than 300 s off). Off by default: fix the host's clock (NTP) first; a refusal whose
   * `Date` is more than a minute off says so either way (`clockSkewSeconds`). @default false
   */
  clockSkewCorrection?: boolean;
}

/**
 * Mastercard OAuth 2.0 (FAPI 2.0: client credentials with `private_key_jwt`, DPoP-bound tokens),
 * instead of OAuth 1.0a (`oauth`): give one of them. Give exactly one of `clientKey` and `pkcs12`.
 */
export interface OAuth2Options {
  /** The OAuth 2.0 client ID of your Mastercard Developers project. */
  clientId: string;
  /** The key ID (`kid`) of its authentication key, as the portal shows it. */
  kid: string;
  /** The authentication key: PEM private key or `KeyObject`; RSA ≥ 2048 bits signs PS256, EC P-256 ES256. */
  clientKey?: string | Buffer | KeyObject;
  /** The authentication key in a PKCS#12 keystore (`.p12`, RSA). */
  pkcs12?: {
    /** Path of the `.p12` file (or give `data`). */
    path?: string;
    /** The `.p12` file's contents (or give `path`). */
    data?: Buffer;
    /** Alias of the key inside the keystore. */
    alias: string;
    /** The keystore's password. */
    password: string;
  };
  /** The scopes to request: one list for every call, or per operation. */
  scopes: string[] | ((operation: { id: string; method: string; path: string }) => string[]);
  /** @default `${origin of baseUrl}/oauth/token` */
  tokenEndpoint?: string;
  /** The authorization server's issuer identifier, the client assertion's `aud`. @default the origin of baseUrl */
  issuer?: string;
  /** The DPoP key (PEM private key or `KeyObject`, EC P-256 or RSA ≥ 2048). @default an EC P-256 key made at start */
  dpopKey?: string | Buffer | KeyObject;
  /** Added to the assertion's lifetime and taken off its `nbf`, in seconds. @default 0 */
  clockSkewToleranceSeconds?: number;
}

/** Retries of idempotent requests after network errors, timeouts, 5xx and 429. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 2 */
  retries?: number;
  /** Base of the exponential backoff (full jitter), in milliseconds. @default 100 */
  minDelayMs?: number;
  /** Upper bound of any wait, including a server's `Retry-After`, in milliseconds. @default 2000 */
  maxDelayMs?: number;
}

/** Circuit breaker per module instance: fail fast while the API keeps failing. */
export interface CircuitBreakerOptions {
  /** Consecutive failed attempts (network, timeout, 5xx, 429) that open the circuit. @default 5 */
  consecutiveFailures?: number;
  /** How long the circuit stays open before one probe request is let through, in milliseconds. @default 10000 */
  halfOpenAfterMs?: number;
}

/** Transport settings. */
export interface HttpOptions {
  /**
   * What carries the module's axios requests: `'undici'` (an undici keep-alive pool as the axios
   * adapter; several times cheaper per request) or `'node'` (axios's own `node:http` adapter).
   * Both honour `http.proxy` and the proxy environment. Interceptors apply either way. @default 'undici'
   */
  transport?: 'undici' | 'node';
  /**
   * Limit on one whole attempt (connect, headers and body) from the moment it has a connection
   * slot (time queued for one is bounded by `queueTimeoutMs` instead); the request is aborted
   * when it passes. @default 10000
   */
  timeoutMs?: number;
  /**
   * Most requests in flight to the API at once (and sockets the keep-alive pool opens). Calls
   * beyond it wait in the module's queue; that wait does not count toward `timeoutMs`. @default 64
   */
  maxSockets?: number;
  /**
   * Longest wait in the module's queue for a free connection, in milliseconds; past it the call
   * fails with `PersonalizedOffersOverloadedError` (nothing sent, never counted against the API).
   * The default is as long as Node's own `server.requestTimeout`, so that a burst the API can
   * absorb is never failed; set it to your callers' deadline. @default 300000
   */
  queueTimeoutMs?: number;
  /** Most calls waiting in the module's queue; one more fails with `PersonalizedOffersOverloadedError`. @default 100000 */
  maxQueueLength?: number;
  /**
   * Largest answer body accepted, in bytes, counted on decoded bytes while reading (a compressed
   * answer counts its inflated size); past it the transfer is aborted with
   * `PersonalizedOffersResponseTooLargeError`. A 50-offer page is ~75 KiB. @default 4194304 (4 MiB)
   */
  maxResponseBytes?: number;
  /** Retry policy, or `false` for none. */
  retry?: RetryOptions | false;
  /**
   * An egress proxy (`http://proxy.bank.example:3128`) for every request. Without it the
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` environment variables are honoured (not for a
   * loopback base URL). Credentials in the URL are never logged.
   */
  proxy?: string;
  /**
   * Extra trusted CA certificates (PEM), added to Node's own: for a TLS-inspecting proxy or a
   * private gateway. Verification is never turned off.
   */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Circuit breaker, or `false` for none. */
  circuitBreaker?: CircuitBreakerOptions | false;
}

/** Settings every form of the Redis store shares. */
export interface RedisCommonOptions {
  /** Prefix of every key this module writes. @default 'plo:' */
  keyPrefix?: string;
  /** A command slower than this, in milliseconds, counts as Redis being down for that call. @default 250 */
  commandTimeoutMs?: number;
}

/** A Redis node's address (Sentinel or Cluster seed). */
export interface RedisNodeAddress {
  /** Host name or IP address of the node. */
  host: string;
  /** TCP port of the node (Sentinel usually 26379, Redis 6379). */
  port: number;
}

/** One Redis server by URL. */
export interface RedisUrlOptions extends RedisCommonOptions {
  /** `redis://[:password@]host:port/db` (or `rediss://` for TLS). */
  url: string;
}

/**
 * A client the application owns: an ioredis `Redis` or `Cluster`. The module never closes it, and
 * sets no option on it (give it `enableOfflineQueue: false` and a `commandTimeout` so a Redis
 * outage fails commands fast instead of queueing them).
 */
export interface RedisClientOptions extends RedisCommonOptions {
  /** The ioredis client (`Redis` or `Cluster`) to use; the application connects and closes it. */
  client: import('ioredis').Redis | import('ioredis').Cluster;
}

/** A master found through Redis Sentinel; the module follows failovers. */
export interface RedisSentinelOptions extends RedisCommonOptions {
  /** Addresses of the sentinels to ask for the master (at least one). */
  sentinels: RedisNodeAddress[];
  /** The master group name the sentinels monitor (`sentinel monitor <name> …`). */
  name: string;
  /** ACL user name of the data nodes. */
  username?: string;
  /** Password of the data nodes. */
  password?: string;
  /** Password of the sentinels, when they have one. */
  sentinelPassword?: string;
  /** TLS to the data nodes (and sentinels): `true` for Node's defaults, or TLS options. */
  tls?: boolean | import('node:tls').ConnectionOptions;
}

/** A Redis Cluster from seed nodes. Keys of one token share a slot (hash tags). */
export interface RedisClusterOptions extends RedisCommonOptions {
  /** Seed nodes of the cluster: any reachable subset; the rest is discovered. */
  cluster: RedisNodeAddress[];
  /** ACL user name of the cluster nodes. */
  username?: string;
  /** Password of the cluster nodes. */
  password?: string;
  /** TLS to the cluster nodes: `true` for Node's defaults, or TLS options. */
  tls?: boolean | import('node:tls').ConnectionOptions;
}

/** A shared Redis store for a fleet of instances: by URL, a client of your own, Sentinel or Cluster. */
export interface RedisStoreOptions {
  /** How to reach Redis: `{ url }`, `{ client }`, `{ sentinels, name }` or `{ cluster }`, plus the common options. */
  redis: RedisUrlOptions | RedisClientOptions | RedisSentinelOptions | RedisClusterOptions;
}

/**
 * A limit on the requests this registration sends to Mastercard (every attempt, retries
 * included), smooth (GCRA): with a Redis token store the limit is shared by every instance using
 * that store, otherwise it is per process. A 429 with `Retry-After` pauses all of them until then.
 */
export interface RateLimitOptions {
  /** Requests per second, for the whole fleet. */
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell, above the steady rate. @default max(1, floor(requestsPerSecond / 10)) */
  burst?: number;
  /**
   * Longest wait for a permit, in milliseconds; a call that would wait longer fails at once with
   * `PersonalizedOffersRateLimitedError` (nothing sent, never counted against the API). @default 60000
   */
  maxWaitMs?: number;
}

/**
 * Token caching. Tokens do not expire (per the spec), so by default nothing expires either; all
 * durations are in milliseconds.
 */
export interface CacheOptions {
  /** Time to live of a cached token, in milliseconds. @default undefined (no expiry) */
  ttlMs?: number;
  /** Most tokens held in process memory (LRU). @default 100000 */
  maxEntries?: number;
  /** `'memory'` (default), a shared Redis store, or your own `TokenStore` object. */
  store?: 'memory' | RedisStoreOptions | TokenStore;
  /**
   * Secret (≥ 16 bytes) for the Redis key hash and value encryption (AES-256-GCM), derived with
   * HKDF. Required with the Redis store when `authInfo` is not configured.
   * @default derived from the AuthInfo key
   */
  encryptionKey?: string | Buffer;
  /** How long one instance may hold the fleet-wide fetch lock, in milliseconds. @default 15000 */
  lockTtlMs?: number;
  /** How long other instances wait for the lock holder's token before fetching themselves, in milliseconds. @default 3000 */
  lockWaitMs?: number;
}

/**
 * Access tokens of the current API (`X-Auth-Token`). Mastercard's answer carries no expiry and the
 * token no `exp` claim, so the lifetime is configuration (Mastercard's default is 60 minutes).
 */
export interface AccessTokenOptions {
  /** Lifetime of an access token as agreed with Mastercard, in milliseconds. @default 3600000 (60 min) */
  ttlMs?: number;
  /** A cached token is served until `ttlMs - refreshBeforeMs`, then minted again. @default 300000 (5 min; half of `ttlMs` when that is shorter) */
  refreshBeforeMs?: number;
  /** UTC offset (`±HH:MM`) sent when a call does not give one. @default '+00:00' */
  defaultUtcOffset?: string;
}

/** Options of {@link PersonalizedOffersModule.forRoot} / `forRootAsync`. */
export interface PersonalizedOffersModuleOptions {
  /** Financial Institution id issued by Mastercard (the `FId` query parameter). */
  fId: string;
  /**
   * API host (plus a proxy's path prefix, if any); operations carry their full paths. A v1.3-style
   * URL ending in `/plo/v1` still works (with a start-up warning).
   * @default PRODUCTION_BASE_URL (`https://api.mastercard.com`)
   * @see SANDBOX_BASE_URL
   */
  baseUrl?: string;
  /**
   * AuthInfo key material and format, for the legacy (`/plo`) API's user tokens only. Optional:
   * without it the current (`/loyalty`) API works fully, and every call that needs AuthInfo
   * (`UserTokenService`, `AuthInfoCryptoService`, `LegacyUserPresentmentService` by user id)
   * fails with a `PersonalizedOffersConfigError` naming `authInfo`, before any I/O.
   */
  authInfo?: AuthInfoOptions;
  /** OAuth 1.0a signing; required by `api.mastercard.com`. Without it requests are unsigned (fine for the simulator). */
  oauth?: OAuthOptions;
  /** Mastercard OAuth 2.0 (FAPI 2.0, DPoP) instead of `oauth`. */
  oauth2?: OAuth2Options;
  /** Timeouts, connection pool, retries and circuit breaker. */
  http?: HttpOptions;
  /** A fleet-wide (or per-process) limit on the requests sent to Mastercard. @default none */
  rateLimit?: RateLimitOptions;
  /** Token cache, or `false` to call the API every time. @default in-memory LRU, 100000 entries, no TTL */
  cache?: CacheOptions | false;
  /**
   * Form of the two legacy writes (activation, feedback): `'v2'` = POST `/plo/v2/…` with a JSON
   * body (v1.5); `'v1'` = POST `/plo/v1/…` with query parameters (v1.3 contract). @default 'v2'
   */
  legacyWrites?: 'v2' | 'v1';
  /** Access-token lifetime and defaults of the current (`/loyalty/offers`) API. */
  accessTokens?: AccessTokenOptions;
  /**
   * Default `Accept-Language` of the current API's offer calls (`en-US`, or a comma list such
   * as `en-US,en-AU`); a call's own `acceptLanguage` wins. @default none (the server's default)
   */
  language?: string;
}
