import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AccessTokenService,
  AuthInfoCryptoService,
  LegacyUserPresentmentService,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PlatformAdminService,
  UserPresentmentService,
  PERSONALIZED_OFFERS_FID,
  UserTokenService,
  getPersonalizedOffersToken,
  personalizedOffersConfig,
  personalizedOffersConfigFor,
} from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed, signedEnvironment } from './support/gateway.js';
import { RedisServer } from './support/redis-server.js';

/**
 * Configuration that cannot silently go wrong: the start-up line says where the module talks and
 * how, unknown `PLO_*` variables are reported with the name they probably meant, and a module
 * without AuthInfo serves the current API while refusing the legacy calls that need it.
 */
describe('a module without AuthInfo, against the simulator', () => {
  const simulator = gatewaySimulator({ fIds: ['999999'] });
  // captureLogger keeps `<level> <message> <context>`.
  const { logger, lines } = captureLogger();
  let ref: TestingModule;

  beforeAll(async () => {
    await simulator.start();
    const options: PersonalizedOffersModuleOptions = {
      fId: '999999',
      baseUrl: simulator.baseUrl,
      http: { timeoutMs: 2_000, retry: false, circuitBreaker: false },
      ...signed,
    };
    expect('authInfo' in options).toBe(false);
    ref = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options)] })
      .setLogger(logger)
      .compile();
  });
  afterAll(async () => {
    // Unassigned when beforeAll or the test failed before compiling it.
    await (ref as TestingModule | undefined)?.close();
    await simulator.stop();
  });
  beforeEach(() => simulator.clearRequests());
  afterEach(() => expectNoGatewayRefusal(simulator));

  it('logs one start-up line naming the simulator host, the masked fId, OAuth, no AuthInfo, the cache and the transport', () => {
    const host = new URL(simulator.baseUrl).host;
    const startup = lines.filter((l) => l.startsWith('log Personalized Offers API '));
    expect(startup).toEqual([
      `log Personalized Offers API ${host} (loopback), fId …9999, authentication OAuth 1.0a RSA-SHA256 (consumer key …${signed.oauth.consumerKey.slice(-4)}), ` +
        'AuthInfo none (legacy user-token calls disabled), cache memory, transport undici. PersonalizedOffers',
    ]);
    expect(lines.filter((l) => l.startsWith('warn') || l.startsWith('error'))).toEqual([]);
    expect(ref.get(PERSONALIZED_OFFERS_KEY_MATERIAL)).toBeNull();
  });

  it('serves the current API: access tokens, user presentment and platform admin', async () => {
    const token = await ref.get(AccessTokenService).createAccessToken('config-user');
    expect(token.split('.')).toHaveLength(3);
    const presentment = ref.get(UserPresentmentService);
    const offers = await presentment.getOffers('config-user', { offerType: 'POSTPAIDCREDIT', active: false });
    expect(offers.offers?.length).toBeGreaterThan(0);
    const offerId = offers.offers!.find((o) => o.activationType === 'USER_ACTIVATION')?.id;
    expect(offerId).toBeDefined();
    const activations = await presentment.processActivations('config-user', { offerId: offerId! });
    expect(activations).toBeDefined();
    await expect(presentment.getUserPresentmentSavings('config-user')).resolves.toBeDefined();
    const browse = await ref.get(PlatformAdminService).browseOffers();
    expect(browse.offers?.length).toBeGreaterThan(0);
    const served = new Set(simulator.requests.map((r) => r.operationId));
    for (const id of ['createAccessToken', 'getOffers', 'processActivations', 'getUserPresentmentSavings', 'browseOffers'])
      expect([id, served.has(id)]).toEqual([id, true]);
    // Signed, and admitted by the gateway (afterEach checks there was no refusal).
    expect(simulator.requests.every((r) => r.headers.authorization?.startsWith('OAuth '))).toBe(true);
  });

  // The error names the call that refused: the legacy service by user id is refused by the user-token service it uses.
  it.each<[string, (ref: TestingModule) => unknown, string]>([
    [
      'LegacyUserPresentmentService.matchedOffers by user id',
      (r) => r.get(LegacyUserPresentmentService).matchedOffers('config-user'),
      'UserTokenService.getUserToken',
    ],
    [
      'LegacyUserPresentmentService.getUserSavings by user id',
      (r) => r.get(LegacyUserPresentmentService).getUserSavings('config-user'),
      'UserTokenService.getUserToken',
    ],
    ['UserTokenService.getUserToken', (r) => r.get(UserTokenService).getUserToken('config-user'), 'UserTokenService.getUserToken'],
    ['UserTokenService.usertokenGet', (r) => r.get(UserTokenService).usertokenGet('999999', 'abcdef0123'), 'UserTokenService.usertokenGet'],
    ['AuthInfoCryptoService.encrypt', (r) => r.get(AuthInfoCryptoService).encrypt('config-user'), 'AuthInfoCryptoService.encrypt'],
    ['AuthInfoCryptoService.decrypt', (r) => r.get(AuthInfoCryptoService).decrypt('abcdef0123'), 'AuthInfoCryptoService.decrypt'],
  ])('%s fails with PersonalizedOffersConfigError naming authInfo, before any request', async (_, call, refuser) => {
    const before = simulator.requestCount;
    let error: unknown;
    try {
      await call(ref);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings).toEqual(['authInfo']);
    expect((error as Error).message).toMatch(new RegExp(`^${refuser.replace('.', '\\.')} needs AuthInfo, and this PersonalizedOffersModule has no authInfo`));
    expect((error as Error).message).not.toContain('config-user');
    expect(simulator.requestCount).toBe(before);
  });
});

describe('a fleet without AuthInfo sharing Redis: the value encryption key comes from cache.encryptionKey', () => {
  const redis = new RedisServer();
  const simulator = gatewaySimulator({ fIds: ['999999'] });
  const refs: TestingModule[] = [];

  beforeAll(async () => {
    await redis.start();
    await simulator.start();
  });
  afterAll(async () => {
    await Promise.all(refs.map((r) => r.close()));
    await simulator.stop();
    await redis.stop();
  });
  afterEach(() => expectNoGatewayRefusal(simulator));

  async function instance(encryptionKey: string): Promise<AccessTokenService> {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          ...signed,
          cache: { encryptionKey, store: { redis: { url: redis.url(3), keyPrefix: 'cfg:', commandTimeoutMs: 1_000 } } },
        }),
      ],
    }).compile();
    refs.push(ref);
    return ref.get(AccessTokenService);
  }

  it('a second instance with the same key reads the first one’s token (one mint); stored encrypted; another key cannot read it', async () => {
    const admin = redis.admin(3);
    try {
      const first = await instance('fleet-secret-0123456789');
      simulator.clearRequests();
      const token = await first.getAccessToken('fleet-user');
      const second = await instance('fleet-secret-0123456789');
      expect(await second.getAccessToken('fleet-user')).toBe(token);
      expect(simulator.requests.filter((r) => r.operationId === 'createAccessToken')).toHaveLength(1);
      const keys = (await admin.keys('cfg:*')).filter((k) => !k.endsWith(':lock'));
      expect(keys).toHaveLength(1);
      const stored = (await admin.get(keys[0]))!;
      expect(stored).not.toContain(token);
      expect(stored).not.toContain('fleet-user');
      // Another key hashes to another entry and cannot decrypt this one: it mints its own.
      const other = await instance('another-secret-9876543210');
      expect(await other.getAccessToken('fleet-user')).not.toBe(token);
      expect(simulator.requests.filter((r) => r.operationId === 'createAccessToken')).toHaveLength(2);
    } finally {
      admin.disconnect();
    }
  });
});

describe('the start-up line for Mastercard hosts (boot only, no request)', () => {
  async function bootLines(options: PersonalizedOffersModuleOptions): Promise<string[]> {
    const { logger, lines } = captureLogger();
    const ref = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options)] })
      .setLogger(logger)
      .compile();
    await ref.close();
    return lines;
  }

  it('names api.mastercard.com as production, and warns that unsigned requests will be refused', async () => {
    const lines = await bootLines({ fId: '12345678' });
    expect(lines.filter((l) => l.startsWith('log '))).toContainEqual(
      expect.stringMatching(/^log Personalized Offers API api\.mastercard\.com \(production\), fId …5678, authentication unsigned, /),
    );
    expect(lines.filter((l) => l.startsWith('warn') && l.includes('api.mastercard.com are unsigned'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('12345678');
  });

  it('names sandbox.api.mastercard.com as sandbox, with OAuth and the AuthInfo format', async () => {
    const lines = await bootLines({
      fId: '999999',
      baseUrl: 'https://sandbox.api.mastercard.com',
      authInfo: { key: '000102030405060708090a0b0c0d0e0f', mode: 'ecb', encoding: 'base64' },
      cache: false,
      http: { transport: 'node' },
      ...signed,
    });
    expect(lines.filter((l) => l.startsWith('log Personalized Offers API '))).toEqual([
      `log Personalized Offers API sandbox.api.mastercard.com (sandbox), fId …9999, authentication OAuth 1.0a RSA-SHA256 (consumer key …${signed.oauth.consumerKey.slice(-4)}), ` +
        'AuthInfo ecb/base64, cache none, transport node. PersonalizedOffers',
    ]);
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([]);
  });
});

describe('PLO_* environment through personalizedOffersConfig and @nestjs/config', () => {
  const saved = { ...process.env };
  const key = signedEnvironment();
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (/^PLO_/i.test(name)) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
  });
  afterAll(() => key.remove());

  async function bootFromEnvironment(): Promise<{ lines: string[]; ref: TestingModule }> {
    const { logger, lines } = captureLogger();
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [personalizedOffersConfig] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow('personalizedOffers'),
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    return { lines, ref };
  }

  it('reports PLO_BASEURL with the right name, never its value, and the start-up line shows the host it fell back to', async () => {
    Object.assign(process.env, { PLO_FID: '999999', PLO_BASEURL: 'https://typo-target.bank.example' }, key.env);
    const { lines, ref } = await bootFromEnvironment();
    await ref.close();
    expect(lines.filter((l) => l.startsWith('warn') && l.includes('not a known variable'))).toEqual([
      'warn PLO_BASEURL is not a known variable; did you mean PLO_BASE_URL? PersonalizedOffers',
    ]);
    expect(lines.join('\n')).not.toContain('typo-target');
    // The typo left the module on the default host, and the start-up line says so.
    expect(lines).toContainEqual(
      expect.stringMatching(/^log Personalized Offers API api\.mastercard\.com \(production\), fId …9999, authentication OAuth 1\.0a RSA-SHA256/),
    );
  });

  it('PLO_ENV=sandbox picks the sandbox host', async () => {
    Object.assign(process.env, { PLO_FID: '999999', PLO_ENV: 'sandbox' }, key.env);
    const { lines, ref } = await bootFromEnvironment();
    await ref.close();
    expect(lines).toContainEqual(expect.stringMatching(/^log Personalized Offers API sandbox\.api\.mastercard\.com \(sandbox\), /));
  });

  it.each([
    ['PLO_ENV=staging', { PLO_ENV: 'staging' }, ['PLO_ENV']],
    [
      'PLO_ENV=production with PLO_BASE_URL at the sandbox',
      { PLO_ENV: 'production', PLO_BASE_URL: 'https://sandbox.api.mastercard.com' },
      ['PLO_ENV', 'PLO_BASE_URL'],
    ],
    [
      'PLO_CACHE=redis without AuthInfo or PLO_CACHE_ENCRYPTION_KEY',
      { PLO_CACHE: 'redis', PLO_REDIS_URL: 'redis://127.0.0.1:1' },
      ['PLO_CACHE_ENCRYPTION_KEY'],
    ],
  ])('fails the boot on %s with PersonalizedOffersConfigError', async (_, vars, settings) => {
    Object.assign(process.env, { PLO_FID: '999999' }, vars);
    const boot = bootFromEnvironment();
    await expect(boot).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
    await expect(boot).rejects.toMatchObject({ settings });
  });
});

describe('two named registrations from one process environment, through personalizedOffersConfigFor', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (/^PLO_/i.test(name)) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
  });

  /** A named registration whose options are the namespace reading the variables under `prefix`. */
  const bank = (name: string, prefix: string) =>
    PersonalizedOffersModule.forRootAsync({
      name,
      imports: [ConfigModule.forFeature(personalizedOffersConfigFor(name, prefix))],
      inject: [personalizedOffersConfigFor(name, prefix).KEY],
      useFactory: (config: PersonalizedOffersModuleOptions) => config,
    });

  async function boot(): Promise<{ lines: string[]; ref: TestingModule }> {
    const { logger, lines } = captureLogger();
    const ref = await Test.createTestingModule({
      imports: [
        bank('bankA', 'PLO_BANK_A_'),
        bank('bankB', 'PLO_BANK_B_'),
        PersonalizedOffersModule.forRootAsync({
          imports: [ConfigModule.forFeature(personalizedOffersConfig)],
          inject: [personalizedOffersConfig.KEY],
          useFactory: (config: PersonalizedOffersModuleOptions) => config,
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    return { lines, ref };
  }

  it('bankA, bankB and the default registration each get their own fId from PLO_BANK_A_FID, PLO_BANK_B_FID and PLO_FID, and no variable is reported unknown', async () => {
    Object.assign(process.env, {
      PLO_FID: '999999',
      PLO_BANK_A_FID: '111111',
      PLO_BANK_A_ENV: 'sandbox',
      PLO_BANK_B_FID: '222222',
      PLO_BANK_B_RATE_LIMIT_RPS: '50',
      PLO_BANK_B_RATE_LIMIT_BURST: '5',
    });
    const { lines, ref } = await boot();
    try {
      expect(ref.get(getPersonalizedOffersToken(PERSONALIZED_OFFERS_FID, 'bankA'))).toBe('111111');
      expect(ref.get(getPersonalizedOffersToken(PERSONALIZED_OFFERS_FID, 'bankB'))).toBe('222222');
      expect(ref.get(PERSONALIZED_OFFERS_FID)).toBe('999999');
      // Each registration logged its own start-up line, bankA on the sandbox its PLO_BANK_A_ENV names.
      const startup = lines.filter((l) => l.includes('Personalized Offers API ')).sort();
      expect(startup).toEqual([
        expect.stringMatching(/^log Personalized Offers API api\.mastercard\.com \(production\), fId …9999, /),
        expect.stringMatching(/^log \[bankA\] Personalized Offers API sandbox\.api\.mastercard\.com \(sandbox\), fId …1111, /),
        expect.stringMatching(/^log \[bankB\] Personalized Offers API api\.mastercard\.com \(production\), fId …2222, /),
      ]);
      // The default loader leaves PLO_BANK_A_* and PLO_BANK_B_* to their registrations.
      expect(lines.filter((l) => l.includes('not a known variable'))).toEqual([]);
    } finally {
      await ref.close();
    }
  });

  it('a bad variable of one registration fails the boot naming the prefixed variable, and a typo under a prefix is reported under it', async () => {
    Object.assign(process.env, { PLO_FID: '999999', PLO_BANK_A_FID: '111111', PLO_BANK_B_FDI: '222222' });
    const { logger, lines } = captureLogger();
    const boot = Test.createTestingModule({ imports: [bank('bankA', 'PLO_BANK_A_'), bank('bankB', 'PLO_BANK_B_')] })
      .setLogger(logger)
      .compile();
    await expect(boot).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
    await expect(boot).rejects.toMatchObject({ settings: ['PLO_BANK_B_FID'], message: expect.stringContaining('(PLO_BANK_B_FDI is set: a typo?)') });
    expect(lines.filter((l) => l.includes('not a known variable'))).toEqual([
      'warn PLO_BANK_B_FDI is not a known variable; did you mean PLO_BANK_B_FID? PersonalizedOffers',
    ]);
  });
});
