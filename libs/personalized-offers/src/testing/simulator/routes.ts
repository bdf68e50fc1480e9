import type { SimulatorHandler } from './handler.js';
import { activateStatementCreditOffer, activateStatementCreditOfferV13 } from './handlers/activateStatementCreditOffer.js';
import { browseOffers } from './handlers/browseOffers.js';
import { createAccessToken } from './handlers/createAccessToken.js';
import { createOfferRating } from './handlers/createOfferRating.js';
import { findGeoLocations } from './handlers/findGeoLocations.js';
import { getAdjustments } from './handlers/getAdjustments.js';
import { getOffer } from './handlers/getOffer.js';
import { getOfferDetails } from './handlers/getOfferDetails.js';
import { getOfferRating } from './handlers/getOfferRating.js';
import { getOfferRatings } from './handlers/getOfferRatings.js';
import { getOffers } from './handlers/getOffers.js';
import { getRedeemedOfferDetails } from './handlers/getRedeemedOfferDetails.js';
import { getStatementCreditActivationDetail } from './handlers/getStatementCreditActivationDetail.js';
import { getUserFeedback } from './handlers/getUserFeedback.js';
import { getUserPresentmentAdjustments } from './handlers/getUserPresentmentAdjustments.js';
import { getUserPresentmentSavings } from './handlers/getUserPresentmentSavings.js';
import { getUserSavings } from './handlers/getUserSavings.js';
import { getUserToken } from './handlers/getUserToken.js';
import { matchedOffers } from './handlers/matchedOffers.js';
import { processActivations } from './handlers/processActivations.js';
import { publishImpressions } from './handlers/publishImpressions.js';
import { searchAdminOffers } from './handlers/searchAdminOffers.js';
import { searchOffers } from './handlers/searchOffers.js';
import { sendUserFeedback, sendUserFeedbackV13 } from './handlers/sendUserFeedback.js';

/**
 * One wire endpoint: the v1.5 operationId it belongs to (the v1.3 POST forms share their v2
 * successor's). A `{name}` segment of `path` matches one non-empty path segment.
 */
export interface SimulatorRoute {
  readonly operationId: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: SimulatorHandler;
}

const UP = '/loyalty/offers/user-presentment';
const PA = '/loyalty/offers/platform-admin';

/** Every endpoint the simulator serves; adding an operation is a handler file and a line here. */
export const ROUTES: readonly SimulatorRoute[] = Object.freeze([
  { operationId: 'getUserToken', method: 'GET', path: '/plo/v1/usertoken', handler: getUserToken },
  { operationId: 'matchedOffers', method: 'GET', path: '/plo/v1/matchedoffers', handler: matchedOffers },
  { operationId: 'getOfferDetails', method: 'GET', path: '/plo/v1/offerdetails', handler: getOfferDetails },
  { operationId: 'getRedeemedOfferDetails', method: 'GET', path: '/plo/v1/redeemedoffers', handler: getRedeemedOfferDetails },
  {
    operationId: 'getStatementCreditActivationDetail',
    method: 'GET',
    path: '/plo/v1/statementcreditactivationdetail',
    handler: getStatementCreditActivationDetail,
  },
  { operationId: 'getUserSavings', method: 'GET', path: '/plo/v1/usersavings', handler: getUserSavings },
  { operationId: 'getUserFeedback', method: 'GET', path: '/plo/v1/userfeedback', handler: getUserFeedback },
  { operationId: 'activateStatementCreditOffer', method: 'POST', path: '/plo/v2/activatestatementcreditoffer', handler: activateStatementCreditOffer },
  { operationId: 'activateStatementCreditOffer', method: 'POST', path: '/plo/v1/activatestatementcreditoffer', handler: activateStatementCreditOfferV13 },
  { operationId: 'sendUserFeedback', method: 'POST', path: '/plo/v2/userfeedback', handler: sendUserFeedback },
  // Same path as GET getUserFeedback: the method decides.
  { operationId: 'sendUserFeedback', method: 'POST', path: '/plo/v1/userfeedback', handler: sendUserFeedbackV13 },
  // Mastercard's current API: user presentment (X-Auth-Token), impressions, platform admin.
  { operationId: 'createAccessToken', method: 'POST', path: `${UP}/access-tokens`, handler: createAccessToken },
  { operationId: 'getOffers', method: 'GET', path: `${UP}/offers`, handler: getOffers },
  // A literal segment wins over a template: GET .../offers/filters is a 405, not offer "filters".
  { operationId: 'searchOffers', method: 'POST', path: `${UP}/offers/filters`, handler: searchOffers },
  { operationId: 'getOffer', method: 'GET', path: `${UP}/offers/{offer_id}`, handler: getOffer },
  { operationId: 'processActivations', method: 'POST', path: `${UP}/activations`, handler: processActivations },
  { operationId: 'getOfferRatings', method: 'GET', path: `${UP}/offer-ratings`, handler: getOfferRatings },
  { operationId: 'getOfferRating', method: 'GET', path: `${UP}/offer-ratings/{offer_id}`, handler: getOfferRating },
  { operationId: 'createOfferRating', method: 'POST', path: `${UP}/offer-ratings/{offer_id}/likes`, handler: createOfferRating },
  { operationId: 'getUserPresentmentSavings', method: 'GET', path: `${UP}/savings`, handler: getUserPresentmentSavings },
  { operationId: 'getUserPresentmentAdjustments', method: 'GET', path: `${UP}/adjustments`, handler: getUserPresentmentAdjustments },
  { operationId: 'findGeoLocations', method: 'GET', path: `${UP}/geo-locations`, handler: findGeoLocations },
  { operationId: 'publishImpressions', method: 'POST', path: '/loyalty/offers/impressions', handler: publishImpressions },
  { operationId: 'browseOffers', method: 'GET', path: `${PA}/offers`, handler: browseOffers },
  { operationId: 'searchAdminOffers', method: 'POST', path: `${PA}/offers/filters`, handler: searchAdminOffers },
  { operationId: 'getAdjustments', method: 'GET', path: `${PA}/adjustments`, handler: getAdjustments },
] satisfies SimulatorRoute[]);

/** The operationIds a fault schedule may target. */
export const OPERATION_IDS: ReadonlySet<string> = new Set(ROUTES.map((r) => r.operationId));

/** Whether `route` is one of the legacy `/plo/*` endpoints (status in the body, `Response` envelope). */
export function isLegacyRoute(route: SimulatorRoute): boolean {
  return route.path.startsWith('/plo/');
}

/**
 * The result of {@link lookupRoute}: the route with its path parameters, or why there is none
 * (404 unknown path, 405 with the methods it allows).
 */
export type RouteLookup =
  { route: SimulatorRoute; params: Record<string, string> } | { route?: undefined; status: 404 } | { route?: undefined; status: 405; allow: string[] };

/** `path` against a template: the decoded `{name}` values, or undefined when it does not match (or is badly percent-encoded). */
function match(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

/**
 * Finds the route of `method` + `path` (no trailing slash). Routes whose template is the exact
 * path win over templated ones, as in OpenAPI: `/offers/filters` is never offer "filters".
 */
export function lookupRoute(method: string, path: string): RouteLookup {
  let onPath: Array<{ route: SimulatorRoute; params: Record<string, string> }> = ROUTES.filter((r) => r.path === path).map((route) => ({ route, params: {} }));
  if (onPath.length === 0) {
    onPath = ROUTES.flatMap((route) => {
      const params = route.path.includes('{') ? match(route.path, path) : undefined;
      return params ? [{ route, params }] : [];
    });
  }
  if (onPath.length === 0) return { status: 404 };
  const found = onPath.find((r) => r.route.method === method);
  return found ?? { status: 405, allow: onPath.map((r) => r.route.method) };
}
