import { describe, expect, it, jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { describeCallFailure } from '../diagnostics/call-failure.js';
import { PersonalizedOffersExceptionFilter, toHttpStatus } from '../filters/personalized-offers-exception.filter.js';
import { errorTypeOf } from '../telemetry/telemetry.js';
import * as errors from './index.js';
import { PersonalizedOffersRateLimitedError } from './personalized-offers-rate-limited.error.js';

describe('PersonalizedOffersRateLimitedError', () => {
  it('is exported from the errors index, a PersonalizedOffersError with code RATE_LIMITED, retryAfterMs (whole ms) and maxWaitMs', () => {
    expect(errors.PersonalizedOffersRateLimitedError).toBe(PersonalizedOffersRateLimitedError);
    const error = new PersonalizedOffersRateLimitedError(1234.2, 500);
    expect(error).toBeInstanceOf(errors.PersonalizedOffersError);
    expect(error.toJSON()).toEqual({
      name: 'PersonalizedOffersRateLimitedError',
      code: 'RATE_LIMITED',
      message: 'The rate limit (rateLimit) had no permit within rateLimit.maxWaitMs (500 ms); the next would come in 1235 ms. The request was not sent.',
      retryAfterMs: 1235,
      maxWaitMs: 500,
    });
  });

  it('the filter answers 503 with Retry-After in whole seconds (rounded up), like an overloaded module', () => {
    const error = new PersonalizedOffersRateLimitedError(1_200, 500);
    expect(toHttpStatus(error)).toBe(503);
    expect(toHttpStatus(new errors.PersonalizedOffersOverloadedError('queue-full', 1))).toBe(503);
    const headers: Record<string, string> = {};
    const response = { setHeader: (k: string, v: string) => (headers[k] = v), status: jest.fn(), json: jest.fn() };
    const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
    new PersonalizedOffersExceptionFilter({ logErrors: false }).catch(error, host);
    expect(response.status).toHaveBeenCalledWith(503);
    expect(response.json).toHaveBeenCalledWith({
      statusCode: 503,
      code: 'RATE_LIMITED',
      message: 'The Personalized Offers service is temporarily unavailable.',
    });
    expect(headers).toEqual({ 'Retry-After': '2' });
  });

  it('the doctor says it was not sent and what to do; telemetry types it by class name', () => {
    const advice = describeCallFailure(new PersonalizedOffersRateLimitedError(800, 100), { host: 'api.mastercard.com', proxy: 'direct' });
    expect(advice.detail).toBe('not sent: the rate limit (rateLimit) had no permit within 100 ms (the next in 800 ms)');
    expect(advice.remedy).toMatch(/raise rateLimit.requestsPerSecond/);
    expect(errorTypeOf(new PersonalizedOffersRateLimitedError(1, 0))).toBe('PersonalizedOffersRateLimitedError');
  });
});
