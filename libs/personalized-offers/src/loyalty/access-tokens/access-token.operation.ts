import { PersonalizedOffersApiError } from '../../errors/personalized-offers-api.error.js';
import type { Operation } from '../../operations/operation.js';
import { MAX_TOKEN_LENGTH, isUsableToken } from '../../operations/credential.js';
import { PersonalizedOffersInvalidResponseError } from '../../errors/personalized-offers-invalid-response.error.js';
import { UserAccessToken } from '../models/access-token.response.js';

/** Params of `createAccessToken`. */
export interface AccessTokenParams {
  userId: string;
  utcOffset: string;
}

/**
 * U1 · POST `/loyalty/offers/user-presentment/access-tokens` with `{ fiId, userId, utcOffset }`:
 * mints the `X-Auth-Token` of one user. Safe to retry (it only mints another token).
 */
export const createAccessTokenOperation: Operation<AccessTokenParams, UserAccessToken, string> = {
  id: 'createAccessToken',
  method: 'POST',
  path: '/loyalty/offers/user-presentment/access-tokens',
  retry: 'safe',
  body: ({ userId, utcOffset }, { fId }) => ({ fiId: fId, userId, utcOffset }),
  model: UserAccessToken,
  envelope: (body) => {
    if (typeof body.accessToken !== 'string' || body.accessToken.length === 0) {
      throw new PersonalizedOffersApiError('Personalized Offers API returned success without an access token.', { status: 200 });
    }
    // Never cached: a token that cannot be sent would fail every call of this user until evicted.
    if (!isUsableToken(body.accessToken)) {
      throw new PersonalizedOffersInvalidResponseError(
        `Personalized Offers API issued an access token that cannot be used (not printable ASCII, or over ${MAX_TOKEN_LENGTH} characters).`,
        { status: 200 },
      );
    }
    return body.accessToken;
  },
};
