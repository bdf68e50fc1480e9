import { inspect } from 'node:util';
import { ConfigModule, ConfigService, type ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PERSONALIZED_OFFERS_FID, SANDBOX_BASE_URL } from '../personalized-offers.constants.js';
import { PersonalizedOffersModule } from '../personalized-offers.module.js';
import { UserTokenService } from '../user-token/user-token.service.js';
import { loadPersonalizedOffersConfig, personalizedOffersConfig } from './personalized-offers.config.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
const valid = { PLO_FID: '999999', PLO_BASE_URL: SANDBOX_BASE_URL, PLO_AUTHINFO_KEY: KEY, PLO_AUTHINFO_IV: IV };

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

  it('requires PLO_FID and PLO_AUTHINFO_KEY, and an IV in cbc', () => {
    expect(() => loadPersonalizedOffersConfig({})).toThrow(/PLO_FID, PLO_AUTHINFO_KEY, PLO_AUTHINFO_IV/);
    expect(() => loadPersonalizedOffersConfig({ ...valid, PLO_AUTHINFO_MODE: 'ecb' })).toThrow(/PLO_AUTHINFO_IV/);
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
