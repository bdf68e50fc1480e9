import { PersonalizedOffersApiError } from '../../errors/personalized-offers-api.error.js';
import { redactedExcerpt } from '../../http/response-parser.js';
import type { Operation } from '../../operations/operation.js';
import { check, isoDate } from '../../operations/param-checks.js';
import { checkCountries, checkDates, checkOffsetPaging, languageList } from '../loyalty.checks.js';
import { AdminAdjustments, BrowseOffers, type StatusInfo } from '../models/index.js';
import type { AdminAdjustmentsParams, AdminOfferFilter, BrowseOffersParams } from './platform-admin.params.js';

/*
 * The platform-admin family (API-CATALOGUE §3.6): no user credential, the FI id from the module
 * (`f_id` in the query, `fId` in the body), and a `status {code, message}` in the body.
 */

const BASE = '/loyalty/offers/platform-admin';
/** Success codes of `status.code`: 200 as the spec documents, 600 as Mastercard's own mock data has it. */
const STATUS_OK = new Set([200, 600]);

/** A body whose `status.code` is present and not a success is an API error, like the legacy envelope. */
function checkStatus<B extends { status?: StatusInfo }>(body: B, operation: string): B {
  const code = body.status?.code;
  if (code === undefined || STATUS_OK.has(code)) return body;
  const message = body.status?.message ? redactedExcerpt(body.status.message) : undefined;
  throw new PersonalizedOffersApiError(`Personalized Offers API returned status ${code}${message ? ` (${message})` : ''} for ${operation}.`, {
    status: 200,
    apiStatus: { code: String(code), ...(message ? { message } : {}) },
  });
}

function checkIssuer(p: { issuerIca?: number; bankProductCode?: string; offerType?: string; category?: string }): void {
  check.int('issuerIca', p.issuerIca, 0);
  check.text('bankProductCode', p.bankProductCode);
  check.text('offerType', p.offerType);
  check.text('category', p.category);
}

/** P1 · GET `.../offers`: the FI's offers, offset/limit paged. */
export const browseOffersOperation: Operation<BrowseOffersParams, BrowseOffers> = {
  id: 'browseOffers',
  method: 'GET',
  path: `${BASE}/offers`,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p);
    checkIssuer(p);
    checkCountries('offerCountry', p.offerCountry);
    languageList('lang', p.lang);
    checkOffsetPaging(p);
  },
  query: (p, { fId }) => ({
    f_id: fId,
    issuer_ica: p.issuerIca,
    bank_product_code: p.bankProductCode,
    offer_type: p.offerType,
    category: p.category,
    offer_country: p.offerCountry,
    lang: languageList('lang', p.lang),
    offset: p.offset,
    limit: p.limit,
  }),
  model: BrowseOffers,
  envelope: checkStatus,
};

/** P2 · POST `.../offers/filters`: a search that only reads, retried like a read. */
export const searchAdminOffersOperation: Operation<AdminOfferFilter, BrowseOffers> = {
  id: 'searchAdminOffers',
  method: 'POST',
  path: `${BASE}/offers/filters`,
  retry: 'safe',
  validate: (f) => {
    check.object('filter', f, true);
    checkIssuer(f);
    checkCountries('offerCountries', f.offerCountries);
    languageList('languages', f.languages);
    checkOffsetPaging(f);
  },
  body: (f, { fId }) => ({
    fId,
    issuerIca: f.issuerIca,
    bankProductCode: f.bankProductCode,
    offerType: f.offerType,
    category: f.category,
    offerCountries: f.offerCountries,
    offset: f.offset,
    limit: f.limit,
    languages: languageList('languages', f.languages),
  }),
  model: BrowseOffers,
  envelope: checkStatus,
};

/** P3 · GET `.../adjustments`: the FI's adjustments. */
export const getAdjustmentsOperation: Operation<AdminAdjustmentsParams, AdminAdjustments> = {
  id: 'getAdjustments',
  method: 'GET',
  path: `${BASE}/adjustments`,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p);
    checkDates(p);
    checkOffsetPaging(p);
  },
  query: (p, { fId }) => ({
    f_id: fId,
    offset: p.offset,
    limit: p.limit,
    start_date: isoDate('startDate', p.startDate),
    end_date: isoDate('endDate', p.endDate),
    date_filter: p.dateFilter,
  }),
  model: AdminAdjustments,
  envelope: checkStatus,
};
