import { Logger } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersOutcomeStillUnknownError } from '../errors/personalized-offers-outcome-still-unknown.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import {
  type ActivationApi,
  type ActivationStatus,
  ensureActivated,
  isAlreadyActivatedError,
  statusFromAssignments,
  statusFromMatchedOffer,
} from './activation-resolution.js';

const logger = new Logger('test');
beforeAll(() => Logger.overrideLogger(false));

function tagged<E extends PersonalizedOffersApiError>(error: E, operation: string): E {
  error.operation = operation;
  return error;
}
const unknown = () =>
  new PersonalizedOffersOutcomeUnknownError('processActivations', { timedOut: true, cause: new PersonalizedOffersNetworkError('x', { timedOut: true }) });
const state = (s: Partial<ActivationStatus>): ActivationStatus => ({ offerId: 'o', activated: false, pending: false, ...s });

/** An API whose activations and reads follow scripts (each entry: a value or an error to throw). */
function scripted(activations: Array<Error | { activationId?: string }>, reads: Array<Error | ActivationStatus>, confirmAlreadyActive = false) {
  const calls = { activate: 0, status: 0 };
  const api: ActivationApi = {
    operation: 'processActivations',
    confirmAlreadyActive,
    activate: () => {
      const next = activations.at(calls.activate++);
      if (!next) return Promise.reject(new Error('unexpected activation'));
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve(next);
    },
    status: () => {
      const next = reads.at(Math.min(calls.status++, reads.length - 1));
      if (!next) return Promise.reject(new Error('unexpected read'));
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve(next);
    },
  };
  return { api, calls };
}

describe('ensureActivated: the resolution of an outcome-unknown activation', () => {
  const fast = { readBackoffMs: 1 };

  it('a pending (QUEUED) state is polled, and once active answers activated: true without sending again', async () => {
    const { api, calls } = scripted([unknown()], [state({ pending: true }), state({ pending: true }), state({ activated: true })]);
    await expect(ensureActivated(api, fast, logger)).resolves.toEqual({ activated: true, alreadyActive: false });
    expect(calls).toEqual({ activate: 1, status: 3 });
  });

  it('a state pending past pendingTimeoutMs: PersonalizedOffersOutcomeStillUnknownError with pending: true, never sent again', async () => {
    const { api, calls } = scripted([unknown()], [state({ pending: true })]);
    const error = await ensureActivated(api, { readBackoffMs: 5, pendingTimeoutMs: 30 }, logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersOutcomeStillUnknownError);
    expect(error).toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
    expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', pending: true, timedOut: true, operation: 'processActivations' });
    expect((error as Error).message).toMatch(/still pending/);
    expect(calls.activate).toBe(1);
    expect(calls.status).toBeGreaterThanOrEqual(2);
  });

  it('one "not active" read is not proof: a write that lands by the second read is not sent again', async () => {
    const { api, calls } = scripted([unknown()], [state({}), state({ activated: true })]);
    await expect(ensureActivated(api, fast, logger)).resolves.toEqual({ activated: true, alreadyActive: false });
    expect(calls).toEqual({ activate: 1, status: 2 });
  });

  it('two "not active" reads in a row prove it did not land: sent again, once', async () => {
    const { api, calls } = scripted([unknown(), { activationId: 'A2' }], [state({}), state({})]);
    await expect(ensureActivated(api, fast, logger)).resolves.toEqual({ activated: true, alreadyActive: false, activationId: 'A2' });
    expect(calls).toEqual({ activate: 2, status: 2 });
  });

  it('a failed read in between breaks the proof: "not active", failure, "not active" needs one more read', async () => {
    const { api, calls } = scripted([unknown(), {}], [state({}), new Error('read failed'), state({}), state({})]);
    await ensureActivated(api, fast, logger);
    expect(calls).toEqual({ activate: 2, status: 4 });
  });

  it('a re-send answered "already active" (the first one landed late): activated, alreadyActive false', async () => {
    const already = tagged(new PersonalizedOffersApiError('x', { status: 400, errors: [{ description: 'Offer is already ACTIVATED' }] }), 'processActivations');
    const { api } = scripted([unknown(), already], [state({}), state({})]);
    await expect(ensureActivated(api, fast, logger)).resolves.toEqual({ activated: true, alreadyActive: false });
  });

  it('legacy "already active" must be confirmed: a read that says not active rethrows the API error', async () => {
    const already = tagged(
      new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '400', message: 'Bad Request' } }),
      'activateStatementCreditOffer',
    );
    const { api } = scripted([already], [state({})], true);
    await expect(ensureActivated(api, fast, logger)).rejects.toBe(already);
    const confirmed = scripted([already], [state({ activated: true, activationId: 'SIM_1' })], true);
    await expect(ensureActivated(confirmed.api, fast, logger)).resolves.toEqual({ activated: true, alreadyActive: true, activationId: 'SIM_1' });
  });

  it('any other error is thrown as it is, without a read', async () => {
    const refused = new PersonalizedOffersApiError('x', { status: 401 });
    const { api, calls } = scripted([refused], [state({})]);
    await expect(ensureActivated(api, fast, logger)).rejects.toBe(refused);
    expect(calls.status).toBe(0);
  });

  it.each([
    [{ maxReads: 1 }, 'maxReads'],
    [{ maxSends: 0 }, 'maxSends'],
    [{ readBackoffMs: -1 }, 'readBackoffMs'],
    [{ pendingTimeoutMs: Number.NaN }, 'pendingTimeoutMs'],
  ])('refuses %j (InvalidArgumentError naming %s) before sending', async (options, name) => {
    const { api, calls } = scripted([{}], [state({})]);
    const error = await ensureActivated(api, options, logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).message).toContain(name);
    expect(calls.activate).toBe(0);
  });
});

describe('isAlreadyActivatedError', () => {
  it.each(
    [
      [
        'legacy 200 Status 400 Bad Request on the activation',
        tagged(new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '400', message: 'Bad Request' } }), 'activateStatementCreditOffer'),
        true,
      ],
      [
        'legacy 200 Status 999 "Bad Request" on the activation',
        tagged(new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '999', message: 'Bad Request' } }), 'activateStatementCreditOffer'),
        true,
      ],
      [
        'legacy 200 Status 500 "Failure" on the activation',
        tagged(new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '500', message: 'Failure' } }), 'activateStatementCreditOffer'),
        false,
      ],
      [
        'legacy 200 Status 400 Bad Request on a read',
        tagged(new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '400', message: 'Bad Request' } }), 'matchedOffers'),
        false,
      ],
      [
        'current 400 Offer is already ACTIVATED',
        tagged(new PersonalizedOffersApiError('x', { status: 400, errors: [{ description: 'Offer is already ACTIVATED' }] }), 'processActivations'),
        true,
      ],
      [
        'current 400 in the body excerpt only',
        tagged(new PersonalizedOffersApiError('x', { status: 400, bodyExcerpt: 'Offer is already ACTIVATED' }), 'processActivations'),
        true,
      ],
      [
        'current 400 about the offerId',
        tagged(new PersonalizedOffersApiError('x', { status: 400, errors: [{ description: 'offerId is invalid' }] }), 'processActivations'),
        false,
      ],
      [
        'current 500 saying already activated',
        tagged(new PersonalizedOffersApiError('x', { status: 500, errors: [{ description: 'Offer is already ACTIVATED' }] }), 'processActivations'),
        false,
      ],
      ['an outcome-unknown error', unknown(), false],
      ['a plain Error', new Error('Offer is already ACTIVATED'), false],
      ['undefined', undefined, false],
    ].map(([name, error, expected]) => [name, expected, error] as const),
  )('%s → %s', (_, expected, error) => {
    expect(isAlreadyActivatedError(error)).toBe(expected);
  });
});

describe('reading the state', () => {
  it.each([
    [[{ active: true, status: 'ACTIVATED' }], { activated: true, pending: false }],
    [[{ active: false, status: 'QUEUED' }], { activated: false, pending: true }],
    [[{ active: false, status: 'PENDING' }], { activated: false, pending: true }],
    [[{ active: false }], { activated: false, pending: false }],
    [[{ status: 'ACTIVATED' }], { activated: true, pending: false }],
    [[], { activated: false, pending: false }],
    [undefined, { activated: false, pending: false }],
  ])('current API assignments %j → %j', (assignments, expected) => {
    expect(statusFromAssignments('o', assignments)).toEqual({ offerId: 'o', ...expected });
  });

  it.each([
    [
      { ActiveSc: 'ACTIVATED_STATEMENT_CREDIT', ScActivation: { ActivationId: 'SIM_1' } },
      { activated: true, pending: false, activationId: 'SIM_1' },
    ],
    [{ ActiveSc: 'ACTIVATED_STATEMENT_CREDIT' }, { activated: true, pending: false }],
    [{ ActiveSc: 'AVAILABLE' }, { activated: false, pending: false }],
    [{ ScActivation: { ActivationId: 'SIM_2' } }, { activated: true, pending: false, activationId: 'SIM_2' }],
    [{ ActiveSc: 'SOMETHING_NEW' }, { activated: false, pending: true }],
  ])('legacy matched offer %j → %j', (offer, expected) => {
    expect(statusFromMatchedOffer('o', offer)).toEqual({ offerId: 'o', ...expected });
  });
});
