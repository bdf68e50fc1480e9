import { Test, type TestingModule } from '@nestjs/testing';
import {
  AccessTokenService,
  Activations,
  AdminAdjustments,
  BrowseOffers,
  GeoLocations,
  LegacyUserPresentmentService,
  MatchedOffersResult,
  OfferDetails,
  OfferDetailsResult,
  PersonalizedOffersApiError,
  PersonalizedOffersError,
  PersonalizedOffersModule,
  PersonalizedOffersNetworkError,
  PersonalizedOffersOutcomeUnknownError,
  PersonalizedOffersUnavailableError,
  PlatformAdminService,
  RedeemedOffersResult,
  StatementCreditActivationResult,
  UserAdjustments,
  UserFeedbackListResult,
  UserFeedbackResult,
  UserOfferRating,
  UserOfferRatings,
  UserOffers,
  UserPresentmentSavings,
  UserPresentmentService,
  UserSavingsResult,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { FAULT_RATE, faultMix, faultRules, seeded, shuffle } from '../soak/fault-mix.js';
import { type LedgerWrite, type UserSnapshot, type WriteOutcome, describeReport, reconcile, simulatorState, snapshotUser } from '../soak/reconcile.js';
import { LeakWatch } from './support/leaks.js';

/**
 * Every operation of the module at once, under ~5 % seeded faults of every type the simulator
 * has (docs/reliability.md): many users, concurrent sessions mixing reads and writes. Each call's
 * outcome is recorded (result or typed error) and, afterwards, reconciled against the
 * simulator's own state (soak/reconcile.ts): no write lost without an error to its caller, no
 * activation or impression applied twice, nothing applied after a definite error, reads that are
 * the models asked for, every error one of the module's own.
 *
 * Deterministic inputs: the fault mix draws from seeded generators in the order requests arrive
 * (soak/fault-mix.ts, seed SEED), and each user's calls come from a generator seeded with its
 * index; only which call meets which fault depends on how the concurrent sessions interleave.
 */

const FID = '999999';
const USERS = 72;
const CONCURRENCY = 16;
const TIMEOUT_MS = 400;
const SEED = 20_260_101;

type Retry = 'safe' | 'upsert' | 'never';
interface Op {
  /** The operationId errors carry. */
  id: string;
  retry: Retry;
  /** The operation that mints the credential, when the call takes a user id. */
  credential?: 'getUserToken' | 'createAccessToken';
}
const legacyRead = (id: string): Op => ({ id, retry: 'safe', credential: 'getUserToken' });
const loyaltyRead = (id: string): Op => ({ id, retry: 'safe', credential: 'createAccessToken' });
const OPS = {
  getUserToken: { id: 'getUserToken', retry: 'safe' },
  matchedOffers: legacyRead('matchedOffers'),
  getOfferDetails: legacyRead('getOfferDetails'),
  getRedeemedOfferDetails: legacyRead('getRedeemedOfferDetails'),
  getStatementCreditActivationDetail: legacyRead('getStatementCreditActivationDetail'),
  getUserSavings: legacyRead('getUserSavings'),
  getUserFeedback: legacyRead('getUserFeedback'),
  activateStatementCreditOffer: { id: 'activateStatementCreditOffer', retry: 'never', credential: 'getUserToken' },
  sendUserFeedback: { id: 'sendUserFeedback', retry: 'upsert', credential: 'getUserToken' },
  createAccessToken: { id: 'createAccessToken', retry: 'safe' },
  getOffers: loyaltyRead('getOffers'),
  getOffer: loyaltyRead('getOffer'),
  searchOffers: loyaltyRead('searchOffers'),
  processActivations: { id: 'processActivations', retry: 'never', credential: 'createAccessToken' },
  getOfferRatings: loyaltyRead('getOfferRatings'),
  getOfferRating: loyaltyRead('getOfferRating'),
  createOfferRating: { id: 'createOfferRating', retry: 'upsert', credential: 'createAccessToken' },
  getUserPresentmentSavings: loyaltyRead('getUserPresentmentSavings'),
  getUserPresentmentAdjustments: loyaltyRead('getUserPresentmentAdjustments'),
  findGeoLocations: loyaltyRead('findGeoLocations'),
  publishImpressions: { id: 'publishImpressions', retry: 'never', credential: 'createAccessToken' },
  browseOffers: { id: 'browseOffers', retry: 'safe' },
  searchAdminOffers: { id: 'searchAdminOffers', retry: 'safe' },
  getAdjustments: { id: 'getAdjustments', retry: 'safe' },
} satisfies Record<string, Op>;

/** The module's typed errors a call may end with (a bad argument or user id would be this test's bug). */
const UPSTREAM_ERRORS = [PersonalizedOffersApiError, PersonalizedOffersNetworkError, PersonalizedOffersOutcomeUnknownError, PersonalizedOffersUnavailableError];

interface CallRecord {
  label: string;
  ok: boolean;
  /** Error class (and status), for the summary. */
  error?: string;
  ms: number;
}

/** `PersonalizedOffersApiError 503`, `PersonalizedOffersOutcomeUnknownError (timed out)`, `… Status 601`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error ${String(error)}`;
  const e = error as Partial<PersonalizedOffersApiError & PersonalizedOffersNetworkError>;
  const parts = [error.constructor.name];
  if (e.status !== undefined) parts.push(String(e.status));
  if (e.apiStatus) parts.push(`Status ${e.apiStatus.code}`);
  if (e.timedOut) parts.push('(timed out)');
  if (e.operation) parts.push(`in ${e.operation}`);
  return parts.join(' ');
}

/** The refusal of an activation whose offer is already active (legacy: 200 + Status "Bad Request"; current API: 400). */
function isAlreadyActive(error: unknown): boolean {
  if (!(error instanceof PersonalizedOffersApiError)) return false;
  if (error.apiStatus?.message === 'Bad Request') return true;
  return error.status === 400 && error.errors.some((e) => /already ACTIVATED/i.test(e.description ?? ''));
}

describe('every operation under ~5 % seeded faults', () => {
  const simulator = new PersonalizedOffersSimulator({ fIds: [FID], tokenSecret: 'faults-all-operations' });
  const leaks = new LeakWatch();
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    await simulator.start();
    leaks.start();
  });
  afterAll(async () => {
    for (const m of modules.splice(0)) await m.close();
    leaks.stop();
    await simulator.stop();
  });
  afterEach(() => simulator.clearFaults());

  async function compile(legacyWrites: 'v2' | 'v1'): Promise<TestingModule> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: FID,
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          legacyWrites,
          http: {
            timeoutMs: TIMEOUT_MS,
            retry: { retries: 2, minDelayMs: 5, maxDelayMs: 100 },
            circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 100 },
          },
        }),
      ],
    }).compile();
    moduleRef.useLogger(false);
    modules.push(moduleRef);
    return moduleRef;
  }

  it('reads and writes of every operation, many users, concurrent: no write lost or applied twice, typed errors, valid models', async () => {
    const started = performance.now();
    const v2 = await compile('v2');
    // A quarter of the users on a module with the v1.3 legacy writes (POST /plo/v1/…, query parameters).
    const v1 = await compile('v1');

    // The catalogue, before any fault: which offers can be activated.
    const admin = v2.get(PlatformAdminService);
    const offers: Array<{ id: string; type: string }> = [];
    for await (const o of admin.iterateBrowseOffers({ limit: 100 })) offers.push({ id: o.id!, type: o.type! });
    const postpaid = offers.filter((o) => o.type === 'POSTPAIDCREDIT').map((o) => o.id);
    const allIds = offers.map((o) => o.id);
    expect(postpaid.length).toBeGreaterThan(30);

    const state = simulatorState(simulator);
    const userIds = Array.from({ length: USERS }, (_, i) => `allops-user-${String(i).padStart(3, '0')}`);
    const before = new Map<string, UserSnapshot>(userIds.map((u) => [u, snapshotUser(state, FID, u)]));

    const calls: CallRecord[] = [];
    const problems: string[] = [];
    const ledger: LedgerWrite[] = [];
    const userTokensSeen: Array<{ userId: string; token: string }> = [];
    const accessTokensMinted: string[] = [];

    /** Runs one call, records its outcome and checks what came back: a valid result or one of the module's typed errors. */
    async function call<T>(
      label: string,
      op: Op,
      fn: () => Promise<T>,
      check?: (result: T) => string | undefined,
    ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
      const t0 = performance.now();
      try {
        const value = await fn();
        calls.push({ label, ok: true, ms: performance.now() - t0 });
        const problem = check?.(value);
        if (problem) problems.push(`${label}: invalid result: ${problem}`);
        return { ok: true, value };
      } catch (error) {
        const description = describeError(error);
        calls.push({ label, ok: false, error: description.replace(/ in \w+$/, ''), ms: performance.now() - t0 });
        if (!(error instanceof PersonalizedOffersError)) problems.push(`${label}: not a module error: ${description}`);
        else {
          if (!UPSTREAM_ERRORS.some((type) => error instanceof type)) problems.push(`${label}: unexpected error class: ${description}`);
          if (error.operation !== op.id && error.operation !== op.credential) problems.push(`${label}: error names operation ${error.operation}`);
          const own = error.operation === op.id;
          if (error instanceof PersonalizedOffersOutcomeUnknownError && (op.retry !== 'never' || !own))
            problems.push(`${label}: outcome unknown on a retryable call: ${description}`);
          // A write that may have arrived must say its outcome is unknown, never look like a plain failure.
          if (op.retry === 'never' && own && error instanceof PersonalizedOffersNetworkError)
            problems.push(`${label}: a network error, not outcome unknown: ${description}`);
          if (op.retry === 'never' && own && error instanceof PersonalizedOffersApiError && error.status >= 500) {
            problems.push(`${label}: a ${error.status}, not outcome unknown: ${description}`);
          }
        }
        return { ok: false, error };
      }
    }

    const instance = (type: abstract new (...args: never[]) => unknown) => (r: unknown) => (r instanceof type ? undefined : `not a ${type.name}`);
    /** A never write's outcome as the ledger counts it. */
    const neverOutcome = (r: { ok: boolean; error?: unknown }): WriteOutcome =>
      r.ok ? 'ok' : r.error instanceof PersonalizedOffersOutcomeUnknownError ? 'unknown' : 'failed';
    /** A last-write-wins write is retried, so after any upstream error an earlier attempt may have landed. */
    const upsertOutcome = (r: { ok: boolean; error?: unknown }): WriteOutcome =>
      r.ok ? 'ok' : UPSTREAM_ERRORS.some((t) => r.error instanceof t) ? 'unknown' : 'failed';
    const detail = (r: { ok: true; value: unknown } | { ok: false; error: unknown }) => (r.ok ? 'success' : describeError(r.error));

    function session(index: number): Array<() => Promise<void>> {
      const userId = userIds[index];
      const module = index % 4 === 3 ? v1 : v2;
      const legacy = module.get(LegacyUserPresentmentService);
      const presentment = module.get(UserPresentmentService);
      const tokens = module.get(AccessTokenService);
      const userTokens = module.get(UserTokenService);
      const platform = module.get(PlatformAdminService);
      const random = seeded(SEED + index);
      const initial = before.get(userId)!;
      const activatable = shuffle(
        postpaid.filter((id) => !initial.activations.has(id)),
        random,
      );
      const legacyActivations = activatable.slice(0, 4);
      const loyaltyActivations = activatable.slice(4, 8);
      const rest = shuffle(
        allIds.filter((id) => !legacyActivations.includes(id) && !loyaltyActivations.includes(id)),
        random,
      );
      const feedbackOffers = rest.slice(0, 2);
      const ratingOffers = rest.slice(2, 4);
      const anyOffer = () => allIds[Math.floor(random() * allIds.length)];
      const seededActivation = [...initial.activations.values()][0];
      let order = 0;

      const actions: Array<{ write?: { api: 'legacy' | 'loyalty'; offerId: string }; last?: boolean; run: (value: 0 | 1) => Promise<void> }> = [
        // Legacy reads.
        {
          run: async () => {
            await call(
              'matchedOffers',
              OPS.matchedOffers,
              () => legacy.matchedOffers(userId, { pageNumber: 1, itemsPerPage: 10 }),
              instance(MatchedOffersResult),
            );
          },
        },
        {
          run: async () => {
            const offerId = anyOffer();
            await call(
              'getOfferDetails',
              OPS.getOfferDetails,
              () => legacy.getOfferDetails(userId, { offerId, lang: 'en_US' }),
              (r) =>
                !(r instanceof OfferDetailsResult)
                  ? 'not an OfferDetailsResult'
                  : r.OfferDetails && r.OfferDetails.OfferId !== offerId
                    ? `offer ${r.OfferDetails.OfferId}, not ${offerId}`
                    : undefined,
            );
          },
        },
        {
          run: async () => {
            await call(
              'getRedeemedOfferDetails',
              OPS.getRedeemedOfferDetails,
              () => legacy.getRedeemedOfferDetails(userId, { pageNumber: 1 }),
              instance(RedeemedOffersResult),
            );
          },
        },
        {
          run: async () => {
            await call(
              'getStatementCreditActivationDetail',
              OPS.getStatementCreditActivationDetail,
              () => legacy.getStatementCreditActivationDetail(userId, { activationId: seededActivation }),
              (r) =>
                !(r instanceof StatementCreditActivationResult)
                  ? 'not a StatementCreditActivationResult'
                  : r.ScActivation && r.ScActivation.ActivationId !== seededActivation
                    ? `activation ${r.ScActivation.ActivationId}`
                    : undefined,
            );
          },
        },
        {
          run: async () => {
            await call('getUserSavings', OPS.getUserSavings, () => legacy.getUserSavings(userId), instance(UserSavingsResult));
          },
        },
        {
          run: async () => {
            await call('getUserFeedback', OPS.getUserFeedback, () => legacy.getUserFeedback(userId), instance(UserFeedbackListResult));
          },
        },
        {
          run: async () => {
            await call('iterateMatchedOffers', OPS.matchedOffers, async () => {
              let n = 0;
              for await (const o of legacy.iterateMatchedOffers(userId, { itemsPerPage: 20 }, { maxPages: 2 })) if (o.OfferId) n += 1;
              return n;
            });
          },
        },
        {
          run: async () => {
            const r = await call('getUserToken', OPS.getUserToken, () => userTokens.getUserToken(userId, { refresh: true }));
            if (r.ok) userTokensSeen.push({ userId, token: r.value });
          },
        },
        // Access tokens and the current API's reads.
        {
          run: async () => {
            const r = await call(
              'createAccessToken',
              OPS.createAccessToken,
              () => tokens.createAccessToken(userId),
              (t) => (typeof t === 'string' && t.length > 0 ? undefined : 'no token'),
            );
            if (r.ok) accessTokensMinted.push(r.value);
          },
        },
        {
          run: async () => {
            await call('getOffers', OPS.getOffers, () => presentment.getOffers(userId, { limit: 10, acceptLanguage: 'en-US' }), instance(UserOffers));
          },
        },
        {
          run: async () => {
            const offerId = anyOffer();
            await call(
              'getOffer',
              OPS.getOffer,
              () => presentment.getOffer(userId, offerId),
              (r) =>
                !(r instanceof OfferDetails)
                  ? 'not an OfferDetails'
                  : r.userOfferDetails && r.userOfferDetails.id !== offerId
                    ? `offer ${r.userOfferDetails.id}, not ${offerId}`
                    : undefined,
            );
          },
        },
        {
          run: async () => {
            await call('searchOffers', OPS.searchOffers, () => presentment.searchOffers(userId, { category: 'SHOP', limit: 5 }), instance(UserOffers));
          },
        },
        {
          run: async () => {
            await call('getOfferRatings', OPS.getOfferRatings, () => presentment.getOfferRatings(userId, { limit: 10 }), instance(UserOfferRatings));
          },
        },
        {
          // Last of the user's calls: the rating exists by then (unless every write of it failed).
          last: true,
          run: async () => {
            const offerId = ratingOffers[0];
            await call('getOfferRating', OPS.getOfferRating, () => presentment.getOfferRating(userId, offerId), instance(UserOfferRating));
          },
        },
        {
          run: async () => {
            await call(
              'getUserPresentmentSavings',
              OPS.getUserPresentmentSavings,
              () => presentment.getUserPresentmentSavings(userId),
              instance(UserPresentmentSavings),
            );
          },
        },
        {
          run: async () => {
            await call(
              'getUserPresentmentAdjustments',
              OPS.getUserPresentmentAdjustments,
              () => presentment.getUserPresentmentAdjustments(userId, { limit: 10 }),
              instance(UserAdjustments),
            );
          },
        },
        {
          run: async () => {
            await call(
              'findGeoLocations',
              OPS.findGeoLocations,
              () => presentment.findGeoLocations(userId, { keywords: 'San', limit: 5 }),
              instance(GeoLocations),
            );
          },
        },
        // Platform admin (no user).
        {
          run: async () => {
            await call('browseOffers', OPS.browseOffers, () => platform.browseOffers({ limit: 10, lang: ['ALL'] }), instance(BrowseOffers));
          },
        },
        {
          run: async () => {
            await call('searchAdminOffers', OPS.searchAdminOffers, () => platform.searchAdminOffers({ category: 'DINING', limit: 5 }), instance(BrowseOffers));
          },
        },
        {
          run: async () => {
            await call('getAdjustments', OPS.getAdjustments, () => platform.getAdjustments({ limit: 10 }), instance(AdminAdjustments));
          },
        },
      ];

      // Writes: activations (once per offer), impressions (unique orders), feedback and ratings (three each, serialized per offer).
      for (const offerId of legacyActivations) {
        actions.push({
          run: async () => {
            const r = await call(
              'activateStatementCreditOffer',
              OPS.activateStatementCreditOffer,
              () => legacy.activateStatementCreditOffer(userId, { offerId }),
              (v) =>
                !(v instanceof StatementCreditActivationResult)
                  ? 'not a StatementCreditActivationResult'
                  : v.ScActivation?.OfferId !== undefined && v.ScActivation.OfferId !== offerId
                    ? `activated ${v.ScActivation.OfferId}`
                    : undefined,
            );
            ledger.push({
              kind: 'activation',
              api: 'legacy',
              userId,
              offerId,
              outcome: neverOutcome(r),
              detail: detail(r),
              alreadyActive: !r.ok && isAlreadyActive(r.error),
              ...(r.ok && r.value.ScActivation?.ActivationId ? { activationId: r.value.ScActivation.ActivationId } : {}),
            });
          },
        });
      }
      for (const offerId of loyaltyActivations) {
        actions.push({
          run: async () => {
            const r = await call(
              'processActivations',
              OPS.processActivations,
              () => presentment.processActivations(userId, { offerId }),
              (v) =>
                !(v instanceof Activations) ? 'not Activations' : v.activations?.some((a) => a.offerId !== offerId) ? 'another offer activated' : undefined,
            );
            ledger.push({
              kind: 'activation',
              api: 'loyalty',
              userId,
              offerId,
              outcome: neverOutcome(r),
              detail: detail(r),
              alreadyActive: !r.ok && isAlreadyActive(r.error),
            });
          },
        });
      }
      for (let batch = 0; batch < 6; batch++) {
        actions.push({
          run: async () => {
            const size = 1 + Math.floor(random() * 3);
            const impressions = Array.from({ length: size }, () => ({
              offerId: anyOffer(),
              order: `${userId}#${order++}`,
              activityType: (['VIEWED', 'CLICKED', 'BROWSED'] as const)[order % 3],
              activityTimestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, order)),
            }));
            const r = await call('publishImpressions', OPS.publishImpressions, () => presentment.publishImpressions(userId, impressions));
            ledger.push({ kind: 'impressions', userId, orders: impressions.map((i) => i.order), outcome: neverOutcome(r), detail: detail(r) });
          },
        });
      }
      for (const offerId of feedbackOffers) {
        for (let k = 0; k < 3; k++) {
          actions.push({
            write: { api: 'legacy', offerId },
            run: async (feedback) => {
              const r = await call(
                'sendUserFeedback',
                OPS.sendUserFeedback,
                () => legacy.sendUserFeedback(userId, { offerId, feedback }),
                (v) =>
                  !(v instanceof UserFeedbackResult)
                    ? 'not a UserFeedbackResult'
                    : v.UserFeedback && v.UserFeedback.Feedback !== String(feedback)
                      ? `feedback ${v.UserFeedback.Feedback}`
                      : undefined,
              );
              ledger.push({ kind: 'feedback', api: 'legacy', userId, offerId, value: feedback, outcome: upsertOutcome(r), detail: detail(r) });
            },
          });
        }
      }
      for (const offerId of ratingOffers) {
        for (let k = 0; k < 3; k++) {
          actions.push({
            write: { api: 'loyalty', offerId },
            run: async (like) => {
              const r = await call(
                'createOfferRating',
                OPS.createOfferRating,
                () => presentment.createOfferRating(userId, offerId, { like }),
                (v) =>
                  !(v instanceof UserOfferRating)
                    ? 'not a UserOfferRating'
                    : v.offerRating && v.offerRating.like !== like
                      ? `like ${v.offerRating.like}`
                      : undefined,
              );
              ledger.push({ kind: 'feedback', api: 'loyalty', userId, offerId, value: like, outcome: upsertOutcome(r), detail: detail(r) });
            },
          });
        }
      }

      // Reads and writes mixed; each offer's feedback values alternate in the order they run.
      shuffle(actions, random);
      actions.sort((a, b) => Number(a.last ?? false) - Number(b.last ?? false));
      const next = new Map<string, 0 | 1>();
      return actions.map(({ write, run }) => {
        let value: 0 | 1 = 0;
        if (write) {
          value = next.get(write.offerId) ?? (random() < 0.5 ? 0 : 1);
          next.set(write.offerId, value === 0 ? 1 : 0);
        }
        return () => run(value);
      });
    }

    const sessions = userIds.map((_, i) => session(i));
    // The faults start now: every request from here on draws.
    simulator.resetRequestCount();
    for (const rule of faultRules({ timeoutMs: TIMEOUT_MS, retryAfter: '1', seed: SEED })) simulator.addFault(rule.fault, rule.schedule);

    // CONCURRENCY users at a time, each user's calls one after the other (as one app session would).
    let nextUser = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = nextUser++; i < sessions.length; i = nextUser++) for (const action of sessions[i]) await action();
      }),
    );
    const requests = simulator.requestCount;
    const faults = simulator.faultsApplied;
    simulator.clearFaults();

    // Reconcile with the simulator's state.
    const report = reconcile(ledger, state, FID, before);

    // Tokens callers got are the real ones: user tokens are the simulator's, minted access tokens work.
    for (const { userId, token } of userTokensSeen) if (token !== simulator.tokenFor(FID, userId)) problems.push(`getUserToken: ${userId} got another token`);
    const presentment = v2.get(UserPresentmentService);
    for (const accessToken of accessTokensMinted.filter((_, i) => i % 6 === 0)) {
      await presentment
        .getUserPresentmentSavings({ accessToken })
        .catch((e: unknown) => problems.push(`createAccessToken: a minted token was refused: ${describeError(e)}`));
    }

    // The summary: per operation, what callers got.
    const byLabel = new Map<string, CallRecord[]>();
    for (const c of calls) byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), c]);
    const rows = [...byLabel]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, list]) => {
        const errors = new Map<string, number>();
        for (const c of list) if (c.error) errors.set(c.error, (errors.get(c.error) ?? 0) + 1);
        const ms = list.map((c) => c.ms).sort((a, b) => a - b);
        return `${label.padEnd(36)} ${String(list.length).padStart(5)} calls, ${String(list.filter((c) => c.ok).length).padStart(5)} ok, p50 ${ms[ms.length >> 1].toFixed(1)} ms; ${[...errors].map(([e, n]) => `${e}×${n}`).join(', ')}`;
      });
    const faultCount = Object.values(faults).reduce((a, b) => a + b, 0);
    console.log(
      [
        `${calls.length} calls (${USERS} users, ${CONCURRENCY} concurrent), ${requests} requests, ${faultCount} faults (${((100 * faultCount) / requests).toFixed(1)} %): ${JSON.stringify(faults)}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
        describeReport(report),
        ...rows,
        ...report.violations.map((v) => `VIOLATION ${v.kind}: ${v.message}`),
        ...problems.map((p) => `PROBLEM ${p}`),
      ].join('\n'),
    );

    // Every operation ran, and every one succeeded at least once.
    expect([...byLabel.keys()].sort()).toEqual([...Object.keys(OPS), 'iterateMatchedOffers'].sort());
    for (const [label, list] of byLabel) expect({ label, ok: list.some((c) => c.ok) }).toEqual({ label, ok: true });
    // The mix: every fault type was injected, about 5 % of requests in all.
    expect(Object.keys(faults).sort()).toEqual([...new Set(faultMix({ timeoutMs: TIMEOUT_MS, retryAfter: '1' }).map(([f]) => f.type))].sort());
    expect(faultCount / requests).toBeGreaterThan(FAULT_RATE * 0.6);
    expect(faultCount / requests).toBeLessThan(FAULT_RATE * 1.4);
    // Writes under faults really happened both ways: some outcome-unknown answers, some of them applied.
    expect(report.counts.activation.unknown + report.counts.impressions.unknown).toBeGreaterThan(0);
    // The reconciliation and the per-call checks.
    expect(report.violations).toEqual([]);
    expect(problems).toEqual([]);

    for (const m of modules.splice(0)) await m.close();
    await leaks.check();
  }, 60_000);

  /** The rules themselves, on made-up ledgers and states: each one can fail. */
  describe('reconciliation rules', () => {
    type Write = LedgerWrite;
    const user = (over: Partial<{ activations: Array<[string, string]>; feedback: Array<[string, 0 | 1]>; impressions: string[] }> = {}) => ({
      activations: new Map((over.activations ?? []).map(([offerId, activationId]) => [offerId, { offerId, activationId }])),
      feedback: new Map(over.feedback ?? []),
      impressions: (over.impressions ?? []).map((order) => ({ offerId: 'o', order })),
    });
    const kinds = (ledger: Write[], state: ReturnType<typeof user>, initial?: Partial<UserSnapshot>) =>
      reconcile(
        ledger,
        { user: () => state },
        FID,
        new Map([['u', { activations: new Map(), feedback: new Map(), impressions: new Set(), ...initial }]]),
      ).violations.map((v) => v.kind);
    const activation = (outcome: WriteOutcome, extra: Partial<Write> = {}): Write =>
      ({ kind: 'activation', api: 'legacy', userId: 'u', offerId: 'a', outcome, detail: outcome, ...extra }) as Write;
    const impressions = (outcome: WriteOutcome, orders = ['i1', 'i2']): Write => ({ kind: 'impressions', userId: 'u', orders, outcome, detail: outcome });
    const feedback = (value: 0 | 1, outcome: WriteOutcome): Write => ({
      kind: 'feedback',
      api: 'loyalty',
      userId: 'u',
      offerId: 'f',
      value,
      outcome,
      detail: outcome,
    });

    it('activations: a success is applied; a definite error is not; outcome unknown either way; never twice', () => {
      expect(kinds([activation('ok')], user({ activations: [['a', 'A1']] }))).toEqual([]);
      expect(kinds([activation('ok')], user())).toEqual(['lost write']);
      expect(kinds([activation('ok', { activationId: 'A2' })], user({ activations: [['a', 'A1']] }))).toEqual(['wrong result']);
      expect(kinds([activation('failed')], user())).toEqual([]);
      expect(kinds([activation('failed')], user({ activations: [['a', 'A1']] }))).toEqual(['applied despite a definite error']);
      expect(kinds([activation('failed', { alreadyActive: true })], user({ activations: [['a', 'A1']] }))).toEqual(['applied twice']);
      expect(kinds([activation('unknown')], user())).toEqual([]);
      expect(kinds([activation('unknown')], user({ activations: [['a', 'A1']] }))).toEqual([]);
      expect(kinds([], user({ activations: [['b', 'B1']] }))).toEqual(['phantom write']);
      expect(kinds([], user({ activations: [['b', 'B2']] }), { activations: new Map([['b', 'B1']]) })).toEqual(['phantom write']);
    });

    it('impressions: stored once and whole on success, not at all after a definite error, never twice', () => {
      expect(kinds([impressions('ok')], user({ impressions: ['i1', 'i2'] }))).toEqual([]);
      expect(kinds([impressions('ok')], user({ impressions: ['i1'] }))).toEqual(['lost write']);
      expect(kinds([impressions('ok')], user({ impressions: ['i1', 'i2', 'i2'] }))).toEqual(['applied twice']);
      expect(kinds([impressions('failed')], user({ impressions: ['i1', 'i2'] }))).toEqual(['applied despite a definite error']);
      expect(kinds([impressions('unknown')], user())).toEqual([]);
      expect(kinds([impressions('unknown')], user({ impressions: ['i1', 'i2'] }))).toEqual([]);
      expect(kinds([impressions('unknown')], user({ impressions: ['i2'] }))).toEqual(['lost write']);
      expect(kinds([], user({ impressions: ['x'] }))).toEqual(['phantom write']);
    });

    it('feedback and ratings: the value of the last write that may have landed', () => {
      expect(kinds([feedback(1, 'ok'), feedback(0, 'ok')], user({ feedback: [['f', 0]] }))).toEqual([]);
      expect(kinds([feedback(1, 'ok'), feedback(0, 'ok')], user({ feedback: [['f', 1]] }))).toEqual(['feedback not the last write']);
      expect(kinds([feedback(1, 'ok')], user())).toEqual(['lost write']);
      expect(kinds([feedback(1, 'ok'), feedback(0, 'unknown')], user({ feedback: [['f', 1]] }))).toEqual([]);
      expect(kinds([feedback(1, 'ok'), feedback(0, 'unknown')], user({ feedback: [['f', 0]] }))).toEqual([]);
      expect(kinds([feedback(1, 'ok'), feedback(0, 'failed')], user({ feedback: [['f', 0]] }))).toEqual(['feedback not the last write']);
      expect(kinds([feedback(1, 'failed')], user())).toEqual([]);
      expect(kinds([], user({ feedback: [['g', 1]] }))).toEqual(['phantom write']);
    });
  });

  /*
   * Faults under which the simulator answers a write with a success the spec allows (legacy
   * Status 600 without a payload, /loyalty 200 {}, an empty 200 for impressions) without
   * performing it. The module must not take such an answer for a success (Operation.confirms):
   * each case ends in a typed error or, for impressions, in a success the simulator applied.
   * These faults are in the main mix too (UNCONFIRMED_WRITE_FAULTS is empty).
   */
  describe('answers that do not confirm a write', () => {
    let moduleRef: TestingModule | undefined;
    let serial = 0;
    afterEach(async () => {
      await moduleRef?.close();
      moduleRef = undefined;
    });

    // A `never` write that is not confirmed may or may not have been applied: outcome unknown. An
    // upsert is reported as an invalid response (the caller may write again). The empty 200 of
    // impressions is a real success (API-CATALOGUE §3.5), which the simulator applies.
    it.each([
      ['activateStatementCreditOffer', { type: 'no-token' }, 'PersonalizedOffersOutcomeUnknownError in activateStatementCreditOffer'],
      ['sendUserFeedback', { type: 'no-token' }, 'PersonalizedOffersInvalidResponseError 200 in sendUserFeedback'],
      ['processActivations', { type: 'status-code', code: '601' }, 'PersonalizedOffersOutcomeUnknownError in processActivations'],
      ['processActivations', { type: 'no-token' }, 'PersonalizedOffersOutcomeUnknownError in processActivations'],
      ['createOfferRating', { type: 'status-code', code: '601' }, 'PersonalizedOffersInvalidResponseError 200 in createOfferRating'],
      ['createOfferRating', { type: 'no-token' }, 'PersonalizedOffersInvalidResponseError 200 in createOfferRating'],
      ['publishImpressions', { type: 'empty-body' }, 'success'],
      ['activateStatementCreditOffer', { type: 'malformed-json' }, 'PersonalizedOffersOutcomeUnknownError in activateStatementCreditOffer'],
    ] as const)('%s answered through a %j fault: the caller gets %s, sent once, never a lost write', async (operation, fault, expected) => {
      moduleRef = await compile('v2');
      modules.splice(modules.indexOf(moduleRef), 1);
      const legacy = moduleRef.get(LegacyUserPresentmentService);
      const presentment = moduleRef.get(UserPresentmentService);
      const state = simulatorState(simulator);
      const userId = `unconfirmed-${serial++}`;
      const initial = snapshotUser(state, FID, userId);
      const admin = moduleRef.get(PlatformAdminService);
      const offerId = (await admin.browseOffers({ offerType: 'POSTPAIDCREDIT', limit: 100 }))
        .offers!.map((o) => o.id!)
        .find((id) => !initial.activations.has(id))!;
      const write: Record<typeof operation, () => Promise<unknown>> = {
        activateStatementCreditOffer: () => legacy.activateStatementCreditOffer(userId, { offerId }),
        sendUserFeedback: () => legacy.sendUserFeedback(userId, { offerId, feedback: 1 }),
        processActivations: () => presentment.processActivations(userId, { offerId }),
        createOfferRating: () => presentment.createOfferRating(userId, offerId, { like: 1 }),
        publishImpressions: () =>
          presentment.publishImpressions(userId, [{ offerId, order: 'unconfirmed-1', activityType: 'VIEWED', activityTimestamp: '2026-01-01T12:00:00Z' }]),
      };
      // Mint the credential first, so the fault hits the write itself.
      await (operation === 'activateStatementCreditOffer' || operation === 'sendUserFeedback'
        ? moduleRef.get(UserTokenService).getUserToken(userId)
        : moduleRef.get(AccessTokenService).getAccessToken(userId));
      simulator.resetRequestCount();
      simulator.setFault(fault, { operation, times: 1 });
      const caller = await write[operation]().then(
        () => 'success',
        (error: unknown) => describeError(error),
      );
      expect(simulator.faultsApplied).toEqual({ [fault.type]: 1 });
      const user = state.user(FID, userId);
      const applied =
        operation === 'publishImpressions'
          ? user.impressions.some((i) => i.order === 'unconfirmed-1')
          : operation === 'sendUserFeedback' || operation === 'createOfferRating'
            ? user.feedback.get(offerId) === 1
            : user.activations.has(offerId);
      // A success the simulator did not apply is a lost write; an error (or the write done) is not.
      if (caller === 'success') expect({ operation, caller, applied }).toEqual({ operation, caller, applied: true });
      expect(caller).toBe(expected);
      expect(simulator.requestCount).toBe(1);
    });
  });
});
