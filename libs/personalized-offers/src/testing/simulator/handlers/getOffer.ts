import { type SimulatorHandler, notFound, today } from '../handler.js';
import { acceptLanguages, accessUser } from '../loyalty.js';
import { offerInfoView } from '../loyalty-views.js';
import { loyaltySuccess } from '../wire.js';

/** GET /loyalty/offers/user-presentment/offers/{offer_id}: `{userOfferDetails}` (no assignments); an offer not of the user's fId is a 404. */
export const getOffer: SimulatorHandler = (req, ctx) => {
  const owner = accessUser(req, ctx);
  const offer = ctx.catalogue.find(owner.fId, req.params.offer_id ?? '');
  if (!offer) throw notFound('offer_id');
  return loyaltySuccess({ userOfferDetails: offerInfoView(offer, acceptLanguages(req), today(ctx)) });
};
