import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import {
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  SANDBOX_BASE_URL,
  UserTokenService,
  getPersonalizedOffersToken,
  personalizedOffersConfigFor,
} from 'nestjs-personalized-offers';
import { usePersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { AppModule, BANK_UPSTREAMS } from '../src/app.module.js';
import type { Upstream } from '../src/upstream.js';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

jest.setTimeout(60_000);

const hex16 = () => randomBytes(16).toString('hex');
/** Production-like literal options: valid, pointing at Mastercard's sandbox (never reached under the helper). */
const production = (fId: string): PersonalizedOffersModuleOptions => ({ fId, baseUrl: SANDBOX_BASE_URL, authInfo: { key: hex16(), iv: hex16() } });

const bankANamespace = personalizedOffersConfigFor('bankA', 'PLO_BANK_A_');
const bankBNamespace = personalizedOffersConfigFor('bankB', 'PLO_BANK_B_');

/** Two-bank apps, each configured another way; each builds a fresh root module. */
const TWO_BANK_APPS: Record<string, () => DynamicModule> = {
  'forRoot({ name }) ×2 (literal options)': () => {
    @Module({
      imports: [
        PersonalizedOffersModule.forRoot({ name: 'bankA', ...production('PRODA1') }),
        PersonalizedOffersModule.forRoot({ name: 'bankB', ...production('PRODB1') }),
      ],
    })
    class LiteralBanks {}
    return { module: LiteralBanks };
  },
  'forRootAsync({ name }) ×2 + personalizedOffersConfigFor namespaces (no PLO_BANK_* set)': () => ({
    module: class NamespaceBanks {},
    imports: [
      PersonalizedOffersModule.forRootAsync({
        name: 'bankA',
        imports: [ConfigModule.forFeature(bankANamespace)],
        inject: [bankANamespace.KEY],
        useFactory: (options: PersonalizedOffersModuleOptions) => options,
      }),
      PersonalizedOffersModule.forRootAsync({ name: 'bankB', ...bankBNamespace.asProvider() }),
    ],
  }),
  'forRootAsync({ name }) ×2: a factory that throws, and one returning literal options': () => ({
    module: class FactoryBanks {},
    imports: [
      PersonalizedOffersModule.forRootAsync({
        name: 'bankA',
        useFactory: (): PersonalizedOffersModuleOptions => {
          throw new Error('PLO_BANK_A_FID is not set on this machine');
        },
      }),
      PersonalizedOffersModule.forRootAsync({ name: 'bankB', useFactory: () => production('PRODB1') }),
    ],
  }),
};

const usersOf = (ref: TestingModule) => ({
  bankA: ref.get<UserTokenService>(getPersonalizedOffersToken(UserTokenService, 'bankA')),
  bankB: ref.get<UserTokenService>(getPersonalizedOffersToken(UserTokenService, 'bankB')),
});

describe('usePersonalizedOffersSimulator with { name }: one simulator per registration', () => {
  const simA = gatewaySimulator({ fIds: ['111111'] });
  const simB = gatewaySimulator({ fIds: ['222222'] });
  const simDefault = gatewaySimulator({ fIds: ['999999'] });
  const savedEnv: Record<string, string | undefined> = {};
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    // A test machine's environment: no PLO_* at all (so every namespace is invalid as it is).
    for (const name of Object.keys(process.env).filter((n) => n.startsWith('PLO_'))) {
      savedEnv[name] = process.env[name];
      Reflect.deleteProperty(process.env, name);
    }
    await Promise.all([simA.start(), simB.start(), simDefault.start()]);
  });
  afterAll(async () => {
    Object.assign(process.env, savedEnv);
    await Promise.all([simA.stop(), simB.stop(), simDefault.stop()]);
  });
  beforeEach(() => {
    for (const sim of [simA, simB, simDefault]) {
      sim.resetRequestCount();
      sim.clearRequests();
    }
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    for (const sim of [simA, simB, simDefault]) expectNoGatewayRefusal(sim);
  });

  const counts = () => ({ simA: simA.requestCount, simB: simB.requestCount, simDefault: simDefault.requestCount });
  const twice = (builder: TestingModuleBuilder) =>
    usePersonalizedOffersSimulator(usePersonalizedOffersSimulator(builder, simA, { name: 'bankA', ...signed }), simB, { name: 'bankB', ...signed });

  it.each(Object.keys(TWO_BANK_APPS))("%s: bankA reaches only simA, bankB only simB, each with its simulator's fId and token", async (app) => {
    moduleRef = await twice(Test.createTestingModule({ imports: [TWO_BANK_APPS[app]()] })).compile();
    const users = usersOf(moduleRef);
    const a = await users.bankA.getUserToken('alice');
    expect(a).toBe(simA.tokenFor('111111', 'alice'));
    expect(counts()).toEqual({ simA: 1, simB: 0, simDefault: 0 });
    const b = await users.bankB.getUserToken('alice');
    expect(b).toBe(simB.tokenFor('222222', 'alice'));
    expect(b).not.toBe(a);
    expect(counts()).toEqual({ simA: 1, simB: 1, simDefault: 0 });
    expect(simA.requests.map((r) => r.query.FId)).toEqual([['111111']]);
    expect(simB.requests.map((r) => r.query.FId)).toEqual([['222222']]);
    // Each registration's own cache: served again without a call, still its own token.
    expect([await users.bankA.getUserToken('alice'), await users.bankB.getUserToken('alice')]).toEqual([a, b]);
    expect(counts()).toEqual({ simA: 1, simB: 1, simDefault: 0 });
  });

  it("personalizedOffersConfigFor namespaces: ConfigService gives each registration's namespace its own simulator's options", async () => {
    moduleRef = await twice(
      Test.createTestingModule({ imports: [TWO_BANK_APPS['forRootAsync({ name }) ×2 + personalizedOffersConfigFor namespaces (no PLO_BANK_* set)']()] }),
    ).compile();
    const config = moduleRef.get(ConfigService, { strict: false });
    expect(config.get<PersonalizedOffersModuleOptions>('personalizedOffers:bankA')).toMatchObject({ baseUrl: simA.baseUrl, fId: '111111' });
    expect(config.get<PersonalizedOffersModuleOptions>('personalizedOffers:bankB')).toMatchObject({ baseUrl: simB.baseUrl, fId: '222222' });
  });

  it('a namespace with an invalid setting other than the host, fId or AuthInfo still fails compile() naming the prefixed variable', async () => {
    process.env.PLO_BANK_A_HTTP_RETRIES = 'many';
    try {
      const builder = twice(
        Test.createTestingModule({ imports: [TWO_BANK_APPS['forRootAsync({ name }) ×2 + personalizedOffersConfigFor namespaces (no PLO_BANK_* set)']()] }),
      );
      await expect(builder.compile()).rejects.toThrow(/PLO_BANK_A_HTTP_RETRIES/);
    } finally {
      delete process.env.PLO_BANK_A_HTTP_RETRIES;
    }
    expect(counts()).toEqual({ simA: 0, simB: 0, simDefault: 0 });
  });

  it("a registration no call names keeps its own options: only bankA is pointed at simA, bankB still goes where the app said (simB's URL)", async () => {
    const app = (): DynamicModule => ({
      module: class OneOverridden {},
      imports: [
        PersonalizedOffersModule.forRoot({ name: 'bankA', ...production('PRODA1') }),
        PersonalizedOffersModule.forRoot({ name: 'bankB', fId: '222222', baseUrl: simB.baseUrl, authInfo: simB.authInfo, ...signed }),
      ],
    });
    moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app()] }), simA, { name: 'bankA', ...signed }).compile();
    const users = usersOf(moduleRef);
    expect(await users.bankA.getUserToken('bob')).toBe(simA.tokenFor('111111', 'bob'));
    expect(await users.bankB.getUserToken('bob')).toBe(simB.tokenFor('222222', 'bob'));
    expect(counts()).toEqual({ simA: 1, simB: 1, simDefault: 0 });
  });

  it('a call without a name covers the default registration and every named one no call names; a named call wins for its own', async () => {
    const app = (): DynamicModule => ({
      module: class ThreeRegistrations {},
      imports: [
        PersonalizedOffersModule.forRoot(production('PROD00')),
        PersonalizedOffersModule.forRoot({ name: 'bankA', ...production('PRODA1') }),
        PersonalizedOffersModule.forRoot({ name: 'bankB', ...production('PRODB1') }),
      ],
      // The default registration's service as the app sees it (moduleRef.get(UserTokenService)
      // would search every module, and every registration has a UserTokenService inside).
      providers: [{ provide: 'DEFAULT_USERS', useExisting: UserTokenService }],
    });
    let builder = Test.createTestingModule({ imports: [app()] });
    builder = usePersonalizedOffersSimulator(builder, simDefault, signed);
    builder = usePersonalizedOffersSimulator(builder, simA, { name: 'bankA', ...signed });
    moduleRef = await builder.compile();
    const users = usersOf(moduleRef);
    expect(await moduleRef.get<UserTokenService>('DEFAULT_USERS', { strict: false }).getUserToken('carol')).toBe(simDefault.tokenFor('999999', 'carol'));
    expect(await users.bankA.getUserToken('carol')).toBe(simA.tokenFor('111111', 'carol'));
    expect(await users.bankB.getUserToken('carol')).toBe(simDefault.tokenFor('999999', 'carol'));
    expect(counts()).toEqual({ simA: 1, simB: 0, simDefault: 2 });
  });

  it('starts each simulator that is not running yet on compile(), once', async () => {
    const lateA = gatewaySimulator({ fIds: ['111111'] });
    const lateB = gatewaySimulator({ fIds: ['222222'] });
    const startA = jest.spyOn(lateA, 'start');
    const startB = jest.spyOn(lateB, 'start');
    try {
      let builder = Test.createTestingModule({ imports: [TWO_BANK_APPS['forRoot({ name }) ×2 (literal options)']()] });
      builder = usePersonalizedOffersSimulator(builder, lateA, { name: 'bankA', ...signed });
      builder = usePersonalizedOffersSimulator(builder, lateB, { name: 'bankB', ...signed });
      expect([startA.mock.calls.length, startB.mock.calls.length]).toEqual([0, 0]);
      moduleRef = await builder.compile();
      expect([startA.mock.calls.length, startB.mock.calls.length]).toEqual([1, 1]);
      const users = usersOf(moduleRef);
      expect(await users.bankA.getUserToken('dave')).toBe(lateA.tokenFor('111111', 'dave'));
      expect(await users.bankB.getUserToken('dave')).toBe(lateB.tokenFor('222222', 'dave'));
    } finally {
      await moduleRef?.close();
      moduleRef = undefined;
      await Promise.all([lateA.stop(), lateB.stop()]);
    }
  });

  it("the example app (src/): bankA and bankB pointed at the test's simulators, /banks/:bank/user-token answers from each, the app's own embedded simulators unused", async () => {
    let builder = Test.createTestingModule({ imports: [AppModule.register({})] });
    builder = usePersonalizedOffersSimulator(builder, simA, { name: 'bankA', ...signed });
    builder = usePersonalizedOffersSimulator(builder, simB, { name: 'bankB', ...signed });
    moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const token = async (bank: string) =>
        ((await (await fetch(`${base}/banks/${bank}/user-token`, { headers: { 'X-Demo-User-Id': 'erin' } })).json()) as { token: string }).token;
      expect(await token('bankA')).toBe(simA.tokenFor('111111', 'erin'));
      expect(await token('bankB')).toBe(simB.tokenFor('222222', 'erin'));
      expect(counts()).toEqual({ simA: 1, simB: 1, simDefault: 0 });
      const embedded = moduleRef.get<ReadonlyMap<string, Upstream>>(BANK_UPSTREAMS, { strict: false });
      expect([...embedded.values()].map((upstream) => upstream.simulator!.requestCount)).toEqual([0, 0]);
    } finally {
      await app.close();
      moduleRef = undefined;
    }
  });

  describe('a name the module under test has no registration for', () => {
    it('throws PersonalizedOffersConfigError (setting name) at the call, naming the registrations it has', () => {
      const builder = Test.createTestingModule({ imports: [TWO_BANK_APPS['forRoot({ name }) ×2 (literal options)']()] });
      let error: unknown;
      try {
        usePersonalizedOffersSimulator(builder, simA, { name: 'bankC', ...signed });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
      expect((error as PersonalizedOffersConfigError).settings).toEqual(['name']);
      expect((error as Error).message).toMatch(/no PersonalizedOffersModule registration named "bankC".*"bankA", "bankB"/);
    });

    it('an app with the default registration only: a named call throws, saying it has the default one', () => {
      const builder = Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(production('PROD00'))] });
      expect(() => usePersonalizedOffersSimulator(builder, simA, { name: 'bankA' })).toThrow(/registration named "bankA".*the default one \(no name\)/);
    });

    it('a name that no registration can have (a space) throws at the call', () => {
      const builder = Test.createTestingModule({ imports: [TWO_BANK_APPS['forRoot({ name }) ×2 (literal options)']()] });
      expect(() => usePersonalizedOffersSimulator(builder, simA, { name: 'bank A' })).toThrow(PersonalizedOffersConfigError);
    });

    it('when the registrations are only known at compile() (an async dynamic module), compile() throws it, and nothing is sent', async () => {
      const builder = Test.createTestingModule({
        imports: [Promise.resolve(PersonalizedOffersModule.forRoot({ name: 'bankA', ...production('PRODA1') }))],
      });
      const withHelper = usePersonalizedOffersSimulator(usePersonalizedOffersSimulator(builder, simA, signed), simB, { name: 'bankC', ...signed });
      await expect(withHelper.compile()).rejects.toThrow(/no PersonalizedOffersModule registration named "bankC"/);
      expect(counts()).toEqual({ simA: 0, simB: 0, simDefault: 0 });
    });
  });
});
