import { randomBytes } from 'node:crypto';
import { Controller, type DynamicModule, Get, Inject, Injectable, type INestApplication, Param } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import {
  PERSONALIZED_OFFERS_MODULE_OPTIONS,
  PersonalizedOffersApiError,
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  SANDBOX_BASE_URL,
  UserTokenService,
  personalizedOffersConfig,
} from 'nestjs-personalized-offers';
import {
  PersonalizedOffersSimulator,
  personalizedOffersSimulatorOptions,
  simulatorGatewayCredentials,
  usePersonalizedOffersSimulator,
} from 'nestjs-personalized-offers/testing';
import { GATEWAY, expectNoGatewayRefusal, gatewaySimulator, signed, signedEnvironment } from './support/gateway.js';
import { RedisServer } from './support/redis-server.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../libs/personalized-offers/src/personalized-offers.constants.js';

/** A controller as a user's app has one: the signed-in user's session token. */
@Controller('session')
class SessionController {
  constructor(@Inject(UserTokenService) private readonly tokens: UserTokenService) {}

  @Get(':userId')
  async token(@Param('userId') userId: string): Promise<{ token: string }> {
    return { token: await this.tokens.getUserToken(userId) };
  }
}

/** Reads `PLO_*` through ConfigService when asked: it must never be asked under the helper. */
@Injectable()
class PloOptionsFactory {
  constructor(@Inject(ConfigService) private readonly config: ConfigService) {}

  createPersonalizedOffersOptions(): PersonalizedOffersModuleOptions {
    return {
      fId: this.config.getOrThrow<string>('PLO_FID'),
      authInfo: { key: this.config.getOrThrow<string>('PLO_AUTHINFO_KEY'), iv: this.config.getOrThrow<string>('PLO_AUTHINFO_IV') },
    };
  }
}

const hex16 = () => randomBytes(16).toString('hex');

/** Every way an app may configure the module; each builds a fresh root module. */
const STYLES: Record<string, () => DynamicModule> = {
  // Production-like literal options (valid, but pointing at Mastercard's sandbox).
  'forRoot (literal options)': () => ({
    module: class ForRootApp {},
    imports: [PersonalizedOffersModule.forRoot({ fId: 'PROD01', baseUrl: SANDBOX_BASE_URL, authInfo: { key: hex16(), iv: hex16() } })],
    controllers: [SessionController],
  }),
  // The README's first form.
  'forRootAsync + ConfigModule.forRoot({ load: [personalizedOffersConfig] }) + ConfigService': () => ({
    module: class ReadmeApp {},
    imports: [
      PersonalizedOffersModule.forRootAsync({
        imports: [ConfigModule.forRoot({ load: [personalizedOffersConfig] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => config.getOrThrow<PersonalizedOffersModuleOptions>('personalizedOffers'),
      }),
    ],
    controllers: [SessionController],
  }),
  // The README's second form.
  'forRootAsync + ConfigModule.forFeature(personalizedOffersConfig) + personalizedOffersConfig.KEY': () => ({
    module: class ForFeatureApp {},
    imports: [
      PersonalizedOffersModule.forRootAsync({
        imports: [ConfigModule.forFeature(personalizedOffersConfig)],
        inject: [personalizedOffersConfig.KEY],
        useFactory: (options: PersonalizedOffersModuleOptions) => options,
      }),
    ],
    controllers: [SessionController],
  }),
  'forRootAsync(personalizedOffersConfig.asProvider())': () => ({
    module: class AsProviderApp {},
    imports: [PersonalizedOffersModule.forRootAsync(personalizedOffersConfig.asProvider())],
    controllers: [SessionController],
  }),
  'forRootAsync + useClass reading ConfigService': () => ({
    module: class UseClassApp {},
    imports: [PersonalizedOffersModule.forRootAsync({ imports: [ConfigModule.forRoot()], useClass: PloOptionsFactory })],
    controllers: [SessionController],
  }),
  'forRootAsync + a global ConfigModule loading the namespace, isGlobal module': () => ({
    module: class GlobalApp {},
    imports: [
      ConfigModule.forRoot({ isGlobal: true, load: [personalizedOffersConfig] }),
      PersonalizedOffersModule.forRootAsync({
        isGlobal: true,
        inject: [ConfigService],
        useFactory: (config: ConfigService) => config.getOrThrow<PersonalizedOffersModuleOptions>('personalizedOffers'),
      }),
    ],
    controllers: [SessionController],
  }),
};

/** The README's app, for the failure cases. */
const readmeApp = STYLES['forRootAsync + ConfigModule.forRoot({ load: [personalizedOffersConfig] }) + ConfigService'];

/** Through a gated simulator: the helper's `overrides` carry the module's OAuth credentials (`signed`). */
describe('usePersonalizedOffersSimulator (testing entry)', () => {
  const simulator = gatewaySimulator({ fIds: ['999999', '123456'] });
  const savedEnv: Record<string, string | undefined> = {};
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    // A test machine's environment: no PLO_* at all, so the namespace is invalid.
    for (const name of Object.keys(process.env).filter((n) => n.startsWith('PLO_'))) {
      savedEnv[name] = process.env[name];
      Reflect.deleteProperty(process.env, name);
    }
    await simulator.start();
  });
  afterAll(async () => {
    Object.assign(process.env, savedEnv);
    await simulator.stop();
  });
  beforeEach(() => {
    simulator.resetRequestCount();
    simulator.clearRequests();
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    expectNoGatewayRefusal(simulator);
  });

  const builderFor = (app: () => DynamicModule): TestingModuleBuilder => Test.createTestingModule({ imports: [app()] });

  it.each(Object.keys(STYLES))('%s: one line points the module at the simulator', async (style) => {
    moduleRef = await usePersonalizedOffersSimulator(builderFor(STYLES[style]), simulator, signed).compile();
    const token = await moduleRef.get(UserTokenService).getUserToken('alice');
    // Only this simulator, with its key material and its first fId, issues that token.
    expect(token).toBe(simulator.tokenFor('999999', 'alice'));
    expect(simulator.requestCount).toBe(1);
    expect(simulator.requests.map((r) => r.operationId)).toEqual(['getUserToken']);
  });

  it('serves a whole app over HTTP (the README app)', async () => {
    moduleRef = await usePersonalizedOffersSimulator(builderFor(readmeApp), simulator, signed).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const res = await fetch(`${url}/session/bob`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ token: simulator.tokenFor('999999', 'bob') });
    } finally {
      await app.close();
    }
  });

  it('gives the app the simulator options through ConfigService and personalizedOffersConfig.KEY too', async () => {
    moduleRef = await usePersonalizedOffersSimulator(
      builderFor(STYLES['forRootAsync + a global ConfigModule loading the namespace, isGlobal module']),
      simulator,
    ).compile();
    const expected = { fId: '999999', baseUrl: simulator.baseUrl, authInfo: simulator.authInfo };
    expect(moduleRef.get(ConfigService).get('personalizedOffers')).toEqual(expected);
    expect(moduleRef.get(personalizedOffersConfig.KEY)).toEqual(expected);
    expect(moduleRef.get(PERSONALIZED_OFFERS_MODULE_OPTIONS)).toEqual(expected);
  });

  it('applies overrides on top of the simulator options (another fId, no cache)', async () => {
    moduleRef = await usePersonalizedOffersSimulator(builderFor(readmeApp), simulator, { ...signed, fId: '123456', cache: false }).compile();
    const service = moduleRef.get(UserTokenService);
    expect(await service.getUserToken('carol')).toBe(simulator.tokenFor('123456', 'carol'));
    expect(await service.getUserToken('carol')).toBe(simulator.tokenFor('123456', 'carol'));
    expect(simulator.requestCount).toBe(2); // cache: false, so both calls reached it
  });

  it('starts a simulator that is not running yet, once, on compile()', async () => {
    const fresh = gatewaySimulator();
    const start = fresh.start.bind(fresh);
    let starts = 0;
    fresh.start = () => {
      starts += 1;
      return start();
    };
    try {
      expect(() => fresh.baseUrl).toThrow(/not started/);
      // The overridden providers ask for the options concurrently in one compile: one server only.
      moduleRef = await usePersonalizedOffersSimulator(
        builderFor(STYLES['forRootAsync + a global ConfigModule loading the namespace, isGlobal module']),
        fresh,
        signed,
      ).compile();
      expect(moduleRef.get(ConfigService).get('personalizedOffers').baseUrl).toBe(fresh.baseUrl);
      expect(moduleRef.get(PERSONALIZED_OFFERS_MODULE_OPTIONS).baseUrl).toBe(fresh.baseUrl);
      expect(await moduleRef.get(UserTokenService).getUserToken('dave')).toBe(fresh.tokenFor('999999', 'dave'));
      expect(starts).toBe(1);
      expectNoGatewayRefusal(fresh);
    } finally {
      await fresh.stop();
    }
  });

  it('points the module at a gateway simulator too, with its OAuth credentials as overrides', async () => {
    const credentials = simulatorGatewayCredentials();
    const gated = new PersonalizedOffersSimulator({ gateway: { consumerKey: credentials.consumerKey, publicKey: credentials.publicKey } });
    try {
      const oauth = { consumerKey: credentials.consumerKey, signingKey: credentials.signingKey };
      moduleRef = await usePersonalizedOffersSimulator(builderFor(readmeApp), gated, { oauth }).compile();
      expect(await moduleRef.get(UserTokenService).getUserToken('erin')).toBe(gated.tokenFor('999999', 'erin'));
      await moduleRef.close();
      // Without them the gateway refuses the unsigned request: the overrides are what signed it.
      moduleRef = await usePersonalizedOffersSimulator(builderFor(readmeApp), gated).compile();
      await expect(moduleRef.get(UserTokenService).getUserToken('erin')).rejects.toBeInstanceOf(PersonalizedOffersApiError);
    } finally {
      await gated.stop();
    }
  });

  it('personalizedOffersSimulatorOptions gives forRoot the same options', () => {
    expect(personalizedOffersSimulatorOptions(simulator, { language: 'en-US' })).toEqual({
      fId: '999999',
      baseUrl: simulator.baseUrl,
      authInfo: simulator.authInfo,
      language: 'en-US',
    });
  });

  describe('without the helper (what the user saw)', () => {
    it('the README app fails at compile() on an environment without PLO_*', async () => {
      const error = await builderFor(readmeApp)
        .compile()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
      expect((error as Error).message).toMatch(/^Invalid Personalized Offers environment: .*PLO_FID/);
    });

    it.each([
      'forRootAsync + ConfigModule.forRoot({ load: [personalizedOffersConfig] }) + ConfigService',
      'forRootAsync + ConfigModule.forFeature(personalizedOffersConfig) + personalizedOffersConfig.KEY',
    ])('%s: overriding PERSONALIZED_OFFERS_MODULE_OPTIONS alone still fails (the namespace still loads)', async (style) => {
      const builder = builderFor(STYLES[style]).overrideProvider(PERSONALIZED_OFFERS_MODULE_OPTIONS).useValue(personalizedOffersSimulatorOptions(simulator));
      await expect(builder.compile()).rejects.toThrow(/Invalid Personalized Offers environment/);
      expect(simulator.requestCount).toBe(0);
    });
  });
});

/**
 * The app's own settings survive the helper: only the base URL, the fId it must serve and the
 * AuthInfo key material change, and an app that signs is checked by a gateway with its own key.
 */
describe("usePersonalizedOffersSimulator keeps the app's own oauth, http, cache and accessTokens", () => {
  const savedEnv: Record<string, string | undefined> = {};
  let moduleRef: TestingModule | undefined;
  const simulators: PersonalizedOffersSimulator[] = [];
  const fresh = (options: ConstructorParameters<typeof PersonalizedOffersSimulator>[0] = {}) => {
    const simulator = new PersonalizedOffersSimulator(options);
    simulators.push(simulator);
    return simulator;
  };
  const app = (options: PersonalizedOffersModuleOptions): DynamicModule => ({
    module: class LiteralApp {},
    imports: [PersonalizedOffersModule.forRoot(options)],
  });
  const appOwnCredentials = simulatorGatewayCredentials();
  const production = {
    fId: 'PROD01',
    baseUrl: SANDBOX_BASE_URL,
    authInfo: { key: hex16(), iv: hex16() },
    oauth: { consumerKey: appOwnCredentials.consumerKey, signingKey: appOwnCredentials.signingKey },
    http: { timeoutMs: 4321, retry: false as const, proxy: 'http://proxy.invalid:3128' },
    cache: { ttlMs: 60_000, maxEntries: 7 },
    accessTokens: { ttlMs: 120_000 },
    language: 'en-US',
  } satisfies PersonalizedOffersModuleOptions;

  beforeEach(() => {
    for (const name of Object.keys(process.env).filter((n) => n.startsWith('PLO_'))) {
      savedEnv[name] = process.env[name];
      Reflect.deleteProperty(process.env, name);
    }
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    for (const name of Object.keys(process.env).filter((n) => n.startsWith('PLO_'))) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, savedEnv);
    await Promise.all(simulators.splice(0).map((s) => s.stop()));
  });

  it('forRoot with oauth, http, cache, accessTokens: all kept (proxy dropped), and a plain simulator is switched to gateway mode with the app’s key', async () => {
    const simulator = fresh();
    moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app(production)] }), simulator).compile();
    const { proxy: _proxy, ...http } = production.http;
    // Nest 11 ignores an override of a `useValue` provider (the raw options token keeps the app's
    // value there); what the module runs on is the resolved options, overridden on both majors.
    if (process.env.EXPECT_NEST_MAJOR !== '11') {
      expect(moduleRef.get(PERSONALIZED_OFFERS_MODULE_OPTIONS)).toEqual({
        ...production,
        http,
        fId: '999999',
        baseUrl: simulator.baseUrl,
        authInfo: simulator.authInfo,
      });
    }
    const resolved = moduleRef.get<{
      http: { timeoutMs: number; proxy?: string };
      signer?: unknown;
      baseUrl: string;
      fId: string;
    }>(PERSONALIZED_OFFERS_RESOLVED_OPTIONS);
    expect(resolved.baseUrl).toBe(simulator.baseUrl);
    expect(resolved.fId).toBe('999999');
    expect(resolved.http.timeoutMs).toBe(4321);
    expect(resolved.http.proxy).toBeUndefined();
    expect(resolved.signer).toBeDefined();

    const service = moduleRef.get(UserTokenService);
    expect(await service.getUserToken('frank')).toBe(simulator.tokenFor('999999', 'frank'));
    expect(await service.getUserToken('frank')).toBe(simulator.tokenFor('999999', 'frank'));
    // Signed with the app's consumer key and admitted by the gateway; the app's cache served the second call.
    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0].headers.authorization).toContain(`oauth_consumer_key="${appOwnCredentials.consumerKey}"`);
    expect(simulator.requests[0].gatewayRefusal).toBeUndefined();
    // The simulator now checks signatures: an unsigned request is refused the gateway's way.
    const unsigned = await fetch(`${simulator.baseUrl}/plo/v1/usertoken?FId=999999&AuthInfo=00`);
    expect(unsigned.status).toBe(400);
    expect(simulator.requests[1].gatewayRefusal?.reasonCode).toBe('INVALID_AUTH_HEADER');
  });

  it('the PLO_* environment (README app): PLO_OAUTH_*, PLO_HTTP_TIMEOUT_MS, PLO_CACHE=off, PLO_ACCESS_TOKEN_TTL_MS kept; PLO_BASE_URL, PLO_ENV, PLO_FID and PLO_AUTHINFO_* replaced', async () => {
    const key = signedEnvironment();
    try {
      Object.assign(process.env, key.env, {
        PLO_FID: 'PROD01',
        PLO_BASE_URL: 'https://api.mastercard.com',
        PLO_AUTHINFO_KEY: hex16(),
        PLO_AUTHINFO_IV: hex16(),
        PLO_HTTP_TIMEOUT_MS: '3456',
        PLO_CACHE: 'off',
        PLO_ACCESS_TOKEN_TTL_MS: '90000',
      });
      const simulator = fresh();
      moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [readmeApp()] }), simulator).compile();
      const options = moduleRef.get(ConfigService).get<PersonalizedOffersModuleOptions>('personalizedOffers')!;
      expect(options).toMatchObject({
        fId: '999999',
        baseUrl: simulator.baseUrl,
        authInfo: simulator.authInfo,
        http: { timeoutMs: 3456 },
        cache: false,
        accessTokens: { ttlMs: 90_000 },
      });
      expect(options.oauth?.consumerKey).toBe(GATEWAY.consumerKey);
      expect(moduleRef.get(PERSONALIZED_OFFERS_MODULE_OPTIONS)).toEqual(options);

      const service = moduleRef.get(UserTokenService);
      await service.getUserToken('gina');
      await service.getUserToken('gina');
      expect(simulator.requests.map((r) => [r.operationId, r.gatewayRefusal])).toEqual([
        ['getUserToken', undefined],
        ['getUserToken', undefined],
      ]); // cache off: both reached it, both signed with PLO_OAUTH_KEY_FILE's key
      expect(simulator.requests[0].headers.authorization).toContain(`oauth_consumer_key="${GATEWAY.consumerKey}"`);
    } finally {
      key.remove();
    }
  });

  it('an invalid app setting in PLO_* still fails compile() with the variable named', async () => {
    process.env.PLO_HTTP_RETRIES = 'eleven';
    const error = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [readmeApp()] }), fresh())
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings).toEqual(['PLO_HTTP_RETRIES']);
  });

  it('an app that signs against a simulator already started without gateway mode: compile() says what to do, nothing is sent', async () => {
    const simulator = fresh();
    await simulator.start();
    const error = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app(production)] }), simulator)
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as Error).message).toMatch(
      /the app signs its requests \(oauth\), but the simulator was started without gateway mode.*gateway: \{ consumerKey/,
    );
    expect(simulator.requestCount).toBe(0);
    // Testing unsigned is a choice the test makes explicitly.
    moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app(production)] }), simulator, { oauth: undefined }).compile();
    expect(await moduleRef.get(UserTokenService).getUserToken('hank')).toBe(simulator.tokenFor('999999', 'hank'));
  });

  it('an app whose key is not the one the simulator’s gateway expects: compile() says so', async () => {
    const gated = fresh({ gateway: { consumerKey: GATEWAY.consumerKey, publicKey: GATEWAY.publicKey } });
    const error = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app(production)] }), gated)
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as Error).message).toContain("the app signs with another consumer key or signing key than the simulator's gateway expects");
    // Same consumer key, another signing key: refused before any request too.
    const sameKeyName = { ...production, oauth: { consumerKey: GATEWAY.consumerKey, signingKey: appOwnCredentials.signingKey } };
    await expect(usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app(sameKeyName)] }), gated).compile()).rejects.toThrow(
      /another consumer key or signing key/,
    );
    expect(gated.requestCount).toBe(0);
  });

  it("an app's Redis cache.store is kept: the token lands in the app's Redis, the second call is served from it", async () => {
    RedisServer.assertInstalled();
    const redis = new RedisServer();
    await redis.start();
    const admin = redis.admin(3);
    try {
      const simulator = fresh();
      const withRedis = { ...production, cache: { store: { redis: { url: redis.url(3), keyPrefix: 'helper:' } } } };
      moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app(withRedis)] }), simulator).compile();
      const service = moduleRef.get(UserTokenService);
      expect(await service.getUserToken('ivy')).toBe(simulator.tokenFor('999999', 'ivy'));
      expect((await admin.keys('helper:*')).length).toBeGreaterThan(0);
      await service.getUserToken('ivy');
      expect(simulator.requests).toHaveLength(1);
      await moduleRef.close();
      moduleRef = undefined;
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });
});
