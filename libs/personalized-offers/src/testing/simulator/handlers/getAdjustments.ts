import { type SimulatorHandler, param } from '../handler.js';
import { adjustmentWindow, adjustmentsIn, adminFId, queryPaging, sliceOf } from '../loyalty.js';
import { utcDateTime } from '../loyalty-views.js';
import { STATUS_INFO, loyaltySuccess } from '../wire.js';

/**
 * GET /loyalty/offers/platform-admin/adjustments: the adjustments of every user of `f_id` the
 * simulator has seen (through either API or a helper), oldest first, same window and paging
 * as the user-presentment listing, with `status`.
 */
export const getAdjustments: SimulatorHandler = (req, ctx) => {
  const fId = adminFId(ctx, param(req, 'f_id'), 'f_id');
  const window = adjustmentWindow(req, ctx);
  const paging = queryPaging(req);
  const found = adjustmentsIn(ctx, fId, ctx.state.usersOf(fId), window);
  const slice = sliceOf(found.items, paging);
  return loyaltySuccess({
    offset: slice.offset,
    limit: slice.limit,
    total: slice.total,
    status: { ...STATUS_INFO },
    count: slice.count,
    ...(found.lastModified !== undefined ? { responseLastModifiedDateTime: utcDateTime(found.lastModified) } : {}),
    adjustments: slice.page,
  });
};
