import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  LegacyUserPresentmentService,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersOutcomeUnknownError,
  PersonalizedOffersOverloadedError,
  PersonalizedOffersResponseTooLargeError,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { rsaKeyPair } from './support/keys.js';
import { LoopbackServer, type Responder, answerOk, okBody } from './support/loopback-server.js';
import { parseAuthorization } from './support/oauth-verifier.js';

/**
 * Issue 17, production's bad days, at the transport, against real loopback HTTP servers:
 * 1. a burst far past `http.maxSockets` (the module's own queue: its wait never counts toward
 *    `timeoutMs`; past `queueTimeoutMs` or `maxQueueLength` a `PersonalizedOffersOverloadedError`);
 * 2. answers past `http.maxResponseBytes` (declared, chunked, or gzip that inflates past it);
 * 3. redirects (never followed; only 2xx is a success);
 * 4. clock skew (named on a refusal; `oauth.clockSkewCorrection` signs with the server's clock).
 */

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const TRANSPORTS = ['undici', 'node'] as const;

const MiB = 1024 * 1024;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * MiB;
const authInfo = { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' };
const ACCESS_TOKEN = 'access-token-for-bad-days';
const USER_TOKEN = 'user-token-for-bad-days';
const JSON_TYPE = { 'Content-Type': 'application/json' };
/** processActivations' answer that confirms the activation was queued. */
const ACTIVATIONS_BODY = JSON.stringify({ activations: [{ id: 'a-1', status: 'QUEUED', offerId: 'o1' }] });
/** activateStatementCreditOffer's answer that confirms the activation. */
const SC_ACTIVATION_BODY = JSON.stringify({
  Response: { Status: { Code: '600', Message: 'Success' }, ScActivation: { ActivationId: '7', OfferId: 'o1', Status: 'ACTIVATED' } },
});

/** A loopback server that also counts the requests it is answering at once. */
class Upstream extends LoopbackServer {
  inFlight = 0;
  maxInFlight = 0;

  /** Answers with `responder`, counting each request as in flight until its response closes. */
  answer(responder: Responder): void {
    this.responder = (req, res, index) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.once('close', () => this.inFlight--);
      responder(req, res, index);
    };
  }

  /** Forgets everything of the previous test, once the previous test's connections are gone. */
  async reset(): Promise<void> {
    await waitFor(() => this.sockets.size === 0);
    this.requests.length = 0;
    this.connections = 0;
    this.maxConcurrentConnections = 0;
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.answer(answerOk);
  }
}

/** `responder`, `ms` after the request arrived. */
const after =
  (ms: number, responder: Responder): Responder =>
  (req, res, index) => {
    const timer = setTimeout(() => responder(req, res, index), ms);
    res.once('close', () => clearTimeout(timer));
  };

/** `json` followed by spaces (still the same JSON) up to exactly `bytes` bytes. */
function padded(json: string, bytes: number): string {
  if (Buffer.byteLength(json) > bytes) throw new Error('body longer than the padding target');
  return json + ' '.repeat(bytes - Buffer.byteLength(json));
}

/** What a lazily streamed answer got out before the client hung up. */
interface StreamedAnswer {
  bytesWritten: number;
  finished: boolean;
  socketClosed: boolean;
}

const FILLER = Buffer.alloc(64 * 1024, 0x20);

/**
 * A 200 of `total` bytes (with a Content-Length, or chunked without one), written one reused
 * 64 KiB chunk at a time as the socket drains: nothing near `total` is ever held in memory.
 */
function streamLazily(req: IncomingMessage, res: ServerResponse, total: number, declareLength: boolean): StreamedAnswer {
  const sent: StreamedAnswer = { bytesWritten: 0, finished: false, socketClosed: false };
  req.socket.once('close', () => (sent.socketClosed = true));
  res.writeHead(200, declareLength ? { ...JSON_TYPE, 'Content-Length': String(total) } : JSON_TYPE);
  const pump = () => {
    while (sent.bytesWritten < total && !res.destroyed) {
      const n = Math.min(FILLER.length, total - sent.bytesWritten);
      sent.bytesWritten += n;
      if (!res.write(n === FILLER.length ? FILLER : FILLER.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    if (sent.bytesWritten >= total && !res.destroyed) {
      sent.finished = true;
      res.end();
    }
  };
  pump();
  return sent;
}

/** The gzip of `bytes` zero bytes, compressed one reused MiB at a time (~1 KB per MB). */
async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const zeros = Buffer.alloc(MiB);
  for (let left = bytes; left > 0; left -= MiB) if (!gzip.write(left >= MiB ? zeros : zeros.subarray(0, left))) await once(gzip, 'drain');
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(out);
}

/**
 * Runs `run`, sampling memory every 5 ms: the peak growth over the start of this process's RSS,
 * and of the bytes held by JavaScript (V8 heap plus buffers). RSS alone can miss a large
 * allocation when the allocator reuses pages an earlier test freed; the held bytes cannot.
 */
async function measured<T>(run: () => Promise<T>): Promise<{ value: T; rssGrowth: number; heldGrowth: number; ms: number }> {
  const held = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const rssBefore = process.memoryUsage.rss();
  const heldBefore = held();
  let rssPeak = rssBefore;
  let heldPeak = heldBefore;
  const sample = () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    heldPeak = Math.max(heldPeak, held());
  };
  const sampler = setInterval(sample, 5);
  const started = performance.now();
  try {
    const value = await run();
    const ms = performance.now() - started;
    sample();
    return { value, ms, rssGrowth: rssPeak - rssBefore, heldGrowth: heldPeak - heldBefore };
  } finally {
    clearInterval(sampler);
  }
}

/** The rejection of `promise`; a test failure naming the value when it resolved instead. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const settled = await promise.then(
    (value) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (settled.resolved) {
    // JSON.stringify answers undefined (not a string) for undefined, a function or a symbol.
    const shown = JSON.stringify(settled.value) as string | undefined;
    throw new Error(`expected a rejection, but it resolved to ${shown?.slice(0, 200) ?? 'undefined'}`);
  }
  return settled.error as Error & Record<string, unknown>;
}

/** `error` is a `type` with (at least) `fields`. */
function expectError(error: unknown, type: abstract new (...args: never[]) => Error, fields: Record<string, unknown>): void {
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject(fields);
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `Date` header value `seconds` away from this machine's clock. */
const dateOffBy = (seconds: number) => new Date(Date.now() + seconds * 1000).toUTCString();

// Every module a test boots is closed after it; no rejection may go unhandled.
const opened: TestingModule[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(async () => {
  for (const ref of opened.splice(0)) await ref.close();
  expect(unhandled).toEqual([]);
});

async function boot(baseUrl: string, options: Partial<PersonalizedOffersModuleOptions> = {}, logger?: LoggerService): Promise<TestingModule> {
  const builder = Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo, ...options })] });
  const ref = await (logger ? builder.setLogger(logger) : builder).compile();
  opened.push(ref);
  return ref;
}

// ---------------------------------------------------------------------------------------------
// 1. A burst far past maxSockets
// ---------------------------------------------------------------------------------------------

describe('1. a burst: the module queues calls beyond http.maxSockets, and queue time is not upstream time', () => {
  const upstream = new Upstream();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await upstream.start();
  });
  afterAll(() => upstream.stop());
  beforeEach(() => upstream.reset());

  it('10 000 concurrent getUserToken calls for distinct users, each answered after 100 ms, default options: all succeed, exactly 10 000 requests, never more than 64 at once', async () => {
    upstream.answer(after(100, answerOk));
    const users = (await boot(baseUrl)).get(UserTokenService);
    const results = await Promise.allSettled(Array.from({ length: 10_000 }, (_, i) => users.getUserToken(`burst-user-${i}`)));
    // Failures counted by kind: a readable diff when thousands fail the same way.
    const failures: Record<string, number> = {};
    for (const r of results) {
      if (r.status === 'rejected') {
        const kind = `${r.reason?.name}: ${r.reason?.message}`;
        failures[kind] = (failures[kind] ?? 0) + 1;
      }
    }
    expect(failures).toEqual({});
    expect(upstream.requests).toHaveLength(10_000);
    expect(upstream.maxInFlight).toBeLessThanOrEqual(64);
    expect(upstream.maxConcurrentConnections).toBeLessThanOrEqual(64);
  }, 180_000);

  describe.each(TRANSPORTS)('on the %s transport', (transport) => {
    it('maxSockets 2, timeoutMs 300: 40 concurrent calls answered after 100 ms each (2 s in all) all succeed, 40 requests, at most 2 at once', async () => {
      upstream.answer(after(100, answerOk));
      const users = (await boot(baseUrl, { cache: false, http: { transport, maxSockets: 2, timeoutMs: 300 } })).get(UserTokenService);
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => users.getUserToken(`scaled-user-${i}`)));
      expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
      expect(upstream.requests).toHaveLength(40);
      expect(upstream.maxInFlight).toBeLessThanOrEqual(2);
      expect(upstream.maxConcurrentConnections).toBeLessThanOrEqual(2);
    });

    it('a call waiting past queueTimeoutMs fails with PersonalizedOffersOverloadedError (queue-timeout), unsent and unretried, and does not open the circuit', async () => {
      upstream.answer(after(600, answerOk));
      const users = (
        await boot(baseUrl, {
          cache: false,
          http: {
            transport,
            maxSockets: 1,
            queueTimeoutMs: 100,
            // A retry would show as a second wait of at least 500 ms.
            retry: { retries: 2, minDelayMs: 500, maxDelayMs: 500 },
            // One failure counted against the API would open it.
            circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 },
          },
        })
      ).get(UserTokenService);
      const holder = users.getUserToken('queue-holder');
      const started = performance.now();
      const waiting = await Promise.all(
        ['queue-waiter-1', 'queue-waiter-2'].map((u) => rejectionOf(users.getUserToken(u)).then((error) => ({ error, ms: performance.now() - started }))),
      );
      for (const { error, ms } of waiting) {
        expectError(error, PersonalizedOffersOverloadedError, { code: 'OVERLOADED', reason: 'queue-timeout', limit: 100 });
        expect(error.message).toContain('http.queueTimeoutMs');
        expect(ms).toBeGreaterThanOrEqual(90);
        expect(ms).toBeLessThan(450);
      }
      await expect(holder).resolves.toBe('tok-123');
      expect(upstream.requests).toHaveLength(1); // only the holder's
      await expect(users.getUserToken('after-the-overload')).resolves.toBe('tok-123'); // the circuit is closed
      expect(upstream.requests).toHaveLength(2);
    });

    it('maxSockets 1, maxQueueLength 0: a call that finds the slot taken fails at once with PersonalizedOffersOverloadedError (queue-full), unsent', async () => {
      upstream.answer(after(500, answerOk));
      const users = (await boot(baseUrl, { cache: false, http: { transport, maxSockets: 1, maxQueueLength: 0 } })).get(UserTokenService);
      const holder = users.getUserToken('slot-holder');
      const started = performance.now();
      const error = await rejectionOf(users.getUserToken('queue-refused'));
      expect(performance.now() - started).toBeLessThan(250); // not after the holder's 500 ms
      expectError(error, PersonalizedOffersOverloadedError, { code: 'OVERLOADED', reason: 'queue-full', limit: 0 });
      expect(error.message).toContain('http.maxQueueLength');
      await expect(holder).resolves.toBe('tok-123');
      expect(upstream.requests).toHaveLength(1);
      await expect(users.getUserToken('after-the-refusal')).resolves.toBe('tok-123');
      expect(upstream.requests).toHaveLength(2);
    });
  });
});

describe.each(TRANSPORTS)('1b. shutdown with calls queued, on the %s transport', (transport) => {
  const upstream = new Upstream();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await upstream.start();
  });
  afterAll(() => upstream.stop());
  beforeEach(() => upstream.reset());

  it('closing the module fails every queued call at once with PersonalizedOffersOverloadedError (closed), unsent, and a call after it too', async () => {
    upstream.answer(after(300, answerOk));
    const ref = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo, cache: false, http: { transport, maxSockets: 1, retry: false } })],
    }).compile();
    const users = ref.get(UserTokenService);
    const holder = users.getUserToken('slot-holder').catch((e: unknown) => e);
    const queued = ['queued-1', 'queued-2', 'queued-3'].map((u) => rejectionOf(users.getUserToken(u)));
    await waitFor(() => upstream.requests.length === 1);
    const closing = ref.close();
    for (const error of await Promise.all(queued)) expectError(error, PersonalizedOffersOverloadedError, { reason: 'closed', code: 'OVERLOADED' });
    await closing;
    await holder; // ends one way or the other: finished, or aborted with the pool
    expectError(await rejectionOf(users.getUserToken('after-close')), PersonalizedOffersOverloadedError, { reason: 'closed' });
    await new Promise((r) => setTimeout(r, 400));
    expect(upstream.requests).toHaveLength(1); // only the holder's
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Answers past http.maxResponseBytes
// ---------------------------------------------------------------------------------------------

const FRAMINGS = [
  ['with a Content-Length', true],
  ['chunked, without a length', false],
] as const;

describe.each(TRANSPORTS)('2. answer size on the %s transport: http.maxResponseBytes, counted while reading', (transport) => {
  const upstream = new Upstream();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await upstream.start();
  });
  afterAll(() => upstream.stop());
  beforeEach(() => upstream.reset());

  const LIMIT = 64 * 1024;

  it.each(FRAMINGS)(
    'a 300 MB 200 answer %s: PersonalizedOffersResponseTooLargeError naming the 4 MiB default, not retried, aborted promptly (server sees the close), memory grows < 100 MB',
    async (_framing, declareLength) => {
      let sent: StreamedAnswer | undefined;
      upstream.answer((req, res) => (sent = streamLazily(req, res, 300 * MiB, declareLength)));
      const users = (await boot(baseUrl, { cache: false, http: { transport } })).get(UserTokenService);
      const { value: error, rssGrowth, heldGrowth, ms } = await measured(() => rejectionOf(users.getUserToken('big-answer-user')));
      expectError(error, PersonalizedOffersResponseTooLargeError, {
        code: 'RESPONSE_TOO_LARGE',
        limitBytes: DEFAULT_MAX_RESPONSE_BYTES,
        operation: 'getUserToken',
      });
      expect(error.message).toContain('http.maxResponseBytes');
      expect(error.message).toContain(String(DEFAULT_MAX_RESPONSE_BYTES));
      expect(rssGrowth).toBeLessThan(100 * MiB);
      expect(heldGrowth).toBeLessThan(100 * MiB);
      expect(ms).toBeLessThan(3_000);
      await waitFor(() => sent?.socketClosed === true);
      expect(sent!.finished).toBe(false);
      expect(sent!.bytesWritten).toBeLessThan(64 * MiB);
      expect(upstream.requests).toHaveLength(1);
    },
    30_000,
  );

  it.each(FRAMINGS)(
    'maxResponseBytes 64 KiB, an answer %s: exactly 64 KiB is read, one byte more is PersonalizedOffersResponseTooLargeError',
    async (_framing, declareLength) => {
      const answerOf =
        (bytes: number): Responder =>
        (_req, res) => {
          const body = padded(okBody(), bytes);
          res.writeHead(200, declareLength ? { ...JSON_TYPE, 'Content-Length': String(bytes) } : JSON_TYPE);
          // Two writes: a chunked answer arrives in more than one piece.
          res.write(body.slice(0, 1000));
          res.end(body.slice(1000));
        };
      const users = (await boot(baseUrl, { cache: false, http: { transport, maxResponseBytes: LIMIT } })).get(UserTokenService);
      upstream.answer(answerOf(LIMIT));
      await expect(users.getUserToken('at-the-limit')).resolves.toBe('tok-123');
      upstream.answer(answerOf(LIMIT + 1));
      const error = await rejectionOf(users.getUserToken('past-the-limit'));
      expectError(error, PersonalizedOffersResponseTooLargeError, { code: 'RESPONSE_TOO_LARGE', limitBytes: LIMIT });
      expect(error.message).toContain(String(LIMIT));
      expect(upstream.requests).toHaveLength(2);
    },
  );

  it('processActivations answered 200 with a confirming body one byte past maxResponseBytes: PersonalizedOffersOutcomeUnknownError caused by the too-large error, sent once', async () => {
    upstream.answer((_req, res) => res.writeHead(200, JSON_TYPE).end(padded(ACTIVATIONS_BODY, LIMIT + 1)));
    const presentment = (await boot(baseUrl, { cache: false, http: { transport, maxResponseBytes: LIMIT } })).get(UserPresentmentService);
    const error = await rejectionOf(presentment.processActivations({ accessToken: ACCESS_TOKEN }, { offerId: 'o1' }));
    expectError(error, PersonalizedOffersOutcomeUnknownError, { code: 'OUTCOME_UNKNOWN', operation: 'processActivations', timedOut: false });
    expectError(error.cause, PersonalizedOffersResponseTooLargeError, { code: 'RESPONSE_TOO_LARGE', limitBytes: LIMIT });
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /loyalty/offers/user-presentment/activations']);
  });
});

describe('2b. gzip answers on the node transport (axios inflates them): the limit counts inflated bytes', () => {
  const upstream = new Upstream();
  let baseUrl: string;
  let bomb: Buffer;
  beforeAll(async () => {
    baseUrl = await upstream.start();
    bomb = await gzipOfZeros(300 * MiB);
  }, 30_000);
  afterAll(() => upstream.stop());
  beforeEach(() => upstream.reset());

  const LIMIT = 64 * 1024;
  const gzipAnswer =
    (body: Buffer, onSocketClose?: () => void): Responder =>
    (req, res) => {
      if (onSocketClose) req.socket.once('close', onSocketClose);
      res.writeHead(200, { ...JSON_TYPE, 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) }).end(body);
    };

  it('a ~300 KB gzip answer that inflates to 300 MB: PersonalizedOffersResponseTooLargeError naming the 4 MiB default, aborted promptly (server sees the close), memory grows < 100 MB', async () => {
    expect(bomb.length).toBeLessThan(DEFAULT_MAX_RESPONSE_BYTES); // only the inflated size is past the limit
    let socketClosed = false;
    upstream.answer(gzipAnswer(bomb, () => (socketClosed = true)));
    const users = (await boot(baseUrl, { cache: false, http: { transport: 'node' } })).get(UserTokenService);
    const { value: error, rssGrowth, heldGrowth, ms } = await measured(() => rejectionOf(users.getUserToken('gzip-bomb-user')));
    expectError(error, PersonalizedOffersResponseTooLargeError, {
      code: 'RESPONSE_TOO_LARGE',
      limitBytes: DEFAULT_MAX_RESPONSE_BYTES,
      operation: 'getUserToken',
    });
    expect(error.message).toContain(String(DEFAULT_MAX_RESPONSE_BYTES));
    expect(rssGrowth).toBeLessThan(100 * MiB);
    expect(heldGrowth).toBeLessThan(100 * MiB);
    expect(ms).toBeLessThan(3_000);
    await waitFor(() => socketClosed);
    expect(upstream.requests).toHaveLength(1);
  }, 30_000);

  it('maxResponseBytes 64 KiB: a gzip answer inflating to exactly 64 KiB is read, one byte more is PersonalizedOffersResponseTooLargeError', async () => {
    const users = (await boot(baseUrl, { cache: false, http: { transport: 'node', maxResponseBytes: LIMIT } })).get(UserTokenService);
    upstream.answer(gzipAnswer(gzipSync(padded(okBody(), LIMIT))));
    await expect(users.getUserToken('gzip-at-the-limit')).resolves.toBe('tok-123');
    upstream.answer(gzipAnswer(gzipSync(padded(okBody(), LIMIT + 1))));
    const error = await rejectionOf(users.getUserToken('gzip-past-the-limit'));
    expectError(error, PersonalizedOffersResponseTooLargeError, { code: 'RESPONSE_TOO_LARGE', limitBytes: LIMIT });
    expect(upstream.requests).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Redirects
// ---------------------------------------------------------------------------------------------

type Write = (ref: TestingModule) => Promise<unknown>;
const WRITES: Array<[string, Write, string, string]> = [
  [
    'processActivations',
    (ref) => ref.get(UserPresentmentService).processActivations({ accessToken: ACCESS_TOKEN }, { offerId: 'o1' }),
    ACTIVATIONS_BODY,
    '/loyalty/offers/user-presentment/activations',
  ],
  [
    'activateStatementCreditOffer',
    (ref) => ref.get(LegacyUserPresentmentService).activateStatementCreditOffer({ userToken: USER_TOKEN }, { offerId: 'o1' }),
    SC_ACTIVATION_BODY,
    '/plo/v2/activatestatementcreditoffer',
  ],
];

describe.each(TRANSPORTS)('3. redirects on the %s transport: never followed, only 2xx is a success', (transport) => {
  const upstream = new Upstream();
  const elsewhere = new Upstream();
  let baseUrl: string;
  let elsewhereOrigin: string;
  beforeAll(async () => {
    baseUrl = await upstream.start();
    elsewhereOrigin = new URL(await elsewhere.start()).origin;
  });
  afterAll(async () => {
    await upstream.stop();
    await elsewhere.stop();
  });
  beforeEach(async () => {
    await upstream.reset();
    await elsewhere.reset();
  });

  /** Answers `status` with `body` (a success, were it a 200) and a Location on the other live server. */
  const redirectWith = (status: number, body: string) =>
    upstream.answer((req, res) => res.writeHead(status, { ...JSON_TYPE, Location: `${elsewhereOrigin}${req.url}` }).end(body));

  it.each([301, 302, 307, 308])(
    'getUserToken answered %d with a token body and a Location on another live server: PersonalizedOffersApiError UNEXPECTED_REDIRECT, nothing sent there',
    async (status) => {
      elsewhere.answer((_req, res) => res.writeHead(200, JSON_TYPE).end(okBody('tok-from-elsewhere')));
      redirectWith(status, okBody('tok-in-the-redirect'));
      const users = (await boot(baseUrl, { cache: false, http: { transport } })).get(UserTokenService);
      const error = await rejectionOf(users.getUserToken('redirected-user'));
      expectError(error, PersonalizedOffersApiError, { code: 'UNEXPECTED_REDIRECT', status, operation: 'getUserToken' });
      expect(upstream.requests).toHaveLength(1); // not retried
      expect(elsewhere.requests).toHaveLength(0);
    },
  );

  it.each(WRITES.flatMap(([name, call, body, path]) => [302, 303].map((status) => [name, status, call, body, path] as const)))(
    '%s answered %d with a confirming body: PersonalizedOffersOutcomeUnknownError caused by UNEXPECTED_REDIRECT, sent once, nothing sent elsewhere',
    async (name, status, call, body, path) => {
      redirectWith(status, body);
      const ref = await boot(baseUrl, { cache: false, http: { transport } });
      const error = await rejectionOf(call(ref));
      expectError(error, PersonalizedOffersOutcomeUnknownError, { code: 'OUTCOME_UNKNOWN', operation: name });
      expectError(error.cause, PersonalizedOffersApiError, { code: 'UNEXPECTED_REDIRECT', status });
      expect(upstream.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([`POST ${path}`]);
      expect(elsewhere.requests).toHaveLength(0);
    },
  );

  it.each(WRITES)('control: %s answered 200 with that same confirming body succeeds', async (_name, call, body) => {
    upstream.answer((_req, res) => res.writeHead(200, JSON_TYPE).end(body));
    const ref = await boot(baseUrl, { cache: false, http: { transport } });
    await expect(call(ref)).resolves.toBeDefined();
    expect(upstream.requests).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Clock skew
// ---------------------------------------------------------------------------------------------

// Shaped like a Mastercard consumer key: 24 characters, '!', 48 hex characters.
const CONSUMER_KEY = 'BadDaysConsumerKey_abcde!0123456789abcdef0123456789abcdef0123456789abcdef';
const { privateKey } = rsaKeyPair();

describe.each(TRANSPORTS)('4. clock skew on the %s transport', (transport) => {
  const upstream = new Upstream();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await upstream.start();
  });
  afterAll(() => upstream.stop());
  beforeEach(() => upstream.reset());

  /** Answers `status` with an empty body and a `Date` `seconds` off this machine's clock. */
  const refuseDated = (status: number, seconds: number) => upstream.answer((_req, res) => res.writeHead(status, { Date: dateOffBy(seconds) }).end());

  it.each([
    [401, 600],
    [401, -600],
    [403, 600],
  ])(
    'a %d whose Date is %d s off: clockSkewSeconds ≈ that, and the message and a warn line name the clock and oauth.clockSkewCorrection',
    async (status, seconds) => {
      refuseDated(status, seconds);
      const captured = captureLogger();
      const users = (await boot(baseUrl, { cache: false, http: { transport } }, captured.logger)).get(UserTokenService);
      const error = await rejectionOf(users.getUserToken('skewed-user'));
      expectError(error, PersonalizedOffersApiError, { status });
      const skew = error.clockSkewSeconds as number;
      expect(skew).toBeGreaterThanOrEqual(seconds - 2);
      expect(skew).toBeLessThanOrEqual(seconds + 2);
      const sentence = `${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's`;
      expect(error.message).toContain("The server's clock");
      expect(error.message).toContain(sentence);
      expect(error.message).toContain('oauth.clockSkewCorrection');
      expect(captured.lines.filter((l) => l.startsWith('warn ') && l.includes(sentence) && l.includes('oauth.clockSkewCorrection'))).toHaveLength(1);
    },
  );

  it('a 401 whose Date is 5 s off: no clockSkewSeconds, and the message says nothing of the clock', async () => {
    refuseDated(401, 5);
    const users = (await boot(baseUrl, { cache: false, http: { transport } })).get(UserTokenService);
    const error = await rejectionOf(users.getUserToken('nearly-on-time-user'));
    expectError(error, PersonalizedOffersApiError, { status: 401 });
    expect(error).not.toHaveProperty('clockSkewSeconds');
    expect(error.message).not.toMatch(/clock/i);
  });

  it('a 400 whose Date is 600 s off: no clockSkewSeconds (only a refusal, 401/403, is about the clock)', async () => {
    refuseDated(400, 600);
    const users = (await boot(baseUrl, { cache: false, http: { transport } })).get(UserTokenService);
    const error = await rejectionOf(users.getUserToken('bad-request-user'));
    expectError(error, PersonalizedOffersApiError, { status: 400 });
    expect(error).not.toHaveProperty('clockSkewSeconds');
    expect(error.message).not.toMatch(/clock/i);
  });

  /** Three getUserToken calls; the first answer's Date is +600 s, the others' now. Per request: its oauth_timestamp minus this machine's clock at arrival, in seconds. */
  async function timestampOffsets(clockSkewCorrection: boolean | undefined): Promise<number[]> {
    const offsets: number[] = [];
    upstream.answer((req, res, i) => {
      const timestamp = Number(parseAuthorization(String(req.headers.authorization)).get('oauth_timestamp'));
      offsets.push(timestamp - Date.now() / 1000);
      res.writeHead(200, { ...JSON_TYPE, ...(i === 0 ? { Date: dateOffBy(600) } : {}) }).end(okBody());
    });
    const oauth = { consumerKey: CONSUMER_KEY, signingKey: privateKey, ...(clockSkewCorrection === undefined ? {} : { clockSkewCorrection }) };
    const users = (await boot(baseUrl, { cache: false, oauth, http: { transport } })).get(UserTokenService);
    for (const user of ['clock-user-1', 'clock-user-2', 'clock-user-3']) await expect(users.getUserToken(user)).resolves.toBe('tok-123');
    return offsets;
  }

  it('oauth.clockSkewCorrection: after an answer dated +600 s the next oauth_timestamp is the server clock (≈ local + 600 s); an answer dated now brings it back', async () => {
    const [first, second, third] = await timestampOffsets(true);
    expect(Math.abs(first)).toBeLessThan(3);
    expect(Math.abs(second - 600)).toBeLessThan(3);
    expect(Math.abs(third)).toBeLessThan(3);
  });

  it('without oauth.clockSkewCorrection, oauth_timestamp stays on the local clock after an answer dated +600 s', async () => {
    for (const offset of await timestampOffsets(undefined)) expect(Math.abs(offset)).toBeLessThan(3);
  });
});
