import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  InvalidArgumentError,
  LegacyUserPresentmentService,
  PersonalizedOffersApiError,
  PersonalizedOffersError,
  PersonalizedOffersInvalidResponseError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { rsaKeyPair } from './support/keys.js';
import { LoopbackServer } from './support/loopback-server.js';

/*
 * Issue 17, "bad days": hostile input from the caller (credentials that cannot be sent, path
 * segments that would move the request) and from the upstream (answers that echo back everything
 * the module sent, plus the user id; bodies nested 100 000 levels deep). Everything runs against
 * real loopback HTTP servers; nothing is mocked.
 */

const AUTH_INFO = { key: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', iv: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', encoding: 'base64' as const };
const CURRENT = '/loyalty/offers/user-presentment';

/** `error`, exactly of class `cls` (not a subclass, not a base class). */
function expectExactly(error: unknown, cls: abstract new (...args: never[]) => Error, fields: Record<string, unknown> = {}): void {
  expect(error).toBeInstanceOf(cls);
  expect((error as Error).constructor).toBe(cls);
  expect(error).toMatchObject(fields);
}

/** The rejection of `promise`, or a marker object when it resolved. */
const rejectionOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => ({ unexpectedlyResolved: value }),
    (error: unknown) => error,
  );

/** Reads a request's body, then answers. */
function withBody(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8'), res));
  };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));

const LEGACY_OK = { Status: { Code: '600', Message: 'Success' } };

/** What a well-behaved upstream answers to each request of this file (by path). */
function answerWell(req: IncomingMessage, res: ServerResponse, mintedAccessToken = 'MintedAccessTokenWell', mintedUserToken = 'MintedUserTokenWellX'): unknown {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === `${CURRENT}/access-tokens`) return json(res, 200, { accessToken: mintedAccessToken });
  if (path === '/plo/v1/usertoken') return json(res, 200, { Response: { ...LEGACY_OK, UserToken: { Token: mintedUserToken } } });
  if (path === '/plo/v1/matchedoffers')
    return json(res, 200, { Response: { ...LEGACY_OK, TotalCount: '0', CurrentPage: '1', NumberOfPages: '0', ItemsPerPage: '10' } });
  if (path === `${CURRENT}/offers`) return json(res, 200, { offset: 0, limit: 10, total: 1, count: 1, offers: [{ id: 'o-1' }] });
  if (path === `${CURRENT}/activations`) return json(res, 200, { activations: [{ id: 'a-1', status: 'QUEUED', offerId: 'o-1' }] });
  if (path === '/loyalty/offers/impressions') return json(res, 200, '"received"');
  const segments = path.split('/');
  if (path.startsWith(`${CURRENT}/offers/`)) return json(res, 200, { userOfferDetails: { id: decodeURIComponent(segments[5]) } });
  if (path.startsWith(`${CURRENT}/offer-ratings/`)) return json(res, 200, { offerRating: { offerId: decodeURIComponent(segments[5]), like: 1 } });
  json(res, 404, { Errors: { Error: [{ ReasonCode: 'NOT_FOUND', Description: 'no such route in this test', Source: 'test' }] } });
}

async function bootModule(
  baseUrl: string,
  extra: Partial<PersonalizedOffersModuleOptions> = {},
  logger?: ReturnType<typeof captureLogger>['logger'],
): Promise<TestingModule> {
  const builder = Test.createTestingModule({
    imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo: AUTH_INFO, ...extra })],
  });
  if (logger) builder.setLogger(logger);
  return builder.compile();
}

// ---------------------------------------------------------------------------------------------
// 1. Credentials the caller holds that cannot be sent
// ---------------------------------------------------------------------------------------------

describe('caller-held credentials that cannot be sent are refused before any I/O', () => {
  const server = new LoopbackServer();
  let ref: TestingModule;
  let presentment: UserPresentmentService;
  let legacy: LegacyUserPresentmentService;

  beforeAll(async () => {
    server.responder = (req, res) => answerWell(req, res);
    const baseUrl = await server.start();
    // The circuit breaker at its defaults (opens after 5 consecutive failures): the point of the breaker test.
    ref = await bootModule(baseUrl, { http: { timeoutMs: 5_000, retry: { retries: 2, minDelayMs: 0, maxDelayMs: 5 } } });
    presentment = ref.get(UserPresentmentService);
    legacy = ref.get(LegacyUserPresentmentService);
  });
  afterAll(async () => {
    await ref.close();
    await server.stop();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  const BAD: Array<[string, string]> = [
    ['an emoji', 'tok😀'],
    ['a U+2028 line separator', 'tok\u2028x'],
    ['a space', 'tok en'],
  ];
  type Call = [string, string, (bad: string) => Promise<unknown>];
  const CALLS: Call[] = [
    ['getOffers({ accessToken })', 'user.accessToken', (bad) => presentment.getOffers({ accessToken: bad })],
    ['processActivations({ accessToken })', 'user.accessToken', (bad) => presentment.processActivations({ accessToken: bad }, { offerId: 'o-1' })],
    ['legacy matchedOffers({ userToken })', 'user.userToken', (bad) => legacy.matchedOffers({ userToken: bad })],
  ];
  const table = CALLS.flatMap(([call, argument, run]) => BAD.map(([what, bad]) => [call, what, argument, bad, run] as const));

  it.each(table)('%s with %s in the token rejects with InvalidArgumentError naming %s, and sends no request', async (_call, _what, argument, bad, run) => {
    const error = await rejectionOf(run(bad));
    // Exactly InvalidArgumentError: not a network error, not PersonalizedOffersOutcomeUnknownError for the write.
    expectExactly(error, InvalidArgumentError, { code: 'INVALID_ARGUMENT', argument });
    expect((error as Error).message).not.toContain(bad);
    expect(server.requests).toHaveLength(0);
  });

  it('after 12 unsendable access tokens in a row (the breaker opens after 5 failures), valid callers of getOffers, processActivations and matchedOffers still succeed', async () => {
    const unsendable = ['tok😀', 'tok\u2028x'];
    for (let i = 0; i < 12; i++) {
      const bad = unsendable[i % 2];
      const call = i % 3 === 2 ? presentment.processActivations({ accessToken: bad }, { offerId: 'o-1' }) : presentment.getOffers({ accessToken: bad });
      expectExactly(await rejectionOf(call), InvalidArgumentError, { argument: 'user.accessToken' });
    }
    expect(server.requests).toHaveLength(0);
    await expect(presentment.getOffers({ accessToken: 'GoodAccessTokenValue' })).resolves.toMatchObject({ offers: [{ id: 'o-1' }] });
    await expect(presentment.processActivations({ accessToken: 'GoodAccessTokenValue' }, { offerId: 'o-1' })).resolves.toMatchObject({
      activations: [{ id: 'a-1' }],
    });
    await expect(legacy.matchedOffers({ userToken: 'GoodUserTokenValue' })).resolves.toMatchObject({ Status: { Code: '600' } });
    expect(server.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`)).toEqual([
      `GET ${CURRENT}/offers`,
      `POST ${CURRENT}/activations`,
      'GET /plo/v1/matchedoffers',
    ]);
    expect(server.requests[0].headers['x-auth-token']).toBe('GoodAccessTokenValue');
  });

  it.each([
    [
      'an access token',
      'getOffers',
      'createAccessToken',
      `${CURRENT}/access-tokens`,
      (ref: TestingModule) => ref.get(UserPresentmentService).getOffers('minted-user'),
    ],
    [
      'a user token',
      'matchedOffers',
      'getUserToken',
      '/plo/v1/usertoken',
      (ref: TestingModule) => ref.get(LegacyUserPresentmentService).matchedOffers('minted-user'),
    ],
  ] as const)(
    '%s the upstream mints with a space in it: %s fails with PersonalizedOffersInvalidResponseError from %s, is never sent, and the token is not cached (the next call mints again)',
    async (_what, _call, mint, mintPath, call) => {
      const mintingBadly = new LoopbackServer();
      mintingBadly.responder = (req, res) => answerWell(req, res, 'minted access token', 'minted user token');
      const baseUrl = await mintingBadly.start();
      const badRef = await bootModule(baseUrl, { http: { retry: false } });
      try {
        for (let i = 0; i < 2; i++) {
          const error = await rejectionOf(call(badRef));
          expectExactly(error, PersonalizedOffersInvalidResponseError, { code: 'INVALID_RESPONSE', operation: mint });
          expect((error as Error).message).not.toContain('minted');
        }
        expect(mintingBadly.requests.map((r) => new URL(r.url, 'http://x').pathname)).toEqual([mintPath, mintPath]);
      } finally {
        await badRef.close();
        await mintingBadly.stop();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 2. Path segments
// ---------------------------------------------------------------------------------------------

describe('offer ids in the path: traversal refused before any I/O, odd ids sent encoded in one segment', () => {
  const server = new LoopbackServer();
  let ref: TestingModule;
  let presentment: UserPresentmentService;
  const TOKEN = { accessToken: 'PathTestAccessToken' };

  beforeAll(async () => {
    server.responder = (req, res) => answerWell(req, res);
    const baseUrl = await server.start();
    ref = await bootModule(baseUrl, { http: { timeoutMs: 5_000, retry: false } });
    presentment = ref.get(UserPresentmentService);
  });
  afterAll(async () => {
    await ref.close();
    await server.stop();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  type Op = [string, (offerId: string) => Promise<unknown>, (segment: string) => string, string];
  const OPS: Op[] = [
    ['getOffer', (id) => presentment.getOffer(TOKEN, id), (s) => `${CURRENT}/offers/${s}`, 'GET'],
    ['getOfferRating', (id) => presentment.getOfferRating(TOKEN, id), (s) => `${CURRENT}/offer-ratings/${s}`, 'GET'],
    ['createOfferRating', (id) => presentment.createOfferRating(TOKEN, id, { like: 1 }), (s) => `${CURRENT}/offer-ratings/${s}/likes`, 'POST'],
  ];

  const traversal = OPS.flatMap(([name, run]) => (['..', '.', ''] as const).map((id) => [name, JSON.stringify(id), id, run] as const));
  it.each(traversal)('%s with offerId %s rejects with InvalidArgumentError naming offerId, and sends no request', async (name, _shown, id, run) => {
    const error = await rejectionOf(run(id));
    expectExactly(error, InvalidArgumentError, { code: 'INVALID_ARGUMENT', argument: 'offerId', operation: name });
    expect(server.requests).toHaveLength(0);
  });

  const ODD: Array<[string, string]> = [
    ['a/b', 'a%2Fb'],
    ['%2e%2e', '%252e%252e'],
    ['x y', 'x%20y'],
  ];
  const odd = OPS.flatMap(([name, run, pathOf, method]) => ODD.map(([id, segment]) => [name, id, segment, run, pathOf, method] as const));
  it.each(odd)('%s with offerId %j is sent once, as the single path segment %s', async (_name, id, segment, run, pathOf, method) => {
    await expect(run(id)).resolves.toBeDefined();
    expect(server.requests).toHaveLength(1);
    const received = server.requests[0];
    expect(received.method).toBe(method);
    // The raw request target, exactly as it reached the server: no normalization, no extra segment.
    expect(received.url).toBe(pathOf(segment));
    const segments = received.url.split('/');
    expect(segments).toHaveLength(pathOf('x').split('/').length);
    expect(decodeURIComponent(segments[5])).toBe(id);
  });
});

// ---------------------------------------------------------------------------------------------
// 3 + 4. A hostile upstream echoing everything, on every error path
// ---------------------------------------------------------------------------------------------

/** Every form a value may come back in: as is, JSON-escaped, form-, percent- and double-percent-encoded. */
function formsOf(value: string): Array<[string, string]> {
  const rfc3986 = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const forms: Array<[string, string]> = [
    ['as sent', value],
    ['JSON-escaped', JSON.stringify(value).slice(1, -1)],
    ['form-encoded', encodeURIComponent(value).replace(/%20/g, '+')],
    ['percent-encoded', encodeURIComponent(value)],
    ['RFC 3986-encoded', rfc3986(value)],
    ['double-percent-encoded', encodeURIComponent(encodeURIComponent(value))],
    ['double RFC 3986-encoded', rfc3986(rfc3986(value))],
  ];
  const seen = new Set<string>();
  return forms.filter(([, f]) => !seen.has(f.toLowerCase()) && seen.add(f.toLowerCase()));
}

/** Every string an error holds (own fields, nested objects and arrays, the cause chain), as stored: no rendering escapes them. */
function stringsOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const keys = Object.getOwnPropertyNames(value);
  return keys.flatMap((k) => stringsOf((value as Record<string, unknown>)[k], seen));
}

/** Each `[name, value]` secret found (case-insensitively, in any form) in `text`, described. */
function leaksIn(text: string, secrets: Array<[string, string]>): string[] {
  const haystack = text.toLowerCase();
  const found: string[] = [];
  for (const [name, value] of secrets) {
    for (const [form, f] of formsOf(value)) {
      const at = haystack.indexOf(f.toLowerCase());
      if (at >= 0) found.push(`${name} (${form}) in …${text.slice(Math.max(0, at - 40), at + f.length + 20)}…`);
    }
  }
  return found;
}

describe.each([
  ['an e-mail-like user id', 'Jane.Doe.X@Bank.example'],
  ['a quoted e-mail user id with a space, a quote and a plus', '"Jane Doe"+X@Bank.example'],
])('a hostile upstream that echoes back everything it received, and %s', (_label, USER_ID) => {
  // Digit-free tokens under 32 characters: no "secret-looking run" heuristic can catch them, only exact scrubbing.
  const HELD_USER_TOKEN = 'QwertyHeldUserTokenZ';
  const HELD_ACCESS_TOKEN = 'AsdfghHeldAccessTokX';
  const MINTED_USER_TOKEN = 'ZxcvbMintedUserTokeN';
  const MINTED_ACCESS_TOKEN = 'PoiuyMintedAccessTkn';
  const CONSUMER_KEY = 'BadDaysConsumerKey_abc!f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687';
  const { privateKey } = rsaKeyPair();
  const server = new LoopbackServer();
  const { logger, lines: logs } = captureLogger();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  /**
   * The secrets this request carried (the AuthInfo, a token in the query, header or body, the
   * consumer key in the Authorization header, the user id in the access-token mint's body), and
   * the user id planted on purpose when the call was made by user id (the module knows it,
   * although the legacy API only sends it encrypted). A call with a token the caller holds never
   * gives the module the user id, so nothing could scrub it: not planted there.
   */
  function carried(req: IncomingMessage, body: string): string[] {
    const wire = `${req.url} ${String(req.headers['x-auth-token'])} ${body}`;
    const held = [HELD_USER_TOKEN, HELD_ACCESS_TOKEN].some((t) => wire.includes(t));
    const values: string[] = held ? [] : [USER_ID];
    const authInfo = new URL(req.url ?? '/', 'http://x').searchParams.get('AuthInfo');
    if (authInfo) values.push(authInfo);
    for (const token of [HELD_USER_TOKEN, HELD_ACCESS_TOKEN, MINTED_USER_TOKEN, MINTED_ACCESS_TOKEN]) if (wire.includes(token)) values.push(token);
    if (req.headers.authorization) values.push(CONSUMER_KEY);
    return values;
  }

  /**
   * What the upstream echoes of one request. Excerpts keep ~120 characters of each upstream text,
   * so each echoed secret is put at the start of a text of its own: `forms` (every carried secret
   * in every form, as is, lower- and upper-cased, one per text), `lines` (the request line, each
   * header, the body), and `short` (the forms joined, led by the first carried value, the user
   * id when planted, as sent and in another of its forms in turn, the rest rotated by one per request so that across the run each
   * form comes early in a single-text echo: a Status.Message, an HTML page).
   */
  interface Echo {
    forms: string[];
    lines: string[];
    short: string;
  }
  let rotation = 0;
  function echo(req: IncomingMessage, body: string): Echo {
    const formsOfValue = carried(req, body).map((v) => [...new Set(formsOf(v).flatMap(([, f]) => [f, f.toLowerCase(), f.toUpperCase()]))]);
    const unique = [...new Set(formsOfValue.flat())];
    const r = rotation++;
    const rotated = [...unique.slice(r % unique.length), ...unique.slice(0, r % unique.length)];
    // The first carried value (the user id, when planted) always leads: as sent, then in another of its forms in turn.
    const lead = [...new Set([formsOfValue[0][0], formsOfValue[0][r % formsOfValue[0].length]])];
    const lines = [`${req.method} ${req.url}`, ...Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`), body];
    return { forms: unique, lines, short: [...lead, ...rotated.filter((f) => !lead.includes(f))].join(' ') };
  }
  /** Everything in one text: what a single-text echo carries after its leading part. */
  const all = (e: Echo) => [e.short, ...e.lines].join(' | ');

  type Kind = 'mintUser' | 'mintAccess' | 'legacy' | 'current';
  const kindOf = (req: IncomingMessage): Kind => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/plo/v1/usertoken') return 'mintUser';
    if (path === `${CURRENT}/access-tokens`) return 'mintAccess';
    return path.startsWith('/plo/') ? 'legacy' : 'current';
  };
  /**
   * Errors.Error items whose every field leads with another echoed text: the rotating echo first
   * (it makes the message), then each form, then the request lines. More items than the module
   * keeps (it keeps the first 10): the forms come first.
   */
  const errorBody = (e: Echo, source?: string) => {
    const slots = [e.short, ...e.forms, ...e.lines];
    const items: Array<Record<string, unknown>> = [];
    for (let i = 0; i < slots.length; i += 4) {
      items.push({
        ReasonCode: slots[i],
        Source: source ?? slots.at(i + 1) ?? 'x',
        Description: slots[i + 2] ?? slots[i],
        Details: slots[i + 3] ?? slots[i],
        Recoverable: false,
      });
    }
    return JSON.stringify({ Errors: { Error: items } });
  };
  type Answer = { status: number; headers?: Record<string, string>; body: string };
  const MODES: Array<[string, (e: Echo, kind: Kind) => Answer]> = [
    ['400 with Errors.Error items echoing the request', (e) => ({ status: 400, body: errorBody(e) })],
    ['401 with Errors.Error items echoing the request', (e) => ({ status: 401, body: errorBody(e) })],
    ['403 from the gateway (Source "Gateway") echoing the request', (e) => ({ status: 403, body: errorBody(e, 'Gateway') })],
    ['404 with Errors.Error items echoing the request', (e) => ({ status: 404, body: errorBody(e) })],
    ['500 with Errors.Error items echoing the request', (e) => ({ status: 500, body: errorBody(e) })],
    ['503 with Errors.Error items echoing the request', (e) => ({ status: 503, headers: { 'Retry-After': '0' }, body: errorBody(e) })],
    ['400 with a plain-text body echoing the request', (e) => ({ status: 400, headers: { 'Content-Type': 'text/plain' }, body: all(e) })],
    ['500 with an HTML page echoing the request', (e) => ({ status: 500, headers: { 'Content-Type': 'text/html' }, body: `<p>${all(e)}</p>` })],
    [
      '302 redirect whose body and Location echo the request',
      (e) => ({ status: 302, headers: { Location: `http://127.0.0.1:1/${encodeURIComponent(e.short).slice(0, 2000)}` }, body: all(e) }),
    ],
    ['200 with malformed JSON echoing the request', (e) => ({ status: 200, body: `{"x":"${all(e)}` })],
    [
      '200 with valid JSON of the wrong shape echoing the request',
      (e) => ({
        status: 200,
        body: JSON.stringify({
          echo: e.short,
          Response: { Status: { Code: '600', Message: { echo: all(e) } }, UserToken: { Token: { echo: e.short } }, Items: e.short, TotalCount: e.short },
          accessToken: { echo: e.short },
          offers: e.short,
          activations: e.short,
          count: e.short,
        }),
      }),
    ],
    [
      '200 with a non-600 Status whose Code and Message echo the request (legacy; 409 with Errors on the current API)',
      (e, kind) =>
        kind === 'legacy' || kind === 'mintUser'
          ? {
              status: 200,
              body: JSON.stringify({ Response: { Status: { Code: `601 ${e.short}`, Message: e.short }, UserToken: { Token: MINTED_USER_TOKEN } } }),
            }
          : { status: 409, body: errorBody(e) },
    ],
  ];

  /** Secrets to look for: the user id, every token, every AuthInfo the server saw, the consumer key. */
  const secrets = (): Array<[string, string]> => {
    const authInfos = server.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('AuthInfo')).filter((v): v is string => !!v);
    return [
      ['the user id', USER_ID],
      ['the held user token', HELD_USER_TOKEN],
      ['the held access token', HELD_ACCESS_TOKEN],
      ['the minted user token', MINTED_USER_TOKEN],
      ['the minted access token', MINTED_ACCESS_TOKEN],
      ['the consumer key', CONSUMER_KEY],
      ...[...new Set(authInfos)].map((a, i) => [`AuthInfo #${i + 1}`, a] as [string, string]),
    ];
  };

  const table = MODES.flatMap(([mode, answer]) =>
    (['the token mints fail the same way', 'the token mints succeed'] as const).map((phase) => [mode, phase, answer] as const),
  );

  it.each(table)(
    '%s (%s): every call fails with a typed error, and no error field or rendering nor log line at any level carries the user id, a token, the AuthInfo or the consumer key',
    async (mode, phase, answer) => {
      const mintsFail = phase === 'the token mints fail the same way';
      server.requests.length = 0;
      server.responder = withBody((req, body, res) => {
        const kind = kindOf(req);
        if (!mintsFail && kind === 'mintUser') return json(res, 200, { Response: { ...LEGACY_OK, UserToken: { Token: MINTED_USER_TOKEN } } });
        if (!mintsFail && kind === 'mintAccess') return json(res, 200, { accessToken: MINTED_ACCESS_TOKEN });
        const a = answer(echo(req, body), kind);
        res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers }).end(a.body);
      });
      const logsBefore = logs.length;
      const ref = await bootModule(
        baseUrl,
        {
          oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey },
          http: { timeoutMs: 5_000, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 5 }, circuitBreaker: false },
        },
        logger,
      );
      const users = ref.get(UserTokenService);
      const legacy = ref.get(LegacyUserPresentmentService);
      const presentment = ref.get(UserPresentmentService);
      const impressions = [{ offerId: 'o-1', order: 1, activityType: 'VIEWED' as const, activityTimestamp: '2026-01-01T00:00:00Z' }];
      const byId: Array<[string, () => Promise<unknown>]> = [
        ['getUserToken(userId)', () => users.getUserToken(USER_ID)],
        ['matchedOffers(userId)', () => legacy.matchedOffers(USER_ID)],
        ['getOffers(userId)', () => presentment.getOffers(USER_ID)],
        ['processActivations(userId)', () => presentment.processActivations(USER_ID, { offerId: 'o-1' })],
        ['publishImpressions(userId)', () => presentment.publishImpressions(USER_ID, impressions)],
      ];
      const held: Array<[string, () => Promise<unknown>]> = [
        ['matchedOffers({ userToken })', () => legacy.matchedOffers({ userToken: HELD_USER_TOKEN })],
        ['getOffers({ accessToken })', () => presentment.getOffers({ accessToken: HELD_ACCESS_TOKEN })],
        ['processActivations({ accessToken })', () => presentment.processActivations({ accessToken: HELD_ACCESS_TOKEN }, { offerId: 'o-1' })],
        ['publishImpressions({ accessToken })', () => presentment.publishImpressions({ accessToken: HELD_ACCESS_TOKEN }, impressions)],
      ];
      // With the mints succeeding, getUserToken succeeds: every other call still meets the hostile answer.
      const calls = mintsFail ? byId : [...byId.slice(1), ...held];
      const outcomes: Array<[string, unknown]> = [];
      try {
        for (const [name, run] of calls) outcomes.push([name, await rejectionOf(run())]);
      } finally {
        await ref.close();
      }

      // Every call failed with one of the module's typed errors.
      expect(outcomes.filter(([, e]) => !(e instanceof PersonalizedOffersError)).map(([name, e]) => `${name}: ${inspect(e, { depth: 2 })}`)).toEqual([]);

      // The run really put the secrets on the wire, and the upstream really echoed them.
      expect(server.requests.length).toBeGreaterThanOrEqual(calls.length);
      const wire = server.requests.map((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body.toString('utf8')}`).join('\n');
      if (mintsFail) expect(wire).toContain('AuthInfo=');
      expect(wire).toContain(JSON.stringify(USER_ID).slice(1, -1)); // the access-token mint's body
      if (!mintsFail) for (const token of [HELD_USER_TOKEN, HELD_ACCESS_TOKEN, MINTED_USER_TOKEN, MINTED_ACCESS_TOKEN]) expect(wire).toContain(token);

      const known = secrets();
      const leaks: string[] = [];
      const renderings: string[] = [];
      for (const [name, e] of outcomes) {
        const error = e as Error;
        const rendered: Array<[string, string]> = [
          ['fields', stringsOf(error).join('\n')],
          ['message', error.message],
          ['JSON.stringify', JSON.stringify(error)],
          ['util.inspect', inspect(error, { depth: 10 })],
          ['stack', String(error.stack)],
        ];
        for (const [how, text] of rendered) {
          renderings.push(text);
          for (const leak of leaksIn(text, known)) leaks.push(`${name} → ${error.name} ${how}: ${leak}`);
        }
      }
      const lines = logs.slice(logsBefore);
      for (const line of lines) for (const leak of leaksIn(line, known)) leaks.push(`log line "${line.slice(0, 60)}…": ${leak}`);
      expect(leaks).toEqual([]);

      // Not vacuous: the echoes reached the errors (and were scrubbed there), and debug lines were written.
      expect(renderings.some((r) => r.includes('[redacted]'))).toBe(true);
      expect(lines.some((l) => l.startsWith('debug '))).toBe(true);
    },
  );
});

describe('a DOMAIN\\user id echoed by an upstream that quotes the request body inside its own JSON', () => {
  const USER_ID = 'BANK\\jane.doe';
  const server = new LoopbackServer();
  let ref: TestingModule;

  beforeAll(async () => {
    // Not the Errors.Error shape, so the module keeps an excerpt of the raw body, where the request body
    // (JSON, the user id escaped once) sits inside a JSON string (escaped a second time).
    server.responder = withBody((_req, body, res) => json(res, 400, { message: 'bad request', request: body }));
    const baseUrl = await server.start();
    ref = await bootModule(baseUrl, { http: { retry: false, circuitBreaker: false } });
  });
  afterAll(async () => {
    await ref.close();
    await server.stop();
  });

  it('getOffers(userId): the access-token mint fails with a PersonalizedOffersApiError whose bodyExcerpt, message, JSON and inspect carry the user id in no form, escaped twice included', async () => {
    const error = (await rejectionOf(ref.get(UserPresentmentService).getOffers(USER_ID))) as PersonalizedOffersApiError;
    expectExactly(error, PersonalizedOffersApiError, { status: 400, operation: 'createAccessToken' });
    // The request did carry it, escaped once, and the answer carried it escaped twice.
    expect(server.requests.at(-1)!.body.toString('utf8')).toContain('"userId":"BANK\\\\jane.doe"');
    const twice = JSON.stringify(JSON.stringify(USER_ID).slice(1, -1)).slice(1, -1);
    const rendered = [...stringsOf(error), error.message, JSON.stringify(error), inspect(error, { depth: 10 }), String(error.stack)].join('\n');
    expect(
      leaksIn(rendered, [
        ['the user id', USER_ID],
        ['the user id escaped twice', twice],
      ]),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Depth
// ---------------------------------------------------------------------------------------------

describe('answers nested absurdly deep', () => {
  const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);
  const server = new LoopbackServer();
  let ref: TestingModule;
  let presentment: UserPresentmentService;
  let legacy: LegacyUserPresentmentService;
  let users: UserTokenService;
  let answer = '';
  let status = 200;
  const HELD = { accessToken: 'DepthTestAccessToken' };

  /** A value nested `levels` containers deep (objects and arrays alternating), with a string leaf. */
  function nested(levels: number): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { [`k${i}`]: v };
    return v;
  }
  const page = (extra: string) => `{"offset":0,"limit":10,"total":1,"count":1,"offers":[{"id":"o-1"}],${extra}}`;

  beforeAll(async () => {
    server.responder = (_req, res) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(answer);
    const baseUrl = await server.start();
    ref = await bootModule(baseUrl, { http: { timeoutMs: 10_000, retry: false, circuitBreaker: false } });
    presentment = ref.get(UserPresentmentService);
    legacy = ref.get(LegacyUserPresentmentService);
    users = ref.get(UserTokenService);
  });
  afterAll(async () => {
    await ref.close();
    await server.stop();
  });
  beforeEach(() => {
    status = 200;
  });

  it('getOffers: an unknown field nested 100 000 arrays deep is dropped, the call resolves, and JSON.stringify(result) does not throw', async () => {
    answer = page(`"deepUnknown":${DEEP}`);
    const result = (await presentment.getOffers(HELD)) as unknown as Record<string, unknown>;
    let serialized = '';
    expect(() => (serialized = JSON.stringify(result))).not.toThrow();
    expect(JSON.parse(serialized)).toMatchObject({ total: 1, offers: [{ id: 'o-1' }] });
    expect('deepUnknown' in result).toBe(false);
  });

  it('getOffers: an unknown field nested 10 levels deep is kept exactly as it came, next to one nested 100 000 deep inside an offer', async () => {
    const ten = nested(10);
    answer = `{"offset":0,"count":1,"offers":[{"id":"o-1","deepInOffer":${DEEP},"tenInOffer":${JSON.stringify(ten)}}],"tenUnknown":${JSON.stringify(ten)}}`;
    const result = (await presentment.getOffers(HELD)) as unknown as Record<string, unknown> & { offers: Array<Record<string, unknown>> };
    expect(() => JSON.stringify(result)).not.toThrow();
    expect(result.tenUnknown).toEqual(ten);
    expect(result.offers[0].tenInOffer).toEqual(ten);
    expect('deepInOffer' in result.offers[0]).toBe(false);
  });

  it('getOffers: an unknown field nested 32 levels is kept, one nested 33 levels is dropped', async () => {
    answer = page(`"at32":${JSON.stringify(nested(32))},"at33":${JSON.stringify(nested(33))}`);
    const result = (await presentment.getOffers(HELD)) as unknown as Record<string, unknown>;
    expect(result.at32).toEqual(nested(32));
    expect('at33' in result).toBe(false);
  });

  it.each([
    ['the offers list itself', `{"offset":0,"offers":${DEEP}}`],
    ['an offer’s merchant.locations', `{"offset":0,"offers":[{"id":"o-1","merchant":{"locations":${DEEP}}}]}`],
    ['an offer’s latitude-bearing location', `{"offset":0,"offers":[{"id":"o-1","merchant":{"locations":[{"latitude":${DEEP}}]}}]}`],
  ])('getOffers: 100 000 levels of arrays in %s is a PersonalizedOffersInvalidResponseError, not a RangeError', async (_where, body) => {
    answer = body;
    const error = await rejectionOf(presentment.getOffers(HELD));
    expectExactly(error, PersonalizedOffersInvalidResponseError, { code: 'INVALID_RESPONSE', status: 200, operation: 'getOffers' });
    expect(() => JSON.stringify(error)).not.toThrow();
  });

  it('legacy matchedOffers: an unknown field nested 100 000 deep is dropped and the page is returned', async () => {
    answer = `{"Response":{"Status":{"Code":"600","Message":"Success"},"TotalCount":"0","deepUnknown":${DEEP}}}`;
    const result = (await legacy.matchedOffers({ userToken: 'DepthTestUserToken' })) as unknown as Record<string, unknown>;
    expect(() => JSON.stringify(result)).not.toThrow();
    expect(result).toMatchObject({ Status: { Code: '600' }, TotalCount: 0 });
    expect('deepUnknown' in result).toBe(false);
  });

  it('legacy matchedOffers: 100 000 levels of arrays in Items.MatchedOffer is a PersonalizedOffersInvalidResponseError, not a RangeError', async () => {
    answer = `{"Response":{"Status":{"Code":"600"},"Items":{"MatchedOffer":${DEEP}}}}`;
    const error = await rejectionOf(legacy.matchedOffers({ userToken: 'DepthTestUserToken' }));
    expectExactly(error, PersonalizedOffersInvalidResponseError, { code: 'INVALID_RESPONSE', operation: 'matchedOffers' });
  });

  it('getUserToken: a 200 carrying an unknown field nested 100 000 deep still yields the token', async () => {
    answer = `{"Response":{"Status":{"Code":"600","Message":"Success"},"UserToken":{"Token":"DeepMintedToken"},"deepUnknown":${DEEP}},"deepToo":${DEEP}}`;
    await expect(users.getUserToken('depth-user', { refresh: true })).resolves.toBe('DeepMintedToken');
  });

  it('getUserToken: a 200 whose Response.Status is nested 100 000 deep is a PersonalizedOffersInvalidResponseError, not a RangeError', async () => {
    answer = `{"Response":{"Status":${DEEP},"UserToken":{"Token":"DeepMintedToken"}}}`;
    const error = await rejectionOf(users.getUserToken('depth-user', { refresh: true }));
    expectExactly(error, PersonalizedOffersInvalidResponseError, { code: 'INVALID_RESPONSE', operation: 'getUserToken' });
  });

  it('a 400 whose Errors.Error is nested 100 000 deep is a PersonalizedOffersApiError (status 400), not a RangeError', async () => {
    status = 400;
    answer = `{"Errors":{"Error":${DEEP}}}`;
    const error = await rejectionOf(presentment.getOffers(HELD));
    expectExactly(error, PersonalizedOffersApiError, { status: 400, operation: 'getOffers' });
    expect(() => JSON.stringify(error)).not.toThrow();
    expect(() => inspect(error, { depth: 10 })).not.toThrow();
  });
});
