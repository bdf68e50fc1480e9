import { type SimulatorHandler, invalid, jsonBody, today } from '../handler.js';
import {
  type OfferCriteria,
  acceptLanguages,
  accessUser,
  bodyPaging,
  filterOffers,
  optBool,
  optInt,
  optNumber,
  optString,
  optStrings,
  radiusMetres,
  sliceOf,
  viewerOf,
} from '../loyalty.js';
import { userOfferView } from '../loyalty-views.js';
import { loyaltySuccess } from '../wire.js';

/** The radius when `latitude`/`longitude` come without one (undocumented by Mastercard; the spec's `distance` example). */
const DEFAULT_RADIUS = '50km';

/**
 * POST /loyalty/offers/user-presentment/offers/filters: an `OfferFilter` body (every field
 * optional, types checked: integers are not strings). `latitude` and `longitude` go together
 * and keep offers with a merchant location within `radius` (`5mi`, `10km`, km by default;
 * 50 km when absent), and then the answer echoes `location` and `distance`. `channels` keep
 * offers redeemable on any of them; `merchants` match the short or display name.
 */
export const searchOffers: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const body = jsonBody(req);
  const latitude = optNumber(body, 'latitude', -90, 90);
  const longitude = optNumber(body, 'longitude', -180, 180);
  if ((latitude === undefined) !== (longitude === undefined)) throw invalid(latitude === undefined ? 'latitude' : 'longitude');
  const radius = optString(body, 'radius') ?? DEFAULT_RADIUS;
  const metres = radiusMetres(radius);
  const channels = optStrings(body, 'channels');
  if (channels && !channels.every((c) => c === 'ONLINE' || c === 'INSTORE')) throw invalid('channels');
  const near = latitude !== undefined && longitude !== undefined ? { latitude, longitude, metres } : undefined;
  const criteria: OfferCriteria = {
    offerType: optString(body, 'offerType'),
    category: optString(body, 'category'),
    countries: optStrings(body, 'offerCountries'),
    active: optBool(body, 'active'),
    superCategory: optString(body, 'superCategory'),
    targetingCategory: optString(body, 'targetingCategory'),
    expiryDays: optInt(body, 'expiryDays', 1, 2_147_483_647),
    channels,
    merchants: optStrings(body, 'merchants', true),
    near,
  };
  const paging = bodyPaging(body);
  const langs = acceptLanguages(req);
  const slice = sliceOf(filterOffers(ctx.catalogue.offers(viewer.fId), criteria, ctx, viewer.state), paging);
  const day = today(ctx);
  return loyaltySuccess({
    offset: slice.offset,
    limit: slice.limit,
    total: slice.total,
    count: slice.count,
    ...(near ? { location: { latitude: near.latitude, longitude: near.longitude }, distance: { text: radius, value: metres } } : {}),
    offers: slice.page.map((offer) => userOfferView(offer, langs, viewer, day)),
  });
};
