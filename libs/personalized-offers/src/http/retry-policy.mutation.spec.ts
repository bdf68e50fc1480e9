import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import type { HttpResult } from './http-result.js';
import { RetryPolicy, isRetryableStatus, isUpstreamFailure, provablyNotSent } from './retry-policy.js';

const status = (s: number, headers: Record<string, string> = {}): HttpResult => ({ status: s, headers, body: '' });
const network = (code: unknown, timedOut = false) => new PersonalizedOffersNetworkError('x', { timedOut, cause: Object.assign(new Error('failed'), { code }) });

describe('isRetryableStatus / isUpstreamFailure', () => {
  it('retries 429 and every status from 500, nothing else', () => {
    expect([200, 400, 428, 430, 499].map(isRetryableStatus)).toEqual([false, false, false, false, false]);
    expect([429, 500, 501, 503, 599].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
  });

  it('counts network errors and retryable statuses as upstream failures', () => {
    expect(isUpstreamFailure(network('ECONNRESET'))).toBe(true);
    expect(isUpstreamFailure(status(500))).toBe(true);
    expect(isUpstreamFailure(status(404))).toBe(false);
  });
});

describe('provablyNotSent', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])('%s proves the request never left', (code) =>
    expect(provablyNotSent(network(code))).toBe(true),
  );

  it('anything else may have reached the server: other codes, no code, no cause, a timeout, a response', () => {
    expect(provablyNotSent(network('ECONNRESET'))).toBe(false);
    expect(provablyNotSent(network(undefined))).toBe(false);
    expect(provablyNotSent(network(''))).toBe(false);
    expect(provablyNotSent(new PersonalizedOffersNetworkError('x', { timedOut: false }))).toBe(false);
    expect(provablyNotSent(network('ENOTFOUND', true))).toBe(false);
    expect(provablyNotSent(status(503))).toBe(false);
  });
});

describe('RetryPolicy', () => {
  it('allows one attempt when retries are off, and never a retry', () => {
    const off = new RetryPolicy(false, () => 0.5);
    expect(off.maxAttempts).toBe(1);
    expect(off.delayBeforeRetry(1, status(503), 'safe')).toBeUndefined();
    expect(off.delayBeforeRetry(0, network('ECONNREFUSED'), 'safe')).toBeUndefined();
  });

  it('allows retries + 1 attempts, the last one without a wait after it', () => {
    const policy = new RetryPolicy({ retries: 3, minDelayMs: 100, maxDelayMs: 10_000 }, () => 0.5);
    expect(policy.maxAttempts).toBe(4);
    expect(policy.delayBeforeRetry(3, status(503), 'safe')).toBe(200);
    expect(policy.delayBeforeRetry(4, status(503), 'safe')).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped by maxDelayMs', () => {
    const top = new RetryPolicy({ retries: 10, minDelayMs: 100, maxDelayMs: 1_000 }, () => 0.999);
    expect([1, 2, 3, 4, 5, 6].map((a) => top.delayBeforeRetry(a, status(500), 'safe'))).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = new RetryPolicy({ retries: 10, minDelayMs: 100, maxDelayMs: 1_000 }, () => 0);
    expect(bottom.delayBeforeRetry(3, status(500), 'safe')).toBe(0);
  });

  it('draws the jitter from Math.random by default', () => {
    const policy = new RetryPolicy({ retries: 2, minDelayMs: 1_000, maxDelayMs: 1_000 });
    const delays = new Set(Array.from({ length: 20 }, () => policy.delayBeforeRetry(1, status(500), 'safe')));
    expect(delays.size).toBeGreaterThan(1);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1_000);
    }
  });

  it.each([429, 503])("waits what the server's Retry-After asks after a %i, capped by maxDelayMs", (s) => {
    const policy = new RetryPolicy({ retries: 2, minDelayMs: 100, maxDelayMs: 5_000 }, () => 0.5);
    expect(policy.delayBeforeRetry(1, status(s, { 'retry-after': '2' }), 'safe')).toBe(2_000);
    expect(policy.delayBeforeRetry(1, status(s, { 'retry-after': '60' }), 'upsert')).toBe(5_000);
    // No or an unreadable header: the backoff.
    expect(policy.delayBeforeRetry(1, status(s), 'safe')).toBe(50);
    expect(policy.delayBeforeRetry(1, status(s, { 'retry-after': 'later' }), 'safe')).toBe(50);
  });

  it('ignores Retry-After on other statuses', () => {
    const policy = new RetryPolicy({ retries: 2, minDelayMs: 100, maxDelayMs: 5_000 }, () => 0.5);
    expect(policy.delayBeforeRetry(1, status(500, { 'retry-after': '2' }), 'safe')).toBe(50);
    expect(policy.delayBeforeRetry(1, status(502, { 'retry-after': '2' }), 'safe')).toBe(50);
  });

  it('a never-retried operation waits the backoff when its request provably never left', () => {
    const policy = new RetryPolicy({ retries: 2, minDelayMs: 100, maxDelayMs: 5_000 }, () => 0.5);
    expect(policy.delayBeforeRetry(2, network('EHOSTUNREACH'), 'never')).toBe(100);
    expect(policy.delayBeforeRetry(2, status(503, { 'retry-after': '1' }), 'never')).toBeUndefined();
  });
});
