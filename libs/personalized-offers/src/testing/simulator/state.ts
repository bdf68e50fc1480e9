import { type CatalogueOffer, type OfferCatalogue, cashbackFor, dayNumber, digest } from './catalogue.js';

const DAY_MS = 86_400_000;

/** An activation of a POSTPAIDCREDIT offer by one user. */
export interface SimulatorActivation {
  /** Unique within one simulator. */
  readonly activationId: string;
  readonly offerId: string;
  /** UTC day number it was made on. */
  readonly day: number;
  /** When it was made, in simulator-clock milliseconds. */
  readonly at: number;
}

/** One purchase that earned (or missed) an offer's reward. */
export interface SimulatorRedemption {
  readonly offerId: string;
  readonly amountCents: number;
  /** Cash back earned, for CASH offers. */
  readonly cashbackCents: number;
  /** Points earned, for POINTS offers (a point is worth a cent). */
  readonly points: number;
  readonly day: number;
  /** When the purchase was made, in simulator-clock milliseconds. */
  readonly at: number;
  /** Unique within one simulator, in the order redemptions were recorded: the `/loyalty` `adjustmentId`. */
  readonly serial: number;
}

/** One impression a user's app published (`POST /loyalty/offers/impressions`), as received. */
export interface SimulatorImpression {
  /** The offer the user saw or acted on. */
  readonly offerId: string;
  /** Position of the offer in what the user saw, as sent (a string). */
  readonly order: string;
  /** What the user did with the offer. */
  readonly activityType: 'CLICKED' | 'VIEWED' | 'BROWSED' | 'ACTIVATED' | 'LIKED';
  /** When it happened, as the app sent it (ISO 8601 from the module). */
  readonly activityTimestamp: string;
  /** When the simulator received it, in simulator-clock milliseconds. */
  readonly receivedAt: number;
}

/**
 * What one (fId, userId) has done: activations and feedback per offer, redemptions and
 * impressions in order. Both APIs share it: a legacy `Feedback` is a `/loyalty` rating (`like`).
 */
export interface UserOfferState {
  readonly activations: Map<string, SimulatorActivation>;
  readonly feedback: Map<string, 0 | 1>;
  readonly redemptions: SimulatorRedemption[];
  readonly impressions: SimulatorImpression[];
}

/** A redeemed offer with its purchases, as redeemedoffers lists it. */
export interface RedeemedOfferState {
  readonly offer: CatalogueOffer;
  readonly activation: SimulatorActivation | undefined;
  readonly redemptions: readonly SimulatorRedemption[];
}

/** The v1.5 legacy savings (numbers, as the spec types them). */
export interface SimulatorSavings {
  adjustmentsCashTotal: number;
  offersRedeemed: number;
  adjustmentsPointsTotal: number;
  potentialCash: number;
  offersAvailable: number;
  potentialPoints: number;
}

const AMOUNT = /^(0|[1-9][0-9]{0,8})(?:\.([0-9]{1,2}))?$/;

/**
 * Per-user state of one simulator. A user first seen starts with 1–3 redeemed offers derived
 * from a hash of (fId, userId), so savings and redeemed offers are never empty and repeat
 * across runs.
 */
export class SimulatorState {
  private readonly users = new Map<string, UserOfferState>();
  private readonly usersByFId = new Map<string, Map<string, UserOfferState>>();
  private readonly activationsById = new Map<string, { key: string; activation: SimulatorActivation }>();
  private activationSerial = 0;
  private redemptionSerial = 0;

  constructor(
    private readonly catalogue: OfferCatalogue,
    private readonly now: () => number,
  ) {}

  /** The state of (fId, userId), seeded on first use. */
  user(fId: string, userId: string): UserOfferState {
    const key = keyOf(fId, userId);
    let state = this.users.get(key);
    if (!state) {
      state = { activations: new Map(), feedback: new Map(), redemptions: [], impressions: [] };
      this.users.set(key, state);
      let ofFId = this.usersByFId.get(fId);
      if (!ofFId) this.usersByFId.set(fId, (ofFId = new Map<string, UserOfferState>()));
      ofFId.set(userId, state);
      this.seed(fId, userId, state);
    }
    return state;
  }

  /** Every user of `fId` seen so far (by any API or helper), in the order first seen. */
  usersOf(fId: string): Array<{ userId: string; state: UserOfferState }> {
    return [...(this.usersByFId.get(fId) ?? [])].map(([userId, state]) => ({ userId, state }));
  }

  /** Activates `offer` for the user now (callers check it is POSTPAIDCREDIT and not active yet). */
  activate(fId: string, userId: string, offer: CatalogueOffer, at = this.now()): SimulatorActivation {
    const state = this.user(fId, userId);
    this.activationSerial += 1;
    const activation = Object.freeze({ activationId: `SIM_${1_000_000 + this.activationSerial}`, offerId: offer.id, day: dayNumber(at), at });
    state.activations.set(offer.id, activation);
    this.activationsById.set(activation.activationId, { key: keyOf(fId, userId), activation });
    return activation;
  }

  /** The activation `activationId` if it belongs to (fId, userId): another user's id is as unknown as a made-up one. */
  activation(fId: string, userId: string, activationId: string): SimulatorActivation | undefined {
    this.user(fId, userId);
    const found = this.activationsById.get(activationId);
    return found?.key === keyOf(fId, userId) ? found.activation : undefined;
  }

  /** Records a like (1) or dislike (0); the last write wins. */
  setFeedback(fId: string, userId: string, offerId: string, feedback: 0 | 1): void {
    this.user(fId, userId).feedback.set(offerId, feedback);
  }

  /**
   * Records a purchase of `amount` (a decimal string such as `'45.50'`) on `offerId`. A
   * POSTPAIDCREDIT offer not yet activated is activated first, as a redemption implies.
   */
  recordRedemption(fId: string, userId: string, offerId: string, amount: string): void {
    const offer = this.catalogue.find(fId, offerId);
    if (!offer) throw new RangeError(`No offer ${offerId} in the catalogue of this FId.`);
    const match = AMOUNT.exec(amount);
    if (!match) throw new RangeError('amount must be a decimal string with at most two decimals, such as "45.50".');
    const [, whole, fraction = ''] = match;
    const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    const state = this.user(fId, userId);
    if (offer.type === 'POSTPAIDCREDIT' && !state.activations.has(offer.id)) this.activate(fId, userId, offer);
    state.redemptions.push(this.redemption(offer, cents, this.now()));
  }

  /** Records an impression the user's app published. */
  addImpression(fId: string, userId: string, impression: SimulatorImpression): void {
    this.user(fId, userId).impressions.push(Object.freeze({ ...impression }));
  }

  /** Redeemed offers of the user, in the order of their first redemption. */
  redeemedOffers(fId: string, userId: string): RedeemedOfferState[] {
    const state = this.user(fId, userId);
    const byOffer = new Map<string, SimulatorRedemption[]>();
    for (const r of state.redemptions) byOffer.set(r.offerId, [...(byOffer.get(r.offerId) ?? []), r]);
    return [...byOffer].map(([offerId, redemptions]) => ({
      offer: this.catalogue.get(fId, offerId),
      activation: state.activations.get(offerId),
      redemptions,
    }));
  }

  /** Savings so far and still possible: offers neither redeemed nor disliked count as available. */
  savings(fId: string, userId: string): SimulatorSavings {
    const state = this.user(fId, userId);
    const redeemed = new Set(state.redemptions.map((r) => r.offerId));
    const available = this.catalogue.offers(fId).filter((o) => !redeemed.has(o.id) && state.feedback.get(o.id) !== 0);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return {
      adjustmentsCashTotal: sum(state.redemptions.map((r) => r.cashbackCents)) / 100,
      offersRedeemed: redeemed.size,
      adjustmentsPointsTotal: sum(state.redemptions.map((r) => r.points)),
      potentialCash: sum(available.filter((o) => o.redemptionMode === 'CASH').map((o) => o.rewardCents)) / 100,
      offersAvailable: available.length,
      potentialPoints: sum(available.filter((o) => o.redemptionMode === 'POINTS').map((o) => o.rewardCents)),
    };
  }

  private seed(fId: string, userId: string, state: UserOfferState): void {
    const h = digest(`user:${fId}:${userId}`);
    const postpaid = this.catalogue.offers(fId).filter((o) => o.type === 'POSTPAIDCREDIT');
    const now = this.now();
    const today = dayNumber(now);
    // A time of day from the hash, never later than now (a purchase "today" has already happened).
    const at = (day: number, byte: number) => Math.min(now, day * DAY_MS + (8 * 3600 + byte * 180) * 1000);
    const count = 1 + (h[0] % 3);
    const chosen = new Set<number>();
    for (let k = 0; k < count; k++) {
      let index = ((h[1 + 2 * k] << 8) | h[2 + 2 * k]) % postpaid.length;
      while (chosen.has(index)) index = (index + 1) % postpaid.length;
      chosen.add(index);
      const offer = postpaid[index];
      // Activated 10–29 days ago but not before the offer started; redeemed a few days later, not after today.
      const activated = today + Math.max(offer.startOffsetDays, -(10 + (h[10 + k] % 20)));
      this.activate(fId, userId, offer, at(activated, h[21 + k]));
      // At or above the minimum spend, so every seeded purchase earned something.
      const cents = offer.minSpendCents + (h[18 + k] % 100) * 100;
      state.redemptions.push(this.redemption(offer, cents, at(Math.min(today, activated + 1 + (h[14 + k] % 5)), h[24 + k])));
    }
  }

  private redemption(offer: CatalogueOffer, amountCents: number, at: number): SimulatorRedemption {
    const earned = cashbackFor(offer, amountCents);
    const points = offer.redemptionMode === 'POINTS';
    this.redemptionSerial += 1;
    return Object.freeze({
      offerId: offer.id,
      amountCents,
      cashbackCents: points ? 0 : earned,
      points: points ? earned : 0,
      day: dayNumber(at),
      at,
      serial: this.redemptionSerial,
    });
  }
}

/** Whether `offer` is ready for redemption by the user: ALWAYSON offers always, POSTPAIDCREDIT once activated (through either API). */
export function isActive(offer: CatalogueOffer, user: UserOfferState): boolean {
  return offer.type === 'ALWAYSON' || user.activations.has(offer.id);
}

function keyOf(fId: string, userId: string): string {
  return JSON.stringify([fId, userId]);
}
