import { describe, expect, it } from '@jest/globals';
import OAuth from 'mastercard-oauth1-signer';
import { redactEchoedBaseString, redactSignatureBaseString } from './base-string-redaction.js';

const CONSUMER_KEY = 'wvy02aNQSjpjn3IEuFx_39Ew3mKD2I0e4qAGII_N9a062894!833a8684c56e4abbb2bba5db3a1248550000000000000000';
const AUTH_INFO = 'q1w2e3r4t5y6u7i8o9p0+/AbCdEfGh==';

/** A base string built by Mastercard's own signer functions, as the module builds it. */
function baseStringFor(url: string, body: string | null = null): { sbs: string; params: Map<string, string | number> } {
  const params = OAuth.getOAuthParams(CONSUMER_KEY, body, OAuth.SignatureMethod.RSA_SHA256);
  const sbs = OAuth.getSignatureBaseString('GET', OAuth.getBaseUriString(url), OAuth.toOAuthParamString(OAuth.extractQueryParams(url), params));
  return { sbs, params };
}

describe('redactSignatureBaseString', () => {
  const url = `https://api.mastercard.com/plo/v1/usertoken?FId=1234&AuthInfo=${encodeURIComponent(AUTH_INFO)}&Lang=en_US`;

  it('removes the AuthInfo in every encoding and shows only the last 4 characters of the consumer key', () => {
    const { sbs } = baseStringFor(url);
    const out = redactSignatureBaseString(sbs, [AUTH_INFO]);
    const forms = (v: string) => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))];
    for (const form of [...forms(AUTH_INFO), ...forms(CONSUMER_KEY), ...forms(CONSUMER_KEY.slice(0, 20))]) expect(out).not.toContain(form);
    expect(out).toContain('AuthInfo%3D[redacted]%26');
    expect(out).toContain(`oauth_consumer_key%3D…${CONSUMER_KEY.slice(-4)}%26`);
  });

  it('keeps everything else byte for byte: method, URI, names and order, FId, Lang, nonce, timestamp, body hash, method and version', () => {
    const { sbs, params } = baseStringFor(url);
    const out = redactSignatureBaseString(sbs, [AUTH_INFO]);
    expect(out.startsWith('GET&https%3A%2F%2Fapi.mastercard.com%2Fplo%2Fv1%2Fusertoken&')).toBe(true);
    for (const name of ['oauth_nonce', 'oauth_timestamp', 'oauth_body_hash', 'oauth_signature_method', 'oauth_version']) {
      expect(out).toContain(`${name}%3D${encodeURIComponent(String(params.get(name)!))}`);
    }
    expect(out).toContain('FId%3D1234%26');
    expect(out).toContain('Lang%3Den_US%26');
    // Only the two secret values differ from the original.
    const originalPairs = sbs.split('&')[2]!.split('%26');
    const redactedPairs = out.split('&')[2]!.split('%26');
    expect(redactedPairs.map((p) => p.split('%3D')[0])).toEqual(originalPairs.map((p) => p.split('%3D')[0]));
    expect(redactedPairs.filter((p, i) => p !== originalPairs[i]).map((p) => p.split('%3D')[0])).toEqual(['AuthInfo', 'oauth_consumer_key']);
  });

  it('removes a value the module sent even when it does not look secret (a word-like token)', () => {
    const token = 'OnlyLettersTokenValue';
    const { sbs } = baseStringFor(`https://api.mastercard.com/plo/v1/users/savings?UserToken=${token}`);
    expect(sbs).toContain(token);
    expect(redactSignatureBaseString(sbs, [token])).not.toContain(token);
    // Without being told, a letters-only word is kept: the list of sent values is what removes it.
    expect(redactSignatureBaseString(sbs, [])).toContain(token);
  });

  it('scrubs an opaque path segment (an id with digits) and keeps the readable ones', () => {
    const { sbs } = baseStringFor('https://api.mastercard.com/loyalty/offers/A1b2C3d4E5f6G7h8/details');
    const out = redactSignatureBaseString(sbs);
    expect(out).toContain('%2Floyalty%2Foffers%2F[redacted]%2Fdetails&');
  });

  it('scrubs a text that is not a base string as a whole', () => {
    expect(redactSignatureBaseString(`garbage ${AUTH_INFO}`, [AUTH_INFO])).toBe('garbage [redacted]');
  });
});

describe('redactEchoedBaseString', () => {
  it("redacts the gateway's echoed base string the same way as the module's own, keeping the text before it", () => {
    const { sbs } = baseStringFor(`https://api.mastercard.com/plo/v1/usertoken?FId=1234&AuthInfo=${encodeURIComponent(AUTH_INFO)}`);
    const description = `OAuth Signature parameter failed verification. Acceptable signature base string: ${sbs}`;
    expect(redactEchoedBaseString(description, [AUTH_INFO])).toBe(
      `OAuth Signature parameter failed verification. Acceptable signature base string: ${redactSignatureBaseString(sbs, [AUTH_INFO])}`,
    );
  });

  it('answers undefined for a description without a base string', () => {
    expect(redactEchoedBaseString('The provided oauth_body_hash does not match.')).toBeUndefined();
  });
});
