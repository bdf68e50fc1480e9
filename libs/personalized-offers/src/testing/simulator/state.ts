import { type CatalogueOffer, type OfferCatalogue, cashbackFor, dayNumber, digest } from './catalogue.js';

/** An activation of a POSTPAIDCREDIT offer by one user. */
export interface SimulatorActivation {
  /** Unique within one simulator. */
  readonly activationId: string;
  readonly offerId: string;
  /** UTC day number it was made on. */
  readonly day: number;
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
}

/** What one (fId, userId) has done: activations and feedback per offer, redemptions in order. */
export interface UserOfferState {
  readonly activations: Map<string, SimulatorActivation>;
  readonly feedback: Map<string, 0 | 1>;
  readonly redemptions: SimulatorRedemption[];
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
  private readonly activationsById = new Map<string, { key: string; activation: SimulatorActivation }>();
  private activationSerial = 0;

  constructor(
    private readonly catalogue: OfferCatalogue,
    private readonly now: () => number,
  ) {}

  /** The state of (fId, userId), seeded on first use. */
  user(fId: string, userId: string): UserOfferState {
    const key = keyOf(fId, userId);
    let state = this.users.get(key);
    if (!state) {
      state = { activations: new Map(), feedback: new Map(), redemptions: [] };
      this.users.set(key, state);
      this.seed(fId, userId, state);
    }
    return state;
  }

  /** Activates `offer` for the user now (callers check it is POSTPAIDCREDIT and not active yet). */
  activate(fId: string, userId: string, offer: CatalogueOffer, day = dayNumber(this.now())): SimulatorActivation {
    const state = this.user(fId, userId);
    this.activationSerial += 1;
    const activation = Object.freeze({ activationId: `SIM_${1_000_000 + this.activationSerial}`, offerId: offer.id, day });
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
    const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
    const state = this.user(fId, userId);
    if (offer.type === 'POSTPAIDCREDIT' && !state.activations.has(offer.id)) this.activate(fId, userId, offer);
    state.redemptions.push(redemption(offer, cents, dayNumber(this.now())));
  }

  /** Redeemed offers of the user, in the order of their first redemption. */
  redeemedOffers(fId: string, userId: string): RedeemedOfferState[] {
    const state = this.user(fId, userId);
    const byOffer = new Map<string, SimulatorRedemption[]>();
    for (const r of state.redemptions) byOffer.set(r.offerId, [...(byOffer.get(r.offerId) ?? []), r]);
    return [...byOffer].map(([offerId, redemptions]) => ({
      offer: this.catalogue.find(fId, offerId)!,
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
    const today = dayNumber(this.now());
    const count = 1 + (h[0]! % 3);
    const chosen = new Set<number>();
    for (let k = 0; k < count; k++) {
      let index = ((h[1 + 2 * k]! << 8) | h[2 + 2 * k]!) % postpaid.length;
      while (chosen.has(index)) index = (index + 1) % postpaid.length;
      chosen.add(index);
      const offer = postpaid[index]!;
      // Activated 10–29 days ago but not before the offer started; redeemed a few days later, not after today.
      const activated = today + Math.max(offer.startOffsetDays, -(10 + (h[10 + k]! % 20)));
      this.activate(fId, userId, offer, activated);
      // At or above the minimum spend, so every seeded purchase earned something.
      const cents = offer.minSpendCents + (h[18 + k]! % 100) * 100;
      state.redemptions.push(redemption(offer, cents, Math.min(today, activated + 1 + (h[14 + k]! % 5))));
    }
  }
}

function redemption(offer: CatalogueOffer, amountCents: number, day: number): SimulatorRedemption {
  const earned = cashbackFor(offer, amountCents);
  const points = offer.redemptionMode === 'POINTS';
  return Object.freeze({ offerId: offer.id, amountCents, cashbackCents: points ? 0 : earned, points: points ? earned : 0, day });
}

function keyOf(fId: string, userId: string): string {
  return JSON.stringify([fId, userId]);
}
