import { inspect } from 'node:util';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AuthInfoCryptoService,
  InvalidUserIdError,
  PERSONALIZED_OFFERS_CLOCK,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersNetworkError,
  UserTokenResponse,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

/** UserTokenService against the simulator on a real loopback port, signed, through its gateway (support/gateway.ts). */
describe('UserTokenService against the simulator', () => {
  const simulator = gatewaySimulator({ fIds: ['999999', '123456'] });
  let moduleRef: TestingModule;
  let service: UserTokenService;

  async function boot(overrides: Partial<PersonalizedOffersModuleOptions> = {}, nowMs?: number): Promise<UserTokenService> {
    let builder = Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...signed, ...overrides })],
    });
    if (nowMs !== undefined) builder = builder.overrideProvider(PERSONALIZED_OFFERS_CLOCK).useValue({ now: () => nowMs });
    moduleRef = await builder.compile();
    return moduleRef.get(UserTokenService);
  }

  beforeAll(async () => {
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
  });
  beforeEach(async () => {
    simulator.setFault(undefined);
    simulator.resetRequestCount();
    service = await boot();
  });
  afterEach(async () => {
    await moduleRef.close();
    expectNoGatewayRefusal(simulator);
  });

  it('returns the token for a user', async () => {
    const token = await service.getUserToken('1PCLOSANDBOXBCN00002tra6athatR');
    expect(token).toBe(simulator.tokenFor('999999', '1PCLOSANDBOXBCN00002tra6athatR'));
    expect(simulator.requestCount).toBe(1);
  });

  it('returns the same token for the same user and different tokens for different users', async () => {
    const [a1, a2, b] = await Promise.all([service.getUserToken('alice'), service.getUserToken('alice'), service.getUserToken('bob')]);
    expect(a1).toBe(a2);
    expect(b).not.toBe(a1);
  });

  it('usertokenGet returns the validated response model', async () => {
    const authInfo = moduleRef.get(AuthInfoCryptoService).encrypt('u');
    const response = await service.usertokenGet('999999', authInfo);
    expect(response).toBeInstanceOf(UserTokenResponse);
    expect(response.Response.Status).toEqual({ Code: '600', Message: 'Success' });
    expect(response.Response.UserToken?.Token).toBe(simulator.tokenFor('999999', 'u'));
  });

  it('sends base64 AuthInfo with +, / and = intact', async () => {
    await moduleRef.close();
    const base64Simulator = gatewaySimulator({ authInfo: { ...simulator.authInfo, encoding: 'base64' } });
    const { baseUrl } = await base64Simulator.start();
    try {
      moduleRef = await Test.createTestingModule({
        imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo: base64Simulator.authInfo, ...signed })],
      }).compile();
      const base64Service = moduleRef.get(UserTokenService);
      const crypto = moduleRef.get(AuthInfoCryptoService);
      const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
      const authInfos = users.map((u) => crypto.encrypt(u));
      // The check below only means something if the AuthInfos really carry those characters.
      expect(authInfos.some((a) => a.includes('+'))).toBe(true);
      expect(authInfos.some((a) => a.includes('/'))).toBe(true);
      expect(authInfos.every((a) => a.endsWith('='))).toBe(true);
      for (const user of users) expect(await base64Service.getUserToken(user)).toBe(base64Simulator.tokenFor('999999', user));
      // Signed with +, / and = in the query: the gateway rebuilt the same base string every time.
      expectNoGatewayRefusal(base64Simulator);
    } finally {
      await base64Simulator.stop();
    }
  });

  it('refuses an invalid user id before any request', async () => {
    for (const bad of ['', 'a:b', 'tab\there', 'x'.repeat(300)]) {
      await expect(service.getUserToken(bad)).rejects.toBeInstanceOf(InvalidUserIdError);
    }
    expect(simulator.requestCount).toBe(0);
  });

  it('surfaces a 401 for AuthInfo under the wrong key as PersonalizedOffersApiError with parsed items', async () => {
    await moduleRef.close();
    service = await boot({ authInfo: { ...simulator.authInfo, key: 'ffeeddccbbaa99887766554433221100' } });
    const error = await service.getUserToken('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(error).toMatchObject({
      name: 'PersonalizedOffersApiError',
      status: 401,
      errors: [
        {
          reasonCode: '401',
          source: 'PersonalizedOffersSimulator',
          description: 'AuthInfo could not be decrypted',
          details: 'Unauthorized',
          recoverable: false,
        },
      ],
    });
  });

  it('surfaces an unknown FId as a 400 and a stale AuthInfo as a 401', async () => {
    await moduleRef.close();
    service = await boot({ fId: '555555' });
    await expect(service.getUserToken('alice')).rejects.toMatchObject({ status: 400, errors: [{ reasonCode: '400' }] });
    await moduleRef.close();
    service = await boot({}, Date.now() - 301_000);
    await expect(service.getUserToken('alice')).rejects.toMatchObject({
      status: 401,
      errors: [{ description: 'AuthInfo time is outside the accepted window' }],
    });
  });

  it('turns a non-600 Status into PersonalizedOffersApiError', async () => {
    simulator.setFault({ type: 'status-code', code: '601', message: 'User not enrolled' }, { times: 1 });
    await expect(service.getUserToken('alice')).rejects.toMatchObject({
      name: 'PersonalizedOffersApiError',
      status: 200,
      apiStatus: { code: '601', message: 'User not enrolled' },
    });
    // usertokenGet is the raw operation: it hands back the model whatever the status.
    simulator.setFault({ type: 'status-code', code: '601' }, { times: 1 });
    const crypto = moduleRef.get(AuthInfoCryptoService);
    const raw = await service.usertokenGet('999999', crypto.encrypt('alice'));
    expect(raw.Response.Status.Code).toBe('601');
  });

  it('turns a 600 without a token, malformed JSON and an HTML page into PersonalizedOffersApiError', async () => {
    simulator.setFault({ type: 'no-token' }, { times: 1 });
    await expect(service.getUserToken('alice')).rejects.toMatchObject({ status: 200, apiStatus: { code: '600' } });
    simulator.setFault({ type: 'malformed-json' }, { times: 1 });
    await expect(service.getUserToken('alice')).rejects.toMatchObject({ status: 200, bodyExcerpt: '{"Response":{"Status":' });
    simulator.setFault({ type: 'html-error' }, { times: 3 }); // a 502: retried twice, then reported
    const html = await service.getUserToken('alice').catch((e: unknown) => e);
    expect(html).toMatchObject({ status: 502, errors: [] });
    expect((html as PersonalizedOffersApiError).bodyExcerpt).toContain('502 Bad Gateway');
    simulator.setFault({ type: 'empty-body' }, { times: 1 });
    await expect(service.getUserToken('alice')).rejects.toBeInstanceOf(PersonalizedOffersApiError);
  });

  it('reports a refused connection as PersonalizedOffersNetworkError without the request in it', async () => {
    const closed = new PersonalizedOffersSimulator();
    const { baseUrl } = await closed.start();
    await closed.stop();
    await moduleRef.close();
    service = await boot({ baseUrl });
    const error = await service.getUserToken('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersNetworkError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', timedOut: false });
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    const shown = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
    expect(shown).not.toMatch(/AuthInfo=|usertoken\?|config|headers/i);
  });
});
