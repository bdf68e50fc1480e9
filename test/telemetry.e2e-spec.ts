import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Attributes, context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AccessTokenService,
  getPersonalizedOffersToken,
  InvalidArgumentError,
  LegacyUserPresentmentService,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersUnavailableError,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { expectNoGatewayRefusal, gatewaySimulator } from './support/gateway.js';
import { loadTelemetry } from '../libs/personalized-offers/src/telemetry/telemetry.providers.js';
import { NOOP_TELEMETRY, PERSONALIZED_OFFERS_TELEMETRY, type Telemetry } from '../libs/personalized-offers/src/telemetry/telemetry.js';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { name: string; version: string };

/** A metric reader the test pulls from; delta temporality, so each collect holds only what happened since the last. */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

interface Point {
  metric: string;
  attributes: Attributes;
  value: unknown;
}

const FID = '999999';
// Shaped like a Mastercard consumer key; the signing key is fresh per run.
const CONSUMER_KEY = 'TelemetryConsumerKey_abcd!0123456789abcdef0123456789abcdef0123456789abcdef';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SIGNING_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('tracing and metrics (OpenTelemetry)', () => {
  // Signed with this file's own credentials (CONSUMER_KEY and the key are among the secrets it looks for), verified by the simulator's gateway.
  const simulator = gatewaySimulator({ fIds: [FID] }, { consumerKey: CONSUMER_KEY, publicKey });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager();
  let moduleRef: TestingModule | undefined;
  let serial = 0;

  function registerSdk(): void {
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  }

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    registerSdk();
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
  });
  beforeEach(async () => {
    simulator.clearFaults();
    simulator.clearRequests();
    await collect(); // drop what earlier tests recorded
    exporter.reset();
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    expectNoGatewayRefusal(simulator);
  });

  async function boot(extra: Partial<PersonalizedOffersModuleOptions> = {}): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: FID,
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          oauth: { consumerKey: CONSUMER_KEY, signingKey: SIGNING_KEY },
          http: { timeoutMs: 1_000, retry: { retries: 2, minDelayMs: 0, maxDelayMs: 1_500 }, circuitBreaker: false },
          ...extra,
        }),
      ],
    }).compile();
    return moduleRef;
  }

  async function collect(): Promise<Point[]> {
    const { resourceMetrics } = await reader.collect();
    return points(resourceMetrics);
  }

  function points(resourceMetrics: ResourceMetrics): Point[] {
    const out: Point[] = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints as Array<{ attributes: Attributes; value: unknown }>) {
          out.push({ metric: metric.descriptor.name, attributes: point.attributes, value: point.value });
        }
      }
    }
    return out;
  }

  const user = (label: string) => `otel-${label}-${serial++}-${process.pid}`;
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const one = (name: string) => {
    const found = named(name);
    expect([name, found.length]).toEqual([name, 1]);
    return found[0];
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const sum = (list: Point[], metric: string, attributes: Attributes = {}) =>
    list
      .filter((p) => p.metric === metric && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
      .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : (p.value as { count: number }).count), 0);

  it('a call: one INTERNAL span, a CLIENT span per attempt under it, and the token fetch nested inside', async () => {
    const ref = await boot();
    const legacy = ref.get(LegacyUserPresentmentService);
    const id = user('call');
    await legacy.matchedOffers(id, { pageNumber: 1, itemsPerPage: 5, category: 'SHOP' });

    const call = one('PersonalizedOffers matchedOffers');
    const tokenCall = one('PersonalizedOffers getUserToken');
    const tokenAttempt = one('GET /plo/v1/usertoken');
    const attempt = one('GET /plo/v1/matchedoffers');
    expect(spans()).toHaveLength(4);

    expect(call.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(call)).toBeUndefined();
    expect(call.attributes).toEqual({
      'personalized_offers.operation': 'matchedOffers',
      'http.request.method': 'GET',
      'url.template': '/plo/v1/matchedoffers',
      'http.response.status_code': 200,
    });
    expect(call.status.code).toBe(SpanStatusCode.UNSET);

    // The user token fetched for the call is a child of the call; its attempt a child of the fetch.
    expect(parentOf(tokenCall)).toBe(call.spanContext().spanId);
    expect(parentOf(tokenAttempt)).toBe(tokenCall.spanContext().spanId);
    expect(parentOf(attempt)).toBe(call.spanContext().spanId);
    for (const s of spans()) expect(s.spanContext().traceId).toBe(call.spanContext().traceId);

    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.attributes).toEqual({
      'http.request.method': 'GET',
      'url.template': '/plo/v1/matchedoffers',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(simulator.baseUrl).port),
      'personalized_offers.operation': 'matchedOffers',
      'personalized_offers.attempt': 1,
      'personalized_offers.breaker_state': 'disabled',
      'http.response.status_code': 200,
      // Mastercard's X-MC-Correlation-ID of the answer (the simulator sends one as the edge does).
      'personalized_offers.correlation_id': expect.stringMatching(/^sim-[0-9a-f]{8}-\d+$/),
    });
    expect(tokenAttempt.attributes).toMatchObject({ 'personalized_offers.operation': 'getUserToken', 'http.response.status_code': 200 });
    expect(tokenAttempt.attributes['personalized_offers.correlation_id']).not.toBe(attempt.attributes['personalized_offers.correlation_id']);

    // The tracer is named after the package, with its version.
    for (const s of spans()) expect(s.instrumentationScope).toMatchObject({ name: pkg.name, version: pkg.version });
  });

  it('path parameters stay in the template: url.template, never the filled path', async () => {
    const ref = await boot();
    const presentment = ref.get(UserPresentmentService);
    const id = user('path');
    const offerId = (await presentment.getOffers(id, { limit: 1 })).offers![0].id!;
    exporter.reset();
    await presentment.getOffer(id, offerId);
    const attempt = one('GET /loyalty/offers/user-presentment/offers/{offer_id}');
    expect(attempt.attributes['url.template']).toBe('/loyalty/offers/user-presentment/offers/{offer_id}');
    expect(JSON.stringify(spans().map((s) => [s.name, s.attributes]))).not.toContain(offerId);
  });

  it('a retried call: an attempt span per attempt, numbered, with the status and the retry delay', async () => {
    const ref = await boot();
    simulator.setFault({ type: 'http-error', status: 503, retryAfter: '1' }, { operation: 'getUserToken', times: 1 });
    await ref.get(UserTokenService).getUserToken(user('retry'));

    const call = one('PersonalizedOffers getUserToken');
    const attempts = named('GET /plo/v1/usertoken').sort(
      (a, b) => Number(a.attributes['personalized_offers.attempt']) - Number(b.attributes['personalized_offers.attempt']),
    );
    expect(attempts).toHaveLength(2);
    const [first, second] = attempts as [ReadableSpan, ReadableSpan];
    expect(first.attributes).toMatchObject({
      'personalized_offers.attempt': 1,
      'http.response.status_code': 503,
      'error.type': '503',
      'personalized_offers.retry_delay_ms': 1_000, // the server's Retry-After
    });
    expect(first.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(second.attributes).toMatchObject({ 'personalized_offers.attempt': 2, 'http.request.resend_count': 1, 'http.response.status_code': 200 });
    expect(second.attributes).not.toHaveProperty('personalized_offers.retry_delay_ms');
    expect(second.attributes).not.toHaveProperty('error.type');
    for (const a of attempts) expect(parentOf(a)).toBe(call.spanContext().spanId);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes['http.response.status_code']).toBe(200);

    const recorded = await collect();
    expect(
      sum(recorded, 'personalized_offers.attempts', { 'personalized_offers.operation': 'getUserToken', 'http.response.status_code': 503, 'error.type': '503' }),
    ).toBe(1);
    expect(sum(recorded, 'personalized_offers.attempts', { 'personalized_offers.operation': 'getUserToken', 'http.response.status_code': 200 })).toBe(1);
    expect(sum(recorded, 'personalized_offers.call.duration', { 'personalized_offers.operation': 'getUserToken', 'http.response.status_code': 200 })).toBe(1);
    const duration = recorded.find((p) => p.metric === 'personalized_offers.call.duration')!;
    // Seconds: the call waited out the one-second Retry-After.
    expect((duration.value as { sum: number }).sum).toBeGreaterThanOrEqual(0.95);
    expect((duration.value as { sum: number }).sum).toBeLessThan(10);
  });

  it('a failed call: the span is an error with error.type = the error class, and no message', async () => {
    const ref = await boot();
    simulator.setFault({ type: 'http-error', status: 500 }, { operation: 'getUserToken' });
    const error = await ref
      .get(UserTokenService)
      .getUserToken(user('fail'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);

    const call = one('PersonalizedOffers getUserToken');
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(call.attributes).toMatchObject({ 'error.type': 'PersonalizedOffersApiError', 'http.response.status_code': 500 });
    expect(call.events).toEqual([]);
    const attempts = named('GET /plo/v1/usertoken');
    expect(attempts.map((a) => a.attributes['personalized_offers.attempt']).sort()).toEqual([1, 2, 3]);
    expect(attempts.filter((a) => a.attributes['personalized_offers.retry_delay_ms'] !== undefined)).toHaveLength(2);

    const recorded = await collect();
    expect(sum(recorded, 'personalized_offers.call.duration', { 'error.type': 'PersonalizedOffersApiError', 'http.response.status_code': 500 })).toBe(1);
    expect(sum(recorded, 'personalized_offers.attempts', { 'http.response.status_code': 500 })).toBe(3);
  });

  it('invalid params fail the call span before any attempt', async () => {
    const ref = await boot();
    const error = await ref
      .get(LegacyUserPresentmentService)
      .matchedOffers(user('invalid'), { pageNumber: -1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const call = one('PersonalizedOffers matchedOffers');
    expect(call.attributes['error.type']).toBe('InvalidArgumentError');
    expect(call.attributes).not.toHaveProperty('http.response.status_code');
    expect(spans()).toHaveLength(1);
  });

  it('a refused user token: the call records the renewal, and the fresh token fetch nests under it', async () => {
    const ref = await boot();
    const legacy = ref.get(LegacyUserPresentmentService);
    const id = user('renew');
    await ref.get(UserTokenService).getUserToken(id);
    simulator.revokeUserTokens();
    exporter.reset();
    await legacy.matchedOffers(id, {});

    const call = one('PersonalizedOffers matchedOffers');
    expect(call.events.map((e) => e.name)).toEqual(['personalized_offers.credential_renewed']);
    expect(call.attributes['http.response.status_code']).toBe(200);
    const attempts = named('GET /plo/v1/matchedoffers');
    expect(attempts.map((a) => a.attributes['http.response.status_code']).sort()).toEqual([200, 401]);
    expect(parentOf(one('PersonalizedOffers getUserToken'))).toBe(call.spanContext().spanId);
  });

  it('the breaker: transitions counted, and a refused attempt reads open', async () => {
    const ref = await boot({ cache: false, http: { timeoutMs: 1_000, retry: false, circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 1_500 } } });
    const tokens = ref.get(UserTokenService);
    simulator.setFault({ type: 'http-error', status: 500 });
    for (let i = 0; i < 2; i++) await expect(tokens.getUserToken(user('breaker'))).rejects.toBeInstanceOf(PersonalizedOffersApiError);
    let recorded = await collect();
    expect(
      sum(recorded, 'personalized_offers.breaker.transitions', { 'personalized_offers.breaker.from': 'closed', 'personalized_offers.breaker.to': 'open' }),
    ).toBe(1);
    expect(sum(recorded, 'personalized_offers.breaker.transitions')).toBe(1);

    exporter.reset();
    await expect(tokens.getUserToken(user('breaker'))).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
    const refused = one('GET /plo/v1/usertoken');
    expect(refused.attributes).toMatchObject({ 'personalized_offers.breaker_state': 'open', 'error.type': 'PersonalizedOffersUnavailableError' });
    expect(refused.attributes).not.toHaveProperty('http.response.status_code');
    expect(one('PersonalizedOffers getUserToken').attributes['error.type']).toBe('PersonalizedOffersUnavailableError');

    simulator.clearFaults();
    // The pause is long enough for the refused call to come before it ends on a busy machine.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await expect(tokens.getUserToken(user('breaker'))).resolves.toBeDefined();
    recorded = await collect();
    expect(
      sum(recorded, 'personalized_offers.breaker.transitions', { 'personalized_offers.breaker.from': 'open', 'personalized_offers.breaker.to': 'half-open' }),
    ).toBe(1);
    expect(
      sum(recorded, 'personalized_offers.breaker.transitions', { 'personalized_offers.breaker.from': 'half-open', 'personalized_offers.breaker.to': 'closed' }),
    ).toBe(1);
  });

  it('token cache hits and misses, per token kind', async () => {
    const ref = await boot();
    const tokens = ref.get(UserTokenService);
    const access = ref.get(AccessTokenService);
    const a = user('cache');
    // Three concurrent lookups of a new user: one fetch, three misses (two waited for the first).
    await Promise.all([tokens.getUserToken(a), tokens.getUserToken(a), tokens.getUserToken(a)]);
    expect(simulator.requests.filter((r) => r.operationId === 'getUserToken')).toHaveLength(1);
    await tokens.getUserToken(a);
    await tokens.getUserToken(a);
    await access.getAccessToken(a);
    await access.getAccessToken(a);
    await tokens.getUserToken(a, { refresh: true }); // not a lookup: neither

    const recorded = await collect();
    const kind = (k: string) => ({ 'personalized_offers.token.kind': k });
    expect(sum(recorded, 'personalized_offers.token_cache.misses', kind('user'))).toBe(3);
    expect(sum(recorded, 'personalized_offers.token_cache.hits', kind('user'))).toBe(2);
    expect(sum(recorded, 'personalized_offers.token_cache.misses', kind('access'))).toBe(1);
    expect(sum(recorded, 'personalized_offers.token_cache.hits', kind('access'))).toBe(1);
    for (const p of recorded.filter((p) => p.metric.startsWith('personalized_offers.token_cache.'))) {
      expect(Object.keys(p.attributes)).toEqual(['personalized_offers.token.kind']);
    }
  });

  it('a named registration: every span and metric carries personalized_offers.registration (its name, never the fId); the default registration carries none', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          name: 'bankA',
          fId: FID,
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          oauth: { consumerKey: CONSUMER_KEY, signingKey: SIGNING_KEY },
          http: { circuitBreaker: false },
        }),
      ],
    }).compile();
    const tokens = moduleRef.get<UserTokenService>(getPersonalizedOffersToken(UserTokenService, 'bankA'));
    const a = user('named');
    await tokens.getUserToken(a);
    await tokens.getUserToken(a);
    const recorded = await collect();
    const finished = spans();
    expect(finished.length).toBeGreaterThanOrEqual(2);
    for (const span of finished) expect([span.name, span.attributes['personalized_offers.registration']]).toEqual([span.name, 'bankA']);
    expect(recorded.length).toBeGreaterThanOrEqual(3); // duration, attempts, a miss and a hit
    for (const p of recorded) expect([p.metric, p.attributes['personalized_offers.registration']]).toEqual([p.metric, 'bankA']);
    expect(JSON.stringify([recorded.map((p) => p.attributes), finished.map((s) => s.attributes)])).not.toContain(FID);

    await moduleRef.close();
    exporter.reset();
    const plain = (await boot()).get(UserTokenService);
    await plain.getUserToken(user('plain'));
    for (const span of spans()) expect(span.attributes).not.toHaveProperty('personalized_offers.registration');
    for (const p of await collect()) expect(p.attributes).not.toHaveProperty('personalized_offers.registration');
  });

  it('no secret, token, AuthInfo, user id, key or query value in any span or metric', async () => {
    const ref = await boot({ http: { timeoutMs: 1_000, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 5 }, circuitBreaker: { consecutiveFailures: 50 } } });
    const legacy = ref.get(LegacyUserPresentmentService);
    const presentment = ref.get(UserPresentmentService);
    const tokens = ref.get(UserTokenService);
    const ids = [user('secret-a'), user('secret-b')];
    const merchant = `merchant-${process.pid}-zq`;

    await legacy.matchedOffers(ids[0], { pageNumber: 1, itemsPerPage: 3, merchantName: merchant, category: 'SHOP' });
    await legacy.matchedOffers({ userToken: await tokens.getUserToken(ids[1]) }, { merchantName: merchant });
    const offerId = (await presentment.getOffers(ids[0], { limit: 1, offerType: 'POSTPAIDCREDIT' })).offers![0].id!;
    await presentment.getOffer(ids[0], offerId);
    await presentment.searchOffers(ids[1], { offerType: 'ALWAYSON', limit: 2 });
    simulator.revokeUserTokens(); // a refusal echo, then a renewal
    await legacy.matchedOffers(ids[0], { merchantName: merchant });
    simulator.setFault({ type: 'http-error', status: 500 }, { operation: 'matchedOffers', times: 1 }); // a retry
    await legacy.matchedOffers(ids[1], { merchantName: merchant });
    simulator.setFault({ type: 'http-error', status: 400 }, { operation: 'matchedOffers', times: 1 }); // a failure
    await legacy.matchedOffers(ids[1], { merchantName: merchant }).catch(() => undefined);

    // What was sent: every query value, credential and signature, as the simulator received them.
    const secrets = new Set<string>([...ids, merchant, offerId, CONSUMER_KEY, simulator.authInfo.key as string, simulator.authInfo.iv as string]);
    for (const line of SIGNING_KEY.split('\n')) if (line.length > 20 && !line.startsWith('-----')) secrets.add(line);
    for (const id of ids) {
      secrets.add(simulator.tokenFor(FID, id));
      secrets.add(simulator.accessTokenFor(FID, id));
    }
    for (const request of simulator.requests) {
      for (const values of Object.values(request.query)) for (const value of values) if (value.length >= 5) secrets.add(value);
      const auth = request.headers['authorization'];
      if (auth) for (const [, value] of auth.matchAll(/oauth_(?:signature|nonce|body_hash)="([^"]+)"/g)) secrets.add(decodeURIComponent(value));
      const xAuth = request.headers['x-auth-token'];
      if (xAuth) secrets.add(xAuth);
    }
    const authInfos = simulator.requests.flatMap((r) => r.query['AuthInfo'] ?? []);
    expect(authInfos.length).toBeGreaterThanOrEqual(3);
    for (const value of authInfos) expect(secrets).toContain(value);
    expect(secrets.size).toBeGreaterThan(15);

    const text: string[] = [];
    const walk = (value: unknown): void => {
      if (value === null || value === undefined) return;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text.push(String(value));
      else if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          text.push(k);
          walk(v);
        }
      }
    };
    const finished = spans();
    expect(finished.length).toBeGreaterThan(15);
    for (const s of finished) {
      walk({ name: s.name, attributes: s.attributes, events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })) });
      walk({ status: s.status, resource: s.resource.attributes, scope: s.instrumentationScope, links: s.links.map((l) => l.attributes) });
    }
    const { resourceMetrics } = await reader.collect();
    walk(resourceMetrics.resource.attributes);
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        walk(metric.descriptor);
        for (const point of metric.dataPoints) walk(point.attributes);
      }
    }
    expect(text.join('\n')).toContain('PersonalizedOffersApiError'); // the sweep did see the failure
    expect(text.join('\n')).toContain('personalized_offers.credential_renewed');
    const all = text.join('\n');
    const leaked = [...secrets].filter((secret) => all.includes(secret));
    expect(leaked).toEqual([]);
  });

  describe('without an SDK', () => {
    afterEach(() => registerSdk());

    it('the module works and records nothing; calls take the plain path', async () => {
      trace.disable();
      metrics.disable();
      const ref = await boot();
      const telemetry = ref.get<Telemetry>(PERSONALIZED_OFFERS_TELEMETRY);
      expect(telemetry).not.toBe(NOOP_TELEMETRY); // the api is installed: OpenTelemetry-backed, but idle
      expect(telemetry.startCall({ id: 'x', method: 'GET', path: '/x' })).toBeUndefined();
      expect(telemetry.startAttempt({ method: 'GET', path: '/x' }, 1, { state: 'closed' })).toBeUndefined();

      const id = user('nosdk');
      const page = await ref.get(LegacyUserPresentmentService).matchedOffers(id, { itemsPerPage: 2 });
      expect(page.Status.Code).toBe('600');
      await ref.get(UserTokenService).getUserToken(id);
      expect(spans()).toEqual([]);

      // Registered later: the same module records from then on.
      registerSdk();
      await ref.get(UserTokenService).getUserToken(id, { refresh: true });
      await ref.get(UserTokenService).getUserToken(id); // a hit: counted against the SDK the call found
      expect(named('PersonalizedOffers getUserToken')).toHaveLength(1);
      const recorded = await collect();
      expect(sum(recorded, 'personalized_offers.attempts', { 'personalized_offers.operation': 'getUserToken' })).toBe(1);
      expect(sum(recorded, 'personalized_offers.token_cache.hits', { 'personalized_offers.token.kind': 'user' })).toBe(1);
    });

    it('without @opentelemetry/api installed: no-op telemetry, and the module runs on it', async () => {
      const missing = () => Promise.reject(Object.assign(new Error("Cannot find package '@opentelemetry/api'"), { code: 'ERR_MODULE_NOT_FOUND' }));
      await expect(loadTelemetry(simulator.baseUrl, missing)).resolves.toBe(NOOP_TELEMETRY);
      await expect(loadTelemetry(simulator.baseUrl, () => Promise.resolve({ trace: {} }))).resolves.toBe(NOOP_TELEMETRY); // not a usable api
      await expect(loadTelemetry(simulator.baseUrl)).resolves.not.toBe(NOOP_TELEMETRY);

      moduleRef = await Test.createTestingModule({
        imports: [
          PersonalizedOffersModule.forRoot({
            fId: FID,
            baseUrl: simulator.baseUrl,
            authInfo: simulator.authInfo,
            oauth: { consumerKey: CONSUMER_KEY, signingKey: SIGNING_KEY },
            cache: false,
          }),
        ],
      })
        .overrideProvider(PERSONALIZED_OFFERS_TELEMETRY)
        .useValue(NOOP_TELEMETRY)
        .compile();
      simulator.setFault({ type: 'http-error', status: 503 }, { operation: 'getUserToken', times: 1 });
      const id = user('noapi');
      await expect(moduleRef.get(UserTokenService).getUserToken(id)).resolves.toBe(simulator.tokenFor(FID, id));
      expect(spans()).toEqual([]);
      expect(await collect()).toEqual([]);
    });
  });
});
