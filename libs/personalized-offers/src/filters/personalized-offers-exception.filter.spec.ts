import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import type { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { toHttpStatus } from './personalized-offers-exception.filter.js';

describe('toHttpStatus: every mapping the README promises', () => {
  const cause = new Error('x');
  it.each<[string, PersonalizedOffersError, number]>([
    ['a bad user id', new InvalidUserIdError('contains-colon'), 400],
    ['a bad argument', new InvalidArgumentError('pageNumber', 'must be a whole number'), 400],
    ['a refused call', new PersonalizedOffersApiError('x', { status: 401 }), 502],
    ['a non-600 status', new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '400' } }), 502],
    ['a body that is not the model', new PersonalizedOffersInvalidResponseError('x', { status: 200 }), 502],
    ['a 429', new PersonalizedOffersApiError('x', { status: 429 }), 503],
    ['a 503', new PersonalizedOffersApiError('x', { status: 503 }), 503],
    ['an open breaker', new PersonalizedOffersUnavailableError(), 503],
    ['a timeout', new PersonalizedOffersNetworkError('x', { timedOut: true }), 504],
    ['a reset', new PersonalizedOffersNetworkError('x', { timedOut: false }), 502],
    ['an activation that timed out (outcome unknown)', new PersonalizedOffersOutcomeUnknownError('activateStatementCreditOffer', { timedOut: true, cause }), 504],
    ['an activation answered 5xx (outcome unknown)', new PersonalizedOffersOutcomeUnknownError('activateStatementCreditOffer', { timedOut: false, cause }), 502],
    ['a configuration error', new PersonalizedOffersConfigError('fId', 'x'), 500],
  ])('%s → %d', (_, error, status) => {
    expect(toHttpStatus(error)).toBe(status);
  });
});
