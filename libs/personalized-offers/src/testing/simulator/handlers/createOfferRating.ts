import { type SimulatorHandler, invalid, jsonBody, notFound } from '../handler.js';
import { accessUser, viewerOf } from '../loyalty.js';
import { loyaltySuccess } from '../wire.js';

/**
 * POST /loyalty/offers/user-presentment/offer-ratings/{offer_id}/likes: `{like}` with the
 * integer 1 (like) or 0 (dislike); the last write wins, and it is the legacy `Feedback` too
 * (a dislike suppresses the offer from legacy matchedoffers).
 */
export const createOfferRating: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const body = jsonBody(req);
  if (body.like !== 0 && body.like !== 1) throw invalid('like');
  const offer = ctx.catalogue.find(viewer.fId, req.params.offer_id ?? '');
  if (!offer) throw notFound('offer_id');
  if (ctx.commit) ctx.state.setFeedback(viewer.fId, viewer.userId, offer.id, body.like);
  return loyaltySuccess({ offerRating: { offerId: offer.id, like: body.like } });
};
