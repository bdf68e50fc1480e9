import { type SimulatorHandler, param, queryUser, requireOffer, requireString, today } from '../handler.js';
import { offerDetailsView } from '../views.js';
import { legacySuccess } from '../wire.js';

/** GET /plo/v1/offerdetails: one offer of the user's FId in `Lang` (disliked ones too: the user asked for it by id). */
export const getOfferDetails: SimulatorHandler = (req, ctx) => {
  const user = queryUser(req, ctx);
  const offer = requireOffer(ctx, user, requireString(param(req, 'OfferId'), 'OfferId'));
  const state = ctx.state.user(user.fId, user.userId);
  return legacySuccess({ OfferDetails: offerDetailsView(offer, param(req, 'Lang'), state, today(ctx)) });
};
