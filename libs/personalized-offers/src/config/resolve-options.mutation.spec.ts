import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { isLoopbackHost, resolveBaseUrl } from './base-url.js';
import { PERSONALIZED_OFFERS_ENV_VARIABLES, loadPersonalizedOffersConfig } from './personalized-offers.config.js';
import { ACCESS_TOKEN_DEFAULTS, CACHE_DEFAULTS, HTTP_DEFAULTS, resolveOptions } from './resolve-options.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
const base: PersonalizedOffersModuleOptions = { fId: '999999', authInfo: { key: KEY, iv: IV } };
const with_ = (extra: object) => resolveOptions({ ...base, ...extra });

/** The error `fn` throws, which must be a PersonalizedOffersConfigError. */
function configError(fn: () => unknown): PersonalizedOffersConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    return error as PersonalizedOffersConfigError;
  }
  throw new Error('expected a PersonalizedOffersConfigError');
}
const refused = (extra: object) => configError(() => with_(extra));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const ENCRYPTED_PEM = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass phrase' }) as string;

describe('isLoopbackHost / resolveBaseUrl', () => {
  it('loopback: localhost and its subdomains, 127.0.0.0/8 and ::1 in both forms, any case', () => {
    for (const host of ['localhost', 'LOCALHOST', 'sim.localhost', '127.0.0.1', '127.255.0.9', '::1', '[::1]', '0:0:0:0:0:0:0:1'])
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['localhost.example.com', 'mylocalhost', '128.0.0.1', '10.127.0.1', '::2', 'example.com', '127.example.com'])
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
  });

  it('allows clear-text http on loopback hosts only, and says why otherwise', () => {
    expect(resolveBaseUrl('http://localhost:3000').url.href).toBe('http://localhost:3000/');
    expect(resolveBaseUrl('http://[::1]:3000/').url.host).toBe('[::1]:3000');
    expect(configError(() => resolveBaseUrl('http://api.example.com')).message).toBe(
      'baseUrl must use https: clear-text http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1).',
    );
    expect(configError(() => resolveBaseUrl('ws://localhost')).message).toBe('baseUrl must use https.');
    expect(configError(() => resolveBaseUrl(42, 'simulator.baseUrl')).message).toBe('simulator.baseUrl must be an absolute http(s) URL.');
    expect(configError(() => resolveBaseUrl('https://x.example/#f', 'b')).settings).toEqual(['b']);
  });

  it('refuses credentials, a query or a fragment, each alone', () => {
    for (const url of ['https://user@x.example', 'https://:pw@x.example', 'https://x.example/?', 'https://x.example/?a', 'https://x.example/#a']) {
      const href = new URL(url);
      if (href.search || href.hash || href.username || href.password) {
        expect(configError(() => resolveBaseUrl(url)).message).toBe('baseUrl must not contain credentials, a query or a fragment.');
      }
    }
  });

  it('removes trailing slashes, and the v1.3 /plo/v1 suffix in any case, keeping a proxy prefix', () => {
    expect(resolveBaseUrl('https://x.example/proxy///').url.href).toBe('https://x.example/proxy');
    expect(resolveBaseUrl('https://x.example/proxy/PLO/V1').url.href).toBe('https://x.example/proxy');
    expect(resolveBaseUrl('https://x.example/plo/v1/extra')).toMatchObject({ legacyPath: false });
    expect(resolveBaseUrl('https://x.example/plo/v12').legacyPath).toBe(false);
    expect(resolveBaseUrl('https://x.example/xplo/v1').legacyPath).toBe(false);
  });
});

describe('resolveOptions: the basics', () => {
  it('refuses missing options and a bad fId, describing the problem', () => {
    expect(configError(() => resolveOptions(undefined)).message).toBe('PersonalizedOffersModule options are required: { fId, … }.');
    expect(configError(() => resolveOptions('x' as never)).settings).toEqual(['options']);
    expect(refused({ fId: 'a:b' }).message).toBe('fId must not contain ":" (it separates the AuthInfo fields).');
    expect(refused({ fId: '' }).settings).toEqual(['fId']);
  });

  it('defaults to production, host only, not loopback and not legacy', () => {
    const r = resolveOptions(base);
    expect(r).toMatchObject({ fId: '999999', baseUrl: 'https://api.mastercard.com', legacyBaseUrl: false, loopback: false, legacyWrites: 'v2' });
    expect(r.keyMaterial!.key.toString('hex')).toBe(KEY);
    expect('signer' in r).toBe(false);
    expect('language' in r).toBe(false);
  });

  it('keeps a proxy prefix without a trailing slash, flags the legacy form and loopback hosts', () => {
    expect(with_({ baseUrl: 'https://proxy.example/mc/' }).baseUrl).toBe('https://proxy.example/mc');
    expect(with_({ baseUrl: 'http://127.0.0.1:9/plo/v1' })).toMatchObject({ baseUrl: 'http://127.0.0.1:9', legacyBaseUrl: true, loopback: true });
  });

  it('legacyWrites: v2 by default, v1 when asked, nothing else', () => {
    expect(with_({ legacyWrites: 'v1' }).legacyWrites).toBe('v1');
    expect(with_({ legacyWrites: 'v2' }).legacyWrites).toBe('v2');
    expect(refused({ legacyWrites: 'v3' }).message).toBe("legacyWrites must be 'v2' or 'v1'.");
    expect(refused({ legacyWrites: null }).settings).toEqual(['legacyWrites']);
  });

  it('language: the hyphen form, refused when not a tag list', () => {
    expect(with_({ language: 'en-GB' }).language).toBe('en-GB');
    expect(refused({ language: 5 }).message).toBe("language must be a language tag such as 'en-US', or a comma list of them.");
  });
});

describe('resolveOptions: OAuth', () => {
  it('builds a signer from a PEM key with RSA-SHA256 by default, or RSA-PSS', () => {
    const r = with_({ oauth: { consumerKey: 'ck!abc', signingKey: PEM } });
    expect(r.signer).toBeDefined();
    expect(r.signer!.secretValues).toEqual(['ck!abc']);
    expect(with_({ oauth: { consumerKey: 'ck', signingKey: PEM, signatureMethod: 'RSA-PSS' } }).signer).toBeDefined();
    expect(with_({ oauth: null }).signer).toBeUndefined();
  });

  it('refuses a consumer key that is empty, not a string or has spaces or controls', () => {
    for (const consumerKey of ['', 5, 'a b', 'a\u0000', 'é']) {
      const error = refused({ oauth: { consumerKey, signingKey: PEM } });
      expect(error.settings).toEqual(['oauth.consumerKey']);
      expect(error.message).toBe('oauth.consumerKey must be a non-empty printable string.');
    }
  });

  it('refuses another signature method', () => {
    const error = refused({ oauth: { consumerKey: 'ck', signingKey: PEM, signatureMethod: 'HMAC-SHA1' } });
    expect(error.settings).toEqual(['oauth.signatureMethod']);
    expect(error.message).toBe("oauth.signatureMethod must be 'RSA-SHA256' or 'RSA-PSS'.");
  });
});

describe('resolveOptions: access tokens', () => {
  it('accepts bounds and explicit values', () => {
    expect(with_({ accessTokens: { ttlMs: 1_000, refreshBeforeMs: 0, defaultUtcOffset: '-07:00' } }).accessTokens).toEqual({
      ttlMs: 1_000,
      refreshBeforeMs: 0,
      defaultUtcOffset: '-07:00',
    });
    expect(with_({ accessTokens: { ttlMs: 2 ** 31 - 1 } }).accessTokens.refreshBeforeMs).toBe(ACCESS_TOKEN_DEFAULTS.refreshBeforeMs);
    expect(with_({ accessTokens: { ttlMs: 600_000 } }).accessTokens.refreshBeforeMs).toBe(300_000);
    expect(with_({ accessTokens: { ttlMs: 1_001 } }).accessTokens.refreshBeforeMs).toBe(500);
  });

  it('refuses out-of-range lifetimes and refresh margins, and a margin not shorter than the lifetime', () => {
    expect(refused({ accessTokens: { ttlMs: 999 } }).message).toBe(`accessTokens.ttlMs must be a whole number from 1000 to ${2 ** 31 - 1}.`);
    expect(refused({ accessTokens: { ttlMs: 2 ** 31 } }).settings).toEqual(['accessTokens.ttlMs']);
    expect(refused({ accessTokens: { refreshBeforeMs: -1 } }).settings).toEqual(['accessTokens.refreshBeforeMs']);
    expect(refused({ accessTokens: { ttlMs: 5_000, refreshBeforeMs: 5_000 } }).message).toBe(
      'accessTokens.refreshBeforeMs must be shorter than accessTokens.ttlMs.',
    );
    expect(with_({ accessTokens: { ttlMs: 5_000, refreshBeforeMs: 4_999 } }).accessTokens.refreshBeforeMs).toBe(4_999);
    expect(refused({ accessTokens: { defaultUtcOffset: '+15:00' } }).message).toBe(
      "accessTokens.defaultUtcOffset must be a UTC offset such as '+00:00' or '-07:00'.",
    );
  });
});

describe('resolveOptions: HTTP', () => {
  it('fills every default', () => {
    expect(resolveOptions(base).http).toEqual({
      transport: 'undici',
      timeoutMs: 10_000,
      maxSockets: 64,
      queueTimeoutMs: 300_000,
      maxQueueLength: 100_000,
      maxResponseBytes: 4 * 1024 * 1024,
      retry: { retries: 2, minDelayMs: 100, maxDelayMs: 2_000 },
      circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
    });
    expect(HTTP_DEFAULTS.retry).toEqual({ retries: 2, minDelayMs: 100, maxDelayMs: 2_000 });
  });

  it('takes explicit values at their bounds, and false to switch retries or the breaker off', () => {
    const http = with_({
      http: {
        transport: 'node',
        timeoutMs: 600_000,
        maxSockets: 10_000,
        queueTimeoutMs: 3_600_000,
        maxQueueLength: 10_000_000,
        maxResponseBytes: 1024 * 1024 * 1024,
        retry: { retries: 10, minDelayMs: 60_000, maxDelayMs: 600_000 },
        circuitBreaker: { consecutiveFailures: 1_000, halfOpenAfterMs: 3_600_000 },
      },
    }).http;
    expect(http).toEqual({
      transport: 'node',
      timeoutMs: 600_000,
      maxSockets: 10_000,
      queueTimeoutMs: 3_600_000,
      maxQueueLength: 10_000_000,
      maxResponseBytes: 1024 * 1024 * 1024,
      retry: { retries: 10, minDelayMs: 60_000, maxDelayMs: 600_000 },
      circuitBreaker: { consecutiveFailures: 1_000, halfOpenAfterMs: 3_600_000 },
    });
    const low = with_({
      http: {
        timeoutMs: 1,
        maxSockets: 1,
        retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 },
        circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 0 },
      },
    }).http;
    expect(low).toMatchObject({
      timeoutMs: 1,
      maxSockets: 1,
      retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 0 },
    });
    expect(with_({ http: { retry: false, circuitBreaker: false } }).http).toMatchObject({ retry: false, circuitBreaker: false });
  });

  it.each([
    [{ timeoutMs: 0 }, 'http.timeoutMs', 'http.timeoutMs must be a whole number from 1 to 600000.'],
    [{ timeoutMs: 600_001 }, 'http.timeoutMs', undefined],
    [{ timeoutMs: 1.5 }, 'http.timeoutMs', undefined],
    [{ maxSockets: 0 }, 'http.maxSockets', 'http.maxSockets must be a whole number from 1 to 10000.'],
    [{ maxSockets: 10_001 }, 'http.maxSockets', undefined],
    [{ retry: { retries: 11 } }, 'http.retry.retries', 'http.retry.retries must be a whole number from 0 to 10.'],
    [{ retry: { retries: -1 } }, 'http.retry.retries', undefined],
    [{ retry: { minDelayMs: 60_001, maxDelayMs: 600_000 } }, 'http.retry.minDelayMs', 'http.retry.minDelayMs must be a whole number from 0 to 60000.'],
    [{ retry: { minDelayMs: -1 } }, 'http.retry.minDelayMs', undefined],
    [{ retry: { maxDelayMs: 600_001 } }, 'http.retry.maxDelayMs', 'http.retry.maxDelayMs must be a whole number from 0 to 600000.'],
    [{ retry: { minDelayMs: 500, maxDelayMs: 499 } }, 'http.retry.maxDelayMs', 'http.retry.maxDelayMs must be at least http.retry.minDelayMs.'],
    [
      { circuitBreaker: { consecutiveFailures: 0 } },
      'http.circuitBreaker.consecutiveFailures',
      'http.circuitBreaker.consecutiveFailures must be a whole number from 1 to 1000.',
    ],
    [{ circuitBreaker: { consecutiveFailures: 1_001 } }, 'http.circuitBreaker.consecutiveFailures', undefined],
    [
      { circuitBreaker: { halfOpenAfterMs: 3_600_001 } },
      'http.circuitBreaker.halfOpenAfterMs',
      'http.circuitBreaker.halfOpenAfterMs must be a whole number from 0 to 3600000.',
    ],
    [{ circuitBreaker: { halfOpenAfterMs: -1 } }, 'http.circuitBreaker.halfOpenAfterMs', undefined],
    [{ transport: 'fetch' }, 'http.transport', "http.transport must be 'undici' or 'node'."],
    [{ queueTimeoutMs: 0 }, 'http.queueTimeoutMs', 'http.queueTimeoutMs must be a whole number from 1 to 3600000.'],
    [{ queueTimeoutMs: 3_600_001 }, 'http.queueTimeoutMs', undefined],
    [{ maxQueueLength: -1 }, 'http.maxQueueLength', 'http.maxQueueLength must be a whole number from 0 to 10000000.'],
    [{ maxQueueLength: 10_000_001 }, 'http.maxQueueLength', undefined],
    [{ maxResponseBytes: 1023 }, 'http.maxResponseBytes', 'http.maxResponseBytes must be a whole number from 1024 to 1073741824.'],
    [{ maxResponseBytes: 1024 * 1024 * 1024 + 1 }, 'http.maxResponseBytes', undefined],
  ])('refuses http %o, naming %s', (http, setting, message) => {
    const error = refused({ http });
    expect(error.settings).toEqual([setting]);
    if (message) expect(error.message).toBe(message);
  });

  it('accepts minDelayMs equal to maxDelayMs', () => {
    expect(with_({ http: { retry: { minDelayMs: 300, maxDelayMs: 300 } } }).http.retry).toEqual({ retries: 2, minDelayMs: 300, maxDelayMs: 300 });
  });

  it('proxy: an http(s) URL kept as given; anything else refused', () => {
    expect(with_({ http: { proxy: 'http://proxy.internal:3128' } }).http.proxy).toBe('http://proxy.internal:3128');
    expect(with_({ http: { proxy: 'https://u:p@proxy.internal' } }).http.proxy).toBe('https://u:p@proxy.internal');
    for (const proxy of ['socks5://proxy:1080', 'not a url', new URL('http://proxy.internal')]) {
      const error = refused({ http: { proxy } });
      expect(error.settings).toEqual(['http.proxy']);
      expect(error.message).toBe('http.proxy must be an http:// or https:// proxy URL.');
    }
    expect('proxy' in resolveOptions(base).http).toBe(false);
  });

  it('ca: PEM certificates as a string, a Buffer or a list of them', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(with_({ http: { ca: pem } }).http.ca).toEqual([pem]);
    expect(with_({ http: { ca: [Buffer.from(pem), pem] } }).http.ca).toEqual([pem, pem]);
    for (const ca of [[], 'not a pem', [pem, 5], [pem, 'x']]) {
      const error = refused({ http: { ca } });
      expect(error.settings).toEqual(['http.ca']);
      expect(error.message).toBe('http.ca must be PEM certificates (a string, a Buffer or a list of them).');
    }
    expect('ca' in resolveOptions(base).http).toBe(false);
  });
});

describe('resolveOptions: cache', () => {
  it('fills the defaults for the memory store; false turns the cache off', () => {
    expect(resolveOptions(base).cache).toEqual({ ttlMs: undefined, maxEntries: 100_000, store: 'memory', lockTtlMs: 15_000, lockWaitMs: 3_000 });
    expect(CACHE_DEFAULTS).toEqual({ maxEntries: 100_000, lockTtlMs: 15_000, lockWaitMs: 3_000 });
    expect(with_({ cache: false }).cache).toBe(false);
    expect(with_({ cache: { store: 'memory', ttlMs: 1, maxEntries: 1, lockTtlMs: 1, lockWaitMs: 0 } }).cache).toEqual({
      ttlMs: 1,
      maxEntries: 1,
      store: 'memory',
      lockTtlMs: 1,
      lockWaitMs: 0,
    });
  });

  it.each([
    [{ ttlMs: 0 }, 'cache.ttlMs', `cache.ttlMs must be a whole number from 1 to ${2 ** 31 - 1}.`],
    [{ ttlMs: 2 ** 31 }, 'cache.ttlMs', undefined],
    [{ maxEntries: 0 }, 'cache.maxEntries', 'cache.maxEntries must be a whole number from 1 to 50000000.'],
    [{ maxEntries: 50_000_001 }, 'cache.maxEntries', undefined],
    [{ lockTtlMs: 0 }, 'cache.lockTtlMs', 'cache.lockTtlMs must be a whole number from 1 to 600000.'],
    [{ lockTtlMs: 600_001 }, 'cache.lockTtlMs', undefined],
    [{ lockWaitMs: -1 }, 'cache.lockWaitMs', 'cache.lockWaitMs must be a whole number from 0 to 600000.'],
    [{ lockWaitMs: 600_001 }, 'cache.lockWaitMs', undefined],
  ])('refuses cache %o, naming %s', (cache, setting, message) => {
    const error = refused({ cache });
    expect(error.settings).toEqual([setting]);
    if (message) expect(error.message).toBe(message);
  });

  it('accepts the upper bounds', () => {
    expect(with_({ cache: { ttlMs: 2 ** 31 - 1, maxEntries: 50_000_000, lockTtlMs: 600_000, lockWaitMs: 600_000 } }).cache).toMatchObject({
      ttlMs: 2 ** 31 - 1,
      maxEntries: 50_000_000,
      lockTtlMs: 600_000,
      lockWaitMs: 600_000,
    });
  });

  it('a Redis store: URL checked, prefix and timeout defaulted, secret from the AuthInfo key unless given', () => {
    const cache = with_({ cache: { store: { redis: { url: 'rediss://cache:6380/1' } } } }).cache;
    expect(cache).toMatchObject({ store: 'redis', redis: { url: 'rediss://cache:6380/1', keyPrefix: 'plo:', commandTimeoutMs: 250 } });
    expect(cache && cache.redis!.secret.toString('hex')).toBe(KEY);
    const custom = with_({
      cache: { encryptionKey: 'sixteen-byte-key', store: { redis: { url: 'redis://c', keyPrefix: 'app:', commandTimeoutMs: 60_000 } } },
    }).cache;
    expect(custom).toMatchObject({ redis: { keyPrefix: 'app:', commandTimeoutMs: 60_000 } });
    expect(custom && custom.redis!.secret.toString('utf8')).toBe('sixteen-byte-key');
    const fromBuffer = with_({ cache: { encryptionKey: Buffer.alloc(16, 3), store: { redis: { url: 'redis://c', commandTimeoutMs: 1 } } } }).cache;
    expect(fromBuffer && fromBuffer.redis!.secret).toEqual(Buffer.alloc(16, 3));
  });

  it('refuses a bad Redis URL, timeout or a short encryption key', () => {
    for (const url of [undefined, 'http://cache', 'redis://', 5]) {
      const error = refused({ cache: { store: { redis: { url } } } });
      expect(error.settings).toEqual(['cache.store.redis.url']);
      expect(error.message).toBe('cache.store.redis.url must be a redis:// or rediss:// URL.');
    }
    expect(refused({ cache: { store: { redis: { url: 'redis://c', commandTimeoutMs: 0 } } } }).settings).toEqual(['cache.store.redis.commandTimeoutMs']);
    expect(refused({ cache: { store: { redis: { url: 'redis://c', commandTimeoutMs: 60_001 } } } }).settings).toEqual(['cache.store.redis.commandTimeoutMs']);
    for (const encryptionKey of ['fifteen-bytes!!', Buffer.alloc(15), 42]) {
      const error = refused({ cache: { encryptionKey, store: { redis: { url: 'redis://c' } } } });
      expect(error.settings).toEqual(['cache.encryptionKey']);
      expect(error.message).toBe('cache.encryptionKey must be at least 16 bytes.');
    }
  });

  it('without authInfo: no key material, and a Redis store needs cache.encryptionKey', () => {
    const noAuthInfo: PersonalizedOffersModuleOptions = { ...base };
    delete noAuthInfo.authInfo;
    expect(resolveOptions(noAuthInfo).keyMaterial).toBeNull();
    expect(resolveOptions({ ...noAuthInfo, authInfo: null as never }).keyMaterial).toBeNull();
    expect(resolveOptions({ ...noAuthInfo, cache: { store: 'memory' } }).cache).toMatchObject({ store: 'memory' });
    const error = configError(() => resolveOptions({ ...noAuthInfo, cache: { store: { redis: { url: 'redis://c' } } } }));
    expect(error.settings).toEqual(['cache.encryptionKey']);
    expect(error.message).toBe(
      'cache.encryptionKey is required with the Redis store when authInfo is not configured: it encrypts the tokens kept in Redis (at least 16 bytes).',
    );
    const cache = resolveOptions({ ...noAuthInfo, cache: { encryptionKey: 'sixteen-byte-key', store: { redis: { url: 'redis://c' } } } }).cache;
    expect(cache && cache.redis!.secret.toString('utf8')).toBe('sixteen-byte-key');
    // A short key is still refused as such.
    expect(configError(() => resolveOptions({ ...noAuthInfo, cache: { encryptionKey: 'short', store: { redis: { url: 'redis://c' } } } })).message).toBe(
      'cache.encryptionKey must be at least 16 bytes.',
    );
  });

  it('a custom store needs get, set and delete functions', () => {
    const store = { get: () => undefined, set: () => undefined, delete: () => undefined };
    expect(with_({ cache: { store } }).cache).toMatchObject({ store: 'custom', custom: store });
    // null counts as not set (the memory store).
    expect(with_({ cache: { store: null } }).cache).toMatchObject({ store: 'memory' });
    for (const bad of [{ get: () => undefined, set: () => undefined }, { ...store, delete: 'x' }, 'disk', 5]) {
      const error = refused({ cache: { store: bad } });
      expect(error.settings).toEqual(['cache.store']);
      expect(error.message).toBe("cache.store must be 'memory', { redis: { url } } or an object with get, set and delete.");
    }
  });
});

describe('loadPersonalizedOffersConfig: details', () => {
  const valid = { PLO_FID: '999999', PLO_AUTHINFO_KEY: KEY, PLO_AUTHINFO_IV: IV };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plo-config-'));
    writeFileSync(path.join(dir, 'key.pem'), PEM);
    writeFileSync(path.join(dir, 'encrypted.pem'), ENCRYPTED_PEM);
    writeFileSync(path.join(dir, 'store.p12'), Buffer.from([0x30, 0x82, 0x01, 0x00]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trims values and treats empty variables as unset, except the key password', () => {
    const cfg = loadPersonalizedOffersConfig({ ...valid, PLO_FID: '  999999 ', PLO_BASE_URL: '', PLO_AUTHINFO_MODE: '  ' });
    expect(cfg).toEqual({ fId: '999999', authInfo: { key: KEY, iv: IV, mode: 'cbc', encoding: 'hex' } });
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      for (const name of PERSONALIZED_OFFERS_ENV_VARIABLES) Reflect.deleteProperty(process.env, name);
      Object.assign(process.env, valid);
      expect(loadPersonalizedOffersConfig().fId).toBe('999999');
    } finally {
      for (const name of PERSONALIZED_OFFERS_ENV_VARIABLES) Reflect.deleteProperty(process.env, name);
      Object.assign(process.env, saved);
    }
  });

  it('lists the variables it reads', () => {
    expect(PERSONALIZED_OFFERS_ENV_VARIABLES).toHaveLength(37);
    expect(Object.isFrozen(PERSONALIZED_OFFERS_ENV_VARIABLES)).toBe(true);
  });

  it('accepts the bounds of the numeric variables', () => {
    const cfg = loadPersonalizedOffersConfig({
      ...valid,
      PLO_HTTP_TIMEOUT_MS: '999999',
      PLO_HTTP_RETRIES: '10',
      PLO_ACCESS_TOKEN_TTL_MS: '1000',
      PLO_TOKEN_TTL_MS: '1',
      PLO_CACHE_MAX_ENTRIES: '99999999',
    });
    expect(cfg.http).toEqual({ timeoutMs: 999_999, retry: { retries: 10 } });
    expect(cfg.accessTokens).toEqual({ ttlMs: 1_000 });
    expect(cfg.cache).toEqual({ ttlMs: 1, maxEntries: 99_999_999 });
    for (const [name, value] of [
      ['PLO_HTTP_TIMEOUT_MS', '1000000'],
      ['PLO_HTTP_TIMEOUT_MS', '010'],
      ['PLO_HTTP_RETRIES', '01'],
      ['PLO_ACCESS_TOKEN_TTL_MS', '999'],
      ['PLO_ACCESS_TOKEN_TTL_MS', '12345678901'],
      ['PLO_TOKEN_TTL_MS', '0'],
      ['PLO_CACHE_MAX_ENTRIES', '100000000'],
      ['PLO_REDIS_URL', 'http://cache'],
      ['PLO_REDIS_URL', 'redis://'],
      ['PLO_BASE_URL', 'http://api.example.com'],
      ['PLO_AUTHINFO_ENCODING', 'HEX'],
      ['PLO_LEGACY_WRITES', 'V1'],
    ]) {
      const error = configError(() => loadPersonalizedOffersConfig({ ...valid, [name]: value }));
      expect([value, error.settings]).toEqual([value, [name]]);
    }
  });

  it('a Redis URL is optional without PLO_CACHE=redis, but must still be one', () => {
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_REDIS_URL: 'rediss://c:1' }).cache).toBeUndefined();
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'redis' })).settings).toEqual(['PLO_REDIS_URL']);
  });

  it('the IV must be absent in the modes without one', () => {
    expect(loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_AUTHINFO_KEY: KEY, PLO_AUTHINFO_MODE: 'cbc-random-iv' }).authInfo).toEqual({
      key: KEY,
      mode: 'cbc-random-iv',
      encoding: 'hex',
    });
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_AUTHINFO_MODE: 'ecb' })).settings).toEqual(['PLO_AUTHINFO_IV']);
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_AUTHINFO_IV: 'short' })).settings).toEqual(['PLO_AUTHINFO_IV']);
  });

  it('names what each variable must be in the message', () => {
    const error = configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_HTTP_RETRIES: 'x', PLO_CACHE: 'disk' }));
    expect(error.message).toBe(
      'Invalid Personalized Offers environment: PLO_HTTP_RETRIES, PLO_CACHE (PLO_HTTP_RETRIES must be a whole number from 0 to 10; PLO_CACHE must be one of memory, redis, off).',
    );
  });

  it('loads a PEM signing key named by the environment, with its passphrase when encrypted', () => {
    const plain = loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_CONSUMER_KEY: 'ck', PLO_OAUTH_KEY_FILE: path.join(dir, 'key.pem') });
    expect(plain.oauth?.consumerKey).toBe('ck');
    expect((plain.oauth?.signingKey as { type?: string }).type).toBe('private');
    const encrypted = loadPersonalizedOffersConfig({
      ...valid,
      PLO_OAUTH_CONSUMER_KEY: 'ck',
      PLO_OAUTH_KEY_FILE: path.join(dir, 'encrypted.pem'),
      PLO_OAUTH_KEY_PASSWORD: 'pass phrase',
    });
    expect((encrypted.oauth?.signingKey as { type?: string }).type).toBe('private');
    const wrong = configError(() =>
      loadPersonalizedOffersConfig({
        ...valid,
        PLO_OAUTH_CONSUMER_KEY: 'ck',
        PLO_OAUTH_KEY_FILE: path.join(dir, 'encrypted.pem'),
        PLO_OAUTH_KEY_PASSWORD: 'nope',
      }),
    );
    expect(wrong.settings).toEqual(['PLO_OAUTH_KEY_PASSWORD']);
    expect(wrong.message).toBe('PLO_OAUTH_KEY_PASSWORD does not decrypt the PEM key in PLO_OAUTH_KEY_FILE.');
  });

  it('requires the consumer key and the key file together, a readable file and a printable key', () => {
    const file = path.join(dir, 'key.pem');
    // Each of the pair blames the missing other.
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_CONSUMER_KEY: 'ck' })).settings).toEqual(['PLO_OAUTH_KEY_FILE']);
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_KEY_FILE: file })).settings).toEqual(['PLO_OAUTH_CONSUMER_KEY']);
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_CONSUMER_KEY: 'c k', PLO_OAUTH_KEY_FILE: file })).settings).toEqual([
      'PLO_OAUTH_CONSUMER_KEY',
    ]);
    expect(
      configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_CONSUMER_KEY: 'ck', PLO_OAUTH_KEY_FILE: path.join(dir, 'missing.pem') })).settings,
    ).toEqual(['PLO_OAUTH_KEY_FILE']);
    expect(loadPersonalizedOffersConfig(valid).oauth).toBeUndefined();
  });

  it('a .p12 needs an alias and a password; its loading errors name the variables', () => {
    const p12 = path.join(dir, 'store.p12');
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_CONSUMER_KEY: 'ck', PLO_OAUTH_KEY_FILE: p12 })).settings).toEqual([
      'PLO_OAUTH_KEY_ALIAS',
      'PLO_OAUTH_KEY_PASSWORD',
    ]);
    const error = configError(() =>
      loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_CONSUMER_KEY: 'ck', PLO_OAUTH_KEY_FILE: p12, PLO_OAUTH_KEY_ALIAS: 'a', PLO_OAUTH_KEY_PASSWORD: 'p' }),
    );
    expect(error.settings.every((s) => s.startsWith('PLO_OAUTH_'))).toBe(true);
    expect(error.message).not.toMatch(/oauth\.pkcs12/);
    // An alias or password without a .p12 is not required, and not refused.
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_OAUTH_KEY_ALIAS: 'a' }).oauth).toBeUndefined();
  });
});
