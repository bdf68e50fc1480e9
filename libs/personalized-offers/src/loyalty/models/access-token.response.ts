import { Text } from './wire.decorators.js';

/** The 200 body of POST /loyalty/offers/user-presentment/access-tokens: `{accessToken}` (no expiry field; treat the token as opaque). */
export class UserAccessToken {
  /** The `X-Auth-Token` for the other user-presentment and impressions operations. */
  @Text() accessToken?: string;
}
