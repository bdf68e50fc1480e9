import { createHash } from 'node:crypto';

/** Legacy offer types: POSTPAIDCREDIT needs an activation call, ALWAYSON never does. */
export type SimulatorOfferType = 'POSTPAIDCREDIT' | 'ALWAYSON';

/** A merchant of the catalogue (the same for every fId; which offers it has varies). */
export interface CatalogueMerchant {
  readonly name: string;
  /** The internal short name `/loyalty` responses carry in `merchant.name` (`examplecom`). */
  readonly shortName: string;
  readonly category: string;
  readonly superCategory: string;
  readonly targetingCategory: string;
  readonly domain: string;
  readonly street: string;
  readonly city: string;
  readonly state: string;
  readonly zipcode: string;
  /** ISO 3166-1 alpha-3: the offers' `offerCountry` too. */
  readonly country: string;
  readonly latitude: string;
  readonly longitude: string;
}

/** One offer, language-neutral; texts come from {@link offerTexts} and dates from the simulator clock. */
export interface CatalogueOffer {
  readonly id: string;
  readonly type: SimulatorOfferType;
  readonly merchant: CatalogueMerchant;
  readonly redemptionType: 'INSTORE' | 'ONLINE' | 'ONLINE-INSTORE';
  readonly redemptionMode: 'CASH' | 'POINTS';
  readonly discountType: 'ABSOLUTE' | 'PERCENTAGE';
  /** ABSOLUTE: the cash back; PERCENTAGE: its cap. */
  readonly rewardCents: number;
  /** PERCENTAGE only: the share of the spend paid back. */
  readonly percent?: number;
  readonly minSpendCents: number;
  /** Day offsets from the simulator's current day, so offers stay current whatever the clock says. */
  readonly startOffsetDays: number;
  readonly endOffsetDays: number;
  readonly maxUserRedemptions: number;
  /** Position in the fId's catalogue, from 1: the `/loyalty` `campaignId`. */
  readonly serial: number;
  /** The fId's bank product codes the offer is redeemable with (an INCLUSION list). */
  readonly bankProductCodes: readonly string[];
  /** The fId's issuer ICAs the offer is redeemable with (an INCLUSION list). */
  readonly issuerIcas: readonly number[];
}

type MerchantRow = Omit<CatalogueMerchant, 'shortName'>;

const MERCHANT_ROWS: readonly MerchantRow[] = [
  {
    name: 'Koalla',
    category: 'SHOP',
    superCategory: 'RETAIL',
    targetingCategory: 'APPAREL',
    domain: 'koalla.example',
    street: '1 Eucalyptus Way',
    city: 'Sydney',
    state: 'NSW',
    zipcode: '2000',
    country: 'AUS',
    latitude: '-33.8688',
    longitude: '151.2093',
  },
  {
    name: 'Example.com',
    category: 'DEPARTMENTSTORE',
    superCategory: 'RETAIL',
    targetingCategory: 'DEPARTMENTSTORES',
    domain: 'www.example.com',
    street: '100 Example Ave',
    city: 'New York',
    state: 'NY',
    zipcode: '10007',
    country: 'USA',
    latitude: '40.7128',
    longitude: '-74.0060',
  },
  {
    name: 'Maison Grand',
    category: 'DEPARTMENTSTORE',
    superCategory: 'RETAIL',
    targetingCategory: 'DEPARTMENTSTORES',
    domain: 'maisongrand.example',
    street: '40 Boulevard Haussmann',
    city: 'Paris',
    state: 'IDF',
    zipcode: '75009',
    country: 'FRA',
    latitude: '48.8738',
    longitude: '2.3320',
  },
  {
    name: 'Urban Threads',
    category: 'SHOP',
    superCategory: 'RETAIL',
    targetingCategory: 'APPAREL',
    domain: 'urbanthreads.example',
    street: '12 Market St',
    city: 'San Francisco',
    state: 'CA',
    zipcode: '94103',
    country: 'USA',
    latitude: '37.7749',
    longitude: '-122.4194',
  },
  {
    name: 'Bistro Lumière',
    category: 'DINING',
    superCategory: 'FOODANDDRINK',
    targetingCategory: 'RESTAURANTS',
    domain: 'bistrolumiere.example',
    street: '8 Rue Cler',
    city: 'Paris',
    state: 'IDF',
    zipcode: '75007',
    country: 'FRA',
    latitude: '48.8566',
    longitude: '2.3522',
  },
  {
    name: 'Harbour Grill',
    category: 'DINING',
    superCategory: 'FOODANDDRINK',
    targetingCategory: 'RESTAURANTS',
    domain: 'harbourgrill.example',
    street: '3 Pier Rd',
    city: 'Boston',
    state: 'MA',
    zipcode: '02110',
    country: 'USA',
    latitude: '42.3601',
    longitude: '-71.0589',
  },
  {
    name: 'SkyWays Airlines',
    category: 'TRAVEL',
    superCategory: 'TRAVEL',
    targetingCategory: 'AIRLINES',
    domain: 'skyways.example',
    street: '1 Terminal Dr',
    city: 'Chicago',
    state: 'IL',
    zipcode: '60666',
    country: 'USA',
    latitude: '41.9742',
    longitude: '-87.9073',
  },
  {
    name: 'Nomad Hotels',
    category: 'TRAVEL',
    superCategory: 'TRAVEL',
    targetingCategory: 'HOTELS',
    domain: 'nomadhotels.example',
    street: '77 Ocean Blvd',
    city: 'Miami',
    state: 'FL',
    zipcode: '33139',
    country: 'USA',
    latitude: '25.7617',
    longitude: '-80.1918',
  },
  {
    name: 'FreshCart Grocery',
    category: 'GROCERY',
    superCategory: 'FOODANDDRINK',
    targetingCategory: 'GROCERY',
    domain: 'freshcart.example',
    street: '500 Elm St',
    city: 'Dallas',
    state: 'TX',
    zipcode: '75201',
    country: 'USA',
    latitude: '32.7767',
    longitude: '-96.7970',
  },
  {
    name: 'PowerPlay Electronics',
    category: 'ELECTRONICS',
    superCategory: 'RETAIL',
    targetingCategory: 'ELECTRONICS',
    domain: 'powerplay.example',
    street: '9 Circuit Ln',
    city: 'Seattle',
    state: 'WA',
    zipcode: '98101',
    country: 'USA',
    latitude: '47.6062',
    longitude: '-122.3321',
  },
  {
    name: 'CineStar',
    category: 'ENTERTAINMENT',
    superCategory: 'ENTERTAINMENT',
    targetingCategory: 'MOVIES',
    domain: 'cinestar.example',
    street: '21 Sunset Blvd',
    city: 'Los Angeles',
    state: 'CA',
    zipcode: '90028',
    country: 'USA',
    latitude: '34.0522',
    longitude: '-118.2437',
  },
  {
    name: 'Velo Fuel',
    category: 'FUEL',
    superCategory: 'AUTOMOTIVE',
    targetingCategory: 'GASSTATIONS',
    domain: 'velofuel.example',
    street: '250 Route 66',
    city: 'Flagstaff',
    state: 'AZ',
    zipcode: '86001',
    country: 'USA',
    latitude: '35.1983',
    longitude: '-111.6513',
  },
];

/** `Bistro Lumière` → `bistrolumiere`, `Example.com` → `examplecom` (the spec's own example). */
function shortNameOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const MERCHANTS: readonly CatalogueMerchant[] = MERCHANT_ROWS.map((m) => Object.freeze({ ...m, shortName: shortNameOf(m.name) }));

/** ISO 3166-1 alpha-2 of the catalogue's alpha-3 countries (`redemptionCountries` is alpha-2). */
export const ALPHA2: Readonly<Record<string, string>> = Object.freeze({ USA: 'US', AUS: 'AU', FRA: 'FR' });

/** The `Lang` values with their own texts; anything else falls back to `en_US`. */
export type SimulatorLanguage = 'en_US' | 'fr_FR' | 'es_ES';

/** The text fields of an offer in one language. */
export interface OfferTexts {
  /** The display word legacy responses carry in `Language` ("English"), not a code. */
  readonly language: string;
  readonly headline: string;
  readonly shortDescription: string;
  readonly longDescription: string;
  readonly terms: string;
  readonly longTerms: string;
  readonly imageDescription: string;
  /** Pipe-separated short conditions (`/loyalty` `termsKey`). */
  readonly termsKey: string;
}

interface Phrasebook {
  word: string;
  money(cents: number): string;
  percent(p: number): string;
  channel: Record<CatalogueOffer['redemptionType'], string>;
  headline(reward: string, merchant: string, points: boolean): string;
  short(min: string, merchant: string, channel: string, reward: string): string;
  limit(n: number): string;
  minimum(min: string): string;
  terms(min: string, merchant: string): string;
  logo(merchant: string): string;
}

const amount = (cents: number, decimal: string) => {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return rest === 0 ? String(whole) : `${whole}${decimal}${String(rest).padStart(2, '0')}`;
};

const PHRASES: Record<SimulatorLanguage, Phrasebook> = {
  en_US: {
    word: 'English',
    money: (c) => `$${amount(c, '.')}`,
    percent: (p) => `${p}%`,
    channel: { INSTORE: 'in store', ONLINE: 'online', 'ONLINE-INSTORE': 'online or in store' },
    headline: (r, m, points) => `Get ${r} back${points ? ' in points' : ''} at ${m}`,
    short: (min, m, ch, r) => `Spend ${min} or more at ${m} ${ch} and get ${r} back on the card linked to this account.`,
    limit: (n) => `Limited to ${n} redemption${n === 1 ? '' : 's'} per cardholder.`,
    minimum: (min) => `${min} minimum spend`,
    terms: (min, m) => `Offer is non-transferable and applies to one purchase of a min. of ${min} at ${m} charged to your card by the expiration date.`,
    logo: (m) => `The logo of ${m}`,
  },
  fr_FR: {
    word: 'French',
    money: (c) => `${amount(c, ',')} $`,
    percent: (p) => `${p} %`,
    channel: { INSTORE: 'en magasin', ONLINE: 'en ligne', 'ONLINE-INSTORE': 'en ligne ou en magasin' },
    headline: (r, m, points) => `Obtenez ${r} de remise${points ? ' en points' : ''} chez ${m}`,
    short: (min, m, ch, r) => `Dépensez ${min} ou plus chez ${m} ${ch} et recevez ${r} sur la carte associée à ce compte.`,
    limit: (n) => `Limité à ${n} utilisation${n === 1 ? '' : 's'} par titulaire.`,
    minimum: (min) => `Achat minimum de ${min}`,
    terms: (min, m) => `Offre non transférable, valable pour un achat d'au moins ${min} chez ${m} réglé avec votre carte avant la date d'expiration.`,
    logo: (m) => `Le logo de ${m}`,
  },
  es_ES: {
    word: 'Spanish',
    money: (c) => `${amount(c, ',')} US$`,
    percent: (p) => `${p} %`,
    channel: { INSTORE: 'en tienda', ONLINE: 'en línea', 'ONLINE-INSTORE': 'en línea o en tienda' },
    headline: (r, m, points) => `Obtén ${r} de reembolso${points ? ' en puntos' : ''} en ${m}`,
    short: (min, m, ch, r) => `Gasta ${min} o más en ${m} ${ch} y recibe ${r} en la tarjeta asociada a esta cuenta.`,
    limit: (n) => `Limitado a ${n} canje${n === 1 ? '' : 's'} por titular.`,
    minimum: (min) => `Gasto mínimo de ${min}`,
    terms: (min, m) => `Oferta intransferible, válida para una compra mínima de ${min} en ${m} pagada con tu tarjeta antes de la fecha de vencimiento.`,
    logo: (m) => `El logotipo de ${m}`,
  },
};

/** The language a `Lang` value selects: exact codes only (`fr-FR` with a hyphen is not a legacy code), else `en_US`. */
export function languageOf(lang: string | undefined): SimulatorLanguage {
  return lang !== undefined && Object.hasOwn(PHRASES, lang) ? (lang as SimulatorLanguage) : 'en_US';
}

/** A PERCENTAGE offer's share of the spend paid back ({@link build} gives every one a `percent`). */
export function percentOf(offer: CatalogueOffer): number {
  if (offer.percent === undefined) throw new RangeError(`Offer ${offer.id} has no percent.`);
  return offer.percent;
}

/** The offer's texts in `lang`. */
export function offerTexts(offer: CatalogueOffer, lang: string | undefined): OfferTexts {
  const p = PHRASES[languageOf(lang)];
  const m = offer.merchant.name;
  const reward = offer.discountType === 'PERCENTAGE' ? p.percent(percentOf(offer)) : p.money(offer.rewardCents);
  const min = p.money(offer.minSpendCents);
  const short = p.short(min, m, p.channel[offer.redemptionType], reward);
  const terms = p.terms(min, m);
  const limit = p.limit(offer.maxUserRedemptions);
  return {
    language: p.word,
    headline: p.headline(reward, m, offer.redemptionMode === 'POINTS'),
    shortDescription: short,
    longDescription: `${short} ${limit}`,
    terms,
    longTerms: `${terms} ${limit}`,
    imageDescription: p.logo(m),
    termsKey: [p.minimum(min), p.channel[offer.redemptionType], limit.replace(/\.$/, '')].join('|'),
  };
}

/** Cash back (in cents) a purchase of `amountCents` earns on `offer`: nothing below the minimum spend. */
export function cashbackFor(offer: CatalogueOffer, amountCents: number): number {
  if (amountCents < offer.minSpendCents) return 0;
  if (offer.discountType === 'ABSOLUTE') return offer.rewardCents;
  return Math.min(offer.rewardCents, Math.round((amountCents * percentOf(offer)) / 100));
}

/** Points per cent of reward: `PointsConversionRate` is `'0.01'` (a point is worth a cent). */
export const POINTS_CONVERSION_RATE = '0.01';

/** A money amount as the legacy API writes it: a string with two decimals. */
export function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

const DAY_MS = 86_400_000;

/** The simulator clock's UTC day number. */
export function dayNumber(nowMs: number): number {
  return Math.floor(nowMs / DAY_MS);
}

/** A day number as `YYYY-MM-DD`. */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A SHA-256 digest: every "random" choice of the simulator comes from one, so runs repeat. */
export function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A UUID-shaped id (version 5 layout) derived from `text`. */
export function uuidFrom(text: string): string {
  const hex = digest(text).toString('hex');
  const variant = '89ab'[parseInt(hex[16], 16) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The offers of each fId, derived from a hash of the fId: the same fId gets the same offers in
 * every run and process, and different fIds get different ones. 60 to 67 offers, so default
 * paging (25 a page) gives three pages; every merchant has both offer types.
 */
export class OfferCatalogue {
  private readonly byFId = new Map<string, { list: readonly CatalogueOffer[]; byId: Map<string, CatalogueOffer> }>();

  /** Every offer of `fId`, in a stable order. */
  offers(fId: string): readonly CatalogueOffer[] {
    return this.entry(fId).list;
  }

  /** The offer `offerId` of `fId`, if there is one. */
  find(fId: string, offerId: string): CatalogueOffer | undefined {
    return this.entry(fId).byId.get(offerId);
  }

  /** The offer `offerId` of `fId`, known to be there (the state only holds offers found in the catalogue). */
  get(fId: string, offerId: string): CatalogueOffer {
    const offer = this.find(fId, offerId);
    if (!offer) throw new RangeError(`No offer ${offerId} in the catalogue of this FId.`);
    return offer;
  }

  /** The bank product codes of `fId` (offers carry one or both). */
  bankProductCodes(fId: string): readonly string[] {
    return bankProductCodesOf(fId);
  }

  /** The issuer ICAs of `fId` (offers carry one or both). */
  issuerIcas(fId: string): readonly number[] {
    return issuerIcasOf(fId);
  }

  private entry(fId: string) {
    let entry = this.byFId.get(fId);
    if (!entry) {
      const list = build(fId);
      entry = { list, byId: new Map(list.map((o) => [o.id, o])) };
      this.byFId.set(fId, entry);
    }
    return entry;
  }
}

function bankProductCodesOf(fId: string): readonly string[] {
  return [`SIM_CREDIT_${fId}`, `SIM_DEBIT_${fId}`];
}

function issuerIcasOf(fId: string): readonly number[] {
  const h = digest(`ica:${fId}`);
  const first = 1000 + (((h[0] << 8) | h[1]) % 8000);
  return [first, first + 1];
}

function build(fId: string): readonly CatalogueOffer[] {
  const h = digest(`catalogue:${fId}`);
  const codes = bankProductCodesOf(fId);
  const icas = issuerIcasOf(fId);
  const count = 60 + (h[0] % 8);
  const rotation = h[1] % MERCHANTS.length;
  const offers: CatalogueOffer[] = [];
  for (let i = 0; i < count; i++) {
    const o = digest(`offer:${fId}:${i}`);
    const percentage = o[16] % 3 === 0;
    const absoluteCents = (5 + (o[17] % 46)) * 100 + (o[18] % 2 ? 50 : 0);
    offers.push(
      Object.freeze({
        id: uuidFrom(`offer-id:${fId}:${i}`),
        // Rounds of 12 cycle through every merchant; one round in five is ALWAYSON, so each merchant has both types.
        type: Math.floor(i / MERCHANTS.length) % 5 === 3 ? 'ALWAYSON' : 'POSTPAIDCREDIT',
        merchant: MERCHANTS[(i + rotation) % MERCHANTS.length],
        redemptionType: (['INSTORE', 'ONLINE', 'ONLINE-INSTORE'] as const)[o[21] % 3],
        redemptionMode: o[20] % 6 === 0 ? 'POINTS' : 'CASH',
        discountType: percentage ? 'PERCENTAGE' : 'ABSOLUTE',
        rewardCents: percentage ? (25 + (o[18] % 76)) * 100 : absoluteCents,
        ...(percentage ? { percent: 5 + (o[17] % 21) } : {}),
        minSpendCents: percentage ? (20 + (o[19] % 81)) * 100 : Math.ceil((absoluteCents * 3) / 500) * 500,
        startOffsetDays: -(1 + (o[22] % 60)),
        endOffsetDays: 30 + (o[23] % 150),
        maxUserRedemptions: o[24] % 3 === 0 ? 2 : 1,
        serial: i + 1,
        // Bytes 25 and 26 were unused: adding them left every earlier field as it was.
        bankProductCodes: o[25] % 3 === 0 ? codes : [codes[o[25] % 3 === 1 ? 0 : 1]],
        issuerIcas: o[26] % 2 === 0 ? icas : [icas[0]],
      } satisfies CatalogueOffer),
    );
  }
  return Object.freeze(offers);
}
