import type { Logger } from '@nestjs/common';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, type CircuitBreakerPolicy, circuitBreaker, handleWhen } from 'cockatiel';
import type { ResolvedHttpOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { type BreakerState, NOOP_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';
import type { HttpResult } from './http-result.js';
import { isRetryableStatus } from './retry-policy.js';

/**
 * Per-module circuit breaker (cockatiel): opens after N consecutive failed attempts, fails fast
 * with `PersonalizedOffersUnavailableError` while open, half-opens after a pause to let one
 * probe through, and closes again when the probe succeeds.
 */
export class UpstreamCircuitBreaker {
  private readonly policy: CircuitBreakerPolicy | undefined;
  private readonly halfOpenAfterMs: number = 0;
  /** `Date.now()` when the breaker last opened (cockatiel keeps its own copy private). */
  private openedAt = 0;

  constructor(options: ResolvedHttpOptions['circuitBreaker'], logger: Logger, telemetry: Telemetry = NOOP_TELEMETRY) {
    if (!options) return;
    this.policy = circuitBreaker(
      handleWhen((e) => e instanceof PersonalizedOffersNetworkError).orWhenResult((r) => isRetryableStatus((r as HttpResult).status)),
      { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.consecutiveFailures) },
    );
    this.policy.onBreak(() => logger.warn(`Circuit breaker opened after ${options.consecutiveFailures} consecutive failures; failing fast for ${options.halfOpenAfterMs} ms.`));
    this.policy.onHalfOpen(() => logger.warn('Circuit breaker half-open: letting one probe request through.'));
    this.policy.onReset(() => logger.warn('Circuit breaker closed: the API answers again.'));
    this.halfOpenAfterMs = options.halfOpenAfterMs;
    this.policy.onBreak(() => (this.openedAt = Date.now()));
    let previous: BreakerState = 'closed';
    this.policy.onStateChange((next) => {
      const to = stateName(next);
      if (to !== previous) telemetry.breakerTransition(previous, to);
      previous = to;
    });
  }

  /** `'closed' | 'open' | 'half-open' | 'disabled'`. */
  get state(): 'closed' | 'open' | 'half-open' | 'disabled' {
    if (!this.policy) return 'disabled';
    const s = this.policy.state;
    return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  /**
   * Read-only view for health checks. An open breaker whose pause is over reads `'half-open'`:
   * cockatiel switches only when the next call arrives, and that call is the probe. While open,
   * `retryInMs` is the time left before a probe may go through.
   */
  snapshot(): { state: 'closed' | 'open' | 'half-open' | 'disabled'; retryInMs?: number } {
    const state = this.state;
    if (state !== 'open') return { state };
    const retryInMs = this.openedAt + this.halfOpenAfterMs - Date.now();
    return retryInMs > 0 ? { state, retryInMs } : { state: 'half-open' };
  }

  /** Runs one attempt through the breaker. */
  async execute(attempt: () => Promise<HttpResult>): Promise<HttpResult> {
    if (!this.policy) return attempt();
    try {
      return await this.policy.execute(attempt);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new PersonalizedOffersUnavailableError();
      throw error;
    }
  }
}

/** cockatiel's state by the module's name (isolated reads `open`, as in `state`). */
function stateName(state: CircuitState): BreakerState {
  return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
}
