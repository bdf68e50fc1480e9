import type { Logger } from '@nestjs/common';
import type { ResolvedHttpOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { type BreakerState, NOOP_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';
import type { HttpResult } from './http-result.js';
import { isRetryableStatus } from './retry-policy.js';

/**
 * Per-module circuit breaker: opens after N consecutive failed attempts, fails fast with
 * `PersonalizedOffersUnavailableError` while open, half-opens after a pause to let one probe
 * through (calls arriving meanwhile wait for the probe's verdict), and closes again when the
 * probe succeeds. The state machine is cockatiel's `circuitBreaker` with a `ConsecutiveBreaker`
 * (which the module used before, same events in the same order), written out here so that a
 * closed breaker costs one `then` on the attempt's own promise: no promise chain, no result
 * objects per call.
 */
export class UpstreamCircuitBreaker {
  private readonly enabled: boolean = false;
  private readonly threshold: number = 0;
  private readonly halfOpenAfterMs: number = 0;
  private mode: Mode = CLOSED;
  /** Consecutive failures (cockatiel's `ConsecutiveBreaker` count). */
  private failures = 0;
  /** `Date.now()` when the breaker last opened. */
  private openedAt = 0;
  /** The probe under way while half-open. */
  private probe: Promise<unknown> | undefined;
  /** What a transition does (log, telemetry); nothing while disabled, when no transition happens. */
  private readonly events: BreakerEvents = NO_EVENTS;
  private readonly closedResult = (result: HttpResult): HttpResult => {
    if (isRetryableStatus(result.status)) this.failed();
    else this.failures = 0;
    return result;
  };
  private readonly closedError = (error: unknown): never => {
    if (error instanceof PersonalizedOffersNetworkError) this.failed();
    throw error;
  };

  constructor(options: ResolvedHttpOptions['circuitBreaker'], logger: Logger, telemetry: Telemetry = NOOP_TELEMETRY) {
    if (!options) return;
    this.enabled = true;
    this.threshold = options.consecutiveFailures;
    this.halfOpenAfterMs = options.halfOpenAfterMs;
    let previous: BreakerState = 'closed';
    this.events = {
      break: () => {
        logger.warn(`Circuit breaker opened after ${options.consecutiveFailures} consecutive failures; failing fast for ${options.halfOpenAfterMs} ms.`);
        this.openedAt = Date.now();
      },
      halfOpen: () => logger.warn('Circuit breaker half-open: letting one probe request through.'),
      reset: () => logger.warn('Circuit breaker closed: the API answers again.'),
      change: (to) => {
        if (to !== previous) telemetry.breakerTransition(previous, to);
        previous = to;
      },
    };
  }

  /** `'closed' | 'open' | 'half-open' | 'disabled'`. */
  get state(): 'closed' | 'open' | 'half-open' | 'disabled' {
    if (!this.enabled) return 'disabled';
    return this.mode === CLOSED ? 'closed' : this.mode === HALF_OPEN ? 'half-open' : 'open';
  }

  /**
   * Read-only view for health checks. An open breaker whose pause is over reads `'half-open'`:
   * the breaker switches only when the next call arrives, and that call is the probe. While open,
   * `retryInMs` is the time left before a probe may go through.
   */
  snapshot(): { state: 'closed' | 'open' | 'half-open' | 'disabled'; retryInMs?: number } {
    const state = this.state;
    if (state !== 'open') return { state };
    const retryInMs = this.openedAt + this.halfOpenAfterMs - Date.now();
    return retryInMs > 0 ? { state, retryInMs } : { state: 'half-open' };
  }

  /** Runs one attempt through the breaker. Closed (the usual case): the attempt's promise and one `then`. */
  execute(attempt: () => Promise<HttpResult>): Promise<HttpResult> {
    if (!this.enabled) return attempt();
    if (this.mode === CLOSED) {
      let running: Promise<HttpResult>;
      try {
        running = attempt();
      } catch (error) {
        return this.closedError(error);
      }
      return running.then(this.closedResult, this.closedError);
    }
    return this.notClosed(attempt);
  }

  private async notClosed(attempt: () => Promise<HttpResult>): Promise<HttpResult> {
    if (this.mode === HALF_OPEN) {
      await this.probe?.catch(() => undefined);
      return this.execute(attempt);
    }
    if (Date.now() - this.openedAt < this.halfOpenAfterMs) throw new PersonalizedOffersUnavailableError();
    const probe = this.halfOpen(attempt);
    this.probe = probe;
    this.mode = HALF_OPEN;
    this.events.change('half-open');
    return probe;
  }

  private async halfOpen(attempt: () => Promise<HttpResult>): Promise<HttpResult> {
    this.events.halfOpen();
    let result: HttpResult;
    try {
      result = await attempt();
    } catch (error) {
      if (error instanceof PersonalizedOffersNetworkError) {
        this.failures++;
        this.open();
      } else {
        // Not a failure the breaker counts (cockatiel: "task failed successfully").
        this.close();
      }
      throw error;
    }
    if (isRetryableStatus(result.status)) {
      this.failures++;
      this.open();
    } else {
      this.failures = 0;
      this.close();
    }
    return result;
  }

  private failed(): void {
    if (++this.failures >= this.threshold) this.open();
  }

  private open(): void {
    if (this.mode === OPEN) return;
    this.mode = OPEN;
    this.probe = undefined;
    this.events.break();
    this.events.change('open');
  }

  private close(): void {
    if (this.mode !== HALF_OPEN) return;
    this.mode = CLOSED;
    this.probe = undefined;
    this.events.reset();
    this.events.change('closed');
  }
}

interface BreakerEvents {
  break: () => void;
  halfOpen: () => void;
  reset: () => void;
  change: (to: BreakerState) => void;
}

const ignore = (): void => undefined;
const NO_EVENTS: BreakerEvents = { break: ignore, halfOpen: ignore, reset: ignore, change: ignore };

type Mode = 0 | 1 | 2;
const CLOSED: Mode = 0;
const OPEN: Mode = 1;
const HALF_OPEN: Mode = 2;
