import { type SimulatorHandler, pageOf, paging, param, queryUser, today } from '../handler.js';
import { redeemedOfferView } from '../views.js';
import { legacySuccess } from '../wire.js';

/** GET /plo/v1/redeemedoffers: the user's redeemed offers with their purchases, paged like matched offers. */
export const getRedeemedOfferDetails: SimulatorHandler = (req, ctx) => {
  const user = queryUser(req, ctx);
  const lang = param(req, 'Lang');
  const page = pageOf(ctx.state.redeemedOffers(user.fId, user.userId), paging(req));
  const day = today(ctx);
  return legacySuccess({ ...page.counters, Items: { RedeemedOffer: page.items.map((r) => redeemedOfferView(r, lang, day)) } });
};
