import { ALPHA2, type CatalogueOffer, POINTS_CONVERSION_RATE, type SimulatorLanguage, digest, isoDay, offerTexts, percentOf, uuidFrom } from './catalogue.js';
import { type SimulatorActivation, type SimulatorRedemption, type UserOfferState, isActive } from './state.js';
import { POINTS_TYPE } from './views.js';

// The v1.5 `/loyalty/offers/*` wire shapes: camelCase, JSON-native types (numbers, booleans),
// only fields the v1.5 schemas declare, never `null` (the spec declares no `nullable`: a value
// the spec calls "null" in some case is left out instead), keys in the schema's order.

type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;

/** A language to render texts in: the `/loyalty` tag (`fr-FR`) and the catalogue's code (`fr_FR`). */
export interface ViewLanguage {
  readonly tag: string;
  readonly code: SimulatorLanguage;
}

/** Whose view of an offer: the user's state and the time zone of their access token. */
export interface Viewer {
  readonly fId: string;
  readonly userId: string;
  readonly utcOffset: string;
  readonly state: UserOfferState;
}

const dollars = (cents: number) => cents / 100;

/** RFC 3339 date-time of `ms` in the offset `utcOffset` (`-07:00`), seconds precision. */
export function dateTimeIn(ms: number, utcOffset: string): string {
  const sign = utcOffset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(utcOffset.slice(1, 3)) * 60 + Number(utcOffset.slice(4, 6)));
  return `${new Date(ms + minutes * 60_000).toISOString().slice(0, 19)}${utcOffset}`;
}

/** RFC 3339 date-time of `ms` in UTC with milliseconds (`2021-05-04T11:58:08.508Z`), as adjustments carry them. */
export function utcDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

function rewards(offer: CatalogueOffer): Json[] {
  const points = offer.redemptionMode === 'POINTS';
  const absolute = offer.discountType === 'ABSOLUTE';
  return [
    {
      primary: true,
      ...(points ? { pointsConversionRate: Number(POINTS_CONVERSION_RATE) } : {}),
      ...(!points && absolute ? { cashValueAbsolute: dollars(offer.rewardCents) } : {}),
      ...(!points && !absolute ? { cashValueMax: dollars(offer.rewardCents) } : {}),
      // A point is worth a cent: the reward in points is its value in cents.
      ...(points && absolute ? { pointsValueAbsolute: offer.rewardCents } : {}),
      ...(points && !absolute ? { pointsValueMax: offer.rewardCents } : {}),
      discountType: offer.discountType,
      ...(points ? { pointsType: POINTS_TYPE } : {}),
      mode: offer.redemptionMode,
      type: 'STATEMENT_CREDIT',
      ...(!absolute ? { percentage: percentOf(offer) / 100 } : {}),
    },
  ];
}

function localization(offer: CatalogueOffer, lang: ViewLanguage): Json {
  const t = offerTexts(offer, lang.code);
  const m = offer.merchant;
  return {
    descriptionLong: t.longDescription,
    descriptionShort: t.shortDescription,
    headline: t.headline,
    lang: lang.tag,
    merchantDisplayName: m.name,
    storeLocatorURL: `https://${m.domain}/locations/`,
    websiteURL: `https://${m.domain}/`,
    termsDetailed: t.terms,
    termsKey: t.termsKey,
    termsLong: t.longTerms,
    name: `${m.name} SPEND ${offer.redemptionMode} ${offer.serial}`,
    media: [{ src: `https://${m.domain}/assets/logo_85x85.png`, alt: m.name, name: t.imageDescription, class: 'Logo_Square_85x85' }],
  };
}

/** `OfferInfo` (platform admin) and `UserOfferDetails` (getOffer): the offer with no user in it. */
export function offerInfoView(offer: CatalogueOffer, langs: readonly ViewLanguage[], today: number): Json {
  const m = offer.merchant;
  const start = isoDay(today + offer.startOffsetDays);
  const end = isoDay(today + offer.endOffsetDays);
  const min = dollars(offer.minSpendCents);
  return {
    id: offer.id,
    type: offer.type,
    redemptionChannel: offer.redemptionType,
    source: 'Mastercard',
    category: m.category,
    superCategory: m.superCategory,
    targetingCategory: m.targetingCategory,
    currency: 'USD',
    merchant: {
      name: m.shortName,
      locations: [
        {
          address: m.street,
          city: m.city,
          state: m.state,
          zipcode: m.zipcode,
          country: m.country,
          latitude: Number(m.latitude),
          longitude: Number(m.longitude),
        },
      ],
    },
    redemptionSpendThreshold: min,
    eventStartDate: start,
    eventEndDate: end,
    redemptionMaxPerUser: offer.maxUserRedemptions,
    offerCountry: m.country,
    matchStartDate: start,
    matchEndDate: end,
    activationType: offer.type === 'ALWAYSON' ? 'AUTO_ACTIVATION' : 'USER_ACTIVATION',
    assignmentOnEnrollment: true,
    lastModified: `${start}T00:00:00Z`,
    presentmentEndDate: end,
    status: 'APPROVED',
    test: false,
    redemptionSpendMinPerTxn: min,
    redemptionVisitThreshold: 1,
    redemptionStatementCreditType: 'SPEND',
    rewards: rewards(offer),
    localizations: langs.map((lang) => localization(offer, lang)),
    redemptionClassifiers: { primaryValue: m.shortName, values: [m.shortName] },
    redemptionCountries: { primaryValue: ALPHA2[m.country], values: [ALPHA2[m.country]] },
    redemptionIssuerICAs: { type: 'INCLUSION', values: [...offer.issuerIcas] },
    redemptionBankProductCodes: { type: 'INCLUSION', values: [...offer.bankProductCodes] },
    adjustmentBankProductCodes: [...offer.bankProductCodes],
  };
}

/**
 * The user's `UserAssignment` of `offer`: active (status `ACTIVATED`) when ALWAYSON or
 * activated through either API, with `activationDateTime` in the token's time zone for an
 * activation; an offer not activated yet has no `status` (the spec documents only ACTIVATED).
 */
export function assignmentView(offer: CatalogueOffer, viewer: Viewer, today: number): Json {
  const activation: SimulatorActivation | undefined = viewer.state.activations.get(offer.id);
  const active = isActive(offer, viewer.state);
  const h = digest(`propensity:${viewer.fId}:${viewer.userId}:${offer.id}`);
  return {
    id: uuidFrom(`assignment:${viewer.fId}:${viewer.userId}:${offer.id}`),
    redemptionStartDate: isoDay(today + offer.startOffsetDays),
    redemptionEndDate: isoDay(today + offer.endOffsetDays),
    ...(activation ? { activationDateTime: dateTimeIn(activation.at, viewer.utcOffset) } : {}),
    ...(active ? { status: 'ACTIVATED' } : {}),
    active,
    propensityScore: ((h[0] << 8) | h[1]) / 65_536,
  };
}

/** `UserOffer` (getOffers, searchOffers): {@link offerInfoView} plus the user's assignment. */
export function userOfferView(offer: CatalogueOffer, langs: readonly ViewLanguage[], viewer: Viewer, today: number): Json {
  return { ...offerInfoView(offer, langs, today), assignments: [assignmentView(offer, viewer, today)] };
}

/** One redemption of a user, with what an adjustment listing needs to place and show it. */
export interface AdjustmentSource {
  readonly fId: string;
  readonly userId: string;
  readonly offer: CatalogueOffer;
  readonly redemption: SimulatorRedemption;
  readonly activation: SimulatorActivation | undefined;
}

/** When an adjustment was created and last updated, and its status: CONFIRMED for a day, then COMPLETED. */
export function adjustmentTimes(redemption: SimulatorRedemption, now: number): { created: number; updated: number; status: string } {
  const completed = now >= redemption.at + DAY_MS;
  return { created: redemption.at, updated: completed ? redemption.at + DAY_MS : redemption.at, status: completed ? 'COMPLETED' : 'CONFIRMED' };
}

/**
 * `Adjustments` (U10, P3) of one redemption. `activationId` is the number in the legacy
 * `ActivationId` (`SIM_1000042` → 1000042) and, like the points fields of a CASH offer, is left
 * out where the spec says the value is null (ALWAYSON).
 */
export function adjustmentView(source: AdjustmentSource, now: number): Json {
  const { offer, redemption: r, activation } = source;
  const m = offer.merchant;
  const points = offer.redemptionMode === 'POINTS';
  const times = adjustmentTimes(r, now);
  const h = digest(`account:${source.fId}:${source.userId}`);
  const alias = String(((h[0] << 8) | h[1]) % 10_000).padStart(4, '0');
  const channel = offer.redemptionType === 'ONLINE-INSTORE' ? (r.serial % 2 === 0 ? 'ONLINE' : 'INSTORE') : offer.redemptionType;
  const merchantId = String(BigInt(`0x${digest(`mid:${m.shortName}`).toString('hex').slice(0, 12)}`) % 10n ** 15n).padStart(15, '0');
  return {
    id: uuidFrom(`adjustment:${source.fId}:${source.userId}:${r.serial}`),
    adjustmentId: r.serial,
    ...(activation ? { activationId: Number(activation.activationId.replace(/^\D+/, '')), activatedDateTime: utcDateTime(activation.at) } : {}),
    transactionClassifier: m.shortName,
    offerId: offer.id,
    adjustmentMode: offer.redemptionMode,
    transactionAmount: dollars(r.amountCents),
    transactionDate: isoDay(r.day),
    transactionTime: new Date(r.at).toISOString().slice(11, 23),
    transactionDescription: `${m.shortName.toUpperCase().slice(0, 12)} ${m.city.toUpperCase()}`,
    transactionSequenceNumber: 10_000_000 + r.serial,
    adjustmentCashValue: dollars(r.cashbackCents),
    redemptionDateTime: utcDateTime(times.created),
    status: times.status,
    ...(points ? { adjustmentPointsValue: r.points } : {}),
    transactionMerchantId: merchantId,
    transactionChannel: channel,
    offerType: offer.type,
    transactionBankProductCode: offer.bankProductCodes[0],
    adjustmentBankProductCode: offer.bankProductCodes[0],
    transactionCountry: m.country,
    transactionCurrency: 'USD',
    transactionBankAccountNumberAlias: alias,
    transactionInstallmentPayment: false,
    transactionIssuerCountry: 'USA',
    createdDate: isoDay(Math.floor(times.created / DAY_MS)),
    lastModifiedDateTime: utcDateTime(times.updated),
    bankCustomerNumber: source.userId,
    transactionCity: m.city.toLowerCase(),
    adjustmentReversal: false,
    adjustmentValueSign: '+',
    adjustmentMerchantCategoryCode: '6555',
    ...(points ? { pointsConversionRate: Number(POINTS_CONVERSION_RATE) } : {}),
    transactionClassifierDisplayName: m.name,
    campaignId: offer.serial,
    transactionIssuerICA: offer.issuerIcas[0],
    ...(points ? { adjustmentPointsType: POINTS_TYPE } : {}),
  };
}
