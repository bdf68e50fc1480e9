import { inspect } from 'node:util';
import { Test, type TestingModule } from '@nestjs/testing';
import type { HttpService } from '@nestjs/axios';
import {
  AuthInfoCryptoService,
  LegacyUserPresentmentService,
  type LegacyUser,
  PERSONALIZED_OFFERS_HTTP,
  type PersonalizedOffersApiError,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersModule,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, type SimulatorFault } from 'nestjs-personalized-offers/testing';
import { captureLogger } from './support/capture-logger.js';
import { makePkcs12, rsaKeyPair } from './support/keys.js';
import { LoopbackServer, okBody } from './support/loopback-server.js';
import { parseAuthorization } from './support/oauth-verifier.js';

/**
 * With debug logging on, drive every error path and capture every log line and thrown error;
 * none of the secrets may appear in any of them.
 */
describe('no secret in logs or errors', () => {
  const KEY = '8f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const IV = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const CONSUMER_KEY = 'RedactionConsumerKey_xyz!a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4';
  const P12_PASSWORD = 'p12-password-Zq8';
  const { privateKey } = rsaKeyPair();
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const server = new LoopbackServer();
  const { logger: capture, lines: logs } = captureLogger();
  const seen: string[] = []; // everything thrown, rendered every way users render errors
  let baseUrl: string;
  let tokenSerial = 0;
  const issuedTokens: string[] = [];


  const record = (error: unknown) => {
    const e = error as Error;
    seen.push(String(e), e.message ?? '', e.stack ?? '', inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e), inspect(e.cause, { depth: 5 }));
  };

  let moduleRef: TestingModule | undefined;
  async function boot(extra: Partial<PersonalizedOffersModuleOptions> = {}): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo: { key: KEY, iv: IV, encoding: 'base64' },
          oauth: { consumerKey: CONSUMER_KEY, signingKey: pem },
          http: { timeoutMs: 150, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 10 }, circuitBreaker: { consecutiveFailures: 50, halfOpenAfterMs: 1000 } },
          ...extra,
        }),
      ],
    })
      .setLogger(capture)
      .compile();
    return moduleRef;
  }

  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  // Upstream answers, including hostile ones that echo the request back in their bodies.
  const echo = (req: { url?: string; headers: Record<string, unknown> }) => `${req.url} ${String(req.headers.authorization)}`;
  const faults: Array<[string, Parameters<LoopbackServer['responder']> extends [infer Q, infer R, number] ? (q: Q, r: R) => void : never]> = [
    ['success', (_q, r) => {
      const token = `tokSECRET${++tokenSerial}x9Qm`;
      issuedTokens.push(token);
      r.writeHead(200).end(okBody(token));
    }],
    ['401 with an error body', (_q, r) => r.writeHead(401).end(JSON.stringify({ Errors: { Error: [{ ReasonCode: '401', Source: 'gw', Description: 'AuthInfo could not be decrypted', Recoverable: false }] } }))],
    ['400 echoing the request in Description', (q, r) => r.writeHead(400).end(JSON.stringify({ Errors: { Error: [{ ReasonCode: '400', Description: echo(q as never) }] } }))],
    ['500 with an HTML page echoing the request', (q, r) => r.writeHead(500).end(`<html>${echo(q as never)}</html>`)],
    ['429 with Retry-After', (_q, r) => r.writeHead(429, { 'Retry-After': '0' }).end()],
    ['non-600 status echoing the token', (_q, r) => {
      const token = `tokSECRET${++tokenSerial}x9Qm`;
      issuedTokens.push(token);
      r.writeHead(200).end(JSON.stringify({ Response: { Status: { Code: '601', Message: `not enrolled ${token}` }, UserToken: { Token: token } } }));
    }],
    ['600 without a token', (_q, r) => r.writeHead(200).end(JSON.stringify({ Response: { Status: { Code: '600' } } }))],
    ['malformed JSON echoing the request', (q, r) => r.writeHead(200).end(`{"oops": "${echo(q as never)}`)],
    ['empty body', (_q, r) => r.writeHead(200).end()],
    ['a hang (timeout)', () => {}],
    ['a reset', (q) => (q as { socket: { destroy(): void } }).socket.destroy()],
  ];

  it.each(faults)('%s', async (_, responder) => {
    server.responder = responder as never;
    const ref = await boot();
    const users = ref.get(UserTokenService);
    for (const user of ['1PCLOSANDBOXBCN00002tra6athatR', 'alice.smith@example.com']) {
      try {
        await users.getUserToken(user);
      } catch (error) {
        record(error);
      }
    }
  });

  it('connection refused, breaker open and bad input', async () => {
    const refused = new LoopbackServer();
    const refusedUrl = await refused.start();
    await refused.stop();
    const ref = await boot({ baseUrl: refusedUrl, http: { retry: false, circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } } });
    const users = ref.get(UserTokenService);
    for (const attempt of [() => users.getUserToken('alice'), () => users.getUserToken('alice'), () => users.getUserToken('bad:user'), () => users.usertokenGet('999999', '<script>')]) {
      await attempt().catch(record);
    }
    const crypto = ref.get(AuthInfoCryptoService);
    try {
      crypto.decrypt(crypto.encrypt('alice').slice(0, -4) + 'AAAA');
    } catch (error) {
      record(error);
    }
  });

  it('configuration errors', async () => {
    const p12 = makePkcs12(privateKey, 'keyalias', P12_PASSWORD);
    const bad: Array<Partial<PersonalizedOffersModuleOptions>> = [
      { authInfo: { key: KEY.slice(2), iv: IV } },
      { authInfo: { key: KEY, iv: `${IV}00` } },
      { oauth: { consumerKey: CONSUMER_KEY, pkcs12: { data: p12, alias: 'keyalias', password: `${P12_PASSWORD}x` } } },
      { oauth: { consumerKey: CONSUMER_KEY, pkcs12: { data: p12, alias: 'nope', password: P12_PASSWORD } } },
      { oauth: { consumerKey: CONSUMER_KEY, signingKey: pem.replace('MII', 'XII') } },
    ];
    for (const extra of bad) await boot(extra).catch(record);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('none of the secrets appears anywhere', () => {
    const authInfos = server.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('AuthInfo') ?? '').filter(Boolean);
    const authorizations = server.requests.map((r) => String(r.headers.authorization ?? '')).filter(Boolean);
    const signatures = authorizations.map((h) => parseAuthorization(h).get('oauth_signature')!);
    // The run really exercised what it claims: requests were signed, tokens issued, debug lines written.
    expect(authInfos.length).toBeGreaterThan(20);
    expect(authorizations.length).toBe(authInfos.length);
    expect(issuedTokens.length).toBeGreaterThanOrEqual(4);
    expect(logs.some((l) => l.startsWith('debug') && l.includes('GET /plo/v1/usertoken'))).toBe(true);
    expect(logs.some((l) => l.startsWith('warn') && l.includes('retrying'))).toBe(true);
    expect(logs.some((l) => l.includes('consumer key …') && l.includes(CONSUMER_KEY.slice(-4)))).toBe(true);

    const secrets = [
      KEY,
      Buffer.from(KEY, 'hex').toString('base64'),
      IV,
      Buffer.from(IV, 'hex').toString('base64'),
      CONSUMER_KEY,
      CONSUMER_KEY.slice(0, -4),
      P12_PASSWORD,
      pem.split('\n')[1]!,
      ...authInfos,
      ...authInfos.map(encodeURIComponent),
      ...authorizations,
      ...signatures,
      ...issuedTokens,
    ];
    const haystack = [...logs, ...seen].join('\n');
    const leaked = secrets.filter((s) => haystack.includes(s)).map((s) => `${s.slice(0, 6)}… (${s.length} chars)`);
    expect(leaked).toEqual([]);
  });
});

/** The same guarantee for every simulator fault mode, with OAuth signing and debug logging on. */
describe('no secret in logs or errors, across every simulator fault mode', () => {
  const CONSUMER_KEY = 'SimFaultsConsumerKey_abc!f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687';
  const { privateKey } = rsaKeyPair();
  const simulator = new PersonalizedOffersSimulator({ authInfo: { key: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', iv: '0918273645546372819aabbccddeeff0', encoding: 'base64' } });
  const { logger: capture, lines: logs } = captureLogger();
  const seen: string[] = [];
  const sentAuthInfo: string[] = [];
  const sentAuthorization: string[] = [];
  const faults: SimulatorFault[] = [
    { type: 'http-error', status: 500 },
    { type: 'http-error', status: 502 },
    { type: 'http-error', status: 503, retryAfter: '0' },
    { type: 'http-error', status: 504 },
    { type: 'http-error', status: 429, retryAfter: '0' },
    { type: 'http-error', status: 401 },
    { type: 'latency', ms: 400 },
    { type: 'hang' },
    { type: 'reset-mid-body' },
    { type: 'malformed-json' },
    { type: 'html-error' },
    { type: 'status-code', code: '601' },
    { type: 'no-token' },
    { type: 'empty-body' },
  ];

  beforeAll(() => simulator.start());
  afterAll(() => simulator.stop());

  it.each(faults.map((f) => [JSON.stringify(f), f] as const))('%s', async (_, fault) => {
    simulator.setFault(fault);
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey },
          http: { timeoutMs: 200, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 5 } },
        }),
      ],
    })
      .setLogger(capture)
      .compile();
    // Record what went on the wire: transformRequest runs after every request interceptor, signing included.
    const axiosRef = ref.get<HttpService>(PERSONALIZED_OFFERS_HTTP).axiosRef;
    axiosRef.defaults.transformRequest = [
      function record(this: { url?: string }, data: unknown, headers: Record<string, unknown>) {
        sentAuthInfo.push(decodeURIComponent(/AuthInfo=([^&]*)/.exec(this.url ?? '')![1]!));
        sentAuthorization.push(String(headers.Authorization));
        return data;
      },
    ];
    for (const user of ['1PCLOSANDBOXBCN00002tra6athatR', 'zoë@example.com']) {
      await ref.get(UserTokenService).getUserToken(user).catch((e: Error) => {
        seen.push(String(e), e.stack ?? '', inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e), inspect(e.cause));
      });
    }
    await ref.close();
  });

  it('leaves no key, IV, AuthInfo, Authorization, consumer key or token in any of it', () => {
    expect(sentAuthInfo.length).toBeGreaterThan(faults.length);
    expect(sentAuthorization.every((h) => h.startsWith('OAuth '))).toBe(true);
    expect(seen.length).toBeGreaterThan(faults.length);
    expect(logs.filter((l) => l.includes('GET /plo/v1/usertoken')).length).toBeGreaterThan(faults.length);
    const tokens = ['1PCLOSANDBOXBCN00002tra6athatR', 'zoë@example.com'].map((u) => simulator.tokenFor('999999', u));
    const { key, iv } = simulator.authInfo as { key: string; iv: string };
    const secrets = [
      key,
      iv,
      Buffer.from(key, 'hex').toString('base64'),
      Buffer.from(iv, 'hex').toString('base64'),
      CONSUMER_KEY,
      CONSUMER_KEY.slice(0, -4),
      ...tokens,
      ...sentAuthInfo,
      ...sentAuthInfo.map(encodeURIComponent),
      ...sentAuthorization,
      ...sentAuthorization.map((h) => parseAuthorization(h).get('oauth_signature')!),
    ];
    const haystack = [...logs, ...seen].join('\n');
    expect(secrets.filter((s) => haystack.includes(s)).map((s) => `${s.slice(0, 6)}… (${s.length})`)).toEqual([]);
  });
});

/**
 * User tokens are secrets like AuthInfo: they travel in the query (`UserToken`) or in the JSON
 * body of the legacy operations. Upstream answers that echo the request (URL and body) back in
 * every way must not carry them into a log line, an error, `bodyExcerpt` or debug output.
 */
describe('no user token in logs or errors from the legacy operations', () => {
  const HELD_TOKEN = 'heldTOKEN-7f3a9Qm2x8LpZ';
  const MINTED_TOKEN = 'mintedTOKEN-4c8e1Rw9v2KdY';
  const server = new LoopbackServer();
  const { logger: capture, lines: logs } = captureLogger();
  const seen: string[] = [];
  const bodies: string[] = [];
  let baseUrl: string;

  const echo = (url: string | undefined, body: string) => `${url} ${body}`;
  const hostile: Array<[string, (url: string | undefined, body: string, res: import('node:http').ServerResponse) => void]> = [
    ['400 echoing the request in Description', (u, b, r) => r.writeHead(400).end(JSON.stringify({ Errors: { Error: [{ ReasonCode: '400', Description: echo(u, b), Details: b }] } }))],
    ['500 HTML echoing the request', (u, b, r) => r.writeHead(500).end(`<html>${echo(u, b)}</html>`)],
    ['non-600 status echoing the request', (u, b, r) => r.writeHead(200).end(JSON.stringify({ Response: { Status: { Code: '601', Message: echo(u, b) } } }))],
    ['malformed JSON echoing the request', (u, b, r) => r.writeHead(200).end(`{"Response": "${echo(u, b)}`)],
    ['a wrong shape echoing the request', (u, b, r) => r.writeHead(200).end(JSON.stringify({ Response: { Status: { Code: '600', Message: { echo: echo(u, b) } } } }))],
  ];

  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  it.each(hostile)('%s', async (_, answer) => {
    server.responder = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        bodies.push(body);
        if (req.url?.includes('/usertoken')) res.writeHead(200).end(okBody(MINTED_TOKEN));
        else answer(req.url, body, res);
      });
    };
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo: { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
          http: { timeoutMs: 200, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 5 }, circuitBreaker: false },
        }),
      ],
    })
      .setLogger(capture)
      .compile();
    const legacy = ref.get(LegacyUserPresentmentService);
    const calls = (user: LegacyUser) => [
      () => legacy.matchedOffers(user, { merchantName: 'Koalla' }),
      () => legacy.getOfferDetails(user, { offerId: 'o-1' }),
      () => legacy.getUserSavings(user),
      () => legacy.activateStatementCreditOffer(user, { offerId: 'o-1' }),
      () => legacy.sendUserFeedback(user, { offerId: 'o-1', feedback: 1 }),
    ];
    let failures = 0;
    for (const call of [...calls({ userToken: HELD_TOKEN }), ...calls('alice')]) {
      try {
        await call();
      } catch (e) {
        failures += 1;
        const error = e as Error;
        seen.push(String(error), error.stack ?? '', inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), inspect(error.cause, { depth: 5 }));
      }
    }
    // Every call failed, so every error path above was rendered.
    expect(failures).toBe(10);
    await ref.close();
  });

  it('the held and the minted token reached the wire but appear in no log line or error', () => {
    // The tokens really were sent, in the query and in the JSON bodies.
    expect(server.requests.some((r) => r.url.includes(`UserToken=${HELD_TOKEN}`))).toBe(true);
    expect(server.requests.some((r) => r.url.includes(`UserToken=${MINTED_TOKEN}`))).toBe(true);
    expect(bodies.some((b) => b.includes(`"UserToken":"${HELD_TOKEN}"`))).toBe(true);
    expect(bodies.some((b) => b.includes(`"UserToken":"${MINTED_TOKEN}"`))).toBe(true);
    expect(logs.some((l) => l.startsWith('debug') && l.includes('POST /plo/v2/activatestatementcreditoffer'))).toBe(true);
    const haystack = [...logs, ...seen].join('\n');
    expect(seen.length).toBeGreaterThan(40);
    expect([HELD_TOKEN, MINTED_TOKEN].filter((t) => haystack.includes(t))).toEqual([]);
  });
});

/**
 * Access tokens are secrets too: they travel in the `X-Auth-Token` header of the current API.
 * Upstream answers that echo the request (headers, URL and body) must not carry them into a log
 * line or an error, for a held token and for one the module minted.
 */
describe('no access token in logs or errors from the current API', () => {
  const HELD = 'eyJhbGciOiJIUzI1NiJ9.eyJoZWxkIjoiMSJ9.aGVsZFNFQ1JFVDdmM2E5UW0';
  const MINTED = 'eyJhbGciOiJIUzI1NiJ9.eyJtaW50ZWQiOiIxIn0.bWludGVkU0VDUkVUNGM4ZTE';
  const server = new LoopbackServer();
  const { logger: capture, lines: logs } = captureLogger();
  const seen: string[] = [];
  let baseUrl: string;

  const echo = (req: import('node:http').IncomingMessage, body: string) => `${req.url} ${String(req.headers['x-auth-token'])} ${body}`;
  const hostile: Array<[string, (req: import('node:http').IncomingMessage, body: string, res: import('node:http').ServerResponse) => void]> = [
    ['401 echoing the token in Description', (q, b, r) => r.writeHead(401).end(JSON.stringify({ Errors: { Error: [{ ReasonCode: '401', Description: echo(q, b) }] } }))],
    ['400 echoing the token in Details', (q, b, r) => r.writeHead(400).end(JSON.stringify({ Errors: { Error: [{ ReasonCode: '400', Details: echo(q, b) }] } }))],
    ['502 HTML echoing the request', (q, b, r) => r.writeHead(502).end(`<html>${echo(q, b)}</html>`)],
    ['a wrong shape echoing the token', (q, b, r) => r.writeHead(200).end(JSON.stringify({ offset: echo(q, b), offers: echo(q, b), activations: 5, offerRating: 5, savings: 5, userOfferDetails: echo(q, b) }))],
    ['malformed JSON echoing the token', (q, b, r) => r.writeHead(200).end(`{"x": "${echo(q, b)}`)],
  ];

  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  it.each(hostile)('%s', async (_, answer) => {
    server.responder = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.url?.endsWith('/access-tokens')) res.writeHead(200).end(JSON.stringify({ accessToken: MINTED }));
        else answer(req, body, res);
      });
    };
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo: { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
          http: { timeoutMs: 200, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 5 }, circuitBreaker: false },
        }),
      ],
    })
      .setLogger(capture)
      .compile();
    const presentment = ref.get(UserPresentmentService);
    const calls = (user: string | { accessToken: string }) => [
      () => presentment.getOffers(user, { offerCountry: ['!USA'] }),
      () => presentment.getOffer(user, 'o-1'),
      () => presentment.processActivations(user, { offerId: 'o-1' }),
      () => presentment.createOfferRating(user, 'o-1', { like: 1 }),
      () => presentment.getUserPresentmentSavings(user),
    ];
    let failures = 0;
    for (const call of [...calls({ accessToken: HELD }), ...calls('alice')]) {
      try {
        await call();
      } catch (e) {
        failures += 1;
        const error = e as Error;
        seen.push(String(error), error.stack ?? '', inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), inspect(error.cause, { depth: 5 }));
      }
    }
    expect(failures).toBe(10);
    await ref.close();
  });

  it('the held and the minted access token reached the wire but appear in no log line or error', () => {
    expect(server.requests.some((r) => r.headers['x-auth-token'] === HELD)).toBe(true);
    expect(server.requests.some((r) => r.headers['x-auth-token'] === MINTED)).toBe(true);
    expect(seen.length).toBeGreaterThan(40);
    const haystack = [...logs, ...seen].join('\n');
    // Each of the token's three segments is a secret-looking run on its own, too.
    const secrets = [HELD, MINTED, ...HELD.split('.').slice(1), ...MINTED.split('.').slice(1)];
    expect(secrets.filter((t) => haystack.includes(t))).toEqual([]);
  });
});

/**
 * Gateway refusals stay diagnosable: Mastercard's constant reason codes and readable text survive,
 * while the values the module sent (AuthInfo, the consumer key, tokens) are scrubbed in every
 * encoding the gateway echoes them in (its signature base string encodes query values twice).
 */
describe('gateway refusals: codes kept, the values the module sent scrubbed', () => {
  const CONSUMER_KEY = 'GatewayConsumerKey_abcde!f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687';
  const { privateKey } = rsaKeyPair();
  const server = new LoopbackServer();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  /** What the gateway answers to a signature it refuses: its own base string, query values encoded twice. */
  const refusal = (req: import('node:http').IncomingMessage) => {
    const [path, query = ''] = (req.url ?? '').split('?');
    const base = `GET&${encodeURIComponent(`http://127.0.0.1${path}`)}&${encodeURIComponent(`${query}&oauth_consumer_key=${encodeURIComponent(CONSUMER_KEY)}`)}`;
    return JSON.stringify({
      Errors: { Error: [{ Source: 'Gateway', ReasonCode: 'AUTHENTICATION_FAILED', Description: `OAuth signatures did not match. Acceptable signature base string: ${base}`, Recoverable: false, Details: null }] },
    });
  };

  it('AUTHENTICATION_FAILED keeps its code and text, and carries neither the AuthInfo nor the consumer key in any encoding', async () => {
    server.responder = (req, res) => res.writeHead(401, { 'Content-Type': 'application/json' }).end(refusal(req));
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo: { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', encoding: 'base64' },
          oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey },
          http: { retry: false },
        }),
      ],
    }).compile();
    const error = (await ref.get(UserTokenService).getUserToken('gateway-user').catch((e: unknown) => e)) as PersonalizedOffersApiError;
    await ref.close();
    const sentAuthInfo = decodeURIComponent(/AuthInfo=([^&]*)/.exec(server.requests.at(-1)!.url)![1]!);
    expect(error.status).toBe(401);
    expect(error.errors[0]!.reasonCode).toBe('AUTHENTICATION_FAILED');
    expect(error.errors[0]!.source).toBe('Gateway');
    expect(error.errors[0]!.description).toContain('OAuth signatures did not match');
    expect(error.message).toContain('AUTHENTICATION_FAILED');
    const rendered = [String(error), error.stack, JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
    const forms = (v: string) => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))];
    const leaked = [...forms(CONSUMER_KEY), ...forms(CONSUMER_KEY.slice(0, 24)), ...forms(sentAuthInfo)].filter((f) => rendered.includes(f));
    expect(leaked).toEqual([]);
  });

  it('a token that looks like a word (letters only, under 32) is still scrubbed: the module removes what it sent, not only what looks secret', async () => {
    const WORDY = 'OnlyLettersTokenValue';
    server.responder = (req, res) =>
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(
        // The token alone, between spaces: no punctuation for a heuristic to catch.
        JSON.stringify({ Errors: { Error: [{ ReasonCode: 'INVALID_REQUEST', Description: `bad request for token ${new URL(req.url ?? '/', 'http://x').searchParams.get('UserToken')} here` }] } }),
      );
    const ref = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo: { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' }, http: { retry: false } })],
    }).compile();
    const error = (await ref.get(LegacyUserPresentmentService).getUserSavings({ userToken: WORDY }).catch((e: unknown) => e)) as PersonalizedOffersApiError;
    await ref.close();
    expect(server.requests.at(-1)!.url).toContain(`UserToken=${WORDY}`);
    expect(error.errors[0]!.reasonCode).toBe('INVALID_REQUEST');
    expect(error.errors[0]!.description).toContain('bad request');
    expect([String(error), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n')).not.toContain(WORDY);
  });

  it('INVALID_BODY_HASH and other constant codes survive the excerpt redactor', async () => {
    server.responder = (_req, res) =>
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({ Errors: { Error: [{ Source: 'Gateway', ReasonCode: 'INVALID_BODY_HASH', Description: 'The provided oauth_body_hash does not match the SHA256 hash of the request payload.' }] } }),
      );
    const ref = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo: { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' }, http: { retry: false } })],
    }).compile();
    const error = (await ref.get(UserTokenService).getUserToken('hash-user').catch((e: unknown) => e)) as PersonalizedOffersApiError;
    await ref.close();
    expect(error.errors[0]!.reasonCode).toBe('INVALID_BODY_HASH');
    expect(error.errors[0]!.description).toContain('does not match the SHA256 hash');
  });
});
