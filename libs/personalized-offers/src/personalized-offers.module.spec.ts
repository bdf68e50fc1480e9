import { Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { AuthInfoKeyMaterial } from './crypto/auth-info-key-material.js';
import { AuthInfoCryptoService } from './crypto/auth-info-crypto.service.js';
import { PersonalizedOffersConfigError } from './errors/personalized-offers-config.error.js';
import type { PersonalizedOffersModuleOptions } from './interfaces/index.js';
import type { ResolvedPersonalizedOffersOptions } from './config/resolve-options.js';
import {
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_RESOLVED_OPTIONS,
} from './personalized-offers.constants.js';
import { InjectAuthInfoKeyMaterial, InjectFId } from './personalized-offers.decorators.js';
import { PersonalizedOffersModule } from './personalized-offers.module.js';
import { UserTokenService } from './user-token/user-token.service.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
const options = (fId = '999999'): PersonalizedOffersModuleOptions => ({
  fId,
  baseUrl: 'http://127.0.0.1:9/plo/v1',
  authInfo: { key: KEY, iv: IV },
});

/** A user's own provider depending on the exported config tokens. */
@Injectable()
class UsesConfig {
  constructor(
    @InjectFId() readonly fId: string,
    @InjectAuthInfoKeyMaterial() readonly material: AuthInfoKeyMaterial,
    readonly crypto: AuthInfoCryptoService,
  ) {}
}

@Injectable()
class OptionsFactory {
  createPersonalizedOffersOptions(): PersonalizedOffersModuleOptions {
    return options('222222');
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

describe('PersonalizedOffersModule', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function compile(imports: ModuleMetadata['imports'], providers: ModuleMetadata['providers'] = []): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({ imports, providers }).compile();
    await moduleRef.init();
    return moduleRef;
  }

  it('forRoot registers the services and config providers', async () => {
    const ref = await compile([PersonalizedOffersModule.forRoot(options())], [UsesConfig]);
    expect(ref.get(UserTokenService)).toBeInstanceOf(UserTokenService);
    expect(ref.get(AuthInfoCryptoService)).toBeInstanceOf(AuthInfoCryptoService);
    expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('999999');
    expect(ref.get(PERSONALIZED_OFFERS_KEY_MATERIAL)).toBeInstanceOf(AuthInfoKeyMaterial);
    const uses = ref.get(UsesConfig);
    expect(uses.fId).toBe('999999');
    expect(uses.material.key.toString('hex')).toBe(KEY);
    expect(uses.material.mode).toBe('cbc');
  });

  it('forRootAsync with useFactory and inject', async () => {
    const ref = await compile([
      PersonalizedOffersModule.forRootAsync({
        imports: [OptionsFactoryModule],
        inject: [OptionsFactory],
        useFactory: (f: OptionsFactory) => Promise.resolve({ ...f.createPersonalizedOffersOptions(), fId: '333333' }),
      }),
    ]);
    expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('333333');
  });

  it('forRootAsync with useClass', async () => {
    const ref = await compile([PersonalizedOffersModule.forRootAsync({ useClass: OptionsFactory })]);
    expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('222222');
  });

  it('forRootAsync with useExisting', async () => {
    const ref = await compile([PersonalizedOffersModule.forRootAsync({ imports: [OptionsFactoryModule], useExisting: OptionsFactory })]);
    expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('222222');
  });

  it('isGlobal makes the providers visible to modules that do not import it', async () => {
    @Module({ providers: [UsesConfig], exports: [UsesConfig] })
    class FeatureModule {}
    const ref = await compile([PersonalizedOffersModule.forRoot({ ...options('444444'), isGlobal: true }), FeatureModule]);
    expect(ref.get(UsesConfig).fId).toBe('444444');
  });

  it('without isGlobal, a module that does not import it cannot inject its providers', async () => {
    @Module({ providers: [UsesConfig] })
    class FeatureModule {}
    await expect(compile([PersonalizedOffersModule.forRoot(options()), FeatureModule])).rejects.toThrow(/UsesConfig/);
  });

  it('isGlobal works for forRootAsync too', async () => {
    @Module({ providers: [UsesConfig], exports: [UsesConfig] })
    class FeatureModule {}
    const ref = await compile([PersonalizedOffersModule.forRootAsync({ useFactory: () => options('555555'), isGlobal: true }), FeatureModule]);
    expect(ref.get(UsesConfig).fId).toBe('555555');
  });

  it('two registrations stay separate', async () => {
    @Module({ imports: [PersonalizedOffersModule.forRoot(options('111111'))], providers: [UsesConfig], exports: [UsesConfig] })
    class BankA {}
    @Module({ imports: [PersonalizedOffersModule.forRoot(options('222222'))], providers: [UsesConfig], exports: [UsesConfig] })
    class BankB {}
    const ref = await compile([BankA, BankB]);
    const a = ref.select(BankA).get(UsesConfig, { strict: true });
    const b = ref.select(BankB).get(UsesConfig, { strict: true });
    expect([a.fId, b.fId]).toEqual(['111111', '222222']);
    const [cryptoA, cryptoB] = [a.crypto, b.crypto];
    expect(cryptoA).not.toBe(cryptoB);
    expect(cryptoA.decrypt(cryptoA.encrypt('u', 1)).fId).toBe('111111');
    expect(cryptoB.decrypt(cryptoB.encrypt('u', 1)).fId).toBe('222222');
  });

  it('lets tests swap the clock', async () => {
    moduleRef = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options())] })
      .overrideProvider(PERSONALIZED_OFFERS_CLOCK)
      .useValue({ now: () => 42_000 })
      .compile();
    const crypto = moduleRef.get(AuthInfoCryptoService);
    expect(crypto.decrypt(crypto.encrypt('u')).unixTime).toBe(42);
  });

  it.each<[string, unknown, string]>([
    ['a missing fId', { authInfo: { key: KEY, iv: IV } }, 'fId'],
    ['an fId with a colon', { fId: '99:99', authInfo: { key: KEY, iv: IV } }, 'fId'],
    ['a short key', { fId: '1', authInfo: { key: 'abcd', iv: IV } }, 'authInfo.key'],
    ['an authInfo that is not an object', { fId: '1', authInfo: 'key' }, 'authInfo'],
    ['Redis without authInfo or cache.encryptionKey', { fId: '1', cache: { store: { redis: { url: 'redis://127.0.0.1:1' } } } }, 'cache.encryptionKey'],
    ['a non-URL base URL', { ...options(), baseUrl: 'not a url' }, 'baseUrl'],
    ['clear-text http to a remote host', { ...options(), baseUrl: 'http://api.mastercard.com/plo/v1' }, 'baseUrl'],
    ['a base URL with a query', { ...options(), baseUrl: 'https://api.mastercard.com/plo/v1?x=1' }, 'baseUrl'],
  ])('fails at start-up on %s with PersonalizedOffersConfigError', async (_, bad, setting) => {
    const attempt = compile([PersonalizedOffersModule.forRoot(bad as PersonalizedOffersModuleOptions)]);
    await expect(attempt).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
    await expect(attempt).rejects.toMatchObject({ settings: [setting] });
  });

  it('accepts https and loopback http base URLs, normalizing a trailing slash (and the v1.3 /plo/v1 suffix) away', async () => {
    const normalized: Record<string, string> = {
      'https://sandbox.api.mastercard.com/plo/v1/': 'https://sandbox.api.mastercard.com',
      'http://localhost:8080/plo/v1': 'http://localhost:8080',
      'http://[::1]:8080/plo/v1': 'http://[::1]:8080',
      'http://127.1.2.3/plo/v1': 'http://127.1.2.3',
      'https://sandbox.api.mastercard.com/': 'https://sandbox.api.mastercard.com',
      'https://proxy.example.com/mastercard//': 'https://proxy.example.com/mastercard',
      'http://localhost:8080/plo/v1//': 'http://localhost:8080',
    };
    for (const [baseUrl, expected] of Object.entries(normalized)) {
      const ref = await compile([PersonalizedOffersModule.forRoot({ ...options(), baseUrl })]);
      expect(ref.get(UserTokenService)).toBeDefined();
      expect(ref.get<ResolvedPersonalizedOffersOptions>(PERSONALIZED_OFFERS_RESOLVED_OPTIONS).baseUrl).toBe(expected);
      await ref.close();
      moduleRef = undefined;
    }
  });

  describe('without authInfo', () => {
    const current = (): PersonalizedOffersModuleOptions => ({ fId: '999999', baseUrl: 'http://127.0.0.1:9' });

    it('boots, with PERSONALIZED_OFFERS_KEY_MATERIAL null and a user provider still injectable', async () => {
      const ref = await compile([PersonalizedOffersModule.forRoot(current())], [UsesConfig]);
      expect(ref.get(PERSONALIZED_OFFERS_KEY_MATERIAL)).toBeNull();
      expect(ref.get(UsesConfig).material).toBeNull();
      expect(ref.get(AuthInfoCryptoService).configured).toBe(false);
      expect(ref.get<ResolvedPersonalizedOffersOptions>(PERSONALIZED_OFFERS_RESOLVED_OPTIONS).keyMaterial).toBeNull();
    });

    it('AuthInfoCryptoService.encrypt and decrypt throw PersonalizedOffersConfigError naming authInfo', async () => {
      const crypto = (await compile([PersonalizedOffersModule.forRoot(current())])).get(AuthInfoCryptoService);
      for (const call of [() => crypto.encrypt('user-1', 1), () => crypto.decrypt('00')]) {
        expect(call).toThrow(PersonalizedOffersConfigError);
        expect(call).toThrow(/needs AuthInfo, and this PersonalizedOffersModule has no authInfo/);
      }
      try {
        crypto.encrypt('user-1');
      } catch (error) {
        expect((error as PersonalizedOffersConfigError).settings).toEqual(['authInfo']);
        expect((error as Error).message).not.toContain('user-1');
      }
    });

    it('UserTokenService.getUserToken and usertokenGet reject with PersonalizedOffersConfigError naming authInfo', async () => {
      const tokens = (await compile([PersonalizedOffersModule.forRoot(current())])).get(UserTokenService);
      await expect(tokens.getUserToken('user-1')).rejects.toMatchObject({ name: 'PersonalizedOffersConfigError', settings: ['authInfo'] });
      await expect(tokens.getUserToken('user-1', { refresh: true })).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
      await expect(tokens.usertokenGet('999999', 'abcdef')).rejects.toMatchObject({ settings: ['authInfo'] });
    });

    it('a Redis store takes its secret from cache.encryptionKey', async () => {
      const ref = await compile([
        PersonalizedOffersModule.forRoot({
          ...current(),
          cache: { encryptionKey: 'sixteen-byte-key', store: { redis: { url: 'redis://127.0.0.1:1', commandTimeoutMs: 5 } } },
        }),
      ]);
      const resolved = ref.get<ResolvedPersonalizedOffersOptions>(PERSONALIZED_OFFERS_RESOLVED_OPTIONS);
      expect(resolved.cache && resolved.cache.redis!.secret.toString('utf8')).toBe('sixteen-byte-key');
    });
  });
});
