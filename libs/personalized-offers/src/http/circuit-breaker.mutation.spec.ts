import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { NOOP_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';
import { UpstreamCircuitBreaker } from './circuit-breaker.js';
import type { HttpResult } from './http-result.js';

const result = (status: number): HttpResult => ({ status, headers: {}, body: '' });
const networkError = () => new PersonalizedOffersNetworkError('connection reset', { timedOut: false });

function fakeLogger() {
  const warn = jest.fn<(message: string) => void>();
  return { warn, logger: { warn } as unknown as Logger };
}

function recordingTelemetry() {
  const transitions: string[] = [];
  const telemetry: Telemetry = { ...NOOP_TELEMETRY, breakerTransition: (from, to) => void transitions.push(`${from}->${to}`) };
  return { transitions, telemetry };
}

/** Runs `n` attempts that each answer `status`. */
async function answer(breaker: UpstreamCircuitBreaker, status: number, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(() => Promise.resolve(result(status)));
}

describe('UpstreamCircuitBreaker disabled (circuitBreaker: false)', () => {
  it('reads disabled and runs every attempt straight through, errors unchanged', async () => {
    const { logger } = fakeLogger();
    const breaker = new UpstreamCircuitBreaker(false, logger);
    expect(breaker.state).toBe('disabled');
    expect(breaker.snapshot()).toEqual({ state: 'disabled' });
    await expect(breaker.execute(() => Promise.resolve(result(503)))).resolves.toEqual(result(503));
    const error = networkError();
    for (let i = 0; i < 10; i++) await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.state).toBe('disabled');
  });
});

describe('UpstreamCircuitBreaker enabled', () => {
  it('opens after the configured number of consecutive 5xx answers, then fails fast without calling the attempt', async () => {
    const { warn, logger } = fakeLogger();
    const breaker = new UpstreamCircuitBreaker({ consecutiveFailures: 3, halfOpenAfterMs: 60_000 }, logger);
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot()).toEqual({ state: 'closed' });
    await answer(breaker, 503, 2);
    expect(breaker.state).toBe('closed');
    await answer(breaker, 500);
    expect(breaker.state).toBe('open');
    expect(warn).toHaveBeenCalledWith('Circuit breaker opened after 3 consecutive failures; failing fast for 60000 ms.');

    const attempt = jest.fn(() => Promise.resolve(result(200)));
    await expect(breaker.execute(attempt)).rejects.toBeInstanceOf(PersonalizedOffersUnavailableError);
    expect(attempt).not.toHaveBeenCalled();
  });

  it('counts network errors and 429 as failures, and passes those errors through unchanged', async () => {
    const { logger } = fakeLogger();
    const breaker = new UpstreamCircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 }, logger);
    const error = networkError();
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.state).toBe('closed');
    await answer(breaker, 429);
    expect(breaker.state).toBe('open');
  });

  it('does not count other errors, 4xx answers or successes, and a success resets the count', async () => {
    const { logger } = fakeLogger();
    const breaker = new UpstreamCircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 }, logger);
    const other = new Error('a bug, not the upstream');
    for (let i = 0; i < 3; i++) await expect(breaker.execute(() => Promise.reject(other))).rejects.toBe(other);
    await answer(breaker, 404, 3);
    await answer(breaker, 499, 3);
    expect(breaker.state).toBe('closed');
    await answer(breaker, 502);
    await answer(breaker, 200);
    await answer(breaker, 502);
    expect(breaker.state).toBe('closed');
    await answer(breaker, 502);
    expect(breaker.state).toBe('open');
  });

  it('snapshot: while open, the time left before a probe; once the pause is over, half-open', async () => {
    const { logger } = fakeLogger();
    const breaker = new UpstreamCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 150 }, logger);
    const before = Date.now();
    await answer(breaker, 503);
    const snapshot = breaker.snapshot();
    expect(snapshot.state).toBe('open');
    expect(snapshot.retryInMs).toBeGreaterThan(0);
    expect(snapshot.retryInMs).toBeLessThanOrEqual(150);
    expect(snapshot.retryInMs).toBeGreaterThanOrEqual(150 - (Date.now() - before));
    await sleep(200);
    expect(breaker.snapshot()).toEqual({ state: 'half-open' });
    expect(breaker.state).toBe('open'); // cockatiel switches on the next call
  });

  it('half-opens after the pause, lets one probe through and closes when it succeeds, reporting each transition once', async () => {
    const { warn, logger } = fakeLogger();
    const { transitions, telemetry } = recordingTelemetry();
    const breaker = new UpstreamCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 20 }, logger, telemetry);
    await answer(breaker, 503);
    expect(transitions).toEqual(['closed->open']);
    await sleep(40);

    let stateDuringProbe: string | undefined;
    let snapshotDuringProbe: object | undefined;
    await breaker.execute(async () => {
      await sleep(5); // cockatiel records the half-open state once the probe is under way
      stateDuringProbe = breaker.state;
      snapshotDuringProbe = breaker.snapshot();
      return result(200);
    });
    expect(stateDuringProbe).toBe('half-open');
    expect(snapshotDuringProbe).toEqual({ state: 'half-open' });
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(warn).toHaveBeenCalledWith('Circuit breaker half-open: letting one probe request through.');
    expect(warn).toHaveBeenCalledWith('Circuit breaker closed: the API answers again.');
  });

  it('opens again when the probe fails, and the snapshot counts the pause from that new opening', async () => {
    const { logger } = fakeLogger();
    const { transitions, telemetry } = recordingTelemetry();
    const breaker = new UpstreamCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 100 }, logger, telemetry);
    await answer(breaker, 503);
    await sleep(120);
    await answer(breaker, 503);
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->open']);
    const snapshot = breaker.snapshot();
    expect(snapshot.state).toBe('open');
    expect(snapshot.retryInMs).toBeGreaterThan(50);
  });
});
