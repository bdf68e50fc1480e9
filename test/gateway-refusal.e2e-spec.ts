import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  LegacyUserPresentmentService,
  type PersonalizedOffersApiError,
  PersonalizedOffersModule,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { rsaKeyPair } from './support/keys.js';
import { LoopbackServer, okBody } from './support/loopback-server.js';
import { verifyOAuthRequest } from './support/oauth-verifier.js';
import { GATEWAY, gatewaySimulator, signed } from './support/gateway.js';

/**
 * A refused signature stays diagnosable: at debug level the module logs the signature base
 * string it signed, redacted exactly like the gateway's echo in the error, so a user can put the
 * two side by side; neither carries the AuthInfo, a token or the consumer key. A gateway refusal
 * is about the signature, so it does not make the module renew the user's token.
 */
describe('gateway refusals: the base string the module signed, at debug level', () => {
  const CONSUMER_KEY = 'RefusalConsumerKey_abcde!f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687';
  const { privateKey, publicKey } = rsaKeyPair();
  const server = new LoopbackServer();
  let origin: string;
  let moduleRef: TestingModule | undefined;
  let captured: ReturnType<typeof captureLogger>;

  beforeAll(async () => {
    origin = new URL(await server.start()).origin;
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    captured = captureLogger();
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function boot(): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: origin,
          authInfo: { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', encoding: 'base64' },
          oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey },
          http: { retry: false },
        }),
      ],
    })
      .setLogger(captured.logger)
      .compile();
    return moduleRef;
  }

  /** The gateway's base string for the request as received (an independent implementation), optionally after a proxy changed the query. */
  const gatewayBaseString = (req: IncomingMessage, extraQuery = '') => {
    const url = extraQuery ? `${req.url}${req.url!.includes('?') ? '&' : '?'}${extraQuery}` : req.url!;
    const received = { method: req.method!, url, headers: req.headers, at: 0, body: Buffer.alloc(0) };
    return verifyOAuthRequest(received, publicKey, { consumerKey: CONSUMER_KEY, origin }).baseString;
  };
  const refuse = (res: ServerResponse, status: number, baseString: string) =>
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        Errors: {
          Error: [
            {
              Source: 'Gateway',
              ReasonCode: 'AUTHENTICATION_FAILED',
              Description: `OAuth Signature parameter failed verification. Acceptable signature base string: ${baseString}`,
              Recoverable: false,
              Details: null,
            },
          ],
        },
      }),
    );
  const signedLine = () => captured.lines.filter((l) => l.startsWith('debug') && l.includes('the module signed this base string'));
  const loggedBaseString = () => /the module signed this base string: (\S+)/.exec(signedLine()[0] ?? '')?.[1];
  const echoedBaseString = (error: PersonalizedOffersApiError) => /signature base string: (\S+)/.exec(error.errors[0]?.description ?? '')?.[1];

  it('logs one debug line with the reason code and the redacted base string, identical to the echo when the gateway computed the same one', async () => {
    server.responder = (req, res) => refuse(res, 403, gatewayBaseString(req));
    const ref = await boot();
    const error = (await ref
      .get(UserTokenService)
      .getUserToken('refused-user')
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;

    expect(error.status).toBe(403);
    expect(error.errors[0].reasonCode).toBe('AUTHENTICATION_FAILED');
    expect(signedLine()).toHaveLength(1);
    expect(signedLine()[0]).toContain('getUserToken: the gateway refused the request (403 AUTHENTICATION_FAILED)');
    const logged = loggedBaseString()!;
    expect(logged).toMatch(/^GET&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fplo%2Fv1%2Fusertoken&/);
    expect(logged).toContain('AuthInfo%3D[redacted]%26');
    expect(logged).toContain('FId%3D999999%26');
    expect(logged).toContain(`oauth_consumer_key%3D…${CONSUMER_KEY.slice(-4)}%26`);
    // Same redaction on both sides: equal strings mean the module signed what the gateway checked.
    expect(echoedBaseString(error)).toBe(logged);

    const sentAuthInfo = decodeURIComponent(/AuthInfo=([^&]*)/.exec(server.requests[0].url)![1]);
    const rendered = [...captured.lines, String(error), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
    const forms = (v: string) => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))];
    expect([...forms(sentAuthInfo), ...forms(CONSUMER_KEY), ...forms(CONSUMER_KEY.slice(0, 24))].filter((f) => rendered.includes(f))).toEqual([]);
  });

  it('shows the difference when a proxy changed the request: the echo has the parameter the module never signed', async () => {
    server.responder = (req, res) => refuse(res, 403, gatewayBaseString(req, 'Channel=web'));
    const ref = await boot();
    const error = (await ref
      .get(UserTokenService)
      .getUserToken('proxied-user')
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;

    expect(echoedBaseString(error)).toContain('Channel%3Dweb');
    expect(loggedBaseString()).toBeDefined();
    expect(loggedBaseString()).not.toContain('Channel');
    expect(echoedBaseString(error)!.replace('Channel%3Dweb%26', '')).toBe(loggedBaseString());
  });

  it('a refusal that is not the gateway (the service behind it) logs no base string', async () => {
    server.responder = (_req, res) =>
      res
        .writeHead(403, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ Errors: { Error: [{ Source: 'PLO', ReasonCode: 'FORBIDDEN', Description: 'no' }] } }));
    const ref = await boot();
    const error = (await ref
      .get(UserTokenService)
      .getUserToken('service-refused')
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;
    expect(error.status).toBe(403);
    expect(signedLine()).toEqual([]);
  });

  it('a gateway refusal of a call does not renew the user token (the credential was never looked at): one token request, one call', async () => {
    server.responder = (req, res) =>
      req.url!.includes('/usertoken')
        ? res.writeHead(200, { 'Content-Type': 'application/json' }).end(okBody('tok-abc123'))
        : refuse(res, 401, gatewayBaseString(req));
    const ref = await boot();
    const error = (await ref
      .get(LegacyUserPresentmentService)
      .getUserSavings('gateway-user')
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;
    expect(error.errors[0].reasonCode).toBe('AUTHENTICATION_FAILED');
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(['/plo/v1/usertoken', '/plo/v1/usersavings']);
    expect(signedLine()[0]).toContain('getUserSavings: the gateway refused the request (401 AUTHENTICATION_FAILED)');
    expect(loggedBaseString()).toContain('UserToken%3D[redacted]');
  });

  it('a 401 from the service behind the gateway still renews the user token once', async () => {
    let calls = 0;
    server.responder = (req, res) => {
      if (req.url!.includes('/usertoken'))
        return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(okBody(`tok-${server.requests.length}x1`));
      calls += 1;
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Errors: { Error: [{ Source: 'PLO', ReasonCode: 'INVALID_TOKEN' }] } }));
    };
    const ref = await boot();
    await ref
      .get(LegacyUserPresentmentService)
      .getUserSavings('expired-user')
      .catch(() => undefined);
    expect(calls).toBe(2);
    expect(server.requests.filter((r) => r.url.startsWith('/plo/v1/usertoken'))).toHaveLength(2);
  });

  it("a stale timestamp refused by the simulator's gateway keeps its readable text (parameter names are not redacted) and logs the base string", async () => {
    const simulator = gatewaySimulator();
    await simulator.start();
    try {
      simulator.advanceTime(3_600_000); // the gateway's clock is an hour ahead of the module's
      moduleRef = await Test.createTestingModule({
        imports: [
          PersonalizedOffersModule.forRoot({
            fId: simulator.fIds[0],
            baseUrl: simulator.baseUrl,
            authInfo: simulator.authInfo,
            ...signed,
            http: { retry: false },
          }),
        ],
      })
        .setLogger(captured.logger)
        .compile();
      const error = (await moduleRef
        .get(UserTokenService)
        .getUserToken('stale-user')
        .catch((e: unknown) => e)) as PersonalizedOffersApiError;
      expect(error.status).toBe(401);
      expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED' });
      expect(error.errors[0].description).toContain('oauth_timestamp is more than 300 seconds away');
      expect(signedLine()).toHaveLength(1);
      expect(loggedBaseString()).toContain(`oauth_consumer_key%3D…${GATEWAY.consumerKey.slice(-4)}`);
    } finally {
      await simulator.stop();
    }
  });

  describe('the redacted base string stays readable: path segments, parameter names and ordinary values (issue 18)', () => {
    const simulator = gatewaySimulator();
    const wrongKey = rsaKeyPair().privateKey;
    beforeAll(() => simulator.start());
    afterAll(() => simulator.stop());
    beforeEach(() => simulator.clearRequests());

    const bootAgainst = async () => {
      moduleRef = await Test.createTestingModule({
        imports: [
          PersonalizedOffersModule.forRoot({
            fId: simulator.fIds[0],
            baseUrl: simulator.baseUrl,
            authInfo: simulator.authInfo,
            // The right consumer key, signed with another key: 403 AUTHENTICATION_FAILED echoing the base string.
            oauth: { consumerKey: GATEWAY.consumerKey, signingKey: wrongKey },
            http: { retry: false },
          }),
        ],
      })
        .setLogger(captured.logger)
        .compile();
      return moduleRef;
    };
    const rendered = (error: unknown) => [...captured.lines, String(error), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
    const forms = (v: string) => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))];

    it('a /loyalty refusal: every path segment (user-presentment, access-tokens) kept in the echo and the debug line, which are equal; no user id or consumer key anywhere', async () => {
      const ref = await bootAgainst();
      const userId = 'readable-path-user-0427';
      const error = (await ref
        .get(UserPresentmentService)
        .getOffers(userId, { limit: 5 })
        .catch((e: unknown) => e)) as PersonalizedOffersApiError;
      expect(error.status).toBe(403);
      expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED' });
      const echoed = echoedBaseString(error)!;
      expect(echoed).toMatch(/^POST&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Floyalty%2Foffers%2Fuser-presentment%2Faccess-tokens&oauth_body_hash%3D/);
      expect(error.errors[0].description).toMatch(/^OAuth Signature parameter failed verification\. Acceptable signature base string: POST&/);
      // No query: the only hidden value is the consumer key (last 4 shown); nothing else is redacted.
      expect(echoed).not.toContain('[redacted]');
      expect(echoed).toContain(`oauth_consumer_key%3D…${GATEWAY.consumerKey.slice(-4)}%26`);
      expect(loggedBaseString()).toBe(echoed);
      expect(signedLine()[0]).toContain('createAccessToken: the gateway refused the request (403 AUTHENTICATION_FAILED)');
      const leaked = [...forms(userId), ...forms(GATEWAY.consumerKey), ...forms(GATEWAY.consumerKey.slice(0, 24))].filter((f) => rendered(error).includes(f));
      expect(leaked).toEqual([]);
    });

    it('a legacy refusal: /plo/v1/usertoken and FId kept, only the AuthInfo value redacted', async () => {
      const ref = await bootAgainst();
      const error = (await ref
        .get(UserTokenService)
        .getUserToken('legacy-readable-user')
        .catch((e: unknown) => e)) as PersonalizedOffersApiError;
      expect(error.status).toBe(403);
      const echoed = echoedBaseString(error)!;
      expect(echoed).toMatch(/^GET&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fplo%2Fv1%2Fusertoken&AuthInfo%3D\[redacted\]%26FId%3D999999%26oauth_body_hash%3D/);
      expect(echoed.match(/\[redacted\]/g)).toHaveLength(1);
      expect(loggedBaseString()).toBe(echoed);
      const sentAuthInfo = simulator.requests[0].query.AuthInfo[0];
      expect(forms(sentAuthInfo).filter((f) => rendered(error).includes(f))).toEqual([]);
    });
  });
});
