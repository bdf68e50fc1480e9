import { type SimulatorHandler, jsonBody } from '../handler.js';
import { adminFId, bodyPaging, languagesOf, optInt, optString, optStrings } from '../loyalty.js';
import { browsePage } from './browseOffers.js';

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
  return browsePage(ctx, fId, criteria, languagesOf(optStrings(body, 'languages')), bodyPaging(body));
};
