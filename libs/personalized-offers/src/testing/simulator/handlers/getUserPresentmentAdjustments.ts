import type { SimulatorHandler } from '../handler.js';
import { accessUser, adjustmentWindow, adjustmentsIn, queryPaging, sliceOf, viewerOf } from '../loyalty.js';
import { utcDateTime } from '../loyalty-views.js';
import { loyaltySuccess } from '../wire.js';

/**
 * GET /loyalty/offers/user-presentment/adjustments: one adjustment per redemption of the user
 * (seeded, or `recordRedemption`), oldest first, within `start_date`..`end_date` by
 * `date_filter` (default: created in the last 24 hours), paged.
 */
export const getUserPresentmentAdjustments: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const window = adjustmentWindow(req, ctx);
  const paging = queryPaging(req);
  const found = adjustmentsIn(ctx, viewer.fId, [{ userId: viewer.userId, state: viewer.state }], window);
  const slice = sliceOf(found.items, paging);
  return loyaltySuccess({
    offset: slice.offset,
    limit: slice.limit,
    total: slice.total,
    count: slice.count,
    ...(found.lastModified !== undefined ? { responseLastModifiedDateTime: utcDateTime(found.lastModified) } : {}),
    adjustments: slice.page,
  });
};
