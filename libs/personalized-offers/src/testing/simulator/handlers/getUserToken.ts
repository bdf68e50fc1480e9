import { decryptAuthInfo } from '../../../crypto/auth-info.codec.js';
import { type SimulatorHandler, SimulatorRequestError, invalid, param } from '../handler.js';
import { legacySuccess } from '../wire.js';

/**
 * GET /plo/v1/usertoken: checks `FId` and `AuthInfo`, decrypts AuthInfo, checks its fId and
 * time, and returns the user's current token (one per (fId, userId) until tokens are revoked).
 */
export const getUserToken: SimulatorHandler = (req, ctx) => {
  const fId = param(req, 'FId');
  const authInfo = param(req, 'AuthInfo');
  if (!fId || !ctx.fIds.includes(fId)) throw invalid('FId');
  if (!authInfo) throw invalid('AuthInfo');

  let plain: ReturnType<typeof decryptAuthInfo>;
  try {
    plain = decryptAuthInfo(ctx.authInfo, authInfo);
  } catch {
    throw new SimulatorRequestError(401, 'AuthInfo could not be decrypted');
  }
  if (plain.fId !== fId) throw new SimulatorRequestError(401, 'AuthInfo was issued for another FId');
  const skew = Math.abs(Math.floor(ctx.now() / 1000) - plain.unixTime);
  if (skew > ctx.maxClockSkewSeconds) throw new SimulatorRequestError(401, 'AuthInfo time is outside the accepted window');

  return legacySuccess({ UserToken: { Token: ctx.issueToken(fId, plain.userId) } });
};
