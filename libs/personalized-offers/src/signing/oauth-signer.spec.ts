import { constants, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import OAuth from 'mastercard-oauth1-signer';
import { OAuthSigner } from './oauth-signer.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = createPublicKey(privateKey);
const CONSUMER_KEY = 'SignerTestConsumerKey_abc!0123456789abcdef0123456789abcdef0123456789abcdef';

/** Runs `fn` with the signer's nonce and timestamp fixed, so two signers see the same OAuth parameters. */
async function withFixedNonce<T>(fn: () => Promise<T>): Promise<T> {
  // Kept only to be put back, never called here.
  const nonce = (OAuth as { getNonce: unknown }).getNonce;
  const timestamp = (OAuth as { getTimestamp: unknown }).getTimestamp;
  (OAuth as { getNonce: () => string }).getNonce = () => 'aB3dE5gH';
  (OAuth as { getTimestamp: () => number }).getTimestamp = () => 1_800_000_000;
  try {
    return await fn();
  } finally {
    (OAuth as { getNonce: unknown }).getNonce = nonce;
    (OAuth as { getTimestamp: unknown }).getTimestamp = timestamp;
  }
}

describe('OAuthSigner: the RSA step on the thread pool, everything else Mastercard’s signer', () => {
  const signer = new OAuthSigner(CONSUMER_KEY, privateKey);

  it.each([
    ['GET', 'https://api.mastercard.com/plo/v1/usertoken?FId=999999&AuthInfo=ab%2Bcd%3D', undefined],
    ['GET', 'https://sandbox.api.mastercard.com/loyalty/offers/user-presentment/offers?offer_country=%21USA&offer_country=%21AUS&active=true', undefined],
    ['POST', 'https://api.mastercard.com/plo/v2/activatestatementcreditoffer', '{"FId":"999999","OfferId":"o-1","UserToken":"t€"}'],
    ['POST', 'http://127.0.0.1:8080/proxy/loyalty/offers/impressions', '{"impressions":[{"offerId":"o","order":"1"}]}'],
  ])('%s %s: the header is byte-for-byte the synchronous signer’s (RSA-SHA256 is deterministic)', async (method, url, body) => {
    const [ours, theirs] = await withFixedNonce(async () => [
      await signer.authorizationHeader(method, url, body),
      OAuth.getAuthorizationHeader(url, method, body ?? null, CONSUMER_KEY, privateKey),
    ]);
    expect(ours).toBe(theirs);
    expect(ours).toContain('oauth_signature_method="RSA-SHA256"');
  });

  it('sign(baseString) equals the signer’s signSignatureBaseString for many base strings', async () => {
    for (let i = 0; i < 20; i++) {
      const sbs = `GET&https%3A%2F%2Fapi.mastercard.com%2Fx&a%3D${i}%26€${'z'.repeat(i * 37)}`;
      expect(await signer.sign(sbs)).toBe(OAuth.signSignatureBaseString(sbs, privateKey));
    }
  });

  it('RSA-PSS: the header names RSA-PSS and the signature verifies with PSS padding (not with PKCS#1 v1.5)', async () => {
    const pss = new OAuthSigner(CONSUMER_KEY, privateKey, 'RSA-PSS');
    const url = 'https://api.mastercard.com/plo/v1/usertoken?FId=1&AuthInfo=00';
    const header = await withFixedNonce(() => pss.authorizationHeader('GET', url));
    expect(header).toContain('oauth_signature_method="RSA-PSS"');
    const signature = Buffer.from(decodeURIComponent(/oauth_signature="([^"]+)"/.exec(header)![1]), 'base64');
    // The base string the signer would build for the same parameters.
    const params = await withFixedNonce(() => Promise.resolve(OAuth.getOAuthParams(CONSUMER_KEY, null, OAuth.SignatureMethod.RSA_PSS_SHA256)));
    const sbs = OAuth.getSignatureBaseString('GET', OAuth.getBaseUriString(url), OAuth.toOAuthParamString(OAuth.extractQueryParams(url), params));
    const pssKey = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    expect(verify('sha256', Buffer.from(sbs), pssKey, signature)).toBe(true);
    expect(verify('sha256', Buffer.from(sbs), publicKey, signature)).toBe(false);
  });

  it('leaves the event loop free while it signs: starting 64 signed requests blocks far less than the synchronous signer does', async () => {
    const url = 'https://api.mastercard.com/plo/v1/usertoken?FId=1&AuthInfo=00';
    const blockedBy = (start: () => unknown[]) => {
      const t = performance.now();
      const started = start();
      return { ms: performance.now() - t, started };
    };
    const sync = () => Array.from({ length: 64 }, () => OAuth.getAuthorizationHeader(url, 'GET', null, CONSUMER_KEY, privateKey));
    const async = () => Array.from({ length: 64 }, () => signer.authorizationHeader('GET', url));
    for (let i = 0; i < 3; i++) {
      sync();
      await Promise.all(async()); // warm up both paths
    }
    // The least of three tries each, so a GC pause or a busy machine does not decide the result.
    const asyncMs: number[] = [];
    const syncMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = blockedBy(async);
      asyncMs.push(a.ms);
      await Promise.all(a.started);
      syncMs.push(blockedBy(sync).ms);
    }
    // Both build the same base strings; only the synchronous one also runs 64 RSA signatures inline.
    expect(Math.min(...asyncMs)).toBeLessThan(Math.min(...syncMs) * 0.6);
  });

  it('a signing failure says so without the key', async () => {
    const broken = new OAuthSigner(CONSUMER_KEY, publicKey);
    const error = await broken.authorizationHeader('GET', 'https://api.mastercard.com/x').catch((e: unknown) => e);
    expect((error as Error).message).toBe('Unable to sign the signature base string.');
  });
});
