import { type SimulatorHandler, jsonBody, today } from '../handler.js';
import { adminFId, bodyPaging, filterOffers, languagesOf, optInt, optString, optStrings, sliceOf } from '../loyalty.js';
import { offerInfoView } from '../loyalty-views.js';
import { STATUS_INFO, loyaltySuccess } from '../wire.js';

/** POST /loyalty/offers/platform-admin/offers/filters: browseOffers with an `AdminOfferFilter` body (`fId` required in it). */
export const searchAdminOffers: SimulatorHandler = (req, ctx) => {
  const body = jsonBody(req);
  const fId = adminFId(ctx, body.fId, 'fId');
  const criteria = {
    issuerIca: optInt(body, 'issuerIca', 0, 2_147_483_647),
    bankProductCode: optString(body, 'bankProductCode'),
    offerType: optString(body, 'offerType'),
    category: optString(body, 'category'),
    countries: optStrings(body, 'offerCountries'),
  };
  const langs = languagesOf(optStrings(body, 'languages'));
  const slice = sliceOf(filterOffers(ctx.catalogue.offers(fId), criteria, ctx), bodyPaging(body));
  const day = today(ctx);
  return loyaltySuccess({
    offset: slice.offset,
    limit: slice.limit,
    total: slice.total,
    status: { ...STATUS_INFO },
    count: slice.count,
    offers: slice.page.map((offer) => offerInfoView(offer, langs, day)),
  });
};
