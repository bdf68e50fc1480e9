import { type SimulatorHandler, invalid, jsonBody, requireString } from '../handler.js';
import { loyaltySuccess } from '../wire.js';

const OFFSET = /^[+-](\d{2}):(\d{2})$/;

/**
 * POST /loyalty/offers/user-presentment/access-tokens: `{fiId, userId, utcOffset}` (all three
 * required, as the reference app treats them; `utcOffset` `±hh:mm` with hh ≤ 14, mm ≤ 59) → a
 * new JWT-shaped `accessToken` at every call, valid for `accessTokenTtlMs` on the simulator clock.
 */
export const createAccessToken: SimulatorHandler = (req, ctx) => {
  const body = jsonBody(req);
  if (typeof body.fiId !== 'string' || !ctx.fIds.includes(body.fiId)) throw invalid('fiId');
  const userId = requireString(body.userId, 'userId');
  const offset = typeof body.utcOffset === 'string' ? OFFSET.exec(body.utcOffset) : null;
  if (!offset || Number(offset[1]) > 14 || Number(offset[2]) > 59) throw invalid('utcOffset');
  // A fault will strip the answer: mint nothing then, as the legacy writes do.
  if (!ctx.commit) return loyaltySuccess({});
  ctx.state.user(body.fiId, userId); // seen from now on (platform-admin adjustments list the fId's users)
  return loyaltySuccess({ accessToken: ctx.accessTokens.mint({ fId: body.fiId, userId, utcOffset: body.utcOffset as string }) });
};
