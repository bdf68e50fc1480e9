import { Controller, Get, type INestApplication, Param } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import type { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { PersonalizedOffersExceptionFilter, toHttpStatus } from './personalized-offers-exception.filter.js';

const cause = new Error('x');

/** The generic message of each status (README "Errors": no upstream detail reaches the caller). */
const MESSAGES: Record<number, string> = {
  400: 'The request cannot be used for Personalized Offers: a user id or parameter is invalid.',
  502: 'The Personalized Offers service returned an error.',
  503: 'The Personalized Offers service is temporarily unavailable.',
  504: 'The Personalized Offers service did not answer in time.',
  500: 'Personalized Offers is not configured correctly.',
};

/**
 * Every mapping the README promises: [case, status, the error, its code, the `Retry-After` the
 * response must carry (`undefined`: none)].
 */
const CASES: Array<[string, number, () => PersonalizedOffersError, string, string | undefined]> = [
  ['a bad user id', 400, () => new InvalidUserIdError('contains-colon'), 'INVALID_USER_ID', undefined],
  ['a bad argument', 400, () => new InvalidArgumentError('pageNumber', 'must be a whole number'), 'INVALID_ARGUMENT', undefined],
  ['a refused call', 502, () => new PersonalizedOffersApiError('x', { status: 401 }), 'API_ERROR', undefined],
  ['a non-600 status', 502, () => new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '400' } }), 'API_ERROR', undefined],
  ['a body that is not the model', 502, () => new PersonalizedOffersInvalidResponseError('x', { status: 200 }), 'INVALID_RESPONSE', undefined],
  // Retry-After is passed on with 503 only: a 5xx that maps to 502 does not carry it.
  ['a 500 that sent Retry-After', 502, () => new PersonalizedOffersApiError('x', { status: 500, retryAfterMs: 5_000 }), 'API_ERROR', undefined],
  ['a 429', 503, () => new PersonalizedOffersApiError('x', { status: 429 }), 'API_ERROR', undefined],
  ['a 429 with Retry-After 1.5 s (rounded up to whole seconds)', 503, () => new PersonalizedOffersApiError('x', { status: 429, retryAfterMs: 1_500 }), 'API_ERROR', '2'],
  ['a 503', 503, () => new PersonalizedOffersApiError('x', { status: 503 }), 'API_ERROR', undefined],
  ['a 503 with Retry-After 0', 503, () => new PersonalizedOffersApiError('x', { status: 503, retryAfterMs: 0 }), 'API_ERROR', '0'],
  ['a 503 with Retry-After 120 s', 503, () => new PersonalizedOffersApiError('x', { status: 503, retryAfterMs: 120_000 }), 'API_ERROR', '120'],
  ['an open breaker', 503, () => new PersonalizedOffersUnavailableError(), 'UNAVAILABLE', undefined],
  ['a timeout', 504, () => new PersonalizedOffersNetworkError('x', { timedOut: true }), 'NETWORK_TIMEOUT', undefined],
  ['a reset', 502, () => new PersonalizedOffersNetworkError('x', { timedOut: false }), 'NETWORK_ERROR', undefined],
  ['an activation that timed out (outcome unknown)', 504, () => new PersonalizedOffersOutcomeUnknownError('activateStatementCreditOffer', { timedOut: true, cause }), 'OUTCOME_UNKNOWN', undefined],
  ['an activation answered 5xx (outcome unknown)', 502, () => new PersonalizedOffersOutcomeUnknownError('activateStatementCreditOffer', { timedOut: false, cause }), 'OUTCOME_UNKNOWN', undefined],
  ['a configuration error', 500, () => new PersonalizedOffersConfigError('fId', 'x'), 'CONFIG_INVALID', undefined],
];

describe('toHttpStatus: every mapping the README promises', () => {
  it.each(CASES)('%s → %d', (_, status, error) => {
    expect(toHttpStatus(error())).toBe(status);
  });
});

@Controller('fail')
class FailingController {
  @Get(':index')
  fail(@Param('index') index: string): never {
    throw CASES[Number(index)]![2]();
  }
}

/** The filter registered as users do (APP_FILTER) in a real Express app, over real HTTP. */
describe('PersonalizedOffersExceptionFilter: the HTTP response of every mapping the README promises', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [FailingController],
      providers: [{ provide: APP_FILTER, useClass: PersonalizedOffersExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app.close());

  it.each(CASES.map((c, i) => [c[0], c[1], c[3], c[4] ?? 'none', i] as const))(
    '%s → %d, body { statusCode, code: %s, message }, Retry-After: %s',
    async (_, status, code, retryAfter, index) => {
      const response = await fetch(`${url}/fail/${index}`);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('retry-after')).toBe(retryAfter === 'none' ? null : retryAfter);
      // Exactly these three fields: no upstream detail, status, errors or excerpt.
      expect(await response.json()).toEqual({ statusCode: status, code, message: MESSAGES[status] });
    },
  );
});
