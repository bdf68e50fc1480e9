import { Controller, Get, type INestApplication, type LoggerService, Param } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersNotFoundError } from '../errors/personalized-offers-not-found.error.js';
import { PersonalizedOffersOutcomeStillUnknownError } from '../errors/personalized-offers-outcome-still-unknown.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import type { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS, PersonalizedOffersExceptionFilter, toHttpStatus } from './personalized-offers-exception.filter.js';

const cause = new Error('x');

/** The generic message of each status (README "Errors": no upstream detail reaches the caller). */
const MESSAGES: Record<number, string> = {
  202: "The activation may or may not have taken effect (Mastercard may still be processing it). Check the offer's activation status before trying again; do not repeat the request blindly.",
  404: 'The offer or activation was not found.',
  409: 'The offer is already activated.',
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
/** An API error as the executor leaves it: tagged with the operation's id. */
function apiError(operation: string, fields: ConstructorParameters<typeof PersonalizedOffersApiError>[1]): PersonalizedOffersApiError {
  const error = new PersonalizedOffersApiError('x', fields);
  error.operation = operation;
  return error;
}

const CASES: Array<[string, number, () => PersonalizedOffersError, string, string | undefined]> = [
  ['a bad user id', 400, () => new InvalidUserIdError('contains-colon'), 'INVALID_USER_ID', undefined],
  ['a bad argument', 400, () => new InvalidArgumentError('pageNumber', 'must be a whole number'), 'INVALID_ARGUMENT', undefined],
  ['a refused call', 502, () => new PersonalizedOffersApiError('x', { status: 401 }), 'API_ERROR', undefined],
  ['a non-600 status', 502, () => new PersonalizedOffersApiError('x', { status: 200, apiStatus: { code: '400' } }), 'API_ERROR', undefined],
  ['a body that is not the model', 502, () => new PersonalizedOffersInvalidResponseError('x', { status: 200 }), 'INVALID_RESPONSE', undefined],
  // Retry-After is passed on with 503 only: a 5xx that maps to 502 does not carry it.
  ['a 500 that sent Retry-After', 502, () => new PersonalizedOffersApiError('x', { status: 500, retryAfterMs: 5_000 }), 'API_ERROR', undefined],
  ['a 429', 503, () => new PersonalizedOffersApiError('x', { status: 429 }), 'API_ERROR', undefined],
  [
    'a 429 with Retry-After 1.5 s (rounded up to whole seconds)',
    503,
    () => new PersonalizedOffersApiError('x', { status: 429, retryAfterMs: 1_500 }),
    'API_ERROR',
    '2',
  ],
  ['a 503', 503, () => new PersonalizedOffersApiError('x', { status: 503 }), 'API_ERROR', undefined],
  ['a 503 with Retry-After 0', 503, () => new PersonalizedOffersApiError('x', { status: 503, retryAfterMs: 0 }), 'API_ERROR', '0'],
  ['a 503 with Retry-After 120 s', 503, () => new PersonalizedOffersApiError('x', { status: 503, retryAfterMs: 120_000 }), 'API_ERROR', '120'],
  ['an open breaker', 503, () => new PersonalizedOffersUnavailableError(), 'UNAVAILABLE', undefined],
  ['a timeout', 504, () => new PersonalizedOffersNetworkError('x', { timedOut: true }), 'NETWORK_TIMEOUT', undefined],
  ['a reset', 502, () => new PersonalizedOffersNetworkError('x', { timedOut: false }), 'NETWORK_ERROR', undefined],
  // Outcome unknown: neither a plain failure's 502 nor a timeout's 504, which invite a retry.
  [
    'an activation that timed out (outcome unknown)',
    202,
    () => new PersonalizedOffersOutcomeUnknownError('activateStatementCreditOffer', { timedOut: true, cause }),
    'OUTCOME_UNKNOWN',
    undefined,
  ],
  [
    'an activation answered 5xx (outcome unknown)',
    202,
    () => new PersonalizedOffersOutcomeUnknownError('processActivations', { timedOut: false, cause }),
    'OUTCOME_UNKNOWN',
    undefined,
  ],
  [
    'an activation ensureActivated could not settle (still unknown, pending)',
    202,
    () => new PersonalizedOffersOutcomeStillUnknownError('processActivations', { pending: true, reads: 3, timedOut: false, cause }),
    'OUTCOME_UNKNOWN',
    undefined,
  ],
  // Already active: legacy 200 + non-600 "Bad Request" on the activation, current API 400 "Offer is already ACTIVATED".
  [
    'a legacy activation of an active offer (200, Status 400 Bad Request)',
    409,
    () => apiError('activateStatementCreditOffer', { status: 200, apiStatus: { code: '400', message: 'Bad Request' } }),
    'ALREADY_ACTIVATED',
    undefined,
  ],
  [
    'a current-API activation of an active offer (400 Offer is already ACTIVATED)',
    409,
    () => apiError('processActivations', { status: 400, errors: [{ description: 'Offer is already ACTIVATED' }] }),
    'ALREADY_ACTIVATED',
    undefined,
  ],
  [
    'a non-600 status of a read (not an activation)',
    502,
    () => apiError('matchedOffers', { status: 200, apiStatus: { code: '400', message: 'Bad Request' } }),
    'API_ERROR',
    undefined,
  ],
  [
    'another 400 of an activation',
    502,
    () => apiError('processActivations', { status: 400, errors: [{ description: 'offerId is invalid' }] }),
    'API_ERROR',
    undefined,
  ],
  // Upstream 404 for the offer or activation a call named.
  [
    'a 404 of getOffer',
    404,
    () => apiError('getOffer', { status: 404, errors: [{ source: 'offer_id', description: 'offer_id does not match any resource' }] }),
    'NOT_FOUND',
    undefined,
  ],
  ['a 404 of getStatementCreditActivationDetail', 404, () => apiError('getStatementCreditActivationDetail', { status: 404 }), 'NOT_FOUND', undefined],
  ['a 404 of activateStatementCreditOffer', 404, () => apiError('activateStatementCreditOffer', { status: 404 }), 'NOT_FOUND', undefined],
  ['an offer getActivationStatus did not find', 404, () => new PersonalizedOffersNotFoundError('offer', 'x'), 'NOT_FOUND', undefined],
  ['a 404 of a list (a wrong route, not a missing offer)', 502, () => apiError('matchedOffers', { status: 404 }), 'API_ERROR', undefined],
  [
    'a gateway 404 of getOffer (the route, not the offer)',
    502,
    () => apiError('getOffer', { status: 404, errors: [{ source: 'Gateway', description: 'Not found' }] }),
    'API_ERROR',
    undefined,
  ],
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
    throw CASES[Number(index)][2]();
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

@Controller('boom')
class BoomController {
  @Get('upstream')
  upstream(): never {
    const error = new PersonalizedOffersApiError('Personalized Offers API answered 500 for getOffer.', { status: 500 });
    error.operation = 'getOffer';
    throw error;
  }

  @Get('already')
  already(): never {
    throw Object.assign(new PersonalizedOffersApiError('x', { status: 400, errors: [{ description: 'Offer is already ACTIVATED' }] }), {
      operation: 'processActivations',
    });
  }

  @Get('unknown')
  unknown(): never {
    throw new PersonalizedOffersOutcomeUnknownError('processActivations', { timedOut: true, cause });
  }
}

/** A Nest logger keeping each line as `<level> <message>`. */
function capture(): { logger: LoggerService; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: unknown) => lines.push(`${level} ${String(message)}`);
  return { lines, logger: { log: at('log'), warn: at('warn'), error: at('error'), debug: at('debug'), verbose: at('verbose') } };
}

describe('PersonalizedOffersExceptionFilter({ logErrors })', () => {
  async function appWith(
    register: 'app-filter' | 'app-filter-options-off' | 'global-options-off' | 'global-adapter-host',
  ): Promise<{ app: INestApplication; url: string; lines: string[] }> {
    const providers =
      register === 'app-filter'
        ? [{ provide: APP_FILTER, useClass: PersonalizedOffersExceptionFilter }]
        : register === 'app-filter-options-off'
          ? [
              { provide: APP_FILTER, useClass: PersonalizedOffersExceptionFilter },
              { provide: PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS, useValue: { logErrors: false } },
            ]
          : [];
    const moduleRef = await Test.createTestingModule({ controllers: [BoomController], providers }).compile();
    const { logger, lines } = capture();

    const app = moduleRef.createNestApplication({ logger });
    if (register === 'global-options-off') app.useGlobalFilters(new PersonalizedOffersExceptionFilter({ logErrors: false }));
    if (register === 'global-adapter-host') app.useGlobalFilters(new PersonalizedOffersExceptionFilter(app.get(HttpAdapterHost)));
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return { app, url, lines };
  }

  it('by default logs a 5xx-mapped error once at error (status, code, operation, message) and not a 409', async () => {
    const { app, url, lines } = await appWith('app-filter');
    try {
      expect((await fetch(`${url}/boom/upstream`)).status).toBe(502);
      expect((await fetch(`${url}/boom/already`)).status).toBe(409);
      const ours = lines.filter((l) => l.includes('API_ERROR') || l.includes('ALREADY') || l.includes('processActivations'));
      expect(ours).toEqual(['error 502 API_ERROR (getOffer): Personalized Offers API answered 500 for getOffer.']);
    } finally {
      await app.close();
    }
  });

  it('by default logs an outcome-unknown 202 at warn, telling the client to check the status', async () => {
    const { app, url, lines } = await appWith('app-filter');
    try {
      const response = await fetch(`${url}/boom/unknown`);
      expect(response.status).toBe(202);
      expect(((await response.json()) as { message: string }).message).toMatch(/check .*activation status.*do not repeat/i);
      expect(lines.filter((l) => l.includes('OUTCOME_UNKNOWN'))).toEqual([expect.stringMatching(/^warn 202 OUTCOME_UNKNOWN \(processActivations\): /)]);
    } finally {
      await app.close();
    }
  });

  it.each(['app-filter-options-off', 'global-options-off'] as const)('logErrors: false (%s) logs nothing and still answers', async (register) => {
    const { app, url, lines } = await appWith(register);
    try {
      const response = await fetch(`${url}/boom/upstream`);
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ statusCode: 502, code: 'API_ERROR', message: MESSAGES[502] });
      expect((await fetch(`${url}/boom/already`)).status).toBe(409);
      expect(lines.filter((l) => l.includes('API_ERROR') || l.includes('OUTCOME'))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('new PersonalizedOffersExceptionFilter(app.get(HttpAdapterHost)) still works (and logs by default)', async () => {
    const { app, url, lines } = await appWith('global-adapter-host');
    try {
      const response = await fetch(`${url}/boom/already`);
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ statusCode: 409, code: 'ALREADY_ACTIVATED', message: MESSAGES[409] });
      await fetch(`${url}/boom/upstream`);
      expect(lines.filter((l) => l.startsWith('error 502'))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
