import {
  type SimulatorContext,
  type SimulatorHandler,
  type SimulatorUser,
  invalid,
  jsonBody,
  param,
  queryUser,
  requireEmptyBody,
  requireOffer,
  requireString,
  requireUser,
} from '../handler.js';
import { type SimulatorReply, legacySuccess } from '../wire.js';

/** POST /plo/v2/userfeedback: `{FId, UserToken, OfferId, Feedback}` with `Feedback` the integer 0 or 1. */
export const sendUserFeedback: SimulatorHandler = (req, ctx) => {
  const body = jsonBody(req);
  const user = requireUser(ctx, body.FId, body.UserToken);
  const offerId = requireString(body.OfferId, 'OfferId');
  // int32 in the spec: the string "1" is a client bug worth surfacing.
  if (body.Feedback !== 0 && body.Feedback !== 1) throw invalid('Feedback');
  return record(ctx, user, offerId, body.Feedback);
};

/** POST /plo/v1/userfeedback (v1.3): `FId`, `UserToken`, `OfferId`, `Feedback` (`0`/`1`) in the query and no body. */
export const sendUserFeedbackV13: SimulatorHandler = (req, ctx) => {
  requireEmptyBody(req);
  const user = queryUser(req, ctx);
  const offerId = requireString(param(req, 'OfferId'), 'OfferId');
  const feedback = param(req, 'Feedback');
  if (feedback !== '0' && feedback !== '1') throw invalid('Feedback');
  return record(ctx, user, offerId, feedback === '1' ? 1 : 0);
};

function record(ctx: SimulatorContext, user: SimulatorUser, offerId: string, feedback: 0 | 1): SimulatorReply {
  const offer = requireOffer(ctx, user, offerId);
  if (ctx.commit) ctx.state.setFeedback(user.fId, user.userId, offer.id, feedback);
  return legacySuccess({ UserFeedback: { OfferId: offer.id, Feedback: String(feedback) } });
}
