import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { type LegacyBody, openLegacyEnvelope } from '../operations/legacy-envelope.js';
import type { CredentialPlacement, Operation } from '../operations/operation.js';
import { check, isoDate, legacyLang } from '../operations/param-checks.js';
import type {
  ActivateOfferParams,
  ActivationDetailParams,
  FeedbackValue,
  MatchedOffersParams,
  OfferDetailsParams,
  RedeemedOffersParams,
  SendFeedbackParams,
  UserFeedbackFilter,
} from './legacy-user-presentment.params.js';
import {
  MatchedOffersResponse,
  type MatchedOffersResult,
  OfferDetailsResponse,
  type OfferDetailsResult,
  RedeemedOffersResponse,
  type RedeemedOffersResult,
  StatementCreditActivationResponse,
  type StatementCreditActivationResult,
  UserFeedbackListResponse,
  type UserFeedbackListResult,
  UserFeedbackResponse,
  type UserFeedbackResult,
  UserSavingsResponse,
  type UserSavingsResult,
} from './models/index.js';

/*
 * The legacy user-presentment family (API-CATALOGUE §3.1–3.3): `UserToken` in the query of the
 * GETs and the v1.3 POSTs, in the JSON body of the v2 POSTs; every answer wrapped in the legacy
 * envelope (`Response.Status.Code === '600'`). Wire names are the spec's, case included.
 */

const IN_QUERY: CredentialPlacement = { in: 'query', name: 'UserToken' };
const IN_BODY: CredentialPlacement = { in: 'body', name: 'UserToken' };
const legacy = <R>(body: LegacyBody<R>, operation: string, secrets?: () => readonly string[]): R => openLegacyEnvelope(body, operation, secrets);

const FEEDBACK: readonly FeedbackValue[] = [0, 1];

/** `0`, `1` or `0,1` from one value or a list. */
function feedbackList(name: string, value: FeedbackValue | readonly FeedbackValue[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) check.oneOf(name, undefined, FEEDBACK, true);
  for (const v of list) check.oneOf(name, v, FEEDBACK, true);
  return [...new Set(list)].sort().join(',');
}

function checkPaging(p: { pageNumber?: number; itemsPerPage?: number }): void {
  check.int('pageNumber', p.pageNumber, 1);
  check.int('itemsPerPage', p.itemsPerPage, 1);
}

/** L2 · GET `/plo/v1/matchedoffers`: the user's assigned and activated offers, paged. */
export const matchedOffersOperation: Operation<MatchedOffersParams, MatchedOffersResponse, MatchedOffersResult> = {
  id: 'matchedOffers',
  method: 'GET',
  path: '/plo/v1/matchedoffers',
  credential: IN_QUERY,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p);
    check.text('merchantName', p.merchantName);
    check.text('category', p.category);
    check.text('offerType', p.offerType);
    check.number('latitude', p.latitude, -90, 90);
    check.number('longitude', p.longitude, -180, 180);
    check.int('radius', p.radius, 0);
    checkPaging(p);
    legacyLang('lang', p.lang);
    feedbackList('userFeedback', p.userFeedback);
    isoDate('presentmentDate', p.presentmentDate);
  },
  query: (p, { fId }) => ({
    FId: fId,
    MerchantName: p.merchantName,
    Category: p.category,
    OfferType: p.offerType,
    Latitude: p.latitude,
    Longitude: p.longitude,
    Radius: p.radius,
    PageNumber: p.pageNumber,
    ItemsPerPage: p.itemsPerPage,
    Lang: legacyLang('lang', p.lang),
    UserFeedback: feedbackList('userFeedback', p.userFeedback),
    PresentmentDate: isoDate('presentmentDate', p.presentmentDate),
  }),
  model: MatchedOffersResponse,
  envelope: legacy,
};

/** L3 · GET `/plo/v1/offerdetails`: one offer in detail. */
export const getOfferDetailsOperation: Operation<OfferDetailsParams, OfferDetailsResponse, OfferDetailsResult> = {
  id: 'getOfferDetails',
  method: 'GET',
  path: '/plo/v1/offerdetails',
  credential: IN_QUERY,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p, true);
    check.text('offerId', p.offerId, true);
    legacyLang('lang', p.lang);
  },
  query: (p, { fId }) => ({ FId: fId, OfferId: p.offerId, Lang: legacyLang('lang', p.lang) }),
  model: OfferDetailsResponse,
  envelope: legacy,
};

/** L4 · GET `/plo/v1/redeemedoffers`: offers the user has redeemed, paged. */
export const getRedeemedOfferDetailsOperation: Operation<RedeemedOffersParams, RedeemedOffersResponse, RedeemedOffersResult> = {
  id: 'getRedeemedOfferDetails',
  method: 'GET',
  path: '/plo/v1/redeemedoffers',
  credential: IN_QUERY,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p);
    checkPaging(p);
    legacyLang('lang', p.lang);
  },
  query: (p, { fId }) => ({ FId: fId, PageNumber: p.pageNumber, ItemsPerPage: p.itemsPerPage, Lang: legacyLang('lang', p.lang) }),
  model: RedeemedOffersResponse,
  envelope: legacy,
};

/** L5 · GET `/plo/v1/statementcreditactivationdetail`: one activation. */
export const getStatementCreditActivationDetailOperation: Operation<
  ActivationDetailParams,
  StatementCreditActivationResponse,
  StatementCreditActivationResult
> = {
  id: 'getStatementCreditActivationDetail',
  method: 'GET',
  path: '/plo/v1/statementcreditactivationdetail',
  credential: IN_QUERY,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p, true);
    check.text('activationId', p.activationId, true);
    legacyLang('lang', p.lang);
  },
  query: (p, { fId }) => ({ FId: fId, ActivationId: p.activationId, Lang: legacyLang('lang', p.lang) }),
  model: StatementCreditActivationResponse,
  envelope: legacy,
};

/** L6 · GET `/plo/v1/usersavings`. */
export const getUserSavingsOperation: Operation<void, UserSavingsResponse, UserSavingsResult> = {
  id: 'getUserSavings',
  method: 'GET',
  path: '/plo/v1/usersavings',
  credential: IN_QUERY,
  retry: 'safe',
  query: (_p, { fId }) => ({ FId: fId }),
  model: UserSavingsResponse,
  envelope: legacy,
};

/** L7 · GET `/plo/v1/userfeedback` (v1.5): the user's feedback; note the snake/lower-case filters. */
export const getUserFeedbackOperation: Operation<UserFeedbackFilter, UserFeedbackListResponse, UserFeedbackListResult> = {
  id: 'getUserFeedback',
  method: 'GET',
  path: '/plo/v1/userfeedback',
  credential: IN_QUERY,
  retry: 'safe',
  validate: (p) => {
    check.object('params', p);
    check.text('offerId', p.offerId);
    feedbackList('feedback', p.feedback);
  },
  query: (p, { fId }) => ({ FId: fId, offer_id: p.offerId, feedback: feedbackList('feedback', p.feedback) }),
  model: UserFeedbackListResponse,
  envelope: legacy,
};

function checkActivation(p: ActivateOfferParams): void {
  check.object('params', p, true);
  check.text('offerId', p.offerId, true);
  legacyLang('lang', p.lang);
  isoDate('presentmentDate', p.presentmentDate);
}

/** L8 · POST `/plo/v2/activatestatementcreditoffer`: not idempotent, never repeated once it may have arrived. */
export const activateStatementCreditOfferOperation: Operation<ActivateOfferParams, StatementCreditActivationResponse, StatementCreditActivationResult> = {
  id: 'activateStatementCreditOffer',
  method: 'POST',
  path: '/plo/v2/activatestatementcreditoffer',
  credential: IN_BODY,
  retry: 'never',
  validate: checkActivation,
  body: (p, { fId }) => ({
    FId: fId,
    OfferId: p.offerId,
    Lang: legacyLang('lang', p.lang),
    PresentmentDate: isoDate('presentmentDate', p.presentmentDate),
  }),
  model: StatementCreditActivationResponse,
  envelope: legacy,
  // Status 600 without the activation confirms nothing: it may or may not have been applied.
  confirms: (r) => r.ScActivation !== undefined,
};

/** L10 · POST `/plo/v1/activatestatementcreditoffer` (v1.3 form): query parameters, empty body. */
export const activateStatementCreditOfferV1Operation: typeof activateStatementCreditOfferOperation = {
  ...activateStatementCreditOfferOperation,
  path: '/plo/v1/activatestatementcreditoffer',
  credential: IN_QUERY,
  validate: (p) => {
    checkActivation(p);
    // v1.3 knows neither: refusing beats silently dropping what the caller asked for.
    for (const name of ['lang', 'presentmentDate'] as const) {
      if (p[name] !== undefined) throw new InvalidArgumentError(name, "is not part of the v1.3 activation (legacyWrites: 'v1'); leave it out");
    }
  },
  body: undefined,
  query: (p, { fId }) => ({ FId: fId, OfferId: p.offerId }),
};

function checkFeedback(p: SendFeedbackParams): void {
  check.object('params', p, true);
  check.text('offerId', p.offerId, true);
  check.oneOf('feedback', p.feedback, FEEDBACK, true);
}

/** L9 · POST `/plo/v2/userfeedback`: last write wins, so retried like a read. */
export const sendUserFeedbackOperation: Operation<SendFeedbackParams, UserFeedbackResponse, UserFeedbackResult> = {
  id: 'sendUserFeedback',
  method: 'POST',
  path: '/plo/v2/userfeedback',
  credential: IN_BODY,
  retry: 'upsert',
  validate: checkFeedback,
  body: (p, { fId }) => ({ FId: fId, OfferId: p.offerId, Feedback: p.feedback }),
  model: UserFeedbackResponse,
  envelope: legacy,
  confirms: (r) => r.UserFeedback !== undefined,
};

/** L11 · POST `/plo/v1/userfeedback` (v1.3 form): query parameters, empty body. */
export const sendUserFeedbackV1Operation: typeof sendUserFeedbackOperation = {
  ...sendUserFeedbackOperation,
  path: '/plo/v1/userfeedback',
  credential: IN_QUERY,
  body: undefined,
  query: (p, { fId }) => ({ FId: fId, OfferId: p.offerId, Feedback: p.feedback }),
};
