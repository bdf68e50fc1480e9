import { type LegacyBody, openLegacyEnvelope } from '../operations/legacy-envelope.js';
import type { Operation } from '../operations/operation.js';
import { UserTokenResponse, type UserTokenResponseBody } from './user-token.response.js';

/** Params of `GET /plo/v1/usertoken`. */
export interface UserTokenParams {
  fId: string;
  authInfo: string;
}

/**
 * L1 · `GET /plo/v1/usertoken?FId=…&AuthInfo=…`: mints the user session token. Safe to retry
 * (it only creates another session).
 */
export const getUserTokenOperation: Operation<UserTokenParams, UserTokenResponse, UserTokenResponseBody> = {
  id: 'getUserToken',
  method: 'GET',
  path: '/plo/v1/usertoken',
  retry: 'safe',
  query: ({ fId, authInfo }) => ({ FId: fId, AuthInfo: authInfo }),
  secretQuery: ['AuthInfo'],
  model: UserTokenResponse,
  envelope: (body, operation, secrets) => openLegacyEnvelope(body as LegacyBody<UserTokenResponseBody>, operation, secrets),
};
