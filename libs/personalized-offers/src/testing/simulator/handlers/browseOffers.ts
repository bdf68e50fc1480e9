import { type SimulatorContext, type SimulatorHandler, param, today } from '../handler.js';
import { adminFId, filterOffers, languagesOf, optIntParam, queryList, queryPaging, sliceOf } from '../loyalty.js';
import { offerInfoView } from '../loyalty-views.js';
import { STATUS_INFO, loyaltySuccess } from '../wire.js';

/**
 * GET /loyalty/offers/platform-admin/offers: the fId's catalogue (`f_id` required), no user,
 * filtered by `issuer_ica`, `bank_product_code`, `offer_type`, `category`, `offer_country`,
 * with the `lang` languages (`ALL`, or tags; en-US when absent), paged, with `status`.
 */
export const browseOffers: SimulatorHandler = (req, ctx) => {
  const fId = adminFId(ctx, param(req, 'f_id'), 'f_id');
  const criteria = {
    issuerIca: optIntParam(req, 'issuer_ica', 0, 2_147_483_647),
    bankProductCode: param(req, 'bank_product_code'),
    offerType: param(req, 'offer_type'),
    category: param(req, 'category'),
    countries: queryList(req, 'offer_country'),
  };
  return browsePage(ctx, fId, criteria, languagesOf(queryList(req, 'lang')), queryPaging(req));
};

/** The `BrowseOffers` answer shared by browseOffers and searchAdminOffers: one filtered, paged slice with `status`. */
export function browsePage(
  ctx: SimulatorContext,
  fId: string,
  criteria: Parameters<typeof filterOffers>[1],
  langs: ReturnType<typeof languagesOf>,
  paging: Parameters<typeof sliceOf>[1],
) {
  const slice = sliceOf(filterOffers(ctx.catalogue.offers(fId), criteria, ctx), paging);
  const day = today(ctx);
  return loyaltySuccess({
    offset: slice.offset,
    limit: slice.limit,
    total: slice.total,
    status: { ...STATUS_INFO },
    count: slice.count,
    offers: slice.page.map((offer) => offerInfoView(offer, langs, day)),
  });
}
