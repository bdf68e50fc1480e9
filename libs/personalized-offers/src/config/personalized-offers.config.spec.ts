import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigModule, ConfigService, type ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PERSONALIZED_OFFERS_FID, SANDBOX_BASE_URL } from '../personalized-offers.constants.js';
import { PersonalizedOffersModule } from '../personalized-offers.module.js';
import { UserTokenService } from '../user-token/user-token.service.js';
import {
  PERSONALIZED_OFFERS_ENV_VARIABLES,
  loadPersonalizedOffersConfig,
  parseRedisNodes,
  personalizedOffersConfig,
  personalizedOffersConfigFor,
} from './personalized-offers.config.js';
import { closestName, editDistance, findUnknownVariables } from './unknown-variables.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
const valid = { PLO_FID: '999999', PLO_BASE_URL: SANDBOX_BASE_URL, PLO_AUTHINFO_KEY: KEY, PLO_AUTHINFO_IV: IV };

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

describe('loadPersonalizedOffersConfig', () => {
  it('reads a valid environment into module options with defaults', () => {
    expect(loadPersonalizedOffersConfig(valid)).toEqual({
      fId: '999999',
      baseUrl: SANDBOX_BASE_URL,
      authInfo: { key: KEY, iv: IV, mode: 'cbc', encoding: 'hex' },
    });
  });

  it('accepts ecb without an IV and base64 keys', () => {
    const key = Buffer.from(KEY, 'hex').toString('base64');
    const cfg = loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_AUTHINFO_KEY: key, PLO_AUTHINFO_MODE: 'ecb', PLO_AUTHINFO_ENCODING: 'base64url' });
    expect(cfg.authInfo).toEqual({ key, mode: 'ecb', encoding: 'base64url' });
    expect(cfg.baseUrl).toBeUndefined();
  });

  it('lists every invalid variable by name and never their values', () => {
    const env = {
      PLO_FID: 'a:b',
      PLO_BASE_URL: 'http://api.example.com/plo/v1',
      PLO_AUTHINFO_KEY: 'secret-key-value-not-hex',
      PLO_AUTHINFO_IV: 'secret-iv-value',
      PLO_AUTHINFO_MODE: 'gcm',
      PLO_AUTHINFO_ENCODING: 'base32',
    };
    let error: unknown;
    try {
      loadPersonalizedOffersConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    // The IV is not judged against an unknown mode: that is the mode's error alone.
    expect((error as PersonalizedOffersConfigError).settings.sort()).toEqual(
      Object.keys(env)
        .filter((k) => k !== 'PLO_AUTHINFO_IV')
        .sort(),
    );
    const shown = `${(error as Error).message} ${inspect(error)} ${JSON.stringify(error)}`;
    for (const value of Object.values(env)) expect(shown).not.toContain(value);
    // Each variable comes with what it must be.
    expect((error as Error).message).toContain('PLO_AUTHINFO_MODE must be one of cbc, cbc-random-iv, ecb (lower case)');
    expect((error as Error).message).toContain('PLO_AUTHINFO_KEY must be an AES-128 key');
  });

  it('PLO_AUTHINFO_MODE=CBC (upper case) blames the mode, not the IV', () => {
    const error = (() => {
      try {
        loadPersonalizedOffersConfig({ ...valid, PLO_AUTHINFO_MODE: 'CBC' });
      } catch (e) {
        return e;
      }
    })();
    expect((error as PersonalizedOffersConfigError).settings).toEqual(['PLO_AUTHINFO_MODE']);
    expect((error as Error).message).toMatch(/PLO_AUTHINFO_MODE must be one of cbc, cbc-random-iv, ecb \(lower case\)/);
  });

  it('reads the cache variables', () => {
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'off' }).cache).toBe(false);
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'memory', PLO_TOKEN_TTL_MS: '60000', PLO_CACHE_MAX_ENTRIES: '500' }).cache).toEqual({
      ttlMs: 60_000,
      maxEntries: 500,
    });
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'redis', PLO_REDIS_URL: 'redis://127.0.0.1:6379/2' }).cache).toEqual({
      store: { redis: { url: 'redis://127.0.0.1:6379/2' } },
    });
    expect(loadPersonalizedOffersConfig(valid).cache).toBeUndefined();
  });

  it('reads the transport variables', () => {
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_HTTP_TIMEOUT_MS: '1500', PLO_HTTP_RETRIES: '0' }).http).toEqual({
      timeoutMs: 1500,
      retry: { retries: 0 },
    });
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_HTTP_TIMEOUT_MS: '0', PLO_HTTP_RETRIES: '11' })).toThrow(/PLO_HTTP_TIMEOUT_MS, PLO_HTTP_RETRIES/);
  });

  it('reads PLO_ACCESS_TOKEN_TTL_MS and PLO_LEGACY_WRITES, and names them when invalid', () => {
    const cfg = loadPersonalizedOffersConfig({ ...valid, PLO_ACCESS_TOKEN_TTL_MS: '1800000', PLO_LEGACY_WRITES: 'v1' });
    expect(cfg.accessTokens).toEqual({ ttlMs: 1_800_000 });
    expect(cfg.legacyWrites).toBe('v1');
    expect(loadPersonalizedOffersConfig(valid).accessTokens).toBeUndefined();
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_ACCESS_TOKEN_TTL_MS: '60s', PLO_LEGACY_WRITES: 'v3' })).toThrow(
      /PLO_ACCESS_TOKEN_TTL_MS, PLO_LEGACY_WRITES|PLO_LEGACY_WRITES, PLO_ACCESS_TOKEN_TTL_MS/,
    );
  });

  it('lists invalid cache variables', () => {
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'redis', PLO_TOKEN_TTL_MS: '-5', PLO_CACHE_MAX_ENTRIES: 'lots' })).toThrow(
      /PLO_REDIS_URL, PLO_TOKEN_TTL_MS, PLO_CACHE_MAX_ENTRIES/,
    );
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'disk' })).toThrow(/PLO_CACHE\b/);
  });

  it('requires PLO_FID only, and an IV in cbc once there is a key', () => {
    expect(configError(() => loadPersonalizedOffersConfig({})).settings).toEqual(['PLO_FID']);
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_AUTHINFO_MODE: 'ecb' })).toThrow(/PLO_AUTHINFO_IV/);
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_AUTHINFO_IV: undefined })).settings).toEqual(['PLO_AUTHINFO_IV']);
  });
});

describe('loadPersonalizedOffersConfig: AuthInfo is optional', () => {
  const current = { PLO_FID: '999999', PLO_BASE_URL: SANDBOX_BASE_URL };

  it('reads an environment without PLO_AUTHINFO_* into options without authInfo', () => {
    const cfg = loadPersonalizedOffersConfig(current);
    expect(cfg).toEqual({ fId: '999999', baseUrl: SANDBOX_BASE_URL });
    expect('authInfo' in cfg).toBe(false);
  });

  it('refuses an IV, a mode or an encoding without the key, naming PLO_AUTHINFO_KEY alone', () => {
    for (const extra of [{ PLO_AUTHINFO_IV: IV }, { PLO_AUTHINFO_MODE: 'ecb' }, { PLO_AUTHINFO_ENCODING: 'base64' }]) {
      const error = configError(() => loadPersonalizedOffersConfig({ ...current, ...extra }));
      expect(error.settings).toEqual(['PLO_AUTHINFO_KEY']);
      expect(error.message).toContain('required with any other PLO_AUTHINFO_* variable');
      expect(error.message).not.toContain(IV);
    }
  });

  it('with Redis and no AuthInfo key, requires PLO_CACHE_ENCRYPTION_KEY of at least 16 bytes', () => {
    const redis = { ...current, PLO_CACHE: 'redis', PLO_REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(configError(() => loadPersonalizedOffersConfig(redis)).settings).toEqual(['PLO_CACHE_ENCRYPTION_KEY']);
    const short = configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_CACHE_ENCRYPTION_KEY: 'fifteen-bytes!!' }));
    expect(short.settings).toEqual(['PLO_CACHE_ENCRYPTION_KEY']);
    expect(short.message).not.toContain('fifteen-bytes!!');
    expect(loadPersonalizedOffersConfig({ ...redis, PLO_CACHE_ENCRYPTION_KEY: 'sixteen-byte-key' }).cache).toEqual({
      store: { redis: { url: 'redis://127.0.0.1:6379' } },
      encryptionKey: 'sixteen-byte-key',
    });
    // With an AuthInfo key, the Redis secret may still come from it.
    expect(loadPersonalizedOffersConfig({ ...redis, PLO_AUTHINFO_KEY: KEY, PLO_AUTHINFO_IV: IV }).cache).toEqual({
      store: { redis: { url: 'redis://127.0.0.1:6379' } },
    });
  });
});

describe('loadPersonalizedOffersConfig: PLO_ENV', () => {
  it('picks the production or sandbox host', () => {
    expect(loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'production' }).baseUrl).toBe('https://api.mastercard.com');
    expect(loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'sandbox' }).baseUrl).toBe('https://sandbox.api.mastercard.com');
  });

  it('refuses any other value, naming PLO_ENV', () => {
    for (const value of ['prod', 'Production', 'SANDBOX', 'mtf']) {
      const error = configError(() => loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: value }));
      expect(error.settings).toEqual(['PLO_ENV']);
      expect(error.message).toContain('PLO_ENV must be sandbox or production');
    }
  });

  it('refuses PLO_ENV and PLO_BASE_URL naming different hosts', () => {
    const error = configError(() => loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'production', PLO_BASE_URL: SANDBOX_BASE_URL }));
    expect(error.settings).toEqual(['PLO_ENV', 'PLO_BASE_URL']);
    expect(error.message).toBe(
      'PLO_ENV=production names api.mastercard.com but PLO_BASE_URL points at another host; set only one of them, or make them agree.',
    );
    expect(configError(() => loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'sandbox', PLO_BASE_URL: 'http://127.0.0.1:8080' })).settings).toContain(
      'PLO_ENV',
    );
  });

  it('accepts both when they name the same host, keeping PLO_BASE_URL (and its port-less form)', () => {
    expect(loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'sandbox', PLO_BASE_URL: 'https://sandbox.api.mastercard.com:443/' }).baseUrl).toBe(
      'https://sandbox.api.mastercard.com:443/',
    );
    expect(loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'production', PLO_BASE_URL: 'https://api.mastercard.com/plo/v1' }).baseUrl).toBe(
      'https://api.mastercard.com/plo/v1',
    );
  });
});

describe('loadPersonalizedOffersConfig: unknown PLO_* variables', () => {
  const warnings = () => {
    const lines: string[] = [];
    return { lines, logger: { warn: (message: unknown) => lines.push(String(message)) } };
  };

  it('warns about each unknown PLO_* variable with the closest known name, never its value', () => {
    const { lines, logger } = warnings();
    const cfg = loadPersonalizedOffersConfig(
      {
        ...valid,
        PLO_BASEURL: 'https://secret-host.example',
        PLO_OAUTH_CONSUMERKEY: 'ck-value',
        plo_fid: 'x',
        PLO_URL_BASE: 'u',
        PLO_TOTALLY_UNRELATED_THING: 'v',
        OTHER_APP: '1',
      },
      { logger },
    );
    expect(cfg.baseUrl).toBe(SANDBOX_BASE_URL);
    expect(lines).toEqual([
      'PLO_BASEURL is not a known variable; did you mean PLO_BASE_URL?',
      'PLO_OAUTH_CONSUMERKEY is not a known variable; did you mean PLO_OAUTH_CONSUMER_KEY?',
      'PLO_TOTALLY_UNRELATED_THING is not a known variable of nestjs-personalized-offers; it is ignored.',
      'PLO_URL_BASE is not a known variable; did you mean PLO_BASE_URL?',
      'plo_fid is not a known variable; did you mean PLO_FID?',
    ]);
    for (const value of ['secret-host', 'ck-value']) expect(lines.join('\n')).not.toContain(value);
  });

  it('says nothing for known or empty variables', () => {
    const { lines, logger } = warnings();
    loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'memory', PLO_BASEURL: '' }, { logger });
    expect(lines).toEqual([]);
  });

  it('warns before refusing, and points the missing variable at its typo', () => {
    const { lines, logger } = warnings();
    const error = configError(() => loadPersonalizedOffersConfig({ PLO_FDI: '999999' }, { logger }));
    expect(lines).toEqual(['PLO_FDI is not a known variable; did you mean PLO_FID?']);
    expect(error.settings).toEqual(['PLO_FID']);
    expect(error.message).toContain('(PLO_FDI is set: a typo?)');
    expect(error.message).not.toContain('999999');
  });
});

describe('findUnknownVariables / closestName / editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one edit each', () => {
    expect(editDistance('PLO_BASE_URL', 'PLO_BASE_URL')).toBe(0);
    expect(editDistance('PLO_BASEURL', 'PLO_BASE_URL')).toBe(1);
    expect(editDistance('PLO_BASE_URLS', 'PLO_BASE_URL')).toBe(1);
    expect(editDistance('PLO_BASE_URI', 'PLO_BASE_URL')).toBe(1);
    expect(editDistance('PLO_FDI', 'PLO_FID')).toBe(1);
    expect(editDistance('', 'ABC')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it("suggests only within a typo's reach", () => {
    expect(closestName('PLO_OAUTH_KEY_PATH', PERSONALIZED_OFFERS_ENV_VARIABLES)).toBe('PLO_OAUTH_KEY_FILE');
    expect(closestName('PLO_REDIS', PERSONALIZED_OFFERS_ENV_VARIABLES)).toBe('PLO_REDIS_URL');
    expect(closestName('PLO_OAUTH', PERSONALIZED_OFFERS_ENV_VARIABLES)).toMatch(/^PLO_OAUTH_/);
    expect(closestName('PLO_DATABASE_PASSWORD', PERSONALIZED_OFFERS_ENV_VARIABLES)).toBeUndefined();
    expect(closestName('PLO_LOG_LEVEL', PERSONALIZED_OFFERS_ENV_VARIABLES)).toBeUndefined();
  });

  it('knows every variable the module reads', () => {
    const env = Object.fromEntries(PERSONALIZED_OFFERS_ENV_VARIABLES.map((name) => [name, 'x']));
    expect(findUnknownVariables(env, PERSONALIZED_OFFERS_ENV_VARIABLES)).toEqual([]);
    expect(PERSONALIZED_OFFERS_ENV_VARIABLES).toEqual(expect.arrayContaining(['PLO_ENV', 'PLO_CACHE_ENCRYPTION_KEY']));
  });
});

describe('personalizedOffersConfig namespace', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('PLO_')) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
  });

  it('feeds forRootAsync through ConfigModule and ConfigService', async () => {
    Object.assign(process.env, valid);
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [personalizedOffersConfig] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow('personalizedOffers'),
        }),
      ],
    }).compile();
    expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('999999');
    expect(ref.get(UserTokenService)).toBeDefined();
    await ref.close();
  });

  it('works with the namespace KEY and ConfigType', async () => {
    Object.assign(process.env, valid, { PLO_FID: '777777' });
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRootAsync({
          imports: [ConfigModule.forFeature(personalizedOffersConfig)],
          inject: [personalizedOffersConfig.KEY],
          useFactory: (config: ConfigType<typeof personalizedOffersConfig>) => config,
        }),
      ],
    }).compile();
    expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('777777');
    await ref.close();
  });

  it('fails the boot on a bad environment', async () => {
    Object.assign(process.env, valid, { PLO_AUTHINFO_KEY: 'short' });
    const boot = Test.createTestingModule({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [personalizedOffersConfig] })],
    }).compile();
    await expect(boot).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
  });
});

/** Collects the warnings of one load. */
function warningsOf(): { lines: string[]; logger: { warn: (message: unknown) => void } } {
  const lines: string[] = [];
  return { lines, logger: { warn: (message: unknown) => lines.push(String(message)) } };
}

describe('loadPersonalizedOffersConfig: Redis Sentinel and Cluster (PLO_REDIS_*)', () => {
  const redis = { ...valid, PLO_CACHE: 'redis' };

  it('PLO_REDIS_SENTINELS + PLO_REDIS_SENTINEL_NAME give cache.store { redis: { sentinels, name } }, with the user and both passwords when set', () => {
    expect(
      loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.2:26380,[::1]:26381', PLO_REDIS_SENTINEL_NAME: 'mymaster' })
        .cache,
    ).toEqual({
      store: {
        redis: {
          sentinels: [
            { host: 'sentinel-1', port: 26379 },
            { host: '10.0.0.2', port: 26380 },
            { host: '::1', port: 26381 },
          ],
          name: 'mymaster',
        },
      },
    });
    const cfg = loadPersonalizedOffersConfig({
      ...redis,
      PLO_REDIS_SENTINELS: 's1:26379',
      PLO_REDIS_SENTINEL_NAME: 'mymaster',
      PLO_REDIS_USERNAME: 'plo',
      PLO_REDIS_PASSWORD: 'data-secret',
      PLO_REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(cfg.cache).toEqual({
      store: {
        redis: { sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster', username: 'plo', password: 'data-secret', sentinelPassword: 'sentinel-secret' },
      },
    });
  });

  it('PLO_REDIS_CLUSTER_NODES gives cache.store { redis: { cluster } }, with PLO_REDIS_USERNAME and PLO_REDIS_PASSWORD when set', () => {
    expect(loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001,[2001:db8::7]:7002' }).cache).toEqual({
      store: {
        redis: {
          cluster: [
            { host: '127.0.0.1', port: 7000 },
            { host: '127.0.0.1', port: 7001 },
            { host: '2001:db8::7', port: 7002 },
          ],
        },
      },
    });
    expect(
      loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_CLUSTER_NODES: 'node-a:1,node-b:65535', PLO_REDIS_USERNAME: 'plo', PLO_REDIS_PASSWORD: 'pw' }).cache,
    ).toEqual({
      store: {
        redis: {
          cluster: [
            { host: 'node-a', port: 1 },
            { host: 'node-b', port: 65535 },
          ],
          username: 'plo',
          password: 'pw',
        },
      },
    });
  });

  it.each([
    'host',
    'host:0',
    'host:65536',
    'host:06379',
    'host:',
    ':6379',
    '::1:6379',
    '[::1]6379',
    '[::1]',
    '[zz::1]:6379',
    '[127.0.0.1]:6379',
    'a:1,',
    'a:1,,b:2',
    'a b:1',
    'redis://h:6379',
    'h:6379/0',
    '-h:6379',
  ])('refuses the host:port list %j in PLO_REDIS_SENTINELS and PLO_REDIS_CLUSTER_NODES, naming the variable', (list) => {
    expect(parseRedisNodes(list)).toBeUndefined();
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_SENTINELS: list, PLO_REDIS_SENTINEL_NAME: 'm' })).settings).toEqual([
      'PLO_REDIS_SENTINELS',
    ]);
    const error = configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_CLUSTER_NODES: list }));
    expect(error.settings).toEqual(['PLO_REDIS_CLUSTER_NODES']);
    expect(error.message).toContain(
      'PLO_REDIS_CLUSTER_NODES must be comma-separated host:port of Redis Cluster seed nodes (IPv6 in brackets: [::1]:7000; ports 1 to 65535)',
    );
  });

  it('validates the form of PLO_REDIS_SENTINELS and PLO_REDIS_CLUSTER_NODES without PLO_CACHE=redis too, but builds no store then', () => {
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_REDIS_CLUSTER_NODES: 'h:7000' }).cache).toBeUndefined();
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'memory', PLO_REDIS_SENTINELS: 'h:26379', PLO_REDIS_SENTINEL_NAME: 'm' }).cache).toBeUndefined();
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_REDIS_CLUSTER_NODES: 'h:0' })).settings).toEqual(['PLO_REDIS_CLUSTER_NODES']);
  });

  it('with PLO_CACHE=redis requires exactly one of PLO_REDIS_URL, PLO_REDIS_SENTINELS and PLO_REDIS_CLUSTER_NODES, naming those set (or PLO_REDIS_URL when none is)', () => {
    const none = configError(() => loadPersonalizedOffersConfig(redis));
    expect(none.settings).toEqual(['PLO_REDIS_URL']);
    expect(none.message).toContain('exactly one of PLO_REDIS_URL, PLO_REDIS_SENTINELS with PLO_REDIS_SENTINEL_NAME, or PLO_REDIS_CLUSTER_NODES is required');
    const url = { PLO_REDIS_URL: 'redis://127.0.0.1:6379' };
    const sentinels = { PLO_REDIS_SENTINELS: 'h:26379', PLO_REDIS_SENTINEL_NAME: 'm' };
    const cluster = { PLO_REDIS_CLUSTER_NODES: 'h:7000' };
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, ...url, ...sentinels })).settings).toEqual(['PLO_REDIS_URL', 'PLO_REDIS_SENTINELS']);
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, ...url, ...cluster })).settings).toEqual(['PLO_REDIS_URL', 'PLO_REDIS_CLUSTER_NODES']);
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, ...sentinels, ...cluster })).settings).toEqual([
      'PLO_REDIS_SENTINELS',
      'PLO_REDIS_CLUSTER_NODES',
    ]);
    expect(configError(() => loadPersonalizedOffersConfig({ ...valid, ...url, ...sentinels, ...cluster })).settings).toEqual([
      'PLO_REDIS_URL',
      'PLO_REDIS_SENTINELS',
      'PLO_REDIS_CLUSTER_NODES',
    ]);
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, ...url, ...cluster })).message).toContain(
      'only one of PLO_REDIS_URL, PLO_REDIS_SENTINELS, PLO_REDIS_CLUSTER_NODES may be set',
    );
  });

  it('PLO_REDIS_SENTINEL_NAME is required with PLO_REDIS_SENTINELS; a name or sentinel password without sentinels names PLO_REDIS_SENTINELS', () => {
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_SENTINELS: 'h:26379' })).settings).toEqual(['PLO_REDIS_SENTINEL_NAME']);
    expect(
      configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_SENTINELS: 'h:26379', PLO_REDIS_SENTINEL_NAME: 'my master' })).settings,
    ).toEqual(['PLO_REDIS_SENTINEL_NAME']);
    for (const lone of [{ PLO_REDIS_SENTINEL_NAME: 'm' }, { PLO_REDIS_SENTINEL_PASSWORD: 'lone-sentinel-secret' }]) {
      const error = configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_URL: 'redis://h:6379', ...lone }));
      expect(error.settings).toEqual(['PLO_REDIS_SENTINELS']);
      expect(error.message).toContain('required with PLO_REDIS_SENTINEL_NAME or PLO_REDIS_SENTINEL_PASSWORD');
      expect(error.message).not.toContain('lone-sentinel-secret');
    }
  });

  it('refuses PLO_REDIS_USERNAME and PLO_REDIS_PASSWORD next to PLO_REDIS_URL (the URL carries its own), never echoing the password', () => {
    const error = configError(() =>
      loadPersonalizedOffersConfig({
        ...redis,
        PLO_REDIS_URL: 'redis://127.0.0.1:6379',
        PLO_REDIS_USERNAME: 'plo-user-name',
        PLO_REDIS_PASSWORD: 'never-shown-password',
      }),
    );
    expect(error.settings).toEqual(['PLO_REDIS_USERNAME', 'PLO_REDIS_PASSWORD']);
    expect(error.message).toContain(
      "PLO_REDIS_PASSWORD must be the data nodes' password, for PLO_REDIS_SENTINELS or PLO_REDIS_CLUSTER_NODES (a PLO_REDIS_URL carries its own",
    );
    const shown = `${error.message} ${inspect(error)} ${JSON.stringify(error)}`;
    expect(shown).not.toContain('never-shown-password');
    expect(shown).not.toContain('plo-user-name');
    expect(configError(() => loadPersonalizedOffersConfig({ ...redis, PLO_REDIS_CLUSTER_NODES: 'h:7000', PLO_REDIS_USERNAME: 'two words' })).settings).toEqual([
      'PLO_REDIS_USERNAME',
    ]);
  });

  it('keeps PLO_REDIS_PASSWORD and PLO_REDIS_SENTINEL_PASSWORD as set (spaces included), and trims the other Redis variables', () => {
    const cfg = loadPersonalizedOffersConfig({
      ...redis,
      PLO_REDIS_SENTINELS: '  h:26379  ',
      PLO_REDIS_SENTINEL_NAME: ' m ',
      PLO_REDIS_USERNAME: ' plo ',
      PLO_REDIS_PASSWORD: ' data pw ',
      PLO_REDIS_SENTINEL_PASSWORD: ' sentinel pw ',
    });
    expect(cfg.cache).toEqual({
      store: { redis: { sentinels: [{ host: 'h', port: 26379 }], name: 'm', username: 'plo', password: ' data pw ', sentinelPassword: ' sentinel pw ' } },
    });
  });
});

describe('loadPersonalizedOffersConfig: rate limit (PLO_RATE_LIMIT_*)', () => {
  it('reads PLO_RATE_LIMIT_RPS, PLO_RATE_LIMIT_BURST and PLO_RATE_LIMIT_MAX_WAIT_MS into rateLimit, and gives none without them', () => {
    expect(
      loadPersonalizedOffersConfig({ ...valid, PLO_RATE_LIMIT_RPS: '50', PLO_RATE_LIMIT_BURST: '5', PLO_RATE_LIMIT_MAX_WAIT_MS: '2000' }).rateLimit,
    ).toEqual({
      requestsPerSecond: 50,
      burst: 5,
      maxWaitMs: 2000,
    });
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_RATE_LIMIT_RPS: '0.5' }).rateLimit).toEqual({ requestsPerSecond: 0.5 });
    expect(
      loadPersonalizedOffersConfig({ ...valid, PLO_RATE_LIMIT_RPS: '1000000', PLO_RATE_LIMIT_BURST: '1000000', PLO_RATE_LIMIT_MAX_WAIT_MS: '0' }).rateLimit,
    ).toEqual({
      requestsPerSecond: 1_000_000,
      burst: 1_000_000,
      maxWaitMs: 0,
    });
    expect(loadPersonalizedOffersConfig({ ...valid, PLO_RATE_LIMIT_MAX_WAIT_MS: '3600000', PLO_RATE_LIMIT_RPS: '0.001' }).rateLimit).toEqual({
      requestsPerSecond: 0.001,
      maxWaitMs: 3_600_000,
    });
    expect('rateLimit' in loadPersonalizedOffersConfig(valid)).toBe(false);
  });

  it.each([
    ['PLO_RATE_LIMIT_RPS', '0'],
    ['PLO_RATE_LIMIT_RPS', '0.0'],
    ['PLO_RATE_LIMIT_RPS', '-1'],
    ['PLO_RATE_LIMIT_RPS', '1000000.5'],
    ['PLO_RATE_LIMIT_RPS', '10000000'],
    ['PLO_RATE_LIMIT_RPS', '0.0001'],
    ['PLO_RATE_LIMIT_RPS', '1e3'],
    ['PLO_RATE_LIMIT_RPS', '050'],
    ['PLO_RATE_LIMIT_RPS', 'fifty'],
    ['PLO_RATE_LIMIT_BURST', '0'],
    ['PLO_RATE_LIMIT_BURST', '1.5'],
    ['PLO_RATE_LIMIT_BURST', '1000001'],
    ['PLO_RATE_LIMIT_MAX_WAIT_MS', '-1'],
    ['PLO_RATE_LIMIT_MAX_WAIT_MS', '3600001'],
    ['PLO_RATE_LIMIT_MAX_WAIT_MS', '5s'],
  ])('refuses %s=%s, naming it alone', (name, value) => {
    const error = configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_RATE_LIMIT_RPS: '50', [name]: value }));
    expect(error.settings).toEqual([name]);
    expect(error.message).toContain(`${name} must be `);
  });

  it('PLO_RATE_LIMIT_BURST or PLO_RATE_LIMIT_MAX_WAIT_MS without PLO_RATE_LIMIT_RPS names PLO_RATE_LIMIT_RPS as required, pointing at a typo of it', () => {
    for (const extra of [{ PLO_RATE_LIMIT_BURST: '5' }, { PLO_RATE_LIMIT_MAX_WAIT_MS: '100' }]) {
      const error = configError(() => loadPersonalizedOffersConfig({ ...valid, ...extra }));
      expect(error.settings).toEqual(['PLO_RATE_LIMIT_RPS']);
      expect(error.message).toContain('(required with PLO_RATE_LIMIT_BURST or PLO_RATE_LIMIT_MAX_WAIT_MS)');
    }
    const { lines, logger } = warningsOf();
    const typo = configError(() => loadPersonalizedOffersConfig({ ...valid, PLO_RATE_LIMIT_RSP: '50', PLO_RATE_LIMIT_BURST: '5' }, { logger }));
    expect(lines).toEqual(['PLO_RATE_LIMIT_RSP is not a known variable; did you mean PLO_RATE_LIMIT_RPS?']);
    expect(typo.message).toContain('(PLO_RATE_LIMIT_RSP is set: a typo?)');
  });
});

describe('loadPersonalizedOffersConfig({ prefix }): the variables of one registration', () => {
  const bankA = { PLO_BANK_A_FID: '111111', PLO_BANK_A_BASE_URL: SANDBOX_BASE_URL, PLO_BANK_A_AUTHINFO_KEY: KEY, PLO_BANK_A_AUTHINFO_IV: IV };
  const bankB = { PLO_BANK_B_FID: '222222', PLO_BANK_B_ENV: 'production', PLO_BANK_B_AUTHINFO_KEY: KEY, PLO_BANK_B_AUTHINFO_MODE: 'ecb' };

  it('two prefixes side by side in one environment (with PLO_* set as well) each read their own variables only, new ones included', () => {
    const env = {
      ...valid,
      ...bankA,
      PLO_BANK_A_CACHE: 'redis',
      PLO_BANK_A_REDIS_SENTINELS: 'sentinel:26379',
      PLO_BANK_A_REDIS_SENTINEL_NAME: 'bank-a',
      PLO_BANK_A_REDIS_PASSWORD: ' a pw ',
      PLO_BANK_A_RATE_LIMIT_RPS: '50',
      ...bankB,
      PLO_BANK_B_CACHE: 'redis',
      PLO_BANK_B_REDIS_CLUSTER_NODES: 'node:7000,[::1]:7001',
      PLO_BANK_B_RATE_LIMIT_RPS: '20',
      PLO_BANK_B_RATE_LIMIT_BURST: '4',
      PLO_BANK_B_HTTP_RETRIES: '0',
    };
    const { lines, logger } = warningsOf();
    expect(loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_A_', logger })).toEqual({
      fId: '111111',
      baseUrl: SANDBOX_BASE_URL,
      authInfo: { key: KEY, iv: IV, mode: 'cbc', encoding: 'hex' },
      cache: { store: { redis: { sentinels: [{ host: 'sentinel', port: 26379 }], name: 'bank-a', password: ' a pw ' } } },
      rateLimit: { requestsPerSecond: 50 },
    });
    expect(loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_B_', logger })).toEqual({
      fId: '222222',
      baseUrl: 'https://api.mastercard.com',
      authInfo: { key: KEY, mode: 'ecb', encoding: 'hex' },
      cache: {
        store: {
          redis: {
            cluster: [
              { host: 'node', port: 7000 },
              { host: '::1', port: 7001 },
            ],
          },
        },
      },
      rateLimit: { requestsPerSecond: 20, burst: 4 },
      http: { retry: { retries: 0 } },
    });
    expect(loadPersonalizedOffersConfig(env, { logger })).toEqual(loadPersonalizedOffersConfig(valid));
    // Nobody reports anybody else's variables.
    expect(lines).toEqual([]);
  });

  it('names the real prefixed variable in every error and setting, never the PLO_* one, and never a value', () => {
    const env = {
      PLO_FID: '999999',
      PLO_BANK_A_FID: 'a:b',
      PLO_BANK_A_AUTHINFO_IV: 'secret-iv-value',
      PLO_BANK_A_CACHE: 'redis',
      PLO_BANK_A_REDIS_URL: 'redis://h:1',
      PLO_BANK_A_REDIS_PASSWORD: 'very-secret-password',
      PLO_BANK_A_RATE_LIMIT_BURST: '5',
    };
    const error = configError(() => loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_A_' }));
    expect(error.settings).toEqual([
      'PLO_BANK_A_FID',
      'PLO_BANK_A_AUTHINFO_KEY',
      'PLO_BANK_A_REDIS_PASSWORD',
      'PLO_BANK_A_CACHE_ENCRYPTION_KEY',
      'PLO_BANK_A_RATE_LIMIT_RPS',
    ]);
    expect(error.message).toContain(
      'PLO_BANK_A_AUTHINFO_KEY must be an AES-128 key: 32 hex characters or the base64 of 16 bytes (required with any other PLO_BANK_A_AUTHINFO_* variable)',
    );
    expect(error.message).toContain('(a PLO_BANK_A_REDIS_URL carries its own: redis://user:password@host)');
    expect(error.message).toContain(
      'PLO_BANK_A_CACHE_ENCRYPTION_KEY must be at least 16 bytes (required with PLO_BANK_A_CACHE=redis when PLO_BANK_A_AUTHINFO_KEY is not set)',
    );
    // Every PLO_ in the message is the start of a PLO_BANK_A_ name.
    expect(error.message.match(/PLO_(?!BANK_A_)/g)).toBeNull();
    for (const value of ['a:b', 'secret-iv-value', 'very-secret-password']) expect(`${error.message} ${inspect(error)}`).not.toContain(value);
    // A missing required variable is named under the prefix too.
    expect(configError(() => loadPersonalizedOffersConfig({ PLO_FID: '999999' }, { prefix: 'PLO_BANK_A_' })).settings).toEqual(['PLO_BANK_A_FID']);
  });

  it('names the prefixed variables in the errors raised after validation (PLO_ENV against PLO_BASE_URL, a PEM passphrase)', () => {
    const hosts = configError(() =>
      loadPersonalizedOffersConfig({ PLO_BANK_A_FID: '1', PLO_BANK_A_ENV: 'production', PLO_BANK_A_BASE_URL: SANDBOX_BASE_URL }, { prefix: 'PLO_BANK_A_' }),
    );
    expect(hosts.settings).toEqual(['PLO_BANK_A_ENV', 'PLO_BANK_A_BASE_URL']);
    expect(hosts.message).toBe(
      'PLO_BANK_A_ENV=production names api.mastercard.com but PLO_BANK_A_BASE_URL points at another host; set only one of them, or make them agree.',
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'plo-prefix-'));
    try {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right-passphrase' },
      });
      const file = path.join(dir, 'encrypted.pem');
      writeFileSync(file, privateKey);
      const env = { PLO_BANK_A_FID: '1', PLO_BANK_A_OAUTH_CONSUMER_KEY: 'ck', PLO_BANK_A_OAUTH_KEY_FILE: file };
      expect(loadPersonalizedOffersConfig({ ...env, PLO_BANK_A_OAUTH_KEY_PASSWORD: 'right-passphrase' }, { prefix: 'PLO_BANK_A_' }).oauth?.consumerKey).toBe(
        'ck',
      );
      const pem = configError(() => loadPersonalizedOffersConfig({ ...env, PLO_BANK_A_OAUTH_KEY_PASSWORD: 'wrong-passphrase' }, { prefix: 'PLO_BANK_A_' }));
      expect(pem.settings).toEqual(['PLO_BANK_A_OAUTH_KEY_PASSWORD']);
      expect(pem.message).toBe('PLO_BANK_A_OAUTH_KEY_PASSWORD does not decrypt the PEM key in PLO_BANK_A_OAUTH_KEY_FILE.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['plo_bank_', 'PLO_BANK', 'PLO-BANK_', '_BANK_', '1BANK_', 'PLO BANK_', `P${'X'.repeat(63)}_`, ''])(
    'refuses the prefix %j with PersonalizedOffersConfigError (setting prefix)',
    (prefix) => {
      const error = configError(() => loadPersonalizedOffersConfig(valid, { prefix }));
      expect(error.settings).toEqual(['prefix']);
      expect(error.message).toMatch(/^prefix must be upper-case letters, digits and "_", start with a letter and end with "_"/);
    },
  );

  it.each([
    ['PLO_CACHE_', 'PLO_CACHE_ENCRYPTION_KEY'],
    ['PLO_OAUTH_', 'PLO_OAUTH_CONSUMER_KEY'],
    ['PLO_REDIS_', 'PLO_REDIS_URL'],
    ['PLO_RATE_LIMIT_', 'PLO_RATE_LIMIT_RPS'],
    ['PLO_AUTHINFO_', 'PLO_AUTHINFO_KEY'],
  ])('refuses the prefix %s, whose variables would overlap those of PLO_ (%s)', (prefix, clash) => {
    const error = configError(() => loadPersonalizedOffersConfig(valid, { prefix }));
    expect(error.settings).toEqual(['prefix']);
    expect(error.message).toContain(`prefix ${prefix} cannot be used with PLO_: ${clash} would be read under both`);
  });

  it('accepts the prefix of the default variables, PLO_, as the default loader', () => {
    expect(loadPersonalizedOffersConfig(valid, { prefix: 'PLO_' })).toEqual(loadPersonalizedOffersConfig(valid));
  });
});

describe('unknown variables with several prefixes', () => {
  it('a prefixed loader warns about the variables under its own prefix only, with the suggestion under the prefix, and points a missing variable at its typo', () => {
    const { lines, logger } = warningsOf();
    const env = {
      PLO_FDI: '1',
      PLO_BANK_A_FDI: '111111',
      PLO_BANK_A_BASEURL: 'https://hidden.example',
      PLO_BANK_A_WHATEVER_ELSE: 'x',
      PLO_BANK_B_FDI: '2',
      plo_bank_a_env: 'sandbox',
    };
    loadPersonalizedOffersConfig({ PLO_BANK_B_FID: '2' }, { prefix: 'PLO_BANK_B_', logger: warningsOf().logger }); // PLO_BANK_B_ is in use too
    const error = configError(() => loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_A_', logger }));
    expect(lines).toEqual([
      'PLO_BANK_A_BASEURL is not a known variable; did you mean PLO_BANK_A_BASE_URL?',
      'PLO_BANK_A_FDI is not a known variable; did you mean PLO_BANK_A_FID?',
      'PLO_BANK_A_WHATEVER_ELSE is not a known variable of nestjs-personalized-offers; it is ignored.',
      'plo_bank_a_env is not a known variable; did you mean PLO_BANK_A_ENV?',
    ]);
    expect(lines.join('\n')).not.toContain('hidden.example');
    expect(error.settings).toEqual(['PLO_BANK_A_FID']);
    expect(error.message).toContain('PLO_BANK_A_FID must be a non-empty identifier without ":" or control characters (PLO_BANK_A_FDI is set: a typo?)');
  });

  it('the default loader stops warning about the variables under a prefix once personalizedOffersConfigFor registers it, and keeps warning about its own typos', () => {
    const env = { ...valid, PLO_BANK_C_FID: '333333', PLO_BANK_C_AUTHINFO_KEY: KEY, PLO_BANK_C_AUTHINFO_MODE: 'ecb', PLO_BANK_C_FDI: 'x', PLO_BASEURL: 'u' };
    const before = warningsOf();
    loadPersonalizedOffersConfig(env, { logger: before.logger });
    // Before: unknown (other prefixes registered by earlier tests may be suggested for it).
    expect(before.lines).toContainEqual(expect.stringMatching(/^PLO_BANK_C_FID is not a known variable/));
    expect(before.lines).toContainEqual(expect.stringMatching(/^PLO_BANK_C_AUTHINFO_KEY is not a known variable/));
    personalizedOffersConfigFor('bankC', 'PLO_BANK_C_');
    const after = warningsOf();
    loadPersonalizedOffersConfig(env, { logger: after.logger });
    expect(after.lines).toEqual(['PLO_BASEURL is not a known variable; did you mean PLO_BASE_URL?']);
    // The typo under the prefix is bankC's to report.
    const bankC = warningsOf();
    loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_C_', logger: bankC.logger });
    expect(bankC.lines).toEqual(['PLO_BANK_C_FDI is not a known variable; did you mean PLO_BANK_C_FID?']);
  });

  it('a typo of a registered prefix (PLO_BANKC_FID) is reported once, by the default loader, with the prefixed name it is closest to', () => {
    personalizedOffersConfigFor('bankC', 'PLO_BANK_C_');
    const env = { ...valid, PLO_BANK_C_FID: '333333', PLO_BANKC_FID: '3', PLO_BANK_C_: 'x' };
    const byDefault = warningsOf();
    loadPersonalizedOffersConfig(env, { logger: byDefault.logger });
    const byBankC = warningsOf();
    loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_C_', logger: byBankC.logger });
    expect(byDefault.lines).toEqual(['PLO_BANKC_FID is not a known variable; did you mean PLO_BANK_C_FID?']);
    expect(byBankC.lines).toEqual(['PLO_BANK_C_ is not a known variable of nestjs-personalized-offers; it is ignored.']);
  });

  it('with nested prefixes (PLO_BANK_ and PLO_BANK_D_) each variable goes to the longest prefix it is under', () => {
    personalizedOffersConfigFor('bankD', 'PLO_BANK_D_');
    const env = { PLO_BANK_FID: '1', PLO_BANK_D_FID: '4', PLO_BANK_D_FDI: 'x', PLO_BANK_FDI: 'y' };
    const outer = warningsOf();
    expect(loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_', logger: outer.logger }).fId).toBe('1');
    const inner = warningsOf();
    expect(loadPersonalizedOffersConfig(env, { prefix: 'PLO_BANK_D_', logger: inner.logger }).fId).toBe('4');
    expect(outer.lines).toEqual(['PLO_BANK_FDI is not a known variable; did you mean PLO_BANK_FID?']);
    expect(inner.lines).toEqual(['PLO_BANK_D_FDI is not a known variable; did you mean PLO_BANK_D_FID?']);
  });

  it('without a scope, findUnknownVariables looks at every PLO_* variable as before', () => {
    expect(findUnknownVariables({ PLO_BANK_E_FID: '1', PLO_FDI: '2' }, PERSONALIZED_OFFERS_ENV_VARIABLES).map((u) => u.name)).toEqual([
      'PLO_BANK_E_FID',
      'PLO_FDI',
    ]);
  });
});

describe('personalizedOffersConfigFor', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('PLO_')) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
  });

  it('gives the same namespace object for the same name and prefix, keyed personalizedOffers:<name>', () => {
    const bankA = personalizedOffersConfigFor('bankA', 'PLO_BANK_A_');
    expect(personalizedOffersConfigFor('bankA', 'PLO_BANK_A_')).toBe(bankA);
    expect(bankA.KEY).toBe('CONFIGURATION(personalizedOffers:bankA)');
    expect(personalizedOffersConfigFor('bank-a_2', 'PLO_BANK_A_')).not.toBe(bankA);
  });

  it('reads its prefix from process.env when called, with the same validation', () => {
    const bankF = personalizedOffersConfigFor('bankF', 'PLO_BANK_F_');
    Object.assign(process.env, { PLO_BANK_F_FID: '666666', PLO_BANK_F_RATE_LIMIT_RPS: '5' });
    expect(bankF()).toEqual({ fId: '666666', rateLimit: { requestsPerSecond: 5 } });
    process.env.PLO_BANK_F_RATE_LIMIT_RPS = '0';
    expect(configError(() => bankF()).settings).toEqual(['PLO_BANK_F_RATE_LIMIT_RPS']);
  });

  it.each([
    ['bank A', 'PLO_BANK_A_', 'name'],
    ['', 'PLO_BANK_A_', 'name'],
    ['x'.repeat(65), 'PLO_BANK_A_', 'name'],
    ['bank.a', 'PLO_BANK_A_', 'name'],
    ['bankG', 'PLO_BANK_G', 'prefix'],
    ['bankG', 'plo_bank_g_', 'prefix'],
    ['bankG', 'PLO_CACHE_', 'prefix'],
  ])('refuses name %j with prefix %j, naming the %s', (name, prefix, setting) => {
    expect(configError(() => personalizedOffersConfigFor(name, prefix)).settings).toEqual([setting]);
  });

  it('refuses one name with two prefixes (one namespace, one provider)', () => {
    personalizedOffersConfigFor('bankH', 'PLO_BANK_H_');
    const error = configError(() => personalizedOffersConfigFor('bankH', 'PLO_BANK_I_'));
    expect(error.settings).toEqual(['name']);
    expect(error.message).toContain('the name bankH already reads the variables under PLO_BANK_H_');
  });

  it('loads two named namespaces and the default one into ConfigService side by side, none inside another', async () => {
    Object.assign(process.env, valid, { PLO_BANK_A_FID: '111111', PLO_BANK_B_FID: '222222' });
    const ref = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [personalizedOffersConfig, personalizedOffersConfigFor('bankA', 'PLO_BANK_A_'), personalizedOffersConfigFor('bankB', 'PLO_BANK_B_')],
        }),
      ],
    }).compile();
    const config = ref.get(ConfigService);
    expect(config.get('personalizedOffers:bankA')).toEqual({ fId: '111111' });
    expect(config.get('personalizedOffers:bankB')).toEqual({ fId: '222222' });
    expect(config.get('personalizedOffers')).toEqual(loadPersonalizedOffersConfig(valid));
    await ref.close();
  });

  it('fails the boot on a bad prefixed environment, naming the prefixed variable', async () => {
    Object.assign(process.env, {
      PLO_BANK_A_FID: '111111',
      PLO_BANK_A_CACHE: 'redis',
      PLO_BANK_A_REDIS_CLUSTER_NODES: 'h:7000',
      PLO_BANK_A_CACHE_ENCRYPTION_KEY: 'short',
    });
    const boot = Test.createTestingModule({ imports: [ConfigModule.forFeature(personalizedOffersConfigFor('bankA', 'PLO_BANK_A_'))] }).compile();
    await expect(boot).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
    await expect(boot).rejects.toMatchObject({ settings: ['PLO_BANK_A_CACHE_ENCRYPTION_KEY'] });
  });
});
