import { AuthInfoKeyMaterial } from '../crypto/auth-info-key-material.js';
import { findIdentifierProblem } from '../crypto/identifier.js';
import { describeIdentifierProblem } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { TokenStore } from '../cache/token-store.interface.js';
import type { RedisConnectionOptions, RedisTokenStoreOptions } from '../cache/redis-token.store.js';
import type { ConnectionOptions } from 'node:tls';
import { acceptLanguage, isUtcOffset } from '../operations/param-checks.js';
import type {
  AccessTokenOptions,
  CacheOptions,
  CircuitBreakerOptions,
  HttpOptions,
  PersonalizedOffersModuleOptions,
  RateLimitOptions,
  RetryOptions,
} from '../interfaces/index.js';
import { PRODUCTION_BASE_URL } from '../personalized-offers.constants.js';
import { OAuthSigner } from '../signing/oauth-signer.js';
import { ServerClock } from '../signing/server-clock.js';
import type { OAuth2Client } from '../signing/oauth2/oauth2.client.js';
import { resolveOAuth2 } from '../signing/oauth2/resolve-oauth2.js';
import { loadSigningKey } from '../signing/signing-key.loader.js';
import { isLoopbackHost, resolveBaseUrl } from './base-url.js';

/** Transport settings with every default filled in. */
export interface ResolvedHttpOptions {
  transport: 'undici' | 'node';
  /** Explicit egress proxy URL. */
  proxy?: string;
  /** Extra CA certificates (PEM), to add to Node's roots. */
  ca?: string[];
  timeoutMs: number;
  maxSockets: number;
  queueTimeoutMs: number;
  maxQueueLength: number;
  maxResponseBytes: number;
  retry: Required<RetryOptions> | false;
  circuitBreaker: Required<CircuitBreakerOptions> | false;
}

/** Cache settings with every default filled in. */
export interface ResolvedCacheOptions {
  ttlMs: number | undefined;
  maxEntries: number;
  store: 'memory' | 'redis' | 'custom';
  /** The Redis store's options: one of `url`, `client`, `sentinels` + `name`, `cluster`. */
  redis?: RedisTokenStoreOptions & { keyPrefix: string; commandTimeoutMs: number };
  custom?: TokenStore;
  lockTtlMs: number;
  lockWaitMs: number;
}

/** The rate limit with every default filled in. */
export interface ResolvedRateLimitOptions {
  requestsPerSecond: number;
  burst: number;
  maxWaitMs: number;
}

/** Module options after validation: what the providers are built from. */
export interface ResolvedPersonalizedOffersOptions {
  /** The registration's name (`forRoot({ name })`); `undefined` for the default registration. */
  registration?: string;
  fId: string;
  /** Host-only base URL (plus any proxy prefix) without a trailing slash, e.g. `https://api.mastercard.com`. */
  baseUrl: string;
  /** True when the configured base URL ended in `/plo/v1` (v1.3 style) and was cut to its host part. */
  legacyBaseUrl: boolean;
  /** True when the base URL's host is loopback (the simulator or a local stand-in). */
  loopback: boolean;
  /** Parsed AuthInfo key material and format; `null` without `authInfo` (legacy user-token calls are then refused). */
  keyMaterial: AuthInfoKeyMaterial | null;
  /** The OAuth signer, when `oauth` is configured. */
  signer?: OAuthSigner;
  /** The OAuth 2.0 (FAPI 2.0, DPoP) client, when `oauth2` is configured. */
  oauth2?: OAuth2Client;
  http: ResolvedHttpOptions;
  cache: ResolvedCacheOptions | false;
  /** The limit on requests sent, or `false` for none. */
  rateLimit: ResolvedRateLimitOptions | false;
  legacyWrites: 'v2' | 'v1';
  accessTokens: { ttlMs: number; refreshBeforeMs: number; defaultUtcOffset: string };
  /** Default `Accept-Language` (hyphen form), when configured. */
  language?: string;
}

export const CACHE_DEFAULTS = { maxEntries: 100_000, lockTtlMs: 15_000, lockWaitMs: 3_000 } as const;

export const HTTP_DEFAULTS = {
  timeoutMs: 10_000,
  maxSockets: 64,
  queueTimeoutMs: 300_000,
  maxQueueLength: 100_000,
  maxResponseBytes: 4 * 1024 * 1024,
  retry: { retries: 2, minDelayMs: 100, maxDelayMs: 2_000 },
  circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
} as const;

/**
 * Validates module options once, at start-up, and throws a `PersonalizedOffersConfigError`
 * naming the first bad setting. Values are never echoed. Signing keys are loaded here.
 */
export function resolveOptions(options: PersonalizedOffersModuleOptions | undefined, registration?: string): ResolvedPersonalizedOffersOptions {
  if (!options || typeof options !== 'object') {
    throw new PersonalizedOffersConfigError('options', 'PersonalizedOffersModule options are required: { fId, … }.');
  }
  const fIdProblem = findIdentifierProblem(options.fId);
  if (fIdProblem) {
    throw new PersonalizedOffersConfigError('fId', `fId ${describeIdentifierProblem(fIdProblem)}.`);
  }
  const { url: baseUrl, legacyPath } = resolveBaseUrl(options.baseUrl ?? PRODUCTION_BASE_URL);
  // Optional: only the legacy user-token calls need it; they refuse without it.
  // `== null`: JavaScript callers and option factories may give `null` for an unset section.
  const keyMaterial = options.authInfo == null ? null : AuthInfoKeyMaterial.from(options.authInfo);
  let signer: OAuthSigner | undefined;
  if (options.oauth != null) {
    const { consumerKey } = options.oauth;
    if (typeof consumerKey !== 'string' || !/^[\x21-\x7e]+$/.test(consumerKey)) {
      throw new PersonalizedOffersConfigError('oauth.consumerKey', 'oauth.consumerKey must be a non-empty printable string.');
    }
    // Checked as `unknown`: the options may come from JavaScript or a factory reading them from anywhere.
    const method: unknown = options.oauth.signatureMethod ?? 'RSA-SHA256';
    if (method !== 'RSA-SHA256' && method !== 'RSA-PSS') {
      throw new PersonalizedOffersConfigError('oauth.signatureMethod', "oauth.signatureMethod must be 'RSA-SHA256' or 'RSA-PSS'.");
    }
    const correction: unknown = options.oauth.clockSkewCorrection ?? false;
    if (typeof correction !== 'boolean') {
      throw new PersonalizedOffersConfigError('oauth.clockSkewCorrection', 'oauth.clockSkewCorrection must be true or false.');
    }
    signer = new OAuthSigner(consumerKey, loadSigningKey(options.oauth), method, correction ? new ServerClock() : undefined);
  }
  let oauth2: OAuth2Client | undefined;
  if (options.oauth2 != null) {
    if (signer) throw new PersonalizedOffersConfigError(['oauth', 'oauth2'], 'Give oauth (OAuth 1.0a) or oauth2 (OAuth 2.0), not both.');
    oauth2 = resolveOAuth2(options.oauth2, baseUrl.origin);
  }
  return {
    ...(registration !== undefined ? { registration } : {}),
    fId: options.fId,
    baseUrl: baseUrl.href.replace(/\/+$/, ''),
    legacyBaseUrl: legacyPath,
    loopback: isLoopbackHost(baseUrl.hostname),
    keyMaterial,
    ...(signer ? { signer } : {}),
    ...(oauth2 ? { oauth2 } : {}),
    http: resolveHttp(options.http),
    cache: resolveCache(options.cache, keyMaterial),
    rateLimit: resolveRateLimit(options.rateLimit),
    legacyWrites: resolveLegacyWrites(options.legacyWrites),
    accessTokens: resolveAccessTokens(options.accessTokens),
    ...(options.language !== undefined ? { language: resolveLanguage(options.language) } : {}),
  };
}

export const RATE_LIMIT_DEFAULTS = { maxWaitMs: 60_000 } as const;

function resolveRateLimit(value: RateLimitOptions | undefined): ResolvedRateLimitOptions | false {
  if (value == null) return false;
  if (typeof value !== 'object') throw new PersonalizedOffersConfigError('rateLimit', 'rateLimit must be { requestsPerSecond, burst?, maxWaitMs? }.');
  const rps = value.requestsPerSecond;
  if (typeof rps !== 'number' || !Number.isFinite(rps) || rps <= 0 || rps > 1_000_000) {
    throw new PersonalizedOffersConfigError('rateLimit.requestsPerSecond', 'rateLimit.requestsPerSecond must be a number above 0 and at most 1000000.');
  }
  return {
    requestsPerSecond: rps,
    burst: int(value.burst, Math.max(1, Math.floor(rps / 10)), 'rateLimit.burst', 1, 1_000_000),
    maxWaitMs: int(value.maxWaitMs, RATE_LIMIT_DEFAULTS.maxWaitMs, 'rateLimit.maxWaitMs', 0, 3_600_000),
  };
}

export const ACCESS_TOKEN_DEFAULTS = { ttlMs: 3_600_000, refreshBeforeMs: 300_000, defaultUtcOffset: '+00:00' } as const;

function resolveAccessTokens(value: AccessTokenOptions | undefined): ResolvedPersonalizedOffersOptions['accessTokens'] {
  const v = value ?? {};
  const ttlMs = int(v.ttlMs, ACCESS_TOKEN_DEFAULTS.ttlMs, 'accessTokens.ttlMs', 1_000, 2 ** 31 - 1);
  // 5 minutes by default; half the lifetime when the lifetime is shorter than 10 minutes.
  const fallback = Math.min(ACCESS_TOKEN_DEFAULTS.refreshBeforeMs, Math.floor(ttlMs / 2));
  const refreshBeforeMs = int(v.refreshBeforeMs, fallback, 'accessTokens.refreshBeforeMs', 0, 2 ** 31 - 1);
  if (refreshBeforeMs >= ttlMs) {
    throw new PersonalizedOffersConfigError('accessTokens.refreshBeforeMs', 'accessTokens.refreshBeforeMs must be shorter than accessTokens.ttlMs.');
  }
  const defaultUtcOffset = v.defaultUtcOffset ?? ACCESS_TOKEN_DEFAULTS.defaultUtcOffset;
  if (!isUtcOffset(defaultUtcOffset)) {
    throw new PersonalizedOffersConfigError(
      'accessTokens.defaultUtcOffset',
      "accessTokens.defaultUtcOffset must be a UTC offset such as '+00:00' or '-07:00'.",
    );
  }
  return { ttlMs, refreshBeforeMs, defaultUtcOffset };
}

function resolveLanguage(value: unknown): string {
  const language = acceptLanguage(value);
  if (language === undefined) {
    throw new PersonalizedOffersConfigError('language', "language must be a language tag such as 'en-US', or a comma list of them.");
  }
  return language;
}

function resolveLegacyWrites(value: unknown): 'v2' | 'v1' {
  if (value === undefined || value === 'v2' || value === 'v1') return value ?? 'v2';
  throw new PersonalizedOffersConfigError('legacyWrites', "legacyWrites must be 'v2' or 'v1'.");
}

function resolveCache(cache: CacheOptions | false | undefined, keyMaterial: AuthInfoKeyMaterial | null): ResolvedCacheOptions | false {
  if (cache === false) return false;
  const c = cache ?? {};
  const resolved: ResolvedCacheOptions = {
    ttlMs: c.ttlMs === undefined ? undefined : int(c.ttlMs, 0, 'cache.ttlMs', 1, 2 ** 31 - 1),
    maxEntries: int(c.maxEntries, CACHE_DEFAULTS.maxEntries, 'cache.maxEntries', 1, 50_000_000),
    store: 'memory',
    lockTtlMs: int(c.lockTtlMs, CACHE_DEFAULTS.lockTtlMs, 'cache.lockTtlMs', 1, 600_000),
    lockWaitMs: int(c.lockWaitMs, CACHE_DEFAULTS.lockWaitMs, 'cache.lockWaitMs', 0, 600_000),
  };
  const store = c.store ?? 'memory';
  if (store === 'memory') return resolved;
  if (isObject(store) && 'redis' in store) {
    const connection = resolveRedisConnection(store.redis);
    const commandTimeoutMs = int(store.redis.commandTimeoutMs, 250, 'cache.store.redis.commandTimeoutMs', 1, 60_000);
    const keyPrefix = store.redis.keyPrefix ?? 'plo:';
    if (typeof keyPrefix !== 'string') throw new PersonalizedOffersConfigError('cache.store.redis.keyPrefix', 'cache.store.redis.keyPrefix must be a string.');
    const clustered = 'cluster' in connection || ('client' in connection && connection.client.isCluster);
    if (clustered && /[{}]/.test(keyPrefix)) {
      // The prefix would become every key's hash tag: all tokens in one Cluster slot.
      throw new PersonalizedOffersConfigError(
        'cache.store.redis.keyPrefix',
        'cache.store.redis.keyPrefix must not contain { or } with Redis Cluster (the module places its own hash tags).',
      );
    }
    return {
      ...resolved,
      store: 'redis',
      redis: { ...connection, keyPrefix, secret: cacheSecret(c.encryptionKey, keyMaterial), commandTimeoutMs },
    };
  }
  const custom = store;
  if (isObject(custom) && ['get', 'set', 'delete'].every((m) => typeof Reflect.get(custom, m) === 'function')) {
    return { ...resolved, store: 'custom', custom };
  }
  throw new PersonalizedOffersConfigError('cache.store', "cache.store must be 'memory', { redis: { url } } or an object with get, set and delete.");
}

/**
 * The connection form of `cache.store.redis`: exactly one of `url`, `client`, `sentinels` (with
 * `name`) or `cluster`, each checked; messages name the setting and never echo a password.
 */
function resolveRedisConnection(redis: unknown): RedisConnectionOptions {
  const at = 'cache.store.redis';
  if (typeof redis !== 'object' || redis === null) {
    throw new PersonalizedOffersConfigError(at, `${at} must be an object: { url }, { client }, { sentinels, name } or { cluster }.`);
  }
  const r = redis as Record<string, unknown>;
  const forms = (['url', 'client', 'sentinels', 'cluster'] as const).filter((k) => r[k] !== undefined);
  if (forms.length > 1) {
    throw new PersonalizedOffersConfigError(
      forms.map((k) => `${at}.${k}`),
      `${at} takes exactly one of url, client, sentinels or cluster (got ${forms.join(' and ')}).`,
    );
  }
  const optionalString = (key: string): string | undefined => {
    const v = r[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || (key !== 'password' && key !== 'sentinelPassword' && v === '')) {
      throw new PersonalizedOffersConfigError(`${at}.${key}`, `${at}.${key} must be a${key === 'username' ? ' non-empty' : ''} string.`);
    }
    return v;
  };
  const tls = (): { tls?: boolean | ConnectionOptions } => {
    const v = r.tls;
    if (v === undefined || v === false) return {};
    if (v === true || (typeof v === 'object' && v !== null && !Array.isArray(v))) return { tls: v };
    throw new PersonalizedOffersConfigError(`${at}.tls`, `${at}.tls must be true, false or Node TLS options.`);
  };
  const nodes = (key: 'sentinels' | 'cluster'): { host: string; port: number }[] => {
    const v = r[key];
    const what = key === 'sentinels' ? 'sentinel' : 'cluster node';
    if (!Array.isArray(v) || v.length === 0) {
      throw new PersonalizedOffersConfigError(`${at}.${key}`, `${at}.${key} must be a non-empty array of { host, port } (one per ${what}).`);
    }
    return v.map((node: unknown, i) => {
      const n = node as { host?: unknown; port?: unknown } | null;
      if (
        typeof n !== 'object' ||
        n === null ||
        typeof n.host !== 'string' ||
        n.host === '' ||
        !Number.isInteger(n.port) ||
        (n.port as number) < 1 ||
        (n.port as number) > 65_535
      ) {
        throw new PersonalizedOffersConfigError(`${at}.${key}`, `${at}.${key}[${i}] must be { host: string, port: 1-65535 }.`);
      }
      return { host: n.host, port: n.port as number };
    });
  };
  const auth = (): { username?: string; password?: string } => {
    const username = optionalString('username');
    const password = optionalString('password');
    return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
  };
  switch (forms[0] ?? 'url') {
    case 'url': {
      // (also when no form is given: the URL is the common one, and what the message asks for)
      if (typeof r.url !== 'string' || !/^rediss?:\/\/./.test(r.url)) {
        throw new PersonalizedOffersConfigError(`${at}.url`, `${at}.url must be a redis:// or rediss:// URL.`);
      }
      for (const other of ['username', 'password', 'sentinelPassword', 'name', 'tls']) {
        if (r[other] !== undefined)
          throw new PersonalizedOffersConfigError(
            `${at}.${other}`,
            `${at}.${other} does not apply with ${at}.url (put credentials in the URL, rediss:// for TLS).`,
          );
      }
      return { url: r.url };
    }
    case 'client': {
      const client = r.client as { isCluster?: unknown; status?: unknown; get?: unknown; eval?: unknown } | null;
      if (
        typeof client !== 'object' ||
        client === null ||
        typeof client.isCluster !== 'boolean' ||
        typeof client.status !== 'string' ||
        typeof client.get !== 'function' ||
        typeof client.eval !== 'function'
      ) {
        throw new PersonalizedOffersConfigError(`${at}.client`, `${at}.client must be an ioredis Redis or Cluster instance.`);
      }
      for (const other of ['username', 'password', 'sentinelPassword', 'name', 'tls']) {
        if (r[other] !== undefined)
          throw new PersonalizedOffersConfigError(`${at}.${other}`, `${at}.${other} does not apply with ${at}.client (configure your client).`);
      }
      return { client: r.client as Extract<RedisConnectionOptions, { client: unknown }>['client'] };
    }
    case 'sentinels': {
      const sentinels = nodes('sentinels');
      if (typeof r.name !== 'string' || r.name === '') {
        throw new PersonalizedOffersConfigError(`${at}.name`, `${at}.name must be the master group name the sentinels monitor (sentinel monitor <name> …).`);
      }
      const sentinelPassword = optionalString('sentinelPassword');
      return { sentinels, name: r.name, ...auth(), ...(sentinelPassword !== undefined ? { sentinelPassword } : {}), ...tls() };
    }
    default: {
      const cluster = nodes('cluster');
      for (const other of ['name', 'sentinelPassword']) {
        if (r[other] !== undefined)
          throw new PersonalizedOffersConfigError(`${at}.${other}`, `${at}.${other} applies to Sentinel only, not with ${at}.cluster.`);
      }
      return { cluster, ...auth(), ...tls() };
    }
  }
}

function cacheSecret(value: string | Buffer | undefined, keyMaterial: AuthInfoKeyMaterial | null): Buffer {
  if (value === undefined) {
    if (keyMaterial === null) {
      throw new PersonalizedOffersConfigError(
        'cache.encryptionKey',
        'cache.encryptionKey is required with the Redis store when authInfo is not configured: it encrypts the tokens kept in Redis (at least 16 bytes).',
      );
    }
    return keyMaterial.key;
  }
  const bytes = Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.alloc(0);
  if (bytes.length < 16) {
    throw new PersonalizedOffersConfigError('cache.encryptionKey', 'cache.encryptionKey must be at least 16 bytes.');
  }
  return Buffer.from(bytes);
}

function resolveHttp(http: HttpOptions | undefined): ResolvedHttpOptions {
  const h = http ?? {};
  const retry =
    h.retry === false
      ? false
      : {
          retries: int(h.retry?.retries, HTTP_DEFAULTS.retry.retries, 'http.retry.retries', 0, 10),
          minDelayMs: int(h.retry?.minDelayMs, HTTP_DEFAULTS.retry.minDelayMs, 'http.retry.minDelayMs', 0, 60_000),
          maxDelayMs: int(h.retry?.maxDelayMs, HTTP_DEFAULTS.retry.maxDelayMs, 'http.retry.maxDelayMs', 0, 600_000),
        };
  if (retry && retry.maxDelayMs < retry.minDelayMs) {
    throw new PersonalizedOffersConfigError('http.retry.maxDelayMs', 'http.retry.maxDelayMs must be at least http.retry.minDelayMs.');
  }
  const cb = h.circuitBreaker;
  const transport: unknown = h.transport ?? 'undici';
  if (transport !== 'undici' && transport !== 'node') {
    throw new PersonalizedOffersConfigError('http.transport', "http.transport must be 'undici' or 'node'.");
  }
  return {
    transport,
    ...(h.proxy !== undefined ? { proxy: resolveProxy(h.proxy) } : {}),
    ...(h.ca !== undefined ? { ca: resolveCa(h.ca) } : {}),
    timeoutMs: int(h.timeoutMs, HTTP_DEFAULTS.timeoutMs, 'http.timeoutMs', 1, 600_000),
    maxSockets: int(h.maxSockets, HTTP_DEFAULTS.maxSockets, 'http.maxSockets', 1, 10_000),
    queueTimeoutMs: int(h.queueTimeoutMs, HTTP_DEFAULTS.queueTimeoutMs, 'http.queueTimeoutMs', 1, 3_600_000),
    maxQueueLength: int(h.maxQueueLength, HTTP_DEFAULTS.maxQueueLength, 'http.maxQueueLength', 0, 10_000_000),
    maxResponseBytes: int(h.maxResponseBytes, HTTP_DEFAULTS.maxResponseBytes, 'http.maxResponseBytes', 1024, 1024 * 1024 * 1024),
    retry,
    circuitBreaker:
      cb === false
        ? false
        : {
            consecutiveFailures: int(
              cb?.consecutiveFailures,
              HTTP_DEFAULTS.circuitBreaker.consecutiveFailures,
              'http.circuitBreaker.consecutiveFailures',
              1,
              1_000,
            ),
            halfOpenAfterMs: int(cb?.halfOpenAfterMs, HTTP_DEFAULTS.circuitBreaker.halfOpenAfterMs, 'http.circuitBreaker.halfOpenAfterMs', 0, 3_600_000),
          },
  };
}

function resolveProxy(value: unknown): string {
  try {
    const url = new URL(String(value));
    if ((url.protocol === 'http:' || url.protocol === 'https:') && typeof value === 'string') return value;
  } catch {
    // reported below
  }
  throw new PersonalizedOffersConfigError('http.proxy', 'http.proxy must be an http:// or https:// proxy URL.');
}

function resolveCa(value: unknown): string[] {
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  const pems = list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  if (pems.length === 0 || !pems.every((p): p is string => typeof p === 'string' && p.includes('-----BEGIN CERTIFICATE-----'))) {
    throw new PersonalizedOffersConfigError('http.ca', 'http.ca must be PEM certificates (a string, a Buffer or a list of them).');
  }
  return pems;
}

/** A non-null object: options from JavaScript may hold `null` where an object is typed. */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function int(value: number | undefined, fallback: number, setting: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PersonalizedOffersConfigError(setting, `${setting} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}
