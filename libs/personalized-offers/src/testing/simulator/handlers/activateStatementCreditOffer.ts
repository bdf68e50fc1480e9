import {
  type SimulatorContext,
  type SimulatorHandler,
  type SimulatorUser,
  checkPresentmentDate,
  invalid,
  jsonBody,
  param,
  queryUser,
  requireEmptyBody,
  requireOffer,
  requireString,
  requireUser,
  today,
} from '../handler.js';
import { activationDetailView } from '../views.js';
import { type SimulatorReply, legacyStatus, legacySuccess } from '../wire.js';

/** POST /plo/v2/activatestatementcreditoffer: everything, the credential included, in a JSON body. */
export const activateStatementCreditOffer: SimulatorHandler = (req, ctx) => {
  const body = jsonBody(req);
  const user = requireUser(ctx, body.FId, body.UserToken);
  const offerId = requireString(body.OfferId, 'OfferId');
  if (body.Lang !== undefined && typeof body.Lang !== 'string') throw invalid('Lang');
  checkPresentmentDate(body.PresentmentDate, ctx);
  return activate(ctx, user, offerId, body.Lang);
};

/** POST /plo/v1/activatestatementcreditoffer (v1.3): `FId`, `UserToken`, `OfferId` in the query and no body. */
export const activateStatementCreditOfferV13: SimulatorHandler = (req, ctx) => {
  requireEmptyBody(req);
  const user = queryUser(req, ctx);
  return activate(ctx, user, requireString(param(req, 'OfferId'), 'OfferId'), undefined);
};

function activate(ctx: SimulatorContext, user: SimulatorUser, offerId: string, lang: string | undefined): SimulatorReply {
  const offer = requireOffer(ctx, user, offerId);
  const state = ctx.state.user(user.fId, user.userId);
  // Mastercard answers HTTP 200 with Message "Bad Request" here (reference app); the code "400" is our choice.
  if (offer.type !== 'POSTPAIDCREDIT' || state.activations.has(offer.id)) return legacyStatus('400', 'Bad Request');
  if (!ctx.commit) return legacySuccess();
  const activation = ctx.state.activate(user.fId, user.userId, offer);
  return legacySuccess({ ScActivation: activationDetailView(offer, activation, state, lang, today(ctx)) });
}
