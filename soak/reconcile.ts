/**
 * Reconciliation of the writes callers made against what the simulator holds afterwards, shared
 * by `npm run soak` and `test/faults-all-operations.e2e-spec.ts`. The rules (README
 * "Reliability"):
 *
 * - a write the caller saw succeed is applied, once (no write lost without an error);
 * - a write of retry class `never` (activations, impressions) that failed with any error other
 *   than `PersonalizedOffersOutcomeUnknownError` (`OUTCOME_UNKNOWN`) is not applied; one that failed with it is
 *   applied at most once;
 * - nothing is applied twice: an impression (unique `order`) is stored at most once, and an
 *   activation, attempted once per (user, offer), never comes back "already active" when the state
 *   shows that attempt applied it (the sign of a resend);
 * - a last-write-wins write (feedback, ratings: retry class `upsert`, serialized per user and
 *   offer) leaves the value of the last write that may have been applied: a success is applied,
 *   an error may or may not be (it is retried, and an earlier attempt may have landed), except
 *   a refusal before any I/O;
 * - the state holds nothing no caller asked for (no phantom activation, impression or feedback).
 */

/** What the caller saw: a result, an error saying the outcome is unknown, or any other error. */
export type WriteOutcome = 'ok' | 'unknown' | 'failed';

interface WriteBase {
  userId: string;
  outcome: WriteOutcome;
  /** What the caller got, for the report (error class and status; the result's id). */
  detail: string;
}

/** One activation call (legacy `activateStatementCreditOffer` or `processActivations`); one per (user, offer). */
export interface ActivationWrite extends WriteBase {
  kind: 'activation';
  api: 'legacy' | 'loyalty';
  offerId: string;
  /** The error said the offer is already active (or could not be activated): on a single attempt, the sign of a resend. */
  alreadyActive?: boolean;
  /** The legacy `ScActivation.ActivationId` the caller got, checked against the state's. */
  activationId?: string;
}

/** One `publishImpressions` call; every `order` unique across the run. */
export interface ImpressionsWrite extends WriteBase {
  kind: 'impressions';
  orders: readonly string[];
}

/** One feedback or rating call; calls for one (user, offer) are made one after the other, in ledger order. */
export interface FeedbackWrite extends WriteBase {
  kind: 'feedback';
  api: 'legacy' | 'loyalty';
  offerId: string;
  value: 0 | 1;
}

export type LedgerWrite = ActivationWrite | ImpressionsWrite | FeedbackWrite;

/** The per-user state the rules read (the simulator's own, see {@link simulatorState}). */
export interface UserStateView {
  readonly activations: ReadonlyMap<string, { readonly activationId: string; readonly offerId: string }>;
  readonly feedback: ReadonlyMap<string, 0 | 1>;
  readonly impressions: ReadonlyArray<{ readonly offerId: string; readonly order: string }>;
}

export interface SimulatorStateView {
  user(fId: string, userId: string): UserStateView;
}

/**
 * The simulator's per-user state (activations, feedback, impressions), read directly: the
 * ground truth, where a read through the API would show only a projection of it (a disliked offer
 * leaves matchedoffers, an activation has no list of its own). `PersonalizedOffersSimulator`
 * keeps it in a private `state` field; this throws a clear error if that ever changes.
 */
export function simulatorState(simulator: object): SimulatorStateView {
  const state = (simulator as { state?: Partial<SimulatorStateView> }).state;
  if (!state || typeof state.user !== 'function') {
    throw new Error('PersonalizedOffersSimulator no longer keeps its per-user state in `state.user(fId, userId)`: update soak/reconcile.ts');
  }
  return state as SimulatorStateView;
}

/** A user's state before the run: what the reconciliation must not count as the run's doing. */
export interface UserSnapshot {
  activations: ReadonlyMap<string, string>;
  feedback: ReadonlyMap<string, 0 | 1>;
  impressions: ReadonlySet<string>;
}

export function snapshotUser(view: SimulatorStateView, fId: string, userId: string): UserSnapshot {
  const user = view.user(fId, userId);
  return {
    activations: new Map([...user.activations].map(([offerId, a]) => [offerId, a.activationId])),
    feedback: new Map(user.feedback),
    impressions: new Set(user.impressions.map((i) => i.order)),
  };
}

export type ViolationKind =
  'lost write' | 'applied despite a definite error' | 'applied twice' | 'phantom write' | 'feedback not the last write' | 'wrong result';

export interface Violation {
  kind: ViolationKind;
  message: string;
}

/** Counts per write kind: what callers saw, and what the state shows of it. */
export interface ReconcileCounts {
  calls: number;
  ok: number;
  unknown: number;
  failed: number;
  /** Of the `unknown` ones: applied after all (the answer was lost). */
  unknownApplied: number;
}

export interface ReconcileReport {
  violations: Violation[];
  counts: Record<'activation' | 'impressions' | 'feedback', ReconcileCounts>;
  /** Users whose state was checked. */
  users: number;
}

const emptyCounts = (): ReconcileCounts => ({ calls: 0, ok: 0, unknown: 0, failed: 0, unknownApplied: 0 });

/**
 * Checks `ledger` against the simulator's state after the run, for every user in the ledger or in
 * `before`: the snapshot of each user taken before the run (a user absent from it is taken to
 * have started empty).
 */
export function reconcile(ledger: readonly LedgerWrite[], view: SimulatorStateView, fId: string, before: ReadonlyMap<string, UserSnapshot>): ReconcileReport {
  const violations: Violation[] = [];
  const fail = (kind: ViolationKind, message: string) => violations.push({ kind, message });
  const counts = { activation: emptyCounts(), impressions: emptyCounts(), feedback: emptyCounts() };
  const byUser = new Map<string, LedgerWrite[]>();
  for (const write of ledger) {
    const list = byUser.get(write.userId);
    if (list) list.push(write);
    else byUser.set(write.userId, [write]);
    const c = counts[write.kind];
    c.calls += 1;
    c[write.outcome] += 1;
  }

  // Every user with a snapshot is checked, writes or not: a phantom write may land on anyone.
  for (const userId of before.keys()) if (!byUser.has(userId)) byUser.set(userId, []);
  for (const [userId, writes] of byUser) {
    const state = view.user(fId, userId);
    const initial: UserSnapshot = before.get(userId) ?? { activations: new Map(), feedback: new Map(), impressions: new Set() };
    const who = (w: LedgerWrite) => `${w.kind}${'api' in w ? ` (${w.api})` : ''} of ${userId}${'offerId' in w ? ` on ${w.offerId}` : ''}`;

    // Activations: one attempt per (user, offer), never on an offer active before the run.
    const attempted = new Set<string>();
    for (const w of writes) {
      if (w.kind !== 'activation') continue;
      attempted.add(w.offerId);
      const applied = state.activations.get(w.offerId);
      if (initial.activations.has(w.offerId)) {
        fail('wrong result', `${who(w)}: the offer was active before the run; the test must not activate it (${w.detail})`);
        continue;
      }
      if (w.outcome === 'ok') {
        if (!applied) fail('lost write', `${who(w)}: the caller saw success (${w.detail}) but the simulator holds no activation`);
        else if (w.activationId !== undefined && w.activationId !== applied.activationId) {
          fail('wrong result', `${who(w)}: the caller got activation ${w.activationId}, the simulator holds ${applied.activationId}`);
        }
      } else if (w.outcome === 'failed' && applied) {
        fail(
          w.alreadyActive ? 'applied twice' : 'applied despite a definite error',
          w.alreadyActive
            ? `${who(w)}: attempted once, applied (${applied.activationId}), yet the caller was told it was already active (${w.detail}): the request was sent twice`
            : `${who(w)}: the caller got ${w.detail}, not an outcome-unknown error, but the simulator holds activation ${applied.activationId}`,
        );
      } else if (w.outcome === 'unknown' && applied) counts.activation.unknownApplied += 1;
    }
    for (const [offerId, activation] of state.activations) {
      if (!initial.activations.has(offerId) && !attempted.has(offerId)) {
        fail('phantom write', `activation of ${userId} on ${offerId}: the simulator holds ${activation.activationId}, which no caller asked for`);
      } else if (initial.activations.has(offerId) && initial.activations.get(offerId) !== activation.activationId) {
        fail(
          'phantom write',
          `activation of ${userId} on ${offerId}: replaced during the run (${initial.activations.get(offerId)} → ${activation.activationId})`,
        );
      }
    }

    // Impressions: each order unique in the run; a batch is stored whole or not at all.
    const stored = new Map<string, number>();
    for (const i of state.impressions) if (!initial.impressions.has(i.order)) stored.set(i.order, (stored.get(i.order) ?? 0) + 1);
    const published = new Set<string>();
    for (const w of writes) {
      if (w.kind !== 'impressions') continue;
      const present = w.orders.filter((o) => stored.has(o));
      for (const o of w.orders) {
        published.add(o);
        if ((stored.get(o) ?? 0) > 1) fail('applied twice', `${who(w)}: impression ${o} is stored ${stored.get(o)} times (${w.detail})`);
      }
      if (w.outcome === 'ok' && present.length < w.orders.length) {
        fail(
          'lost write',
          `${who(w)}: the caller saw success (${w.detail}) but ${w.orders.length - present.length} of ${w.orders.length} impressions are missing`,
        );
      } else if (w.outcome === 'failed' && present.length > 0) {
        fail(
          'applied despite a definite error',
          `${who(w)}: the caller got ${w.detail}, not an outcome-unknown error, but ${present.length} of its impressions are stored`,
        );
      } else if (w.outcome === 'unknown' && present.length > 0) {
        counts.impressions.unknownApplied += 1;
        if (present.length < w.orders.length) fail('lost write', `${who(w)}: only ${present.length} of ${w.orders.length} impressions of one call are stored`);
      }
    }
    for (const order of stored.keys()) {
      if (!published.has(order)) fail('phantom write', `impressions of ${userId}: ${order} is stored but no caller published it`);
    }

    // Feedback and ratings (one shared value per offer): the last write that may have landed.
    const feedbackByOffer = new Map<string, FeedbackWrite[]>();
    for (const w of writes) {
      if (w.kind !== 'feedback') continue;
      const list = feedbackByOffer.get(w.offerId);
      if (list) list.push(w);
      else feedbackByOffer.set(w.offerId, [w]);
    }
    for (const [offerId, list] of feedbackByOffer) {
      const possible = possibleFinal(list, initial.feedback.get(offerId));
      const actual = state.feedback.get(offerId);
      if (!possible.has(actual)) {
        const last = list[list.length - 1];
        const history = list.map((w) => `${w.value}:${w.outcome}`).join(' ');
        fail(
          list.some((w) => w.outcome === 'ok') && actual === initial.feedback.get(offerId) ? 'lost write' : 'feedback not the last write',
          `${who(last)}: the simulator holds ${actual ?? 'nothing'}, expected one of ${[...possible].map((v) => v ?? 'nothing').join(', ')} after ${history}`,
        );
      }
    }
    for (const [offerId, value] of state.feedback) {
      if (!feedbackByOffer.has(offerId) && initial.feedback.get(offerId) !== value) {
        fail('phantom write', `feedback of ${userId} on ${offerId}: the simulator holds ${value}, which no caller sent`);
      }
    }
  }

  return { violations, counts, users: byUser.size };
}

/**
 * The values a last-write-wins sequence may have left: walking back from the last write, a
 * success is final, a definite failure is skipped, an outcome-unknown write may or may not have
 * landed.
 */
function possibleFinal(writes: readonly FeedbackWrite[], initial: 0 | 1 | undefined): Set<0 | 1 | undefined> {
  const out = new Set<0 | 1 | undefined>();
  for (let i = writes.length - 1; i >= 0; i--) {
    const w = writes[i];
    if (w.outcome === 'ok') {
      out.add(w.value);
      return out;
    }
    if (w.outcome === 'unknown') out.add(w.value);
  }
  out.add(initial);
  return out;
}

/** A one-line summary of a report, for logs. */
export function describeReport(report: ReconcileReport): string {
  const c = report.counts;
  const part = (name: string, k: ReconcileCounts) =>
    `${name} ${k.calls} (ok ${k.ok}, outcome unknown ${k.unknown} of which applied ${k.unknownApplied}, failed ${k.failed})`;
  const feedback = `feedback/ratings ${c.feedback.calls} (ok ${c.feedback.ok}, error ${c.feedback.unknown + c.feedback.failed})`;
  return `${report.users} users; ${part('activations', c.activation)}; ${part('impression calls', c.impressions)}; ${feedback}; violations ${report.violations.length}`;
}
