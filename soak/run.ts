/**
 * `npm run soak [-- --duration <seconds>] [-- --connections <n>]`: the example app under load
 * on every operation of the module (its own routes, plus soak/soak-routes.ts for the operations it
 * does not serve), reads and writes mixed from a seeded generator, against the simulator with
 * ~5 % seeded faults of every type (soak/fault-mix.ts), so a run replays. Passes when:
 *
 * - every 200 of `GET /user-token` carries the token the simulator issued to the requested user,
 *   and every other 2xx is the model asked for (that offer, that activation, that rating…);
 * - no request gets an unmapped 500 and every failure is one of the mapped errors;
 * - the simulator's state reconciles with what the callers got (soak/reconcile.ts): no write
 *   lost without an error, no activation or impression applied twice, nothing applied after a
 *   definite error;
 * - every operation succeeded at least once (in the smoke pass, the warm-up or the run);
 * - the app's heap after a forced GC grows by less than 10 % between the end of the warm-up and
 *   the end of the run.
 *
 * Prints throughput, latency and outcomes per operation.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { Pool } from 'undici';
import { FAULT_RATE, faultRules, seeded, shuffle } from './fault-mix.js';
import { type LedgerWrite, type UserSnapshot, type WriteOutcome, describeReport, reconcile, simulatorState, snapshotUser } from './reconcile.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const duration = arg('duration', 60);
const warmup = Math.max(2, Math.min(10, Math.round(duration / 6)));
const connections = arg('connections', 32);
const SEED = arg('seed', 1000);
const FID = '999999';
const TIMEOUT_MS = 1000;
// A user pool ten times the token cache, so most requests reach the upstream (a token to mint).
const USERS = 5_000;
const CACHE_ENTRIES = 500;
const MAPPED = new Set([
  'INVALID_USER_ID',
  'INVALID_ARGUMENT',
  'API_ERROR',
  'INVALID_RESPONSE',
  'NETWORK_ERROR',
  'NETWORK_TIMEOUT',
  'OUTCOME_UNKNOWN',
  'UNAVAILABLE',
]);

function message<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (typeof m === 'object' && m !== null && field in m) {
        child.off('message', on);
        resolve((m as Record<string, unknown>)[field] as T);
      }
    };
    child.on('message', on);
  });
}

/** The token the simulator issues to `userId` (what a 200 must carry), computed once per user. */
const expectedTokens = new Map<string, string>();
function expectedToken(userId: string): string {
  let token = expectedTokens.get(userId);
  if (token === undefined) expectedTokens.set(userId, (token = simulator.tokenFor(FID, userId)));
  return token;
}

/**
 * What a 200 from `GET /user-token` is worth: `ok` only when its body is `{ token }` with the
 * token the simulator issues to the user the request was made for; a 200 is not a success by
 * its status alone.
 */
function checkToken(body: unknown, userId: string): string | undefined {
  const token = (body as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') return 'no token';
  return token === expectedToken(userId) ? undefined : 'another user’s token';
}

// ---------------------------------------------------------------------------------------------
// The simulator, its catalogue, and the example app in its own process.

const simulator = new PersonalizedOffersSimulator({ fIds: [FID], maxClockSkewSeconds: 300 });
const { baseUrl } = await simulator.start();
const state = simulatorState(simulator);

/** Every offer of the fId, read before any fault: which ones can be activated. */
const catalogue: Array<{ id: string; type: string }> = [];
for (let offset = 0; ; offset += 100) {
  const res = await fetch(`${baseUrl}/loyalty/offers/platform-admin/offers?f_id=${FID}&offset=${offset}&limit=100`);
  const page = (await res.json()) as { offers?: Array<{ id: string; type: string }>; total?: number };
  catalogue.push(...(page.offers ?? []));
  if (!page.offers?.length || catalogue.length >= (page.total ?? 0)) break;
}
const offerIds = catalogue.map((o) => o.id);
const postpaid = catalogue.filter((o) => o.type === 'POSTPAIDCREDIT').map((o) => o.id);

// Every user's state before the run: the reconciliation checks them all, writers or not.
const before = new Map<string, UserSnapshot>();
for (let i = 0; i < USERS; i++) before.set(`soak-user-${i}`, snapshotUser(state, FID, `soak-user-${i}`));

for (const rule of faultRules({ timeoutMs: TIMEOUT_MS, retryAfter: '0', seed: SEED })) simulator.addFault(rule.fault, rule.schedule);

const { key, iv } = simulator.authInfo as { key: string; iv: string };
const child = fork(fileURLToPath(new URL('./app-process.js', import.meta.url)), {
  execArgv: ['--expose-gc'],
  env: {
    ...process.env,
    PLO_FID: FID,
    PLO_BASE_URL: baseUrl,
    PLO_AUTHINFO_KEY: key,
    PLO_AUTHINFO_IV: iv,
    PLO_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
    // A bounded user pool larger than the cache keeps most requests on the upstream path.
    PLO_CACHE_MAX_ENTRIES: String(CACHE_ENTRIES),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await message<number>(child, 'port');

// ---------------------------------------------------------------------------------------------
// The workload: weighted operations; writes keep a ledger for the reconciliation.

const random = seeded(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const anyUser = () => `soak-user-${Math.floor(random() * USERS)}`;
let tokenSerial = 0;

/** One user's write plan: offers to activate (each once, legacy and current API apart), feedback and rating offers, impressions. */
interface Writer {
  activatable: string[];
  legacyNext: number;
  loyaltyNext: number;
  feedbackOffers: string[];
  ratingOffers: string[];
  /** Next value per feedback/rating offer: they alternate. */
  next: Map<string, 0 | 1>;
  /** Feedback/rating offers with a write in flight: writes to one (user, offer) go one at a time. */
  busy: Set<string>;
  impressions: number;
  seededActivation: string | undefined;
}
const writers = new Map<string, Writer>();
function writer(userId: string): Writer {
  let w = writers.get(userId);
  if (!w) {
    const snapshot = before.get(userId);
    if (!snapshot) throw new Error(`${userId}: not one of the ${USERS} users snapshotted before the run`);
    const activatable = shuffle(
      postpaid.filter((id) => !snapshot.activations.has(id)),
      random,
    );
    const rest = shuffle([...offerIds], random);
    w = {
      activatable,
      legacyNext: 0,
      loyaltyNext: 0,
      feedbackOffers: rest.slice(0, 3),
      ratingOffers: rest.slice(3, 6),
      next: new Map(),
      busy: new Set(),
      impressions: 0,
      seededActivation: [...snapshot.activations.values()][0],
    };
    writers.set(userId, w);
  }
  return w;
}
const ledger: LedgerWrite[] = [];
/** The last (user, offer) pairs rated successfully: what getOfferRating reads. */
const ratedPairs: Array<[string, string]> = [];

interface Answer {
  status: number;
  code: string | undefined;
  body: unknown;
}
interface Planned {
  op: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  userId?: string;
  body?: unknown;
  /** A problem with a 2xx body (not the model asked for), if any. */
  check?: (body: unknown) => string | undefined;
  /** The write's ledger entry, once the answer is in (or undefined: the request never got one). */
  settle?: (answer: Answer | undefined) => void;
}

// The filter answers an outcome-unknown write with 202 OUTCOME_UNKNOWN: the code decides first.
const neverOutcome = (a: Answer | undefined): WriteOutcome =>
  a === undefined ? 'unknown' : a.code === 'OUTCOME_UNKNOWN' ? 'unknown' : a.status < 300 ? 'ok' : 'failed';
/** A last-write-wins write is retried: after any upstream error an earlier attempt may have landed; a 400 was refused before any I/O. */
const upsertOutcome = (a: Answer | undefined): WriteOutcome =>
  a === undefined ? 'unknown' : a.code === 'OUTCOME_UNKNOWN' ? 'unknown' : a.status < 300 ? 'ok' : a.status === 400 ? 'failed' : 'unknown';
const detailOf = (a: Answer | undefined) => (a === undefined ? 'no answer' : a.status < 300 ? `${a.status}` : `${a.status} ${a.code ?? ''}`.trim());
const isObject = (body: unknown) => (typeof body === 'object' && body !== null ? undefined : 'not a JSON object');
/** `value.k1.k2…` of a parsed JSON body, or undefined where a step is not an object (`?.` over wire JSON). */
function at(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
/** A wire value in a problem's text: strings as they are, anything else as JSON (`undefined` as itself). */
const shown = (value: unknown): string => (value === undefined ? 'undefined' : typeof value === 'string' ? value : JSON.stringify(value));
const legacyOk = (body: unknown) => (at(body, 'Status', 'Code') === '600' ? undefined : 'no Status 600');
/** `model.field` when `model` is in the body and its `field` is not `expected`: the id the 2xx is about instead. */
const otherId = (body: unknown, model: string, field: string, expected: unknown, what: string) => {
  const m = at(body, model);
  return m && at(m, field) !== expected ? `${what} ${shown(at(m, field))}` : undefined;
};

/** Always a request (the fallback of {@link nextPlan}). */
const userTokenPlan = (): Planned => {
  const userId = `soak-user-${tokenSerial++ % USERS}`;
  return { op: 'getUserToken', method: 'GET', path: '/user-token', userId, check: (b) => checkToken(b, userId) };
};

const OPERATIONS: Array<{ op: string; route: string; weight: number; plan: () => Planned | undefined }> = [
  { op: 'getUserToken', route: 'GET /user-token', weight: 12, plan: userTokenPlan },
  {
    op: 'matchedOffers',
    route: 'GET /offers',
    weight: 6,
    plan: () => ({ op: 'matchedOffers', method: 'GET', path: '/offers?page=1&itemsPerPage=10', userId: anyUser(), check: legacyOk }),
  },
  {
    op: 'matchedOffers (iterator)',
    route: 'GET /offers/all',
    weight: 1,
    plan: () => ({
      op: 'matchedOffers (iterator)',
      method: 'GET',
      path: '/offers/all?offerType=POSTPAIDCREDIT',
      userId: anyUser(),
      check: (b) => (Array.isArray(at(b, 'offers')) ? undefined : 'no offers'),
    }),
  },
  {
    op: 'getOfferDetails',
    route: 'GET /offers/:id',
    weight: 5,
    plan: () => {
      const offerId = pick(offerIds);
      return {
        op: 'getOfferDetails',
        method: 'GET',
        path: `/offers/${offerId}?lang=en_US`,
        userId: anyUser(),
        check: (b) => legacyOk(b) ?? otherId(b, 'OfferDetails', 'OfferId', offerId, 'offer'),
      };
    },
  },
  {
    op: 'getStatementCreditActivationDetail',
    route: 'GET /activations/:id',
    weight: 3,
    plan: () => {
      const userId = anyUser();
      const activationId = writer(userId).seededActivation;
      if (!activationId) return undefined;
      return {
        op: 'getStatementCreditActivationDetail',
        method: 'GET',
        path: `/activations/${activationId}`,
        userId,
        check: (b) => legacyOk(b) ?? otherId(b, 'ScActivation', 'ActivationId', activationId, 'activation'),
      };
    },
  },
  {
    op: 'getUserSavings',
    route: 'GET /savings',
    weight: 3,
    plan: () => ({ op: 'getUserSavings', method: 'GET', path: '/savings', userId: anyUser(), check: legacyOk }),
  },
  {
    op: 'getUserFeedback',
    route: 'GET /feedback',
    weight: 3,
    plan: () => ({ op: 'getUserFeedback', method: 'GET', path: '/feedback', userId: anyUser(), check: legacyOk }),
  },
  {
    op: 'getRedeemedOfferDetails',
    route: 'GET /redeemed-offers',
    weight: 3,
    plan: () => ({ op: 'getRedeemedOfferDetails', method: 'GET', path: '/redeemed-offers?page=1&itemsPerPage=10', userId: anyUser(), check: legacyOk }),
  },
  {
    op: 'activateStatementCreditOffer',
    route: 'POST /offers/:id/activation',
    weight: 6,
    plan: () => {
      const userId = anyUser();
      const w = writer(userId);
      const offerId = w.activatable.at(2 * w.legacyNext); // undefined once the user's offers are used up
      if (offerId === undefined) return undefined;
      w.legacyNext += 1;
      return {
        op: 'activateStatementCreditOffer',
        method: 'POST',
        path: `/offers/${offerId}/activation`,
        userId,
        check: (b) => {
          const activated = at(b, 'ScActivation', 'OfferId');
          return legacyOk(b) ?? (activated !== undefined && activated !== offerId ? `activated ${shown(activated)}` : undefined);
        },
        settle: (a) => {
          const activationId = a && a.status < 300 ? at(a.body, 'ScActivation', 'ActivationId') : undefined;
          ledger.push({
            kind: 'activation',
            api: 'legacy',
            userId,
            offerId,
            outcome: neverOutcome(a),
            detail: detailOf(a),
            alreadyActive: a?.status === 409,
            ...(typeof activationId === 'string' && activationId ? { activationId } : {}),
          });
        },
      };
    },
  },
  {
    op: 'sendUserFeedback',
    route: 'PUT /offers/:id/feedback',
    weight: 5,
    plan: () => feedbackPlan('legacy'),
  },
  {
    op: 'getOffers',
    route: 'GET /loyalty/offers',
    weight: 5,
    plan: () => ({
      op: 'getOffers',
      method: 'GET',
      path: '/loyalty/offers?limit=10&lang=en-US',
      userId: anyUser(),
      check: (b) => {
        const offers = at(b, 'offers');
        return isObject(b) ?? (offers === undefined || Array.isArray(offers) ? undefined : 'offers not a list');
      },
    }),
  },
  {
    op: 'searchOffers',
    route: 'POST /loyalty/offers/search',
    weight: 3,
    plan: () => ({
      op: 'searchOffers',
      method: 'POST',
      path: '/loyalty/offers/search',
      userId: anyUser(),
      body: { category: 'SHOP', limit: 5 },
      check: isObject,
    }),
  },
  {
    op: 'getOffer',
    route: 'GET /loyalty/offers/:id',
    weight: 4,
    plan: () => {
      const offerId = pick(offerIds);
      return {
        op: 'getOffer',
        method: 'GET',
        path: `/loyalty/offers/${offerId}`,
        userId: anyUser(),
        check: (b) => isObject(b) ?? otherId(b, 'userOfferDetails', 'id', offerId, 'offer'),
      };
    },
  },
  {
    op: 'processActivations',
    route: 'POST /loyalty/offers/:id/activation',
    weight: 6,
    plan: () => {
      const userId = anyUser();
      const w = writer(userId);
      const offerId = w.activatable.at(2 * w.loyaltyNext + 1); // undefined once the user's offers are used up
      if (offerId === undefined) return undefined;
      w.loyaltyNext += 1;
      return {
        op: 'processActivations',
        method: 'POST',
        path: `/loyalty/offers/${offerId}/activation`,
        userId,
        check: (b) => {
          const notObject = isObject(b);
          if (notObject) return notObject;
          const activations = at(b, 'activations');
          if (activations === undefined || activations === null) return undefined;
          if (!Array.isArray(activations)) return 'activations not a list';
          return activations.some((x) => at(x, 'offerId') !== offerId) ? 'another offer activated' : undefined;
        },
        settle: (a) =>
          ledger.push({ kind: 'activation', api: 'loyalty', userId, offerId, outcome: neverOutcome(a), detail: detailOf(a), alreadyActive: a?.status === 409 }),
      };
    },
  },
  { op: 'createOfferRating', route: 'PUT /loyalty/offers/:id/rating', weight: 5, plan: () => feedbackPlan('loyalty') },
  {
    op: 'getUserPresentmentSavings',
    route: 'GET /loyalty/savings',
    weight: 3,
    plan: () => ({ op: 'getUserPresentmentSavings', method: 'GET', path: '/loyalty/savings', userId: anyUser(), check: isObject }),
  },
  {
    op: 'browseOffers',
    route: 'GET /admin/offers',
    weight: 2,
    plan: () => ({ op: 'browseOffers', method: 'GET', path: '/admin/offers?limit=10&lang=ALL', userId: anyUser(), check: isObject }),
  },
  {
    op: 'createAccessToken',
    route: 'GET /soak/access-token',
    weight: 2,
    plan: () => ({
      op: 'createAccessToken',
      method: 'GET',
      path: '/soak/access-token',
      userId: anyUser(),
      check: (b) => {
        const token = at(b, 'token');
        return typeof token === 'string' && token ? undefined : 'no token';
      },
    }),
  },
  {
    op: 'getOfferRatings',
    route: 'GET /soak/ratings',
    weight: 2,
    plan: () => ({ op: 'getOfferRatings', method: 'GET', path: '/soak/ratings', userId: anyUser(), check: isObject }),
  },
  {
    op: 'getOfferRating',
    route: 'GET /soak/ratings/:id',
    weight: 2,
    plan: () => {
      // A rating that exists (one rated successfully), so a 404 is not the expected answer.
      if (ratedPairs.length === 0) return undefined;
      const [userId, offerId] = pick(ratedPairs);
      return {
        op: 'getOfferRating',
        method: 'GET',
        path: `/soak/ratings/${offerId}`,
        userId,
        check: (b) => isObject(b) ?? otherId(b, 'offerRating', 'offerId', offerId, 'rating of'),
      };
    },
  },
  {
    op: 'getUserPresentmentAdjustments',
    route: 'GET /soak/adjustments',
    weight: 2,
    plan: () => ({ op: 'getUserPresentmentAdjustments', method: 'GET', path: '/soak/adjustments', userId: anyUser(), check: isObject }),
  },
  {
    op: 'findGeoLocations',
    route: 'GET /soak/geo-locations',
    weight: 2,
    plan: () => ({ op: 'findGeoLocations', method: 'GET', path: '/soak/geo-locations?keywords=San', userId: anyUser(), check: isObject }),
  },
  {
    op: 'publishImpressions',
    route: 'POST /soak/impressions',
    weight: 6,
    plan: () => {
      const userId = anyUser();
      const w = writer(userId);
      const size = 1 + Math.floor(random() * 3);
      const impressions = Array.from({ length: size }, () => {
        const n = w.impressions++;
        return {
          offerId: pick(offerIds),
          order: `${userId}#${n}`,
          activityType: (['VIEWED', 'CLICKED', 'BROWSED'] as const)[n % 3],
          activityTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
        };
      });
      return {
        op: 'publishImpressions',
        method: 'POST',
        path: '/soak/impressions',
        userId,
        body: { impressions },
        check: isObject,
        settle: (a) => ledger.push({ kind: 'impressions', userId, orders: impressions.map((i) => i.order), outcome: neverOutcome(a), detail: detailOf(a) }),
      };
    },
  },
  {
    op: 'searchAdminOffers',
    route: 'POST /soak/admin/offers/search',
    weight: 2,
    plan: () => ({
      op: 'searchAdminOffers',
      method: 'POST',
      path: '/soak/admin/offers/search',
      userId: anyUser(),
      body: { category: 'DINING', limit: 5 },
      check: isObject,
    }),
  },
  {
    op: 'getAdjustments',
    route: 'GET /soak/admin/adjustments',
    weight: 2,
    plan: () => {
      // A back-office poll, every 2 s at most: the simulator builds it from every user it has seen (O(users)).
      if (adminPollBusy || performance.now() - adminPollAt < 2000) return undefined;
      adminPollBusy = true;
      adminPollAt = performance.now();
      return {
        op: 'getAdjustments',
        method: 'GET',
        path: '/soak/admin/adjustments',
        userId: anyUser(),
        check: isObject,
        settle: () => (adminPollBusy = false),
      };
    },
  },
];
let adminPollAt = Number.NEGATIVE_INFINITY;
let adminPollBusy = false;

/** A feedback (legacy) or rating (current API) write: one at a time per (user, offer), values alternating. */
function feedbackPlan(api: 'legacy' | 'loyalty'): Planned | undefined {
  const userId = anyUser();
  const w = writer(userId);
  const offerId = pick(api === 'legacy' ? w.feedbackOffers : w.ratingOffers);
  if (w.busy.has(offerId)) return undefined;
  w.busy.add(offerId);
  const value = w.next.get(offerId) ?? (random() < 0.5 ? 0 : 1);
  w.next.set(offerId, value === 0 ? 1 : 0);
  const legacy = api === 'legacy';
  return {
    op: legacy ? 'sendUserFeedback' : 'createOfferRating',
    method: 'PUT',
    path: legacy ? `/offers/${offerId}/feedback` : `/loyalty/offers/${offerId}/rating`,
    userId,
    body: legacy ? { feedback: value } : { like: value },
    check: (b) =>
      legacy
        ? (legacyOk(b) ?? otherId(b, 'UserFeedback', 'Feedback', String(value), 'feedback'))
        : (isObject(b) ?? otherId(b, 'offerRating', 'like', value, 'like')),
    settle: (a) => {
      w.busy.delete(offerId);
      if (!legacy && a && a.status < 300) {
        ratedPairs.push([userId, offerId]);
        if (ratedPairs.length > 500) ratedPairs.shift();
      }
      ledger.push({ kind: 'feedback', api, userId, offerId, value, outcome: upsertOutcome(a), detail: detailOf(a) });
    },
  };
}

const totalWeight = OPERATIONS.reduce((n, o) => n + o.weight, 0);
function nextPlan(): Planned {
  for (let attempt = 0; attempt < 5; attempt++) {
    let r = random() * totalWeight;
    const entry = OPERATIONS.find((o) => (r -= o.weight) < 0) ?? OPERATIONS[0];
    const plan = entry.plan();
    if (plan) return plan;
  }
  return userTokenPlan();
}

// ---------------------------------------------------------------------------------------------
// Load, per-operation figures.

interface OpStats {
  latencies: number[];
  ok: number;
  outcomes: Map<string, number>;
}
let stats = new Map<string, OpStats>();
const problems = new Map<string, number>();
const problem = (text: string) => problems.set(text, (problems.get(text) ?? 0) + 1);
let clientErrors = 0;
/** Operations that succeeded at least once, in any phase (the smoke pass, the warm-up, the run). */
const everOk = new Set<string>();

const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });

/** Sends one planned request and records what came back. */
async function send(plan: Planned): Promise<void> {
  const started = performance.now();
  let answer: Answer | undefined;
  try {
    const res = await pool.request({
      method: plan.method,
      path: plan.path,
      headers: { ...(plan.userId ? { 'x-demo-user-id': plan.userId } : {}), ...(plan.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(plan.body !== undefined ? { body: JSON.stringify(plan.body) } : {}),
    });
    const text = await res.body.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    answer = { status: res.statusCode, code: (body as { code?: string } | undefined)?.code, body };
  } catch {
    clientErrors += 1;
  }
  const ms = performance.now() - started;
  plan.settle?.(answer);
  if (!answer) return;
  let s = stats.get(plan.op);
  if (!s) stats.set(plan.op, (s = { latencies: [], ok: 0, outcomes: new Map() }));
  s.latencies.push(ms);
  let key: string;
  if (answer.status < 300 && answer.code !== 'OUTCOME_UNKNOWN') {
    const bad = answer.body === undefined ? 'unparsable body' : plan.check?.(answer.body);
    if (bad) problem(`${plan.op}: a ${answer.status} that is not the model asked for (${bad})`);
    else {
      s.ok += 1;
      everOk.add(plan.op);
    }
    key = bad ? `${answer.status} invalid` : `${answer.status}`;
  } else {
    key = `${answer.status} ${answer.code ?? (answer.status === 409 ? 'conflict' : 'no-code')}`;
    const conflict = answer.status === 409 && (plan.op === 'activateStatementCreditOffer' || plan.op === 'processActivations');
    // The filter's codes: 202 OUTCOME_UNKNOWN (a write that may have landed), 404 NOT_FOUND, 502/503/504 upstream failures.
    const mapped =
      (answer.status === 202 && answer.code === 'OUTCOME_UNKNOWN') ||
      (answer.status === 404 && answer.code === 'NOT_FOUND') ||
      (['502', '503', '504'].includes(String(answer.status)) && MAPPED.has(answer.code ?? ''));
    if (!conflict && !mapped) problem(`${plan.op}: unmapped failure ${key}`);
  }
  s.outcomes.set(key, (s.outcomes.get(key) ?? 0) + 1);
}

/** `connections` requests in flight for `seconds`, each the next of the seeded mix. */
async function load(seconds: number): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await send(nextPlan());
    }),
  );
}

// Every route once, one at a time (the app's code paths warm before the concurrent load), then the warm-up.
for (const { plan } of OPERATIONS) {
  const planned = plan();
  if (planned) await send(planned);
}
await load(warmup);
// A breaker opened by the warm-up (a CPU-starved machine can time out a few calls in a row)
// would fail the whole measured run fast: wait until it lets a probe through (GET /health, no upstream call).
const breakerWaitStarted = performance.now();
for (;;) {
  const health: unknown = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
  // Terminus puts every indicator in `details`, up or down.
  const state = at(health, 'details', 'personalizedOffers', 'circuitBreaker', 'state');
  if (state !== 'open' || performance.now() - breakerWaitStarted > 30_000) break;
  await new Promise((r) => setTimeout(r, 1000));
}
const breakerWaitMs = performance.now() - breakerWaitStarted;
child.send({ type: 'heap' });
const heapBefore = await message<number>(child, 'heapUsed');

stats = new Map();
simulator.resetRequestCount();
const runStarted = performance.now();
await load(duration);
const elapsed = (performance.now() - runStarted) / 1000;
const requestsUpstream = simulator.requestCount;
const faults = simulator.faultsApplied;
child.send({ type: 'heap' });
const heapAfter = await message<number>(child, 'heapUsed');
child.send({ type: 'stop' });
await new Promise((r) => child.once('exit', r));
await pool.close();
simulator.clearFaults();

// The simulator's state against what every writer was told (warm-up included).
const report = reconcile(ledger, state, FID, before);
await simulator.stop();

// ---------------------------------------------------------------------------------------------
// Report.

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const all = [...stats.values()].flatMap((s) => s.latencies).sort((a, b) => a - b);
const served = all.length;
const okTotal = [...stats.values()].reduce((n, s) => n + s.ok, 0);
const faultCount = Object.values(faults).reduce((a, b) => a + b, 0);
const growth = (heapAfter - heapBefore) / heapBefore;
const missing = OPERATIONS.map((o) => o.op).filter((op) => !everOk.has(op));
const pass =
  served > 0 &&
  (stats.get('getUserToken')?.ok ?? 0) > 0 &&
  problems.size === 0 &&
  report.violations.length === 0 &&
  missing.length === 0 &&
  clientErrors === 0 &&
  growth < 0.1;

const ms = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toString());
const rows = OPERATIONS.map(({ op, route }) => {
  const s: OpStats = stats.get(op) ?? { latencies: [], ok: 0, outcomes: new Map() };
  const sorted = s.latencies.sort((a, b) => a - b);
  const errors = [...s.outcomes].filter(([k]) => !/^2\d\d$/.test(k)).sort(([a], [b]) => a.localeCompare(b));
  return `| ${op} | \`${route}\` | ${sorted.length} (${Math.round(sorted.length / elapsed)}/s) | ${s.ok} | ${ms(percentile(sorted, 0.5))} / ${ms(percentile(sorted, 0.99))} / ${ms(sorted[sorted.length - 1] ?? 0)} | ${errors.map(([k, n]) => `${k} ${n}`).join(', ') || '—'} |`;
});
const c = report.counts;
const lines = [
  `Soak: ${duration} s (after ${warmup} s warm-up), ${connections} connections, every operation, ~${FAULT_RATE * 100} % injected faults (seed ${SEED}), Node ${process.version}`,
  '',
  '| figure | value |',
  '| --- | --- |',
  `| requests answered by the app | ${served} (${Math.round(served / elapsed)} req/s), ${okTotal} successes |`,
  `| latency p50 / p90 / p99 / max (all operations) | ${ms(percentile(all, 0.5))} / ${ms(percentile(all, 0.9))} / ${ms(percentile(all, 0.99))} / ${ms(all[all.length - 1] ?? 0)} ms |`,
  `| requests to the simulator, faults injected | ${requestsUpstream}, ${faultCount} (${((100 * faultCount) / Math.max(1, requestsUpstream)).toFixed(1)} %): ${Object.entries(
    faults,
  )
    .sort(([, a], [, b]) => b - a)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')} |`,
  `| writes reconciled (warm-up included) | activations ${c.activation.calls} (ok ${c.activation.ok}, outcome unknown ${c.activation.unknown} of which applied ${c.activation.unknownApplied}, failed ${c.activation.failed}); impression calls ${c.impressions.calls} (ok ${c.impressions.ok}, outcome unknown ${c.impressions.unknown} of which applied ${c.impressions.unknownApplied}, failed ${c.impressions.failed}); feedback and ratings ${c.feedback.calls} (ok ${c.feedback.ok}, error ${c.feedback.unknown + c.feedback.failed}); ${report.users} users |`,
  `| reconciliation violations | ${report.violations.length ? report.violations.length : 'none'} |`,
  `| unmapped failures or invalid 2xx, client errors | ${problems.size ? [...problems].map(([p, n]) => `${p} ×${n}`).join('; ') : 'none'}, ${clientErrors} |`,
  ...(breakerWaitMs > 1000 ? [`| waited for the circuit breaker after the warm-up | ${(breakerWaitMs / 1000).toFixed(1)} s |`] : []),
  `| heap after GC, before → after | ${(heapBefore / 1048576).toFixed(1)} MiB → ${(heapAfter / 1048576).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %) |`,
  '',
  '| operation | route | requests | ok | p50 / p99 / max ms | errors (status code) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  ...(missing.length ? [`Operations without a success: ${missing.join(', ')}`] : []),
  ...report.violations.slice(0, 50).map((v) => `VIOLATION ${v.kind}: ${v.message}`),
  describeReport(report),
  pass ? 'PASS' : 'FAIL',
];
console.log(lines.join('\n'));
process.exit(pass ? 0 : 1);
