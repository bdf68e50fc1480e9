declare module 'mastercard-oauth1-signer' {
  import type { KeyObject } from 'node:crypto';

  const OAuth: {
    getAuthorizationHeader(
      uri: string,
      method: string,
      payload: unknown,
      consumerKey: string,
      signingKey: string | KeyObject,
      signatureMethod?: string,
    ): string;
    extractQueryParams(uri: string): Map<string, Set<string>>;
    getOAuthParams(consumerKey: string, payload: unknown, signatureMethod?: string): Map<string, string | number>;
    toOAuthParamString(queryParams: Map<string, Set<string>>, oauthParams: Map<string, string | number>): string;
    getBaseUriString(uri: string): string;
    getSignatureBaseString(httpMethod: string, baseUri: string, paramString: string): string;
    signSignatureBaseString(sbs: string, signingKey: string | KeyObject, signatureMethod?: string): string;
    getAuthorizationString(oauthParams: Map<string, string | number>): string;
    getNonce(): string;
    getTimestamp(): number;
    SignatureMethod: { RSA_SHA256: string; RSA_PSS_SHA256: string };
  };
  export default OAuth;
}
