import { inspect } from 'node:util';
import { ConfigModule, ConfigService, type ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PERSONALIZED_OFFERS_FID, SANDBOX_BASE_URL } from '../personalized-offers.constants.js';
import { PersonalizedOffersModule } from '../personalized-offers.module.js';
import { UserTokenService } from '../user-token/user-token.service.js';
import { PERSONALIZED_OFFERS_ENV_VARIABLES, loadPersonalizedOffersConfig, personalizedOffersConfig } from './personalized-offers.config.js';
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
    expect((error as PersonalizedOffersConfigError).settings.sort()).toEqual(Object.keys(env).filter((k) => k !== 'PLO_AUTHINFO_IV').sort());
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
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_HTTP_TIMEOUT_MS: '0', PLO_HTTP_RETRIES: '11' })).toThrow(
      /PLO_HTTP_TIMEOUT_MS, PLO_HTTP_RETRIES/,
    );
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
    expect(() =>
      loadPersonalizedOffersConfig({ ...valid, PLO_CACHE: 'redis', PLO_TOKEN_TTL_MS: '-5', PLO_CACHE_MAX_ENTRIES: 'lots' }),
    ).toThrow(/PLO_REDIS_URL, PLO_TOKEN_TTL_MS, PLO_CACHE_MAX_ENTRIES/);
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
    expect(loadPersonalizedOffersConfig({ ...redis, PLO_AUTHINFO_KEY: KEY, PLO_AUTHINFO_IV: IV }).cache).toEqual({ store: { redis: { url: 'redis://127.0.0.1:6379' } } });
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
    expect(error.message).toBe('PLO_ENV=production names api.mastercard.com but PLO_BASE_URL points at another host; set only one of them, or make them agree.');
    expect(configError(() => loadPersonalizedOffersConfig({ PLO_FID: '1', PLO_ENV: 'sandbox', PLO_BASE_URL: 'http://127.0.0.1:8080' })).settings).toContain('PLO_ENV');
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
      { ...valid, PLO_BASEURL: 'https://secret-host.example', PLO_OAUTH_CONSUMERKEY: 'ck-value', plo_fid: 'x', PLO_URL_BASE: 'u', PLO_TOTALLY_UNRELATED_THING: 'v', OTHER_APP: '1' },
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

  it('suggests only within a typo\'s reach', () => {
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
    for (const name of Object.keys(process.env)) if (name.startsWith('PLO_')) delete process.env[name];
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
