declare module 'mastercard-oauth1-signer' {
  import type { KeyObject } from 'node:crypto';

  const OAuth: {
    getAuthorizationHeader(uri: string, method: string, payload: unknown, consumerKey: string, signingKey: string | KeyObject): string;
  };
  export default OAuth;
}
