import type { KeyObject } from 'node:crypto';
import OAuth from 'mastercard-oauth1-signer';

/**
 * Signs requests with Mastercard's own `mastercard-oauth1-signer` (OAuth 1.0a, RSA-SHA256, body
 * hash). It must be given exactly the method and URL that go on the wire, query included.
 */
export class OAuthSigner {
  constructor(
    private readonly consumerKey: string,
    private readonly signingKey: KeyObject,
  ) {}

  /** The `Authorization` header for one attempt: fresh nonce and timestamp on every call. */
  authorizationHeader(method: string, url: string, body?: string): string {
    return OAuth.getAuthorizationHeader(url, method.toUpperCase(), body ?? null, this.consumerKey, this.signingKey);
  }

  /** The consumer key as it may appear in logs: all but its last 4 characters hidden. */
  get maskedConsumerKey(): string {
    return maskConsumerKey(this.consumerKey);
  }
}

/** `…abcd`: only the last 4 characters of a consumer key are ever shown. */
export function maskConsumerKey(consumerKey: string): string {
  return consumerKey.length <= 8 ? '…' : `…${consumerKey.slice(-4)}`;
}
