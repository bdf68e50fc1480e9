// Types only: `@opentelemetry/api` is an optional peer, loaded at runtime by `loadTelemetry`.
import type * as OtelApi from '@opentelemetry/api';
import { correlationIdOf } from '../http/correlation-id.js';
import type { Attributes, Counter, Histogram, Meter, MeterProvider, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import {
  ATTR,
  type AttemptRef,
  type AttemptTelemetry,
  type BreakerState,
  type CallTelemetry,
  CREDENTIAL_RENEWED_EVENT,
  errorTypeOf,
  INSTRUMENTATION_SCOPE,
  METRIC,
  type OperationRef,
  type Telemetry,
  type TokenKind,
} from './telemetry.js';

/** The `@opentelemetry/api` module. */
export type OpenTelemetryApi = typeof OtelApi;

/** Where requests go: `server.address` and `server.port`. */
export interface ServerTarget {
  readonly address: string;
  readonly port: number;
  /** The registration's name, for named registrations (`personalized_offers.registration`). */
  readonly registration?: string;
}

interface Instruments {
  readonly duration: Histogram;
  readonly attempts: Counter;
  readonly hits: Counter;
  readonly misses: Counter;
  readonly transitions: Counter;
}

/** Bucket boundaries (seconds) of the HTTP client duration histograms in the semantic conventions. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The cache counters' attributes, allocated once. */
const KIND_ATTRIBUTES: Readonly<Record<TokenKind, Attributes>> = {
  user: Object.freeze({ [ATTR.TOKEN_KIND]: 'user' }),
  access: Object.freeze({ [ATTR.TOKEN_KIND]: 'access' }),
  oauth2: Object.freeze({ [ATTR.TOKEN_KIND]: 'oauth2' }),
};

/**
 * `Telemetry` over the OpenTelemetry API: whatever SDK the application registered globally
 * (tracer provider, meter provider). Whether one is registered (the global proxy's delegate, the
 * global meter provider) is looked up again at every operation call and every cache miss, which
 * wait for the network anyway; attempts and cache hits use what the last look-up found, at the
 * cost of a field read. So a module created before the SDK starts records from its next call, and
 * without an SDK a call costs two global reads and allocates nothing. Attributes are built only
 * for spans that record (`isRecording()`: sampled in).
 */
export class OpenTelemetryTelemetry implements Telemetry {
  // The API's parts, read once: a property of a module namespace is slow to look up on every call.
  private readonly trace: OpenTelemetryApi['trace'];
  private readonly metrics: OpenTelemetryApi['metrics'];
  private readonly ProxyTracerProvider: OpenTelemetryApi['ProxyTracerProvider'];
  private readonly noopTracerProvider: TracerProvider;
  private readonly noopMeter: Meter;
  private tracerSource: TracerProvider | undefined;
  private sdkTracer: Tracer | undefined;
  private meterSource: MeterProvider | undefined;
  private sdkInstruments: Instruments | undefined;
  /** As of the last look-up: the SDK's tracer and instruments, `undefined` without one. */
  private tracer: Tracer | undefined;
  private instruments: Instruments | undefined;
  /** The cache counters' attributes of this registration, allocated once. */
  private readonly kindAttributes: Readonly<Record<TokenKind, Attributes>>;

  constructor(
    readonly api: OpenTelemetryApi,
    private readonly server: ServerTarget,
  ) {
    this.trace = api.trace;
    this.metrics = api.metrics;
    this.ProxyTracerProvider = api.ProxyTracerProvider;
    // A proxy without a delegate answers with the API's no-op provider: that is "no SDK".
    this.noopTracerProvider = new api.ProxyTracerProvider().getDelegate();
    this.noopMeter = api.createNoopMeter();
    const registration = server.registration;
    this.kindAttributes =
      registration === undefined
        ? KIND_ATTRIBUTES
        : {
            user: Object.freeze({ ...KIND_ATTRIBUTES.user, [ATTR.REGISTRATION]: registration }),
            access: Object.freeze({ ...KIND_ATTRIBUTES.access, [ATTR.REGISTRATION]: registration }),
            oauth2: Object.freeze({ ...KIND_ATTRIBUTES.oauth2, [ATTR.REGISTRATION]: registration }),
          };
    this.lookUpTracer();
    this.lookUpInstruments();
  }

  startCall(operation: OperationRef): CallTelemetry | undefined {
    const tracer = this.lookUpTracer();
    const instruments = this.lookUpInstruments();
    if (!tracer && !instruments) return undefined;
    let span: Span | undefined;
    if (tracer) {
      span = tracer.startSpan(`PersonalizedOffers ${operation.id}`, { kind: this.api.SpanKind.INTERNAL });
      if (span.isRecording()) {
        span.setAttributes({
          [ATTR.OPERATION]: operation.id,
          [ATTR.METHOD]: operation.method,
          [ATTR.URL_TEMPLATE]: operation.path,
        });
        if (this.server.registration !== undefined) span.setAttribute(ATTR.REGISTRATION, this.server.registration);
      }
    }
    return new OtelCall(this.api, operation, span, instruments, this.server.registration);
  }

  startAttempt(request: AttemptRef, attempt: number, breaker: { readonly state: BreakerState }): AttemptTelemetry | undefined {
    // Attempts run inside a call, which has just looked the SDK up.
    const tracer = this.tracer;
    const instruments = this.instruments;
    if (!tracer && !instruments) return undefined;
    let span: Span | undefined;
    if (tracer) {
      span = tracer.startSpan(`${request.method} ${request.path}`, { kind: this.api.SpanKind.CLIENT });
      if (span.isRecording()) {
        const attributes: Attributes = {
          [ATTR.METHOD]: request.method,
          [ATTR.URL_TEMPLATE]: request.path,
          [ATTR.SERVER_ADDRESS]: this.server.address,
          [ATTR.SERVER_PORT]: this.server.port,
          [ATTR.ATTEMPT]: attempt,
          [ATTR.BREAKER_STATE]: breaker.state,
        };
        if (request.operation !== undefined) attributes[ATTR.OPERATION] = request.operation;
        if (attempt > 1) attributes[ATTR.RESEND_COUNT] = attempt - 1;
        if (this.server.registration !== undefined) attributes[ATTR.REGISTRATION] = this.server.registration;
        span.setAttributes(attributes);
      }
    }
    return new OtelAttempt(this.api, request, span, instruments, this.server.registration);
  }

  tokenCacheLookup(kind: TokenKind, hit: boolean): void {
    // A hit is the hot path: no look-up. A miss is about to wait for the network.
    const instruments = hit ? this.instruments : this.lookUpInstruments();
    if (instruments) (hit ? instruments.hits : instruments.misses).add(1, this.kindAttributes[kind]);
  }

  breakerTransition(from: BreakerState, to: BreakerState): void {
    const attributes: Attributes = { [ATTR.BREAKER_FROM]: from, [ATTR.BREAKER_TO]: to };
    if (this.server.registration !== undefined) attributes[ATTR.REGISTRATION] = this.server.registration;
    this.lookUpInstruments()?.transitions.add(1, attributes);
  }

  /** The tracer of the registered SDK, or `undefined` when none is registered. */
  private lookUpTracer(): Tracer | undefined {
    let provider: TracerProvider = this.trace.getTracerProvider();
    if (provider instanceof this.ProxyTracerProvider) provider = provider.getDelegate();
    if (provider === this.noopTracerProvider) return (this.tracer = undefined);
    if (provider !== this.tracerSource) {
      this.tracerSource = provider;
      this.sdkTracer = provider.getTracer(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);
    }
    return (this.tracer = this.sdkTracer);
  }

  /** The instruments of the registered meter provider, or `undefined` when none is registered. */
  private lookUpInstruments(): Instruments | undefined {
    const provider = this.metrics.getMeterProvider();
    if (provider !== this.meterSource) {
      this.meterSource = provider;
      const meter = provider.getMeter(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);
      this.sdkInstruments = meter === this.noopMeter ? undefined : createInstruments(meter);
    }
    return (this.instruments = this.sdkInstruments);
  }
}

function createInstruments(meter: Meter): Instruments {
  return {
    duration: meter.createHistogram(METRIC.CALL_DURATION, {
      unit: 's',
      description: 'Duration of Personalized Offers API operation calls: credential, every attempt, retry waits and parsing.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    attempts: meter.createCounter(METRIC.ATTEMPTS, { unit: '{attempt}', description: 'HTTP attempts sent to the Personalized Offers API (retries included).' }),
    hits: meter.createCounter(METRIC.CACHE_HITS, { unit: '{lookup}', description: 'Token cache lookups served from the cache.' }),
    misses: meter.createCounter(METRIC.CACHE_MISSES, { unit: '{lookup}', description: 'Token cache lookups that waited for the upstream.' }),
    transitions: meter.createCounter(METRIC.BREAKER_TRANSITIONS, { unit: '{transition}', description: 'Circuit breaker state changes.' }),
  };
}

class OtelCall implements CallTelemetry {
  private readonly started = performance.now();
  private status: number | undefined;

  constructor(
    private readonly api: OpenTelemetryApi,
    private readonly operation: OperationRef,
    private readonly span: Span | undefined,
    private readonly instruments: Instruments | undefined,
    private readonly registration: string | undefined,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    let value: T;
    try {
      const span = this.span;
      value = await (span ? this.api.context.with(this.api.trace.setSpan(this.api.context.active(), span), fn) : fn());
    } catch (error) {
      this.end(errorTypeOf(error));
      throw error;
    }
    this.end(undefined);
    return value;
  }

  response(status: number): void {
    this.status = status;
  }

  credentialRenewed(): void {
    if (this.span?.isRecording()) this.span.addEvent(CREDENTIAL_RENEWED_EVENT);
  }

  private end(errorType: string | undefined): void {
    const span = this.span;
    if (span) {
      if (span.isRecording()) {
        if (this.status !== undefined) span.setAttribute(ATTR.STATUS_CODE, this.status);
        if (errorType !== undefined) {
          span.setAttribute(ATTR.ERROR_TYPE, errorType);
          // No description: the error's class is the whole story told here.
          span.setStatus({ code: this.api.SpanStatusCode.ERROR });
        }
      }
      span.end();
    }
    if (this.instruments) {
      const attributes: Attributes = {
        [ATTR.OPERATION]: this.operation.id,
        [ATTR.METHOD]: this.operation.method,
        [ATTR.URL_TEMPLATE]: this.operation.path,
      };
      if (this.status !== undefined) attributes[ATTR.STATUS_CODE] = this.status;
      if (errorType !== undefined) attributes[ATTR.ERROR_TYPE] = errorType;
      if (this.registration !== undefined) attributes[ATTR.REGISTRATION] = this.registration;
      this.instruments.duration.record((performance.now() - this.started) / 1000, attributes);
    }
  }
}

class OtelAttempt implements AttemptTelemetry {
  constructor(
    private readonly api: OpenTelemetryApi,
    private readonly request: AttemptRef,
    private readonly span: Span | undefined,
    private readonly instruments: Instruments | undefined,
    private readonly registration: string | undefined,
  ) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const span = this.span;
    return span ? this.api.context.with(this.api.trace.setSpan(this.api.context.active(), span), fn) : fn();
  }

  end(outcome: unknown, retryDelayMs: number | undefined): void {
    const answered = !(outcome instanceof Error) && typeof (outcome as { status?: unknown } | undefined)?.status === 'number';
    const status = answered ? (outcome as { status: number }).status : undefined;
    // HTTP client conventions: a status ≥ 400 is the error type; otherwise the thrown error's class.
    const errorType = status === undefined ? errorTypeOf(outcome) : status >= 400 ? String(status) : undefined;
    const span = this.span;
    if (span) {
      if (span.isRecording()) {
        if (status !== undefined) span.setAttribute(ATTR.STATUS_CODE, status);
        if (retryDelayMs !== undefined) span.setAttribute(ATTR.RETRY_DELAY_MS, retryDelayMs);
        const correlationId = answered
          ? correlationIdOf((outcome as { headers?: Record<string, unknown> }).headers)
          : (outcome as { correlationId?: unknown } | undefined)?.correlationId;
        if (typeof correlationId === 'string') span.setAttribute(ATTR.CORRELATION_ID, correlationId);
        if (errorType !== undefined) {
          span.setAttribute(ATTR.ERROR_TYPE, errorType);
          span.setStatus({ code: this.api.SpanStatusCode.ERROR });
        }
      }
      span.end();
    }
    if (this.instruments) {
      const attributes: Attributes = { [ATTR.METHOD]: this.request.method, [ATTR.URL_TEMPLATE]: this.request.path };
      if (this.request.operation !== undefined) attributes[ATTR.OPERATION] = this.request.operation;
      if (status !== undefined) attributes[ATTR.STATUS_CODE] = status;
      if (errorType !== undefined) attributes[ATTR.ERROR_TYPE] = errorType;
      if (this.registration !== undefined) attributes[ATTR.REGISTRATION] = this.registration;
      this.instruments.attempts.add(1, attributes);
    }
  }
}
