import { type KeyObject, constants, sign } from 'node:crypto';
import OAuth from 'mastercard-oauth1-signer';
import type { ServerClock } from './server-clock.js';

/** OAuth signature methods Mastercard accepts: RSA-SHA256 (PKCS#1 v1.5, deterministic) or RSA-PSS (SHA-256). */
export type OAuthSignatureMethod = 'RSA-SHA256' | 'RSA-PSS';

/**
 * Signs requests the way Mastercard's own `mastercard-oauth1-signer` does: its functions build
 * everything that shapes the wire (OAuth parameters with nonce, timestamp and body hash, query
 * extraction, parameter string, base URI, signature base string, header format); only the RSA
 * signature itself is computed here, with Node's asynchronous `crypto.sign`, on the libuv thread
 * pool instead of the event loop. For RSA-SHA256 the bytes are exactly the signer's (PKCS#1
 * v1.5 is deterministic). It must be given exactly the method, URL and body that go on the wire.
 */
export class OAuthSigner {
  private readonly signerMethod: string;
  private readonly keyInput: KeyObject | { key: KeyObject; padding: number; saltLength: number };

  constructor(
    private readonly consumerKey: string,
    signingKey: KeyObject,
    readonly signatureMethod: OAuthSignatureMethod = 'RSA-SHA256',
    /** With `oauth.clockSkewCorrection`: the server's clock, learned from its `Date` headers. */
    readonly serverClock?: ServerClock,
  ) {
    const pss = signatureMethod === 'RSA-PSS';
    this.signerMethod = pss ? OAuth.SignatureMethod.RSA_PSS_SHA256 : OAuth.SignatureMethod.RSA_SHA256;
    this.keyInput = pss ? { key: signingKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : signingKey;
  }

  /** The `Authorization` header for one attempt (fresh nonce and timestamp), signed off the event loop. */
  async authorizationHeader(method: string, url: string, body?: string): Promise<string> {
    return (await this.signRequest(method, url, body)).header;
  }

  /**
   * The `Authorization` header for one attempt and the signature base string it signs (kept so
   * that a gateway refusal can be compared with what the module signed; see `SignedRequest`).
   */
  async signRequest(method: string, url: string, body?: string): Promise<SignedRequest> {
    const params = OAuth.getOAuthParams(this.consumerKey, body ?? null, this.signerMethod);
    if (this.serverClock) params.set('oauth_timestamp', String(this.serverClock.nowSeconds()));
    const baseString = OAuth.getSignatureBaseString(
      method.toUpperCase(),
      OAuth.getBaseUriString(url),
      OAuth.toOAuthParamString(OAuth.extractQueryParams(url), params),
    );
    const signature = await this.sign(baseString);
    params.set('oauth_signature', encodeURIComponent(signature));
    return { header: OAuth.getAuthorizationString(params), baseString };
  }

  /** The base64 RSA signature of a signature base string, computed on the thread pool. */
  sign(baseString: string): Promise<string> {
    // The key never goes into the error: only a fixed message, as the signer does.
    const failed = () => new Error('Unable to sign the signature base string.');
    return new Promise((resolve, reject) => {
      try {
        sign('sha256', Buffer.from(baseString), this.keyInput, (error, signature) => {
          if (error) reject(failed());
          else resolve(signature.toString('base64'));
        });
      } catch {
        reject(failed());
      }
    });
  }

  /** Values an upstream echo must never carry back into an error (the consumer key). */
  get secretValues(): readonly string[] {
    return [this.consumerKey];
  }

  /** The consumer key as it may appear in logs: all but its last 4 characters hidden. */
  get maskedConsumerKey(): string {
    return maskConsumerKey(this.consumerKey);
  }
}

/**
 * One signed attempt. `baseString` carries query values (AuthInfo, tokens) and the consumer key:
 * it is only ever logged redacted, at debug level, when the gateway refuses the signature.
 */
export interface SignedRequest {
  header: string;
  baseString: string;
}

/** `…abcd`: only the last 4 characters of a consumer key are ever shown. */
export function maskConsumerKey(consumerKey: string): string {
  return consumerKey.length <= 8 ? '…' : `…${consumerKey.slice(-4)}`;
}
