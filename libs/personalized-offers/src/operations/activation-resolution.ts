import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersOutcomeStillUnknownError } from '../errors/personalized-offers-outcome-still-unknown.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { SUCCESS_STATUS_CODE } from './legacy-envelope.js';

/**
 * An offer's activation state for one user, as the API itself reports it (not a guess from the
 * last write): `activated` when the offer is active for the user; `pending` when an activation
 * is queued but not active yet (the current API's assignment `status` `QUEUED`/`PENDING`/…, or a
 * legacy `ActiveSc` this module does not know): then neither "active" nor "not active" is proven.
 */
export interface ActivationStatus {
  /** The offer the state is about. */
  offerId: string;
  /** True when the offer is active for the user. */
  activated: boolean;
  /** True when an activation is queued but not active yet (neither state is proven). */
  pending: boolean;
  /** Legacy: `ScActivation.ActivationId` when active. The current API's assignments carry none. */
  activationId?: string;
}

/** What `ensureActivated` answers: the offer is active for the user. */
export interface EnsureActivatedResult {
  /** Always true: `ensureActivated` only returns once the offer is active (it throws otherwise). */
  activated: true;
  /**
   * True when the API answered this call's first activation with "already active" (confirmed by
   * a read on the legacy API, whose answer is a generic non-600 status). False when this call's
   * activation did it, including an activation whose answer was lost and that a read then found active.
   */
  alreadyActive: boolean;
  /** Legacy: the `ActivationId`; current API: the activation request's `id` when its answer arrived. */
  activationId?: string;
}

/** Bounds of `ensureActivated`'s resolution of an activation whose outcome is unknown. */
export interface EnsureActivatedOptions {
  /**
   * State reads (each a paged list read) to settle an outcome-unknown activation, not counting
   * the polls of a pending one. A read that fails counts; at the end, still unsettled, it is a
   * `PersonalizedOffersOutcomeStillUnknownError`. @default 4
   */
  maxReads?: number;
  /** Wait before the first read, doubled before each next one (at most 2 s). @default 250 */
  readBackoffMs?: number;
  /** How long a pending (`QUEUED`) activation is polled before `PersonalizedOffersOutcomeStillUnknownError` with `pending: true`. @default 10_000 */
  pendingTimeoutMs?: number;
  /**
   * Activations sent at most, the first included. A second one is sent only when two reads in a
   * row (apart by the backoff) proved the earlier one did not land. @default 2
   */
  maxSends?: number;
}

const DEFAULTS: Required<EnsureActivatedOptions> = { maxReads: 4, readBackoffMs: 250, pendingTimeoutMs: 10_000, maxSends: 2 };
/** Longest wait between two reads. */
const MAX_BACKOFF_MS = 2_000;
/** Reads in a row showing "not active, not pending" that prove an activation did not land. */
const PROOF_READS = 2;

/** The operations that activate an offer (v1.5 operationIds). */
const LEGACY_ACTIVATION = 'activateStatementCreditOffer';
const ACTIVATION_OPERATIONS: ReadonlySet<string> = new Set([LEGACY_ACTIVATION, 'processActivations']);

/**
 * Whether `error` is the API's "this offer is already active" answer to an activation:
 * - legacy (`activateStatementCreditOffer`): HTTP 200 whose `Response.Status` is not `600`, with
 *   `Message` `Bad Request` (the reference app's already-active answer; the simulator sends code
 *   `400`). Mastercard documents no dedicated code, so that answer also covers "cannot be
 *   activated"; `ensureActivated` confirms it with a read before treating it as success.
 * - current API (`processActivations`): HTTP 400 (or 409) whose body says `already ACTIVATED`
 *   (`Offer is already ACTIVATED`, also sent for AUTO_ACTIVATION offers).
 */
export function isAlreadyActivatedError(error: unknown): boolean {
  if (!(error instanceof PersonalizedOffersApiError)) return false;
  if (error.operation !== undefined && !ACTIVATION_OPERATIONS.has(error.operation)) return false;
  const status = error.apiStatus;
  if (status && error.status === 200) {
    if (error.operation !== LEGACY_ACTIVATION || status.code === SUCCESS_STATUS_CODE) return false;
    return status.code === '400' || /bad request|already/i.test(status.message ?? '');
  }
  if (error.status !== 400 && error.status !== 409) return false;
  const texts = [...error.errors.map((e) => e.description ?? ''), ...error.errors.map((e) => e.details ?? ''), error.bodyExcerpt ?? ''];
  return texts.some((text) => /already\s+activ/i.test(text));
}

/** One API's side of `ensureActivated`. */
export interface ActivationApi {
  /** The v1.5 operationId of the activation (for errors and log lines). */
  operation: string;
  /** Sends one activation; resolves with its activation id when the answer carries one. */
  activate(): Promise<{ activationId?: string }>;
  /** Reads the state from the API (a complete read, or an error). */
  status(): Promise<ActivationStatus>;
  /** True when "already active" must be confirmed by a read (legacy: its answer is a generic non-600 status). */
  confirmAlreadyActive: boolean;
}

/**
 * Activates through `api` so that the offer ends up active exactly once: "already active" is
 * success; an outcome-unknown failure is settled by reading the state, and the activation is
 * sent again only when reads proved the earlier one did not land (at most `maxSends` in all).
 */
export async function ensureActivated(api: ActivationApi, options: EnsureActivatedOptions | undefined, logger: Logger): Promise<EnsureActivatedResult> {
  const o = resolveOptions(options);
  for (let sends = 1; ; sends++) {
    try {
      const { activationId } = await api.activate();
      return { activated: true, alreadyActive: false, ...(activationId !== undefined ? { activationId } : {}) };
    } catch (error) {
      if (isAlreadyActivatedError(error)) {
        // After a re-send, "already active" means the earlier activation landed after all.
        const alreadyActive = sends === 1;
        if (!api.confirmAlreadyActive) return { activated: true, alreadyActive };
        const state = await api.status().catch(() => undefined);
        if (!state?.activated) throw error; // not proven active: the API's refusal stands
        return { activated: true, alreadyActive, ...(state.activationId !== undefined ? { activationId: state.activationId } : {}) };
      }
      if (!(error instanceof PersonalizedOffersOutcomeUnknownError)) throw error;
      const settled = await settle(api, o, error);
      if (settled.activated) {
        logger.log(`${api.operation}: the outcome was unknown; a read found the offer active (not sent again).`);
        return { activated: true, alreadyActive: false, ...(settled.activationId !== undefined ? { activationId: settled.activationId } : {}) };
      }
      const cause = error.cause instanceof Error ? error.cause : error;
      // Proven not landed, but no send left: a definite failure, the write's own error.
      if (sends >= o.maxSends) throw cause;
      logger.warn(
        `${api.operation}: the outcome was unknown; ${PROOF_READS} reads proved it did not land; sending it again (${sends + 1} of at most ${o.maxSends}).`,
      );
    }
  }
}

/**
 * Reads until the state says: active (→ that status), or not active and not pending on
 * {@link PROOF_READS} reads in a row (→ not landed). Pending is polled up to `pendingTimeoutMs`;
 * anything else unsettled after `maxReads` reads is a `PersonalizedOffersOutcomeStillUnknownError`.
 */
async function settle(api: ActivationApi, o: Required<EnsureActivatedOptions>, unknown: PersonalizedOffersOutcomeUnknownError): Promise<ActivationStatus> {
  let reads = 0;
  let inconclusive = 0;
  let notLanded = 0;
  let pendingSince: number | undefined;
  let lastError: Error = unknown;
  let delay = o.readBackoffMs;
  const stillUnknown = (pending: boolean) =>
    new PersonalizedOffersOutcomeStillUnknownError(api.operation, { pending, reads, timedOut: unknown.timedOut, cause: lastError });
  for (;;) {
    // Also before the first read: a write still in flight gets time to land.
    await sleep(delay);
    delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    reads += 1;
    let state: ActivationStatus;
    try {
      state = await api.status();
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      notLanded = 0;
      if (++inconclusive >= o.maxReads) throw stillUnknown(false);
      continue;
    }
    if (state.activated) return state;
    if (state.pending) {
      notLanded = 0;
      pendingSince ??= Date.now();
      if (Date.now() - pendingSince >= o.pendingTimeoutMs) throw stillUnknown(true);
      continue;
    }
    pendingSince = undefined;
    if (++notLanded >= PROOF_READS) return state;
    if (++inconclusive >= o.maxReads) throw stillUnknown(false);
  }
}

/** `options` as a caller may really pass it (JS callers: `null`, a number…): checked before use. */
function resolveOptions(options: unknown): Required<EnsureActivatedOptions> {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new InvalidArgumentError('options', 'must be an object');
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) } as Required<EnsureActivatedOptions>;
  if (!Number.isInteger(o.maxReads) || o.maxReads < PROOF_READS) throw new InvalidArgumentError('maxReads', `must be a whole number from ${PROOF_READS}`);
  if (!Number.isInteger(o.maxSends) || o.maxSends < 1) throw new InvalidArgumentError('maxSends', 'must be a whole number from 1');
  for (const name of ['readBackoffMs', 'pendingTimeoutMs'] as const) {
    if (!Number.isFinite(o[name]) || o[name] < 0) throw new InvalidArgumentError(name, 'must be a number of milliseconds from 0');
  }
  return o;
}

/** Assignment statuses of the current API that mean "queued, not active yet". */
const PENDING_ASSIGNMENT = /^(QUEUED|PENDING|IN_?PROGRESS|PROCESSING|SUBMITTED|REQUESTED)$/i;

/** The current API's state of one offer from its `assignments` (a `UserOffer` of getOffers/searchOffers). */
export function statusFromAssignments(offerId: string, assignments: ReadonlyArray<{ active?: boolean; status?: string }> | undefined): ActivationStatus {
  const list = assignments ?? [];
  const activated = list.some((a) => a.active === true || (a.active === undefined && a.status?.toUpperCase() === 'ACTIVATED'));
  const pending = !activated && list.some((a) => a.status !== undefined && PENDING_ASSIGNMENT.test(a.status));
  return { offerId, activated, pending };
}

/** The legacy `ActiveSc` values the catalogue documents. */
const ACTIVE_SC = 'ACTIVATED_STATEMENT_CREDIT';
const AVAILABLE_SC = 'AVAILABLE';

/**
 * The legacy state of one matched offer: `ActiveSc` `ACTIVATED_STATEMENT_CREDIT` (or an
 * `ScActivation` with an id) is active; `AVAILABLE` (or no `ActiveSc`) is not; any other
 * `ActiveSc` is unknown to this module and counts as pending (proves nothing either way).
 */
export function statusFromMatchedOffer(offerId: string, offer: { ActiveSc?: string; ScActivation?: { ActivationId?: string } }): ActivationStatus {
  const activationId = offer.ScActivation?.ActivationId;
  const activated = offer.ActiveSc === ACTIVE_SC || (offer.ActiveSc === undefined && activationId !== undefined);
  const pending = !activated && offer.ActiveSc !== undefined && offer.ActiveSc !== AVAILABLE_SC;
  return { offerId, activated, pending, ...(activated && activationId !== undefined ? { activationId } : {}) };
}
