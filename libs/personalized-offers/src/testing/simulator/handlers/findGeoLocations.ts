import { type SimulatorHandler, invalid, param } from '../handler.js';
import { searchGazetteer } from '../gazetteer.js';
import { accessUser, queryPaging, sliceOf } from '../loyalty.js';
import { loyaltySuccess } from '../wire.js';

/** GET /loyalty/offers/user-presentment/geo-locations: `keywords` (required) against the simulator's small gazetteer, paged. */
export const findGeoLocations: SimulatorHandler = (req, ctx) => {
  accessUser(req, ctx);
  const keywords = param(req, 'keywords');
  if (keywords === undefined || keywords.replaceAll(',', '').trim() === '') throw invalid('keywords');
  const slice = sliceOf(searchGazetteer(keywords), queryPaging(req));
  return loyaltySuccess({ offset: slice.offset, limit: slice.limit, total: slice.total, count: slice.count, items: slice.page });
};
