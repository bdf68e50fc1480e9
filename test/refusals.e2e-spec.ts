import { generateKeyPairSync } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersNetworkError,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { GATEWAY, gatewaySimulator, signed } from './support/gateway.js';
import { LoopbackServer } from './support/loopback-server.js';

/**
 * Issue 18: refused credentials show in production logs (at warn, once a minute per kind, with
 * what to do and Mastercard's correlation id), and the correlation id is on the errors and the
 * debug lines. Against the simulator in gateway mode, which answers as Mastercard's edge does
 * (an `X-MC-Correlation-ID` on every answer).
 */
describe('refused credentials, seen in the logs', () => {
  const simulator = gatewaySimulator({ fIds: ['999999'] });
  const USER = 'jane.doe.refused@bank.example';
  let moduleRef: TestingModule | undefined;

  beforeAll(() => simulator.start());
  afterAll(() => simulator.stop());
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    simulator.clearRequests();
    simulator.takeGatewayRefusals();
  });

  async function boot(options: Partial<PersonalizedOffersModuleOptions>) {
    const capture = captureLogger();
    moduleRef = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...options })],
    })
      .setLogger(capture.logger)
      .compile();
    return { moduleRef, lines: capture.lines };
  }

  const warnings = (lines: string[]) => lines.filter((l) => l.startsWith('warn ') && l.includes('refused the request'));

  it('a wrong consumer key: one warn line naming the operation, 401, the reason, the gateway’s words, what to do and the correlation id; the error carries the id', async () => {
    const { moduleRef, lines } = await boot({ oauth: { consumerKey: 'not-the-project-key', signingKey: GATEWAY.signingKey } });
    const error = await moduleRef
      .get(UserTokenService)
      .getUserToken(USER)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    const { correlationId } = error as PersonalizedOffersApiError;
    expect(correlationId).toMatch(/^sim-[0-9a-f]{8}-\d+$/);
    const refusals = warnings(lines);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain("getUserToken: Mastercard refused the request's credentials (401 AUTHENTICATION_FAILED from the gateway)");
    expect(refusals[0]).toContain('The consumer key is not known to this gateway');
    expect(refusals[0]).toContain('Check oauth.consumerKey');
    expect(refusals[0]).toContain(`Correlation id ${correlationId}.`);
    const all = lines.join('\n');
    for (const secret of ['not-the-project-key', USER, encodeURIComponent(USER)]) expect(all).not.toContain(secret);
  });

  it('a wrong signing key: the line says the signature did not verify and what the key must be', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { moduleRef, lines } = await boot({ oauth: { consumerKey: GATEWAY.consumerKey, signingKey: privateKey } });
    await expect(moduleRef.get(UserTokenService).getUserToken(USER)).rejects.toMatchObject({ status: 403 });
    const refusals = warnings(lines);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('(403 AUTHENTICATION_FAILED from the gateway)');
    expect(refusals[0]).toContain('The signature did not verify');
  });

  it('unsigned requests: the line says the Authorization header was missing', async () => {
    const { moduleRef, lines } = await boot({});
    await expect(moduleRef.get(UserTokenService).getUserToken(USER)).rejects.toMatchObject({ status: 400 });
    expect(warnings(lines)).toEqual([expect.stringContaining('(400 INVALID_AUTH_HEADER from the gateway)')]);
    expect(warnings(lines)[0]).toContain('Authorization header was missing or malformed');
  });

  it('twenty identical refusals in a burst make one warn line, not twenty', async () => {
    const { moduleRef, lines } = await boot({ oauth: { consumerKey: 'not-the-project-key', signingKey: GATEWAY.signingKey } });
    const users = moduleRef.get(UserTokenService);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => users.getUserToken(`burst-${i}`)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(warnings(lines)).toHaveLength(1);
  });

  it('a signed, accepted call logs no refusal, and its debug line carries the correlation id', async () => {
    const { moduleRef, lines } = await boot({ ...signed });
    await moduleRef.get(UserPresentmentService).getOffers(USER);
    expect(warnings(lines)).toEqual([]);
    expect(lines.filter((l) => l.startsWith('debug ') && / 200 \d+ms attempt 1\/3 correlation sim-[0-9a-f]{8}-\d+ /.test(l))).toHaveLength(2);
  });

  it('a 403 that a service gives about an offer is not taken for a refused credential', async () => {
    const { moduleRef, lines } = await boot({ ...signed });
    simulator.setFault({ type: 'http-error', status: 403 }, { operation: 'getOffer', times: 1 });
    await expect(moduleRef.get(UserPresentmentService).getOffer(USER, 'offer-1')).rejects.toMatchObject({ status: 403 });
    simulator.clearFaults();
    const refusalLines = warnings(lines);
    // The simulator's 403 carries service error items (not the gateway's): no credential warning.
    expect(refusalLines.every((l) => !l.includes('getOffer:'))).toBe(true);
  });
});

describe('correlation id of an answer that started and then failed', () => {
  const server = new LoopbackServer();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  it.each(['undici', 'node'] as const)(
    '%s: a reset after the headers gives a network error carrying the correlation id (and an id-shaped one only)',
    async (transport) => {
      server.responder = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-MC-Correlation-ID': 'abc-123', 'Content-Length': '100' });
        res.write('{"Response":');
        setTimeout(() => res.socket?.destroy(), 20);
      };
      const ref = await Test.createTestingModule({
        imports: [
          PersonalizedOffersModule.forRoot({
            fId: '999999',
            baseUrl,
            authInfo: { key: '000102030405060708090a0b0c0d0e0f', iv: '0f0e0d0c0b0a09080706050403020100' },
            http: { transport, retry: false },
          }),
        ],
      }).compile();
      try {
        const error = await ref
          .get(UserTokenService)
          .getUserToken('u-1')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PersonalizedOffersNetworkError);
        expect(error).toMatchObject({ correlationId: 'abc-123' });
        server.responder = (_req, res) => res.writeHead(401, { 'X-MC-Correlation-ID': 'evil id <script>' }).end();
        const refused = await ref
          .get(UserTokenService)
          .getUserToken('u-2')
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(PersonalizedOffersApiError);
        expect((refused as PersonalizedOffersApiError).correlationId).toBeUndefined();
      } finally {
        await ref.close();
      }
    },
  );
});
