import { type SimulatorHandler, queryUser } from '../handler.js';
import { legacySuccess } from '../wire.js';

/** GET /plo/v1/usersavings: the v1.5 shape `UserSavings.savings{…}` with JSON numbers, as the spec declares it. */
export const getUserSavings: SimulatorHandler = (req, ctx) => {
  const user = queryUser(req, ctx);
  return legacySuccess({ UserSavings: { savings: ctx.state.savings(user.fId, user.userId) } });
};
