import { type SimulatorHandler, checkPresentmentDate, feedbackFilter, pageOf, paging, param, queryUser, today } from '../handler.js';
import { matchedOfferView } from '../views.js';
import { legacySuccess } from '../wire.js';

/**
 * GET /plo/v1/matchedoffers: the user's offers, filtered and paged. Disliked offers are
 * suppressed ("Offer matches that are disliked will be suppressed") unless the `UserFeedback`
 * filter asks for them; `Latitude`, `Longitude` and `Radius` are "Disregard" and ignored.
 */
export const matchedOffers: SimulatorHandler = (req, ctx) => {
  const user = queryUser(req, ctx);
  const merchant = param(req, 'MerchantName')?.toLowerCase();
  const category = param(req, 'Category')?.toUpperCase();
  const offerType = param(req, 'OfferType')?.toUpperCase();
  const feedback = feedbackFilter(req, 'UserFeedback');
  const lang = param(req, 'Lang');
  const pages = paging(req);
  checkPresentmentDate(param(req, 'PresentmentDate'), ctx);

  const state = ctx.state.user(user.fId, user.userId);
  const offers = ctx.catalogue.offers(user.fId).filter((offer) => {
    const given = state.feedback.get(offer.id);
    if (feedback ? given === undefined || !feedback.has(given) : given === 0) return false;
    if (merchant && !offer.merchant.name.toLowerCase().includes(merchant)) return false;
    if (category && offer.merchant.category !== category) return false;
    return !offerType || offer.type === offerType;
  });
  const day = today(ctx);
  const page = pageOf(offers, pages);
  return legacySuccess({
    ...page.counters,
    Items: { MatchedOffer: page.items.map((offer) => matchedOfferView(offer, lang, state, day)) },
  });
};
