import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { RetryPolicy, provablyNotSent } from './retry-policy.js';
import type { HttpResult } from './http-result.js';

const policy = new RetryPolicy({ retries: 2, minDelayMs: 100, maxDelayMs: 1000 }, () => 0.5);
const status = (s: number, headers: Record<string, string> = {}): HttpResult => ({ status: s, headers, body: '' });
const network = (code: string, timedOut = false) => new PersonalizedOffersNetworkError('x', { timedOut, cause: Object.assign(new Error(code), { code }) });

describe('RetryPolicy by retry class', () => {
  it.each([
    ['safe', status(503)],
    ['safe', network('ECONNRESET')],
    ['safe', network('ETIMEDOUT', true)],
    ['upsert', status(502)],
    ['upsert', network('ECONNRESET')],
    ['never', network('ECONNREFUSED')],
    ['never', network('ENOTFOUND')],
  ] as const)('%s retries after %o', (retry, outcome) => {
    expect(policy.delayBeforeRetry(1, outcome, retry)).toBe(50);
  });

  it.each([
    ['never', status(503)],
    ['never', status(500)],
    ['never', status(429, { 'retry-after': '0' })],
    ['never', network('ECONNRESET')],
    ['never', network('ETIMEDOUT', true)],
    ['never', network('UND_ERR_SOCKET')],
    ['safe', status(400)],
    ['safe', status(401)],
    ['upsert', status(404)],
  ] as const)('%s does not retry after %o', (retry, outcome) => {
    expect(policy.delayBeforeRetry(1, outcome, retry)).toBeUndefined();
  });

  it('stops after the configured retries whatever the class', () => {
    expect(policy.delayBeforeRetry(3, status(503), 'safe')).toBeUndefined();
    expect(policy.delayBeforeRetry(3, network('ECONNREFUSED'), 'never')).toBeUndefined();
  });

  it('provablyNotSent: only connection-establishment failures, never a timeout or a reset', () => {
    expect(provablyNotSent(network('ECONNREFUSED'))).toBe(true);
    expect(provablyNotSent(network('UND_ERR_CONNECT_TIMEOUT'))).toBe(true);
    expect(provablyNotSent(network('ECONNREFUSED', true))).toBe(false);
    expect(provablyNotSent(network('ECONNRESET'))).toBe(false);
    expect(provablyNotSent(status(503))).toBe(false);
  });
});
