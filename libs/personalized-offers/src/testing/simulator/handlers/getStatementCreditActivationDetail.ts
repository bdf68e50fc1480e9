import { type SimulatorHandler, notFound, param, queryUser, requireString, today } from '../handler.js';
import { activationDetailView } from '../views.js';
import { legacySuccess } from '../wire.js';

/** GET /plo/v1/statementcreditactivationdetail: one of the user's activations; another user's id is a 404. */
export const getStatementCreditActivationDetail: SimulatorHandler = (req, ctx) => {
  const user = queryUser(req, ctx);
  const activationId = requireString(param(req, 'ActivationId'), 'ActivationId');
  const activation = ctx.state.activation(user.fId, user.userId, activationId);
  if (!activation) throw notFound('ActivationId');
  const offer = ctx.catalogue.get(user.fId, activation.offerId);
  const state = ctx.state.user(user.fId, user.userId);
  return legacySuccess({ ScActivation: activationDetailView(offer, activation, state, param(req, 'Lang'), today(ctx)) });
};
