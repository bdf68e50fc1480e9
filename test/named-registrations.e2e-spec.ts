import { Injectable, type ModuleMetadata, type Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import {
  AccessTokenService,
  getPersonalizedOffersToken,
  InjectPersonalizedOffers,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_TOKEN_STORE,
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersUnavailableError,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { simulatorGatewayCredentials } from 'nestjs-personalized-offers/testing';
import { captureLogger } from './support/capture-logger.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';
import { RedisServer } from './support/redis-server.js';

/**
 * Named registrations: two banks (or a sandbox and a production program of one bank) in one app,
 * each on its own simulator, signed through its gateway. Each registration's services are its
 * own, and their tokens never mix, even in one Redis with one encryption key and the same fId.
 */
describe('named registrations', () => {
  const simA = gatewaySimulator({ fIds: ['111111', '999999'] });
  // Same AuthInfo key material as A: a sandbox and a production registration of one bank.
  const simB = gatewaySimulator({ fIds: ['222222', '999999'], authInfo: simA.authInfo });
  const redis = new RedisServer();
  const contexts: TestingModule[] = [];
  const { logger, lines } = captureLogger();

  beforeAll(async () => {
    await Promise.all([simA.start(), simB.start(), redis.start()]);
  });
  afterAll(async () => {
    await Promise.all([simA.stop(), simB.stop(), redis.stop()]);
  });
  beforeEach(() => {
    for (const s of [simA, simB]) {
      s.resetRequestCount();
      s.setFault(undefined);
    }
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expectNoGatewayRefusal(simA);
    expectNoGatewayRefusal(simB);
  });

  const optionsA = (extra: Partial<PersonalizedOffersModuleOptions> = {}): PersonalizedOffersModuleOptions => ({
    fId: '111111',
    baseUrl: simA.baseUrl,
    authInfo: simA.authInfo,
    ...signed,
    ...extra,
  });
  const optionsB = (extra: Partial<PersonalizedOffersModuleOptions> = {}): PersonalizedOffersModuleOptions => ({
    fId: '222222',
    baseUrl: simB.baseUrl,
    authInfo: simB.authInfo,
    ...signed,
    ...extra,
  });

  /** A consumer of both banks, as an app would write it. */
  @Injectable()
  class TwoBanks {
    constructor(
      @InjectPersonalizedOffers(UserTokenService, 'bankA') readonly a: UserTokenService,
      @InjectPersonalizedOffers(UserTokenService, 'bankB') readonly b: UserTokenService,
    ) {}
  }

  async function boot(imports: NonNullable<ModuleMetadata['imports']>, providers: Provider[] = []): Promise<TestingModule> {
    const ref = await Test.createTestingModule({ imports, providers }).setLogger(logger).compile();
    await ref.init();
    contexts.push(ref);
    return ref;
  }

  it('forRoot({ name }) and forRootAsync({ name }) side by side: each injected service reaches only its own simulator', async () => {
    const ref = await boot(
      [
        PersonalizedOffersModule.forRoot({ name: 'bankA', ...optionsA() }),
        PersonalizedOffersModule.forRootAsync({ name: 'bankB', useFactory: () => optionsB() }),
      ],
      [TwoBanks],
    );
    const banks = ref.get(TwoBanks);
    expect(banks.a).not.toBe(banks.b);
    const [a, b] = await Promise.all([banks.a.getUserToken('alice'), banks.b.getUserToken('alice')]);
    expect(a).toBe(simA.tokenFor('111111', 'alice'));
    expect(b).toBe(simB.tokenFor('222222', 'alice'));
    expect(simA.requestCount).toBe(1);
    expect(simB.requestCount).toBe(1);
  });

  it('each registration exports its config providers under its own token (the fId of bankA is not bankB’s)', async () => {
    const ref = await boot([
      PersonalizedOffersModule.forRoot({ name: 'bankA', ...optionsA() }),
      PersonalizedOffersModule.forRoot({ name: 'bankB', ...optionsB() }),
    ]);
    expect(ref.get(getPersonalizedOffersToken(PERSONALIZED_OFFERS_FID, 'bankA'))).toBe('111111');
    expect(ref.get(getPersonalizedOffersToken(PERSONALIZED_OFFERS_FID, 'bankB'))).toBe('222222');
  });

  it('a named registration does not answer for the class token: injecting UserTokenService with only named registrations fails at start', async () => {
    @Injectable()
    class Unnamed {
      constructor(readonly tokens: UserTokenService) {}
    }
    await expect(
      Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot({ name: 'bankA', ...optionsA() })], providers: [Unnamed] })
        .setLogger(logger)
        .compile(),
    ).rejects.toThrow(/UserTokenService/);
  });

  it('the default registration (no name) keeps the class token next to a named one', async () => {
    @Injectable()
    class DefaultAndNamed {
      constructor(
        readonly byClass: UserTokenService,
        @InjectPersonalizedOffers(UserTokenService, 'bankB') readonly byName: UserTokenService,
      ) {}
    }
    // Injected into a provider of the app (ref.get would search every module, internal providers included).
    const ref = await boot(
      [PersonalizedOffersModule.forRoot(optionsA()), PersonalizedOffersModule.forRoot({ name: 'bankB', ...optionsB() })],
      [DefaultAndNamed],
    );
    expect(getPersonalizedOffersToken(UserTokenService)).toBe(UserTokenService);
    const { byClass, byName } = ref.get(DefaultAndNamed);
    expect(byClass).not.toBe(byName);
    expect(await byClass.getUserToken('bob')).toBe(simA.tokenFor('111111', 'bob'));
    expect(await byName.getUserToken('bob')).toBe(simB.tokenFor('222222', 'bob'));
  });

  it.each([[''], ['bank A'], ['bank/A'], ['x'.repeat(65)]])('a registration name %j is refused with a PersonalizedOffersConfigError naming `name`', (name) => {
    let thrown: unknown;
    try {
      PersonalizedOffersModule.forRoot({ name, ...optionsA() });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((thrown as PersonalizedOffersConfigError).settings).toEqual(['name']);
    expect(() => getPersonalizedOffersToken(UserTokenService, name)).toThrow(PersonalizedOffersConfigError);
  });

  it('the start-up line names the registration', async () => {
    await boot([PersonalizedOffersModule.forRoot({ name: 'bankA', ...optionsA() })]);
    expect(lines.some((l) => l.includes('[bankA] Personalized Offers API'))).toBe(true);
  });

  it('each registration has its own circuit breaker: bankA’s open breaker does not fail bankB’s calls', async () => {
    const breaker = { http: { retry: false as const, circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } } };
    const ref = await boot(
      [PersonalizedOffersModule.forRoot({ name: 'bankA', ...optionsA(breaker) }), PersonalizedOffersModule.forRoot({ name: 'bankB', ...optionsB(breaker) })],
      [TwoBanks],
    );
    const banks = ref.get(TwoBanks);
    simA.setFault({ type: 'http-error', status: 503 });
    await expect(banks.a.getUserToken('carol')).rejects.toBeDefined();
    await expect(banks.a.getUserToken('dave')).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
    expect(await banks.b.getUserToken('carol')).toBe(simB.tokenFor('222222', 'carol'));
  });

  it('two key sets: each registration signs with its own consumer key and RSA key, and each gateway admits only its own', async () => {
    const keysA = simulatorGatewayCredentials();
    const keysB = simulatorGatewayCredentials();
    const gateA = gatewaySimulator({ fIds: ['111111'] }, { consumerKey: keysA.consumerKey, publicKey: keysA.publicKey });
    const gateB = gatewaySimulator({ fIds: ['222222'] }, { consumerKey: keysB.consumerKey, publicKey: keysB.publicKey });
    await Promise.all([gateA.start(), gateB.start()]);
    try {
      const own = (gate: typeof gateA, fId: string, keys: typeof keysA) => ({
        fId,
        baseUrl: gate.baseUrl,
        authInfo: gate.authInfo,
        oauth: { consumerKey: keys.consumerKey, signingKey: keys.signingKey },
      });
      const ref = await boot(
        [
          PersonalizedOffersModule.forRoot({ name: 'bankA', ...own(gateA, '111111', keysA) }),
          PersonalizedOffersModule.forRoot({ name: 'bankB', ...own(gateB, '222222', keysB) }),
        ],
        [TwoBanks],
      );
      const banks = ref.get(TwoBanks);
      expect(await banks.a.getUserToken('gina')).toBe(gateA.tokenFor('111111', 'gina'));
      expect(await banks.b.getUserToken('gina')).toBe(gateB.tokenFor('222222', 'gina'));
      expect(gateA.takeGatewayRefusals()).toEqual([]);
      expect(gateB.takeGatewayRefusals()).toEqual([]);

      // bankB's key at bankA's gateway is refused: the registrations really sign with different keys.
      const crossed = await boot([PersonalizedOffersModule.forRoot({ name: 'crossed', ...own(gateA, '111111', keysB), http: { retry: false } })]);
      await expect(
        crossed.get<UserTokenService>(getPersonalizedOffersToken(UserTokenService, 'crossed')).getUserToken('gina', { refresh: true }),
      ).rejects.toBeDefined();
      expect(gateA.takeGatewayRefusals()).toHaveLength(1);
    } finally {
      await Promise.all([gateA.stop(), gateB.stop()]);
    }
  });

  describe('one shared Redis, one encryption key, the same fId', () => {
    let admin: Redis;
    beforeAll(() => {
      admin = redis.admin(3);
    });
    afterAll(() => admin.disconnect());
    beforeEach(async () => {
      await admin.flushdb();
    });

    const shared = (sim: typeof simA) => ({
      fId: '999999',
      baseUrl: sim.baseUrl,
      authInfo: simA.authInfo,
      ...signed,
      cache: { store: { redis: { url: redis.url(3), commandTimeoutMs: 1_000 } }, encryptionKey: 'one key for both registrations' },
    });
    const sandboxAndProduction = () => [
      PersonalizedOffersModule.forRoot({ name: 'sandbox', ...shared(simA) }),
      PersonalizedOffersModule.forRoot({ name: 'production', ...shared(simB) }),
    ];
    const services = (ref: TestingModule) => ({
      sandbox: ref.get<UserTokenService>(getPersonalizedOffersToken(UserTokenService, 'sandbox')),
      production: ref.get<UserTokenService>(getPersonalizedOffersToken(UserTokenService, 'production')),
      sandboxAccess: ref.get<AccessTokenService>(getPersonalizedOffersToken(AccessTokenService, 'sandbox')),
      productionAccess: ref.get<AccessTokenService>(getPersonalizedOffersToken(AccessTokenService, 'production')),
    });

    it('user tokens of the two registrations are kept apart: each is its own simulator’s, stored under its own key', async () => {
      const first = services(await boot(sandboxAndProduction()));
      expect(await first.sandbox.getUserToken('erin')).toBe(simA.tokenFor('999999', 'erin'));
      expect(await first.production.getUserToken('erin')).toBe(simB.tokenFor('999999', 'erin'));
      expect(simA.tokenFor('999999', 'erin')).not.toBe(simB.tokenFor('999999', 'erin'));
      expect(await admin.dbsize()).toBe(2);

      // A second "instance": both served from Redis, each still its own.
      const second = services(await boot(sandboxAndProduction()));
      expect(await second.sandbox.getUserToken('erin')).toBe(simA.tokenFor('999999', 'erin'));
      expect(await second.production.getUserToken('erin')).toBe(simB.tokenFor('999999', 'erin'));
      expect(simA.requestCount).toBe(1);
      expect(simB.requestCount).toBe(1);
    });

    it('access tokens of the two registrations are kept apart as well', async () => {
      const ref = services(await boot(sandboxAndProduction()));
      const a = await ref.sandboxAccess.getAccessToken('frank');
      const b = await ref.productionAccess.getAccessToken('frank');
      expect(a).not.toBe(b);
      const again = services(await boot(sandboxAndProduction()));
      expect(await again.sandboxAccess.getAccessToken('frank')).toBe(a);
      expect(await again.productionAccess.getAccessToken('frank')).toBe(b);
    });

    it('the token store is exported per registration too', async () => {
      const ref = await boot(sandboxAndProduction());
      const a = ref.get(getPersonalizedOffersToken(PERSONALIZED_OFFERS_TOKEN_STORE, 'sandbox'));
      const b = ref.get(getPersonalizedOffersToken(PERSONALIZED_OFFERS_TOKEN_STORE, 'production'));
      expect(a).toBeDefined();
      expect(a).not.toBe(b);
    });
  });
});
