import { type SimulatorHandler, invalid, param } from '../handler.js';
import { accessUser, queryPaging, sliceOf, viewerOf } from '../loyalty.js';
import { isActive } from '../state.js';
import { loyaltySuccess } from '../wire.js';

/**
 * GET /loyalty/offers/user-presentment/offer-ratings: the user's ratings (legacy feedback
 * included: one like/dislike per offer), in the order first given. `current` (`'true'` by
 * default, or `'false'`) keeps only offers currently active for the user, in the sense of
 * getOffers' `active` (ALWAYSON, or activated); `'false'` lists every rating.
 */
export const getOfferRatings: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const current = param(req, 'current') ?? 'true';
  if (current !== 'true' && current !== 'false') throw invalid('current');
  const paging = queryPaging(req);
  const ratings = [...viewer.state.feedback]
    .filter(([offerId]) => current === 'false' || isActive(ctx.catalogue.get(viewer.fId, offerId), viewer.state))
    .map(([offerId, like]) => ({ offerId, like }));
  const slice = sliceOf(ratings, paging);
  return loyaltySuccess({ offset: slice.offset, limit: slice.limit, total: slice.total, count: slice.count, offerRatings: slice.page });
};
