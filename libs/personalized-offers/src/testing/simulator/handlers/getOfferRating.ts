import { type SimulatorHandler, SimulatorRequestError, notFound } from '../handler.js';
import { accessUser, viewerOf } from '../loyalty.js';
import { loyaltySuccess } from '../wire.js';

/**
 * GET /loyalty/offers/user-presentment/offer-ratings/{offer_id}: `{offerRating}`. Mastercard
 * does not document an offer never rated; here it is a 404 (`offer_id has no rating from this
 * user`), distinct from an unknown offer's 404.
 */
export const getOfferRating: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const offer = ctx.catalogue.find(viewer.fId, req.params.offer_id ?? '');
  if (!offer) throw notFound('offer_id');
  const like = viewer.state.feedback.get(offer.id);
  if (like === undefined) throw new SimulatorRequestError(404, 'offer_id has no rating from this user');
  return loyaltySuccess({ offerRating: { offerId: offer.id, like } });
};
