import { check, isoDate } from '../../operations/param-checks.js';
import type { CredentialPlacement, Operation } from '../../operations/operation.js';
import { PersonalizedOffersInvalidResponseError } from '../../errors/personalized-offers-invalid-response.error.js';
import { redactedExcerpt } from '../../http/response-parser.js';
import { checkCountries, checkDates, checkOffsetPaging, languageHeader } from '../loyalty.checks.js';
import {
  Activations,
  GeoLocations,
  OfferDetails,
  UserAdjustments,
  UserOfferRating,
  UserOfferRatings,
  UserOffers,
  UserPresentmentSavings,
} from '../models/index.js';
import type {
  AdjustmentsParams,
  GeoLocationsParams,
  GetOffersParams,
  Impression,
  LanguageOption,
  OfferFilter,
  OfferRatingsParams,
} from './user-presentment.params.js';

/*
 * The current API's user-presentment family (API-CATALOGUE §3.4–3.5): the access token in the
 * `X-Auth-Token` header, camelCase JSON, failures as HTTP statuses (no envelope). Operations that
 * take a language read the module default through `language` (set by the service).
 */

const X_AUTH_TOKEN: CredentialPlacement = { in: 'header', name: 'X-Auth-Token' };
const BASE = '/loyalty/offers/user-presentment';

/** Builds the family's operations with the module's default `Accept-Language`. */
export function userPresentmentOperations(language: string | undefined) {
  const withLanguage = (p: LanguageOption | undefined) => languageHeader(p?.acceptLanguage, language);

  /** U2 · GET `.../offers`: the user's offers, offset/limit paged. */
  const getOffers: Operation<GetOffersParams, UserOffers> = {
    id: 'getOffers',
    method: 'GET',
    path: `${BASE}/offers`,
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: (p) => {
      check.object('params', p);
      check.text('offerType', p.offerType);
      check.text('category', p.category);
      checkCountries('offerCountry', p.offerCountry);
      check.oneOf('active', p.active, [true, false]);
      check.int('expiryDays', p.expiryDays, 1);
      checkOffsetPaging(p);
      withLanguage(p);
    },
    query: (p) => ({
      offer_type: p.offerType,
      category: p.category,
      offer_country: p.offerCountry,
      active: p.active,
      expiry_days: p.expiryDays,
      offset: p.offset,
      limit: p.limit,
    }),
    headers: withLanguage,
    model: UserOffers,
  };

  /** U3 · GET `.../offers/{offer_id}`. */
  const getOffer: Operation<{ offerId: string } & LanguageOption, OfferDetails> = {
    id: 'getOffer',
    method: 'GET',
    path: `${BASE}/offers/{offer_id}`,
    pathParams: (p) => ({ offer_id: p.offerId }),
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: (p) => {
      check.text('offerId', p.offerId, true);
      withLanguage(p);
    },
    headers: withLanguage,
    model: OfferDetails,
  };

  /** U4 · POST `.../offers/filters`: a search that only reads, so retried like a read. */
  const searchOffers: Operation<{ filter: OfferFilter } & LanguageOption, UserOffers> = {
    id: 'searchOffers',
    method: 'POST',
    path: `${BASE}/offers/filters`,
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: ({ filter: f, ...language }) => {
      check.object('filter', f, true);
      check.text('offerType', f.offerType);
      check.text('category', f.category);
      checkCountries('offerCountries', f.offerCountries);
      checkOffsetPaging(f);
      check.number('latitude', f.latitude, -90, 90);
      check.number('longitude', f.longitude, -180, 180);
      if (f.radius !== undefined && (typeof f.radius !== 'string' || !/^\d+(\.\d+)?\s*(km|mi)?$/.test(f.radius))) {
        check.fail('radius', "must be a distance such as '5mi' or '10km'");
      }
      check.oneOf('active', f.active, [true, false]);
      check.text('superCategory', f.superCategory);
      check.text('targetingCategory', f.targetingCategory);
      check.int('expiryDays', f.expiryDays, 1);
      if (f.channels !== undefined) {
        if (!Array.isArray(f.channels)) check.fail('channels', 'must be a list');
        for (const c of f.channels) check.oneOf('channels', c, ['ONLINE', 'INSTORE'], true);
      }
      if (f.merchants !== undefined) {
        if (!Array.isArray(f.merchants)) check.fail('merchants', 'must be a list');
        for (const m of f.merchants) check.text('merchants', m, true);
      }
      withLanguage(language);
    },
    body: ({ filter: f }) => ({
      offerType: f.offerType,
      category: f.category,
      offerCountries: f.offerCountries,
      offset: f.offset,
      limit: f.limit,
      latitude: f.latitude,
      longitude: f.longitude,
      radius: f.radius,
      active: f.active,
      superCategory: f.superCategory,
      targetingCategory: f.targetingCategory,
      expiryDays: f.expiryDays,
      channels: f.channels,
      merchants: f.merchants === undefined ? undefined : [...new Set(f.merchants)],
    }),
    headers: withLanguage,
    model: UserOffers,
  };

  /** U5 · POST `.../activations`: not idempotent, never repeated once it may have arrived. */
  const processActivations: Operation<{ offerId: string }, Activations> = {
    id: 'processActivations',
    method: 'POST',
    path: `${BASE}/activations`,
    credential: X_AUTH_TOKEN,
    retry: 'never',
    validate: (p) => {
      check.object('params', p, true);
      check.text('offerId', p.offerId, true);
    },
    body: (p) => ({ offerId: p.offerId }),
    model: Activations,
    // A 200 without an activation request confirms nothing: it may or may not have been queued.
    confirms: (r) => (r.activations?.length ?? 0) > 0,
  };

  /** U6 · GET `.../offer-ratings`. */
  const getOfferRatings: Operation<OfferRatingsParams, UserOfferRatings> = {
    id: 'getOfferRatings',
    method: 'GET',
    path: `${BASE}/offer-ratings`,
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: (p) => {
      check.object('params', p);
      check.oneOf('current', p.current, [true, false]);
      checkOffsetPaging(p);
    },
    // `current` is a string on the wire ('true' / 'false'), unlike `active`.
    query: (p) => ({ current: p.current === undefined ? undefined : String(p.current), offset: p.offset, limit: p.limit }),
    model: UserOfferRatings,
  };

  /** U7 · GET `.../offer-ratings/{offer_id}`. */
  const getOfferRating: Operation<{ offerId: string }, UserOfferRating> = {
    id: 'getOfferRating',
    method: 'GET',
    path: `${BASE}/offer-ratings/{offer_id}`,
    pathParams: (p) => ({ offer_id: p.offerId }),
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: (p) => check.text('offerId', p.offerId, true),
    model: UserOfferRating,
  };

  /** U8 · POST `.../offer-ratings/{offer_id}/likes`: last write wins, retried like a read. */
  const createOfferRating: Operation<{ offerId: string; like: 0 | 1 }, UserOfferRating> = {
    id: 'createOfferRating',
    method: 'POST',
    path: `${BASE}/offer-ratings/{offer_id}/likes`,
    pathParams: (p) => ({ offer_id: p.offerId }),
    credential: X_AUTH_TOKEN,
    retry: 'upsert',
    validate: (p) => {
      check.text('offerId', p.offerId, true);
      check.oneOf('like', p.like, [0, 1], true);
    },
    body: (p) => ({ like: p.like }),
    model: UserOfferRating,
    confirms: (r) => r.offerRating !== undefined,
  };

  /** U9 · GET `.../savings`. */
  const getUserPresentmentSavings: Operation<void, UserPresentmentSavings> = {
    id: 'getUserPresentmentSavings',
    method: 'GET',
    path: `${BASE}/savings`,
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    model: UserPresentmentSavings,
  };

  /** U10 · GET `.../adjustments`. */
  const getUserPresentmentAdjustments: Operation<AdjustmentsParams, UserAdjustments> = {
    id: 'getUserPresentmentAdjustments',
    method: 'GET',
    path: `${BASE}/adjustments`,
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: (p) => {
      check.object('params', p);
      checkDates(p);
      checkOffsetPaging(p);
    },
    query: (p) => ({
      start_date: isoDate('startDate', p.startDate),
      end_date: isoDate('endDate', p.endDate),
      date_filter: p.dateFilter,
      offset: p.offset,
      limit: p.limit,
    }),
    model: UserAdjustments,
  };

  /** U11 · GET `.../geo-locations`. */
  const findGeoLocations: Operation<GeoLocationsParams, GeoLocations> = {
    id: 'findGeoLocations',
    method: 'GET',
    path: `${BASE}/geo-locations`,
    credential: X_AUTH_TOKEN,
    retry: 'safe',
    validate: (p) => {
      check.object('params', p, true);
      check.text('keywords', p.keywords, true);
      checkOffsetPaging(p);
    },
    query: (p) => ({ keywords: p.keywords, offset: p.offset, limit: p.limit }),
    model: GeoLocations,
  };

  /** I1 · POST `/loyalty/offers/impressions`: not idempotent (a replay counts twice). */
  const publishImpressions: Operation<{ impressions: readonly Impression[] }, ImpressionsReceipt> = {
    id: 'publishImpressions',
    method: 'POST',
    path: '/loyalty/offers/impressions',
    credential: X_AUTH_TOKEN,
    retry: 'never',
    validate: ({ impressions }) => {
      if (!Array.isArray(impressions) || impressions.length === 0) check.fail('impressions', 'must be a non-empty list');
      for (const i of impressions) {
        check.object('impressions[]', i, true);
        check.text('impressions[].offerId', i.offerId, true);
        if (typeof i.order === 'number') check.int('impressions[].order', i.order, 0);
        else check.text('impressions[].order', i.order, true);
        check.oneOf('impressions[].activityType', i.activityType, ['CLICKED', 'VIEWED', 'BROWSED', 'ACTIVATED', 'LIKED'], true);
        if (i.activityTimestamp instanceof Date) {
          if (Number.isNaN(i.activityTimestamp.getTime())) check.fail('impressions[].activityTimestamp', 'must be a valid date');
        } else {
          check.text('impressions[].activityTimestamp', i.activityTimestamp, true);
        }
      }
    },
    body: ({ impressions }) => ({
      impressions: impressions.map((i) => ({
        offerId: i.offerId,
        order: String(i.order),
        activityType: i.activityType,
        activityTimestamp: i.activityTimestamp instanceof Date ? i.activityTimestamp.toISOString() : i.activityTimestamp,
      })),
    }),
    parse: parseImpressionsReceipt,
  };

  return {
    getOffers,
    getOffer,
    searchOffers,
    processActivations,
    getOfferRatings,
    getOfferRating,
    createOfferRating,
    getUserPresentmentSavings,
    getUserPresentmentAdjustments,
    findGeoLocations,
    publishImpressions,
  };
}

/** What `publishImpressions` answers: the spec's bare JSON string (content undocumented), or nothing. */
export interface ImpressionsReceipt {
  /** The string Mastercard returned, when it returned one. */
  message?: string;
}

/** The impressions answer is `type: string` JSON, possibly empty: accept both, nothing else. */
function parseImpressionsReceipt(body: string, status: number): ImpressionsReceipt {
  const text = body.trim();
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'string') return { message: value };
  } catch {
    // not JSON: reported below
  }
  throw new PersonalizedOffersInvalidResponseError(`Personalized Offers API responded ${status} with a body that is not the expected JSON string.`, {
    status,
    bodyExcerpt: redactedExcerpt(body),
  });
}
