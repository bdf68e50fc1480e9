/**
 * The seeded fault mix of the all-operations reliability runs (`npm run soak` and
 * `test/faults-all-operations.e2e-spec.ts`): every fault type the simulator supports, ~5 % of
 * requests in all, on every operation (but {@link UNCONFIRMED_WRITE_FAULTS}), each type on its
 * own seeded generator so a mix replays identically for the same request order.
 */
import { type SimulatorFault, type SimulatorFaultRule, seededRandom } from 'nestjs-personalized-offers/testing';

/** The share of requests that get a fault: the sum of the mix's probabilities. */
export const FAULT_RATE = 0.05;

export interface FaultMixOptions {
  /** The module's `http.timeoutMs`: one latency fault stays below it, one goes past it. */
  timeoutMs: number;
  /** The `Retry-After` of the 429s and half of the 503s, in seconds (capped by the module's `maxDelayMs`). */
  retryAfter: string;
  /** Seed of the first fault type; the others take the next ones. */
  seed: number;
}

/** `[fault, probability]`, in the order the simulator tries them (the first that draws wins). */
export function faultMix({ timeoutMs, retryAfter }: Pick<FaultMixOptions, 'timeoutMs' | 'retryAfter'>): Array<[SimulatorFault, number]> {
  return [
    [{ type: 'http-error', status: 500 }, 0.007],
    [{ type: 'http-error', status: 502 }, 0.002],
    [{ type: 'http-error', status: 503, retryAfter }, 0.003],
    [{ type: 'http-error', status: 503 }, 0.001],
    [{ type: 'http-error', status: 504 }, 0.002],
    [{ type: 'http-error', status: 429, retryAfter }, 0.004],
    // A refused credential: the module mints a new one and repeats the call once (nothing was processed).
    [{ type: 'http-error', status: 401 }, 0.002],
    [{ type: 'http-error', status: 404 }, 0.001],
    [{ type: 'latency', ms: Math.max(1, Math.round(timeoutMs * 0.2)) }, 0.004],
    [{ type: 'latency', ms: Math.round(timeoutMs * 1.6) }, 0.002],
    [{ type: 'hang' }, 0.002],
    [{ type: 'reset-mid-body' }, 0.006],
    [{ type: 'malformed-json' }, 0.003],
    [{ type: 'empty-body' }, 0.003],
    [{ type: 'html-error' }, 0.003],
    [{ type: 'status-code', code: '601', message: 'Simulated business failure' }, 0.003],
    [{ type: 'no-token' }, 0.002],
  ];
}

/** Every operationId the simulator routes: what a fault schedule's `operation` may name. */
export const OPERATIONS = [
  'getUserToken',
  'matchedOffers',
  'getOfferDetails',
  'getRedeemedOfferDetails',
  'getStatementCreditActivationDetail',
  'getUserSavings',
  'getUserFeedback',
  'activateStatementCreditOffer',
  'sendUserFeedback',
  'createAccessToken',
  'getOffers',
  'getOffer',
  'searchOffers',
  'processActivations',
  'getOfferRatings',
  'getOfferRating',
  'createOfferRating',
  'getUserPresentmentSavings',
  'getUserPresentmentAdjustments',
  'findGeoLocations',
  'publishImpressions',
  'browseOffers',
  'searchAdminOffers',
  'getAdjustments',
] as const;

/**
 * Faults to leave out of the mix on some operations. Empty: the faults that answer a write with a
 * success that confirms nothing (legacy `Status 600` without a payload; `/loyalty` 200 `{}`) are
 * refused by the module (`Operation.confirms`: outcome unknown for a `never` write, invalid
 * response otherwise), and the empty 200 impressions may get is applied by the simulator. The
 * "answers that do not confirm a write" tests of test/faults-all-operations.e2e-spec.ts pin each.
 */
export const UNCONFIRMED_WRITE_FAULTS: Readonly<Record<string, ReadonlyArray<SimulatorFault['type']>>> = {};

/**
 * The mix as simulator rules (`faults` option, or one `addFault` each): one rule on every
 * operation per fault type, or, for a type with {@link UNCONFIRMED_WRITE_FAULTS}, one rule per
 * operation it may hit (same probability, seeds of their own).
 */
export function faultRules(options: FaultMixOptions): SimulatorFaultRule[] {
  return faultMix(options).flatMap(([fault, probability], i): SimulatorFaultRule[] => {
    const seed = options.seed + i;
    const spared = Object.keys(UNCONFIRMED_WRITE_FAULTS).filter((op) => UNCONFIRMED_WRITE_FAULTS[op].includes(fault.type));
    if (spared.length === 0) return [{ fault, schedule: { probability, seed } }];
    return OPERATIONS.filter((op) => !spared.includes(op)).map((operation, j) => ({
      fault,
      schedule: { operation, probability, seed: seed + 1000 * (j + 1) },
    }));
  });
}

/** A short label of a fault, for reports (`http-error 503 Retry-After`, `latency 80 ms`…). */
export function faultLabel(fault: SimulatorFault): string {
  switch (fault.type) {
    case 'http-error':
      return `${fault.status}${fault.retryAfter !== undefined ? ` Retry-After: ${fault.retryAfter}` : ''}`;
    case 'latency':
      return `latency ${fault.ms} ms`;
    case 'status-code':
      return `Status ${fault.code}`;
    default:
      return fault.type;
  }
}

/** The simulator's own seeded generator (mulberry32): the workload's choices replay from a seed too. */
export const seeded = seededRandom;

/** A seeded Fisher–Yates shuffle (in place). */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
