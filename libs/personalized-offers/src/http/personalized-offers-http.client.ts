import { setTimeout as sleep } from 'node:timers/promises';
import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { AxiosError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersResponseTooLargeError } from '../errors/personalized-offers-response-too-large.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import type { ServerClock } from '../signing/server-clock.js';
import { RequestQueue } from './request-queue.js';
import { correlationIdOf } from './correlation-id.js';
import { OAUTH2_OPERATION, type OAuth2Client } from '../signing/oauth2/oauth2.client.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { isLogLevelEnabled } from '../log-level.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { InjectPersonalizedOffersHttp } from '../personalized-offers.decorators.js';
import { UpstreamCircuitBreaker } from './circuit-breaker.js';
import type { HttpResult } from './http-result.js';
import { NEVER_CANCELLED } from './never-cancelled.js';
import { SIGNATURE_BASE_STRING } from '../signing/oauth-signing.interceptor.js';
import type { RetryClass } from '../operations/operation.js';
import type { HttpRequest } from './http-request.js';
import { type AttemptOutcome, RetryPolicy } from './retry-policy.js';
import { NOOP_TELEMETRY, PERSONALIZED_OFFERS_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';

/**
 * Sends requests through the module's own `HttpService` (so users' axios interceptors and the
 * OAuth signer apply), one attempt at a time: a slot from the module's queue (`RequestQueue`:
 * at most `maxSockets` in flight, the wait bounded by `queueTimeoutMs` and never counted against
 * the API), then the attempt under its own timeout and `maxResponseBytes`, through the circuit
 * breaker, retrying per the retry policy. Returns the raw status, headers and body of the last
 * attempt; only a missing response is an error, and it never carries axios's request config,
 * URL or headers. Logs one debug line per attempt, without query values.
 */
@Injectable()
export class PersonalizedOffersHttpClient implements OnModuleDestroy {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly queue: RequestQueue;
  private readonly serverClock?: ServerClock;
  private readonly retry: RetryPolicy;
  /** Read by the health indicator (`snapshot()`); only `send` runs calls through it. */
  readonly breaker: UpstreamCircuitBreaker;
  /** The OAuth 2.0 client with `oauth2`: read by the health indicator (`state()`). */
  readonly oauth2?: OAuth2Client;

  constructor(
    @InjectPersonalizedOffersHttp() private readonly http: HttpService,
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    @Optional() @Inject(PERSONALIZED_OFFERS_TELEMETRY) private readonly telemetry: Telemetry = NOOP_TELEMETRY,
  ) {
    this.timeoutMs = options.http.timeoutMs;
    this.maxResponseBytes = options.http.maxResponseBytes;
    this.queue = new RequestQueue(options.http.maxSockets, options.http.queueTimeoutMs, options.http.maxQueueLength);
    this.serverClock = options.signer?.serverClock;
    if (options.oauth2) this.oauth2 = options.oauth2;
    this.retry = new RetryPolicy(options.http.retry);
    this.breaker = new UpstreamCircuitBreaker(options.http.circuitBreaker, this.logger, this.telemetry);
  }

  /** Application shutdown: calls still queued (and any later one) fail at once, unsent. */
  onModuleDestroy(): void {
    this.queue.close();
  }

  /**
   * Sends `request` (URL and body fully built: they are what gets signed) and returns the last
   * attempt's raw result. Retries per `retry` (see `RetryClass`).
   */
  async send(request: HttpRequest, retry: RetryClass): Promise<HttpResult> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      // A CLIENT span per attempt (and the attempts counter); `undefined` without an SDK.
      const recorded = this.telemetry.startAttempt(request, attempt, this.breaker);
      let outcome: AttemptOutcome;
      try {
        outcome = recorded ? await recorded.run(() => this.queued(request)) : await this.queued(request);
      } catch (error) {
        if (!(error instanceof PersonalizedOffersNetworkError)) {
          recorded?.end(error, undefined);
          throw error; // breaker open
        }
        outcome = error;
      }
      const what = outcome instanceof PersonalizedOffersNetworkError ? outcome.code : String(outcome.status);
      if (isLogLevelEnabled('debug')) {
        const ms = Math.round(performance.now() - started);
        const id = outcome instanceof PersonalizedOffersNetworkError ? outcome.correlationId : correlationIdOf(outcome.headers);
        this.logger.debug(`${request.method} ${request.path} ${what} ${ms}ms attempt ${attempt}/${this.retry.maxAttempts}${id ? ` correlation ${id}` : ''}`);
      }

      const delay = this.retry.delayBeforeRetry(attempt, outcome, retry);
      recorded?.end(outcome, delay);
      if (delay === undefined) {
        if (outcome instanceof PersonalizedOffersNetworkError) throw outcome;
        return outcome;
      }
      this.logger.warn(`${request.method} ${request.path} attempt ${attempt} failed (${what}); retrying in ${delay}ms.`);
      await sleep(delay);
    }
  }

  /**
   * One attempt: fails fast while the breaker is open (without queueing), else waits for a slot
   * of the module's queue (a `PersonalizedOffersOverloadedError` past `queueTimeoutMs`, which
   * the breaker never sees), then runs the attempt through the breaker and frees the slot.
   */
  private async queued(request: HttpRequest): Promise<HttpResult> {
    if (this.breaker.snapshot().state === 'open') throw new PersonalizedOffersUnavailableError();
    const wait = this.queue.acquire();
    if (wait) {
      try {
        await wait;
      } catch (error) {
        this.warnThrottled('overloaded', `${request.method} ${request.path}: ${(error as Error).message} Raise http.maxSockets (now ${this.queue.slots}) if Mastercard keeps up, or shed load before the module.`);
        throw error;
      }
    }
    try {
      return await this.breaker.execute(() => this.attempt(request));
    } catch (error) {
      if (error instanceof PersonalizedOffersResponseTooLargeError) {
        this.warnThrottled('too-large', `${request.method} ${request.path}: ${error.message} No real answer is near it: check baseUrl and any proxy in between (a captive portal or a misrouted proxy is the usual cause).`);
      }
      throw error;
    } finally {
      this.queue.release();
    }
  }

  private readonly lastWarning = new Map<string, number>();

  /** A warning the operator must see, but at most once per 10 s per kind (a burst repeats it). */
  private warnThrottled(kind: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(kind) ?? -Infinity) < 10_000) return;
    this.lastWarning.set(kind, now);
    this.logger.warn(message);
  }

  /** One attempt, aborted (socket destroyed) when it runs past the timeout, body included. */
  private async attempt(request: HttpRequest): Promise<HttpResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const config: AxiosRequestConfig = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        responseType: 'text',
        transformResponse: passThrough,
        validateStatus: () => true,
        // Enforced while reading, on decoded bytes, by both transports (see undici.adapter.ts).
        maxContentLength: this.maxResponseBytes,
        signal: controller.signal,
        cancelToken: NEVER_CANCELLED,
      };
      // With OAuth 2.0 only: the operation, for scopes per operation (a symbol: never sent).
      if (this.oauth2) (config as { [OAUTH2_OPERATION]?: object })[OAUTH2_OPERATION] = { id: request.operation ?? '', method: request.method, path: request.path };
      if (request.body !== undefined) {
        config.data = request.body;
        // The body is already the exact JSON text that was signed: no transform may touch it.
        config.transformRequest = passThrough;
      }
      const response: AxiosResponse<string> = await firstValueFrom(this.http.request<string>(config));
      const result: HttpResult = {
        status: response.status,
        headers: flattenHeaders(response.headers),
        body: typeof response.data === 'string' ? response.data : '',
      };
      this.serverClock?.observe(result.headers.date);
      const baseString = (response.config as { [SIGNATURE_BASE_STRING]?: string } | undefined)?.[SIGNATURE_BASE_STRING];
      if (baseString !== undefined && response.status >= 400) result.signatureBaseString = baseString;
      return result;
    } catch (error) {
      if (isTooLarge(error)) throw new PersonalizedOffersResponseTooLargeError(this.maxResponseBytes);
      // The module's own errors from an interceptor (an OAuth 2.0 token refused): nothing of this request was sent.
      if (error instanceof PersonalizedOffersError) throw error;
      throw toNetworkError(error, controller.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }
}

const passThrough = (data: unknown) => data;

/** axios's (and our undici adapter's) error for a body past `maxContentLength`. */
function isTooLarge(error: unknown): boolean {
  return error instanceof AxiosError && typeof error.message === 'string' && error.message.startsWith('maxContentLength size of');
}

function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value == null ? undefined : String(value);
  }
  return out;
}

/**
 * Copies only the low-level code of a transport failure, dropping the request (URL, headers),
 * and the correlation id of an answer that had started.
 */
export function toNetworkError(error: unknown, timedOut: boolean): PersonalizedOffersNetworkError {
  const axiosCode = error instanceof AxiosError ? error.code : undefined;
  const correlationId = error instanceof AxiosError ? correlationIdOf(lowerCased(error.response?.headers)) : undefined;
  const lowCode = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const code = timedOut ? 'ETIMEDOUT' : typeof lowCode === 'string' ? lowCode : (axiosCode ?? 'UNKNOWN');
  const cause = Object.assign(new Error(timedOut ? 'aborted by the configured timeout' : code), { code });
  return new PersonalizedOffersNetworkError(
    timedOut
      ? 'Personalized Offers API request timed out.'
      : `Personalized Offers API request failed before a response (${code}).`,
    { timedOut, cause, ...(correlationId !== undefined ? { correlationId } : {}) },
  );
}

function lowerCased(headers: unknown): Record<string, unknown> | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const plain = typeof (headers as { toJSON?: unknown }).toJSON === 'function' ? (headers as { toJSON: () => object }).toJSON() : headers;
  return Object.fromEntries(Object.entries(plain).map(([k, v]) => [k.toLowerCase(), v]));
}
