import type { SimulatorHandler } from './handler.js';
import { activateStatementCreditOffer, activateStatementCreditOfferV13 } from './handlers/activateStatementCreditOffer.js';
import { getOfferDetails } from './handlers/getOfferDetails.js';
import { getRedeemedOfferDetails } from './handlers/getRedeemedOfferDetails.js';
import { getStatementCreditActivationDetail } from './handlers/getStatementCreditActivationDetail.js';
import { getUserFeedback } from './handlers/getUserFeedback.js';
import { getUserSavings } from './handlers/getUserSavings.js';
import { getUserToken } from './handlers/getUserToken.js';
import { matchedOffers } from './handlers/matchedOffers.js';
import { sendUserFeedback, sendUserFeedbackV13 } from './handlers/sendUserFeedback.js';

/** One wire endpoint: the v1.5 operationId it belongs to (the v1.3 POST forms share their v2 successor's). */
export interface SimulatorRoute {
  readonly operationId: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: SimulatorHandler;
}

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
] satisfies SimulatorRoute[]);

/** The operationIds a fault schedule may target. */
export const OPERATION_IDS: ReadonlySet<string> = new Set(ROUTES.map((r) => r.operationId));

/** The result of {@link lookupRoute}: the route, or why there is none (404 unknown path, 405 with the methods it allows). */
export type RouteLookup = { route: SimulatorRoute } | { route?: undefined; status: 404 } | { route?: undefined; status: 405; allow: string[] };

/** Finds the route of `method` + `path` (exact path, no trailing slash). */
export function lookupRoute(method: string, path: string): RouteLookup {
  const onPath = ROUTES.filter((r) => r.path === path);
  if (onPath.length === 0) return { status: 404 };
  const route = onPath.find((r) => r.method === method);
  return route ? { route } : { status: 405, allow: onPath.map((r) => r.method) };
}
