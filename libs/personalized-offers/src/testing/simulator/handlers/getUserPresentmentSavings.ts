import type { SimulatorHandler } from '../handler.js';
import { accessUser } from '../loyalty.js';
import { loyaltySuccess } from '../wire.js';

/** GET /loyalty/offers/user-presentment/savings: `{savings}`, the same numbers as the legacy usersavings of that user. */
export const getUserPresentmentSavings: SimulatorHandler = (req, ctx) => {
  const owner = accessUser(req, ctx);
  return loyaltySuccess({ savings: ctx.state.savings(owner.fId, owner.userId) });
};
