import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { AxiosError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersOverloadedError } from '../errors/personalized-offers-overloaded.error.js';
import { PersonalizedOffersRateLimitedError } from '../errors/personalized-offers-rate-limited.error.js';
import { PersonalizedOffersResponseTooLargeError } from '../errors/personalized-offers-response-too-large.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import type { ServerClock } from '../signing/server-clock.js';
import type { OAuthSigner } from '../signing/oauth-signer.js';
import type { Dispatcher } from 'undici';
import { ConnectionPool } from './connection-pool.js';
import { DIRECT_PATH_GATE, type DirectPathGate, FORCE_PATH_VARIABLE } from './direct-path.js';
import { OAuth2Client as OAuth2ClientClass } from '../signing/oauth2/oauth2.client.js';
import { BODY_TOO_LARGE, readBoundedBody } from './bounded-body.js';
import { RequestQueue } from './request-queue.js';
import { correlationIdOf } from './correlation-id.js';
import { OAUTH2_OPERATION, type OAuth2Client } from '../signing/oauth2/oauth2.client.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { isLogLevelEnabled } from '../log-level.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS, PERSONALIZED_OFFERS_TOKEN_STORE } from '../personalized-offers.constants.js';
import { RedisTokenStore } from '../cache/redis-token.store.js';
import type { TokenStore } from '../cache/token-store.interface.js';
import { MemoryRateLimiter, rateLimitTiming, type RateLimitGrant, type RateLimiter, RedisRateLimiter } from './rate-limiter.js';
import { parseRetryAfter } from './response-parser.js';
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
 * Sends requests one attempt at a time, on one of two paths. The direct path (transport
 * `undici`, while the module's axios instance carries only the module's own interceptors and
 * untouched defaults: see `DirectPathGate`) signs the attempt with the same signer objects and
 * sends it straight on the undici pool, the same request on the wire. The axios path (transport
 * `node`, or once the application adds an interceptor or changes the defaults: logged) sends
 * through the module's own `HttpService`, so users' axios interceptors and the OAuth signer
 * apply. Either way: a slot from the module's queue (`RequestQueue`:
 * at most `maxSockets` in flight, the wait bounded by `queueTimeoutMs` and never counted against
 * the API), then the attempt under its own timeout and `maxResponseBytes`, through the circuit
 * breaker, retrying per the retry policy. With `rateLimit`, each attempt first takes a permit of
 * the registration's limiter (shared through a Redis token store, else per process), before the
 * queue; a 429 with `Retry-After` pauses the limiter. Returns the raw status, headers and body of the last
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
  /** The limiter with `rateLimit` (`undefined` without: the path then costs nothing). */
  readonly rateLimiter?: RateLimiter;
  private readonly rateLimit: ResolvedPersonalizedOffersOptions['rateLimit'];
  /** How late a permit may be used (see `rateLimitTiming`). */
  private readonly lateSlackMs: number = 0;
  /**
   * Permits used although late twice (a starved event loop): each may go out together with the
   * next permits, the only way this process can send more than the limit in a window. Read by tests.
   */
  lateSends = 0;
  /** Aborted on module destroy: wakes callers sleeping on a permit (they fail `closed`, unsent). */
  private readonly closing?: AbortController;
  /** The OAuth 1.0a signer (the same object the axios interceptor uses). */
  private readonly signer?: OAuthSigner;
  /** The pool's undici dispatcher: set when the direct path may be used (transport `undici`). */
  private readonly dispatcher?: Dispatcher;
  /** Whether the axios instance still carries only the module's own interceptors and defaults. */
  private readonly gate?: DirectPathGate;
  /** Whether an attempt needs its own copy of the request's (shared, frozen) headers: the dispatcher writes into them. */
  private copyHeaders = true;

  /** The base URL's origin (`https://host[:port]`, normalized): requests under it skip a URL parse. */
  private readonly baseOrigin: string;

  /** Why the last attempt took the axios path (`undefined`: the direct path), to log each switch once. */
  private axiosReason: string | undefined;

  constructor(
    @InjectPersonalizedOffersHttp() private readonly http: HttpService,
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    @Optional() @Inject(PERSONALIZED_OFFERS_TELEMETRY) private readonly telemetry: Telemetry = NOOP_TELEMETRY,
    @Optional() @Inject(PERSONALIZED_OFFERS_TOKEN_STORE) store: TokenStore | null = null,
    @Optional() @Inject(ConnectionPool) pool: ConnectionPool | null = null,
  ) {
    this.timeoutMs = options.http.timeoutMs;
    this.maxResponseBytes = options.http.maxResponseBytes;
    this.queue = new RequestQueue(options.http.maxSockets, options.http.queueTimeoutMs, options.http.maxQueueLength);
    this.serverClock = options.signer?.serverClock;
    if (options.oauth2) this.oauth2 = options.oauth2;
    this.retry = new RetryPolicy(options.http.retry);
    this.breaker = new UpstreamCircuitBreaker(options.http.circuitBreaker, this.logger, this.telemetry);
    this.rateLimit = options.rateLimit;
    this.signer = options.signer;
    this.baseOrigin = new URL(options.baseUrl).origin;
    // The direct path: transport `undici`, the module's own axios instance (with its gate), not forced onto axios.
    const forced = process.env[FORCE_PATH_VARIABLE];
    const gate = (http.axiosRef as { [DIRECT_PATH_GATE]?: DirectPathGate } | undefined)?.[DIRECT_PATH_GATE];
    if (pool?.dispatcher && gate && forced !== 'axios') {
      this.dispatcher = pool.dispatcher;
      this.gate = gate;
      this.copyHeaders = pool.writesHeaders;
    }
    if (options.rateLimit) {
      this.closing = new AbortController();
      setMaxListeners(0, this.closing.signal); // one listener per caller sleeping on a permit
      this.lateSlackMs = rateLimitTiming(options.rateLimit).lateSlackMs;
      if (store instanceof RedisTokenStore) {
        // One hash per registration; the hash tag keeps it in one slot on Redis Cluster.
        const key = `${store.keyPrefix}rl:{${options.registration ?? 'default'}}`;
        this.rateLimiter = new RedisRateLimiter(store.client, key, options.rateLimit, (message) => this.logger.warn(message));
      } else {
        this.rateLimiter = new MemoryRateLimiter(options.rateLimit);
      }
    }
  }

  /** Application shutdown: calls still queued or waiting for a permit (and any later one) fail at once, unsent. */
  onModuleDestroy(): void {
    this.queue.close();
    this.closing?.abort();
    this.rateLimiter?.close();
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

      // A 429 with Retry-After pauses every sender sharing the limit (the fleet's, through Redis).
      if (this.rateLimiter !== undefined && !(outcome instanceof PersonalizedOffersNetworkError) && outcome.status === 429)
        await this.pauseFor(this.rateLimiter, outcome);
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
    if (this.rateLimiter !== undefined) {
      const permit = this.permit(this.rateLimiter, request);
      if (permit !== undefined) await permit;
    }
    const wait = this.queue.acquire();
    if (wait) {
      try {
        await wait;
      } catch (error) {
        this.warnThrottled(
          'overloaded',
          `${request.method} ${request.path}: ${(error as Error).message} Raise http.maxSockets (now ${this.queue.slots}) if Mastercard keeps up, or shed load before the module.`,
        );
        throw error;
      }
    }
    try {
      return await this.breaker.execute(() => this.attempt(request));
    } catch (error) {
      if (error instanceof PersonalizedOffersResponseTooLargeError) {
        this.warnThrottled(
          'too-large',
          `${request.method} ${request.path}: ${error.message} No real answer is near it: check baseUrl and any proxy in between (a captive portal or a misrouted proxy is the usual cause).`,
        );
      }
      throw error;
    } finally {
      this.queue.release();
    }
  }

  /**
   * Takes a permit of the rate limiter: `undefined` when it may go at once (the memory limiter:
   * no await), else a promise that resolves when it may go. Throws (or rejects with)
   * `PersonalizedOffersRateLimitedError` when no permit comes within `maxWaitMs`.
   */
  private permit(limiter: RateLimiter, request: HttpRequest): Promise<void> | undefined {
    const taken = limiter.take();
    if (taken instanceof Promise) return taken.then((grant) => this.granted(limiter, grant, request, false));
    return this.granted(limiter, taken, request, false);
  }

  private granted(limiter: RateLimiter, grant: RateLimitGrant, request: HttpRequest, retaken: boolean, deadline?: number): Promise<void> | undefined {
    if (grant.refused) throw this.rateLimited(grant.waitMs, request);
    // Used at once: there were free permits then (the fleet was not sending at its limit).
    if (grant.waitMs <= 0) return undefined;
    return this.sleepForPermit(limiter, grant, request, retaken, deadline ?? grant.dueAt - grant.waitMs + (this.rateLimit ? this.rateLimit.maxWaitMs : 0));
  }

  /**
   * Sleeps until the permit's send time (`dueAt`, on this process's clock), then reads the
   * limiter's pause shift again: a pause set meanwhile (a 429 anywhere in the fleet) moved every
   * reserved send time by the shift's growth, so it sleeps that much more (and checks again).
   * Past `maxWaitMs` in all, it gives up, unsent.
   *
   * A permit used late (a busy event loop woke the caller, or brought the limiter's answer, more
   * than `lateSlackMs` after its send time) is not used: sent now, it would go out together with
   * the permits after it and break the limit in the upstream's one-second windows. It takes a new
   * one instead, once (a second late one is used anyway, so a busy process never starves itself).
   */
  private async sleepForPermit(limiter: RateLimiter, grant: RateLimitGrant, request: HttpRequest, retaken: boolean, deadline: number): Promise<void> {
    let due = grant.dueAt;
    let shift = grant.shift;
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
      if (due > deadline) throw this.rateLimited(wait, request);
      try {
        // `closing` is made together with the limiter (`rateLimit`).
        await sleep(Math.ceil(wait), undefined, { signal: this.closing?.signal });
      } catch {
        throw new PersonalizedOffersOverloadedError('closed', 0);
      }
      const read = limiter.shiftNow(grant);
      const now = typeof read === 'number' ? read : await read;
      if (now > shift) due += now - shift;
      shift = now;
    }
    if (performance.now() - due <= this.lateSlackMs) return;
    if (retaken) {
      this.lateSends++; // late twice: used anyway (may go out with the next permits)
      return;
    }
    const taken = limiter.take();
    const next = taken instanceof Promise ? await taken : taken;
    if (!next.refused && next.dueAt > deadline) throw this.rateLimited(next.waitMs, request);
    await this.granted(limiter, next, request, true, deadline);
  }

  private rateLimited(waitMs: number, request: HttpRequest): PersonalizedOffersRateLimitedError {
    const error = new PersonalizedOffersRateLimitedError(waitMs, this.rateLimit ? this.rateLimit.maxWaitMs : 0);
    const limit = this.rateLimit ? this.rateLimit.requestsPerSecond : 0;
    const where = this.rateLimiter?.kind === 'redis' ? 'for the fleet sharing this Redis' : 'for this process';
    this.warnThrottled(
      'rate-limited',
      `${request.method} ${request.path}: ${error.message} The limit is ${limit}/s ${where}: raise rateLimit.requestsPerSecond if your Mastercard project allows more, raise rateLimit.maxWaitMs, or shed load before the module.`,
    );
    return error;
  }

  /** Pauses the limiter for the 429's `Retry-After` (none without one). Never throws. */
  private async pauseFor(limiter: RateLimiter, outcome: HttpResult): Promise<void> {
    const ms = parseRetryAfter(outcome.headers['retry-after']);
    if (ms === undefined || ms <= 0) return;
    try {
      await limiter.pause(ms);
    } catch {
      // the limiter's own fallback has it
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

  /**
   * The path the next attempt takes: `direct` (straight to the undici pool) while the module's
   * axios instance carries only the module's own interceptors and untouched defaults (transport
   * `undici`), else `axios`. For diagnostics and tests; nothing is sent.
   */
  get path(): 'direct' | 'axios' {
    return this.gate !== undefined && this.gate.reason() === undefined ? 'direct' : 'axios';
  }

  /**
   * One attempt, on the direct path while the module's axios instance is as the module made it,
   * else through axios. Logs (once per switch) when it changes paths and why.
   */
  private attempt(request: HttpRequest): Promise<HttpResult> {
    // The gate and the dispatcher are set together (transport `undici`).
    if (this.gate === undefined || this.dispatcher === undefined) return this.viaAxios(request);
    const reason = this.gate.reason();
    if (reason !== this.axiosReason) {
      this.logger.log(
        reason === undefined
          ? 'Requests go straight to the connection pool again (direct path): the axios instance carries only the module’s own interceptors.'
          : `Requests now go through the module’s axios instance (axios path): ${reason}. Every behaviour is kept; the direct path is faster.`,
      );
      this.axiosReason = reason;
    }
    return reason === undefined ? this.direct(request, this.dispatcher) : this.viaAxios(request);
  }

  /**
   * The direct path: one attempt sent straight to the undici pool, signed over the exact method,
   * URL and body with the same signer objects as the axios path, with the same headers on the
   * wire, the same body bound, timeout and errors. One timer, one controller, no axios config.
   */
  private async direct(request: HttpRequest, dispatcher: Dispatcher): Promise<HttpResult> {
    const deadline = new AttemptDeadline(this.timeoutMs);
    let headers: Record<string, string | undefined> | undefined;
    try {
      // The executor builds URLs from the normalized base and RFC 3986-encoded parts, which a URL
      // parse would return unchanged (`sameAsParsed`): split by hand (~10 µs of a cold call).
      // Anything else, and OAuth 2.0 (its proof needs the URL object), goes through `new URL`.
      let url: URL | undefined;
      let origin: string;
      let target: string;
      let href: string;
      if (this.oauth2 === undefined && sameAsParsed(request.url, this.baseOrigin)) {
        origin = this.baseOrigin;
        target = request.url.slice(origin.length);
        href = request.url;
      } else {
        url = new URL(request.url);
        origin = url.origin;
        target = url.pathname + url.search;
        href = url.href;
      }
      for (let sends = 1; ; sends++) {
        // An object of this attempt's own whenever something is added, or when the dispatcher writes
        // into what it is given (undici's proxy agents add `host`); else the request's shared headers.
        let sent: Record<string, string>;
        let baseString: string | undefined;
        if (this.signer !== undefined) {
          const signed = await this.signer.signRequest(request.method, href, request.body);
          sent = { ...request.headers, Authorization: signed.header };
          baseString = signed.baseString;
        } else if (this.oauth2 !== undefined) {
          const operation = { id: request.operation ?? '', method: request.method, path: request.path };
          sent = { ...request.headers, ...(await this.oauth2.authorize(operation, request.method, url ?? new URL(href), this.http.axiosRef)) };
        } else {
          sent = this.copyHeaders ? { ...request.headers } : request.headers;
        }
        headers = undefined;
        const res = await dispatcher.request({
          origin,
          path: target,
          method: request.method,
          headers: sent,
          body: request.body,
          signal: deadline,
        });
        const answered = undiciHeaders(res.headers);
        headers = answered;
        const body = await readBoundedBody(res, this.maxResponseBytes);
        if (this.oauth2 !== undefined) {
          const again = this.oauth2.answered(sends === 1 ? res.statusCode : 0, answered['dpop-nonce'], () => OAuth2ClientClass.errorOf(answered, body));
          if (again) continue;
        }
        const result: HttpResult = { status: res.statusCode, headers: answered, body };
        this.serverClock?.observe(answered.date);
        if (baseString !== undefined && res.statusCode >= 400) result.signatureBaseString = baseString;
        return result;
      }
    } catch (error) {
      if (error === BODY_TOO_LARGE) throw new PersonalizedOffersResponseTooLargeError(this.maxResponseBytes);
      // The module's own errors from the OAuth 2.0 client (a token refused): nothing of this request was sent.
      if (error instanceof PersonalizedOffersError) throw error;
      throw directNetworkError(error, deadline.aborted, headers);
    } finally {
      deadline.clear();
    }
  }

  /** One attempt through axios, aborted (socket destroyed) when it runs past the timeout, body included. */
  private async viaAxios(request: HttpRequest): Promise<HttpResult> {
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
      if (this.oauth2)
        (config as { [OAUTH2_OPERATION]?: object })[OAUTH2_OPERATION] = { id: request.operation ?? '', method: request.method, path: request.path };
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

/**
 * One attempt's timeout as the smallest abort signal undici accepts (`aborted`, `reason`,
 * `addEventListener`, `removeEventListener`): one timer and the listeners undici adds, without an
 * `AbortController` and its `EventTarget` per attempt (~10 µs of a cold call). When the timer
 * fires, every request still listening is aborted, its body included.
 */
class AttemptDeadline {
  aborted = false;
  readonly reason = undefined;
  private listeners: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(fire, ms, this);
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at !== -1) this.listeners.splice(at, 1);
  }

  /** Called when the timer fires: marks the attempt aborted and tells every listener once. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }

  /** The attempt is over: the timer never fires. */
  clear(): void {
    clearTimeout(this.timer);
  }
}

const fire = (deadline: AttemptDeadline): void => deadline.abort();

/** After the origin: a path and query of characters a URL parse keeps as they are (no `'`, `\\`, `#`, space, `%2e`). */
const PLAIN_TARGET = /^\/[A-Za-z0-9\-._~%!$&()*+,;=:@/?]*$/;
/** Dot segments (`/./`, `/../`, `/.` at the end), which a URL parse would resolve, or an encoded dot. */
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)|%2e/i;

/**
 * Whether `url` is `origin` followed by a path and query that `new URL(url)` would give back
 * unchanged (so `href` is `url`, `pathname + search` the rest): what the executor builds from the
 * normalized base URL and RFC 3986-encoded parts. `test/direct-path.e2e-spec.ts` and the unit spec
 * hold it to `new URL` on what the operations build.
 */
export function sameAsParsed(url: string, origin: string): boolean {
  if (!url.startsWith(origin) || url.charCodeAt(origin.length) !== 47 /* / */) return false;
  const target = url.slice(origin.length);
  // An empty query (`/x?`) is kept in `href` but not in `search`.
  return PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target) && !target.endsWith('?');
}

/**
 * The direct path's transport failure, as `toNetworkError` makes it for the axios path: the
 * low-level code only (never the request), `ETIMEDOUT` when the timeout aborted it, and the
 * correlation id of an answer that had started.
 */
function directNetworkError(error: unknown, timedOut: boolean, headers: Record<string, string | undefined> | undefined): PersonalizedOffersNetworkError {
  const low = (error as { code?: unknown } | undefined)?.code;
  return networkError(timedOut ? 'ETIMEDOUT' : typeof low === 'string' ? low : 'UNKNOWN', timedOut, correlationIdOf(headers));
}

/** The network error both paths throw: a message and a cause made of the code alone. */
function networkError(code: string, timedOut: boolean, correlationId: string | undefined): PersonalizedOffersNetworkError {
  const cause = Object.assign(new Error(timedOut ? 'aborted by the configured timeout' : code), { code });
  return new PersonalizedOffersNetworkError(
    timedOut ? 'Personalized Offers API request timed out.' : `Personalized Offers API request failed before a response (${code}).`,
    { timedOut, cause, ...(correlationId !== undefined ? { correlationId } : {}) },
  );
}

/** axios's (and our undici adapter's) error for a body past `maxContentLength`. */
function isTooLarge(error: unknown): boolean {
  return error instanceof AxiosError && typeof error.message === 'string' && error.message.startsWith('maxContentLength size of');
}

/**
 * undici's answer headers as the module keeps them: undici already gives lower-case names and
 * string values, so only repeated headers (arrays) need joining; no entries array, no lower-casing.
 */
function undiciHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name in headers) {
    const value = headers[name];
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** `headers` may be missing: an application's response interceptor runs before this and may replace the response. */
function flattenHeaders(headers: AxiosResponse['headers'] | Record<string, string | string[] | undefined> | undefined): Record<string, string | undefined> {
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
  return networkError(timedOut ? 'ETIMEDOUT' : typeof lowCode === 'string' ? lowCode : (axiosCode ?? 'UNKNOWN'), timedOut, correlationId);
}

function lowerCased(headers: unknown): Record<string, unknown> | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const plain = typeof (headers as { toJSON?: unknown }).toJSON === 'function' ? (headers as { toJSON: () => object }).toJSON() : headers;
  return Object.fromEntries(Object.entries(plain).map(([k, v]) => [k.toLowerCase(), v]));
}
