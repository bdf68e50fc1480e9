import { type SimulatorHandler, param, today } from '../handler.js';
import { acceptLanguages, accessUser, boolParam, filterOffers, optIntParam, queryList, queryPaging, sliceOf, viewerOf } from '../loyalty.js';
import { userOfferView } from '../loyalty-views.js';
import { loyaltySuccess } from '../wire.js';

/**
 * GET /loyalty/offers/user-presentment/offers: the user's offers filtered by `offer_type`,
 * `category`, `offer_country` (repeated and/or comma list; any `!` makes it an exclusion list),
 * `active` and `expiry_days`, paged by `offset`/`limit`, texts in the `Accept-Language`
 * languages. Disliked offers are listed too (no rule for this API says otherwise).
 */
export const getOffers: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const langs = acceptLanguages(req);
  const criteria = {
    offerType: param(req, 'offer_type'),
    category: param(req, 'category'),
    countries: queryList(req, 'offer_country'),
    active: boolParam(req, 'active'),
    expiryDays: optIntParam(req, 'expiry_days', 1, 999_999_999),
  };
  const paging = queryPaging(req);
  const slice = sliceOf(filterOffers(ctx.catalogue.offers(viewer.fId), criteria, ctx, viewer.state), paging);
  const day = today(ctx);
  return loyaltySuccess({
    offset: slice.offset,
    limit: slice.limit,
    total: slice.total,
    count: slice.count,
    offers: slice.page.map((offer) => userOfferView(offer, langs, viewer, day)),
  });
};
