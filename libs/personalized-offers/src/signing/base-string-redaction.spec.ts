import { describe, expect, it } from '@jest/globals';
import OAuth from 'mastercard-oauth1-signer';
import { redactEchoedBaseString, redactGatewayDescription, redactSignatureBaseString } from './base-string-redaction.js';

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
    const originalPairs = sbs.split('&')[2].split('%26');
    const redactedPairs = out.split('&')[2].split('%26');
    expect(redactedPairs.map((p) => p.split('%3D')[0])).toEqual(originalPairs.map((p) => p.split('%3D')[0]));
    expect(redactedPairs.filter((p, i) => p !== originalPairs[i]).map((p) => p.split('%3D')[0])).toEqual(['AuthInfo', 'oauth_consumer_key']);
  });

  it('removes a value the module sent even when it does not look secret (a word-like value), and keeps it when not told', () => {
    const word = 'OnlyLettersNickname';
    const { sbs } = baseStringFor(`https://api.mastercard.com/plo/v1/usersavings?Nickname=${word}`);
    expect(sbs).toContain(word);
    expect(redactSignatureBaseString(sbs, [word])).toContain('Nickname%3D[redacted]%26');
    // Without being told, an ordinary parameter's value is kept: the list of sent values is what removes it.
    expect(redactSignatureBaseString(sbs, [])).toContain(`Nickname%3D${word}%26`);
  });

  it('redacts the whole value of a secret-bearing parameter (UserToken, AuthInfo, oauth_signature) even when not told', () => {
    const { sbs } = baseStringFor('https://api.mastercard.com/plo/v1/usersavings?UserToken=OnlyLettersTokenValue&AuthInfo=abc&FId=1234');
    const out = redactSignatureBaseString(sbs, []);
    expect(out).toContain('UserToken%3D[redacted]%26');
    expect(out).toContain('AuthInfo%3D[redacted]%26');
    expect(out).toContain('FId%3D1234%26');
    expect(out).not.toContain('OnlyLettersTokenValue');
    expect(redactSignatureBaseString('GET&https%3A%2F%2Fh%2Fp&a%3D1%26oauth_signature%3DSiGnAtUrE', [])).toBe(
      'GET&https%3A%2F%2Fh%2Fp&a%3D1%26oauth_signature%3D[redacted]',
    );
  });

  it('keeps every path segment readable: user-presentment, access-tokens and offer ids are not secrets (issue 18)', () => {
    for (const path of [
      '/loyalty/offers/user-presentment/access-tokens',
      '/loyalty/offers/user-presentment/offers/A1b2C3d4E5f6G7h8',
      '/loyalty/offers/platform-admin/offers/filters',
    ]) {
      const { sbs } = baseStringFor(`https://sandbox.api.mastercard.com${path}?limit=25`);
      const out = redactSignatureBaseString(sbs, [AUTH_INFO]);
      expect(out.split('&')[1]).toBe(encodeURIComponent(`https://sandbox.api.mastercard.com${path}`));
      expect(out).toContain('limit%3D25%26');
    }
  });

  it('redacts a path segment only when it is a value the module sent as a secret', () => {
    const { sbs } = baseStringFor('https://api.mastercard.com/loyalty/users/user-secret-42/savings');
    expect(redactSignatureBaseString(sbs, ['user-secret-42'])).toContain('%2Floyalty%2Fusers%2F[redacted]%2Fsavings&');
  });

  it('scrubs a text that is not a base string as a whole, opaque runs included', () => {
    expect(redactSignatureBaseString(`garbage ${AUTH_INFO}`, [AUTH_INFO])).toBe('garbage [redacted]');
    // Two "&" but no HTTP method and http(s) URI: not a base string, so nothing is kept structurally.
    expect(redactSignatureBaseString('see & mh3WonUm5xmE & more')).toBe('see & [redacted] & more');
  });
});

describe('redactEchoedBaseString', () => {
  it("keeps the gateway's description readable: the text, the URI and the parameter names of the echo (issue 18)", () => {
    const { sbs } = baseStringFor(
      `https://sandbox.api.mastercard.com/loyalty/offers/user-presentment/offers?limit=5&AuthInfo=${encodeURIComponent(AUTH_INFO)}`,
    );
    const out = redactEchoedBaseString(`OAuth Signature parameter failed verification. Acceptable signature base string: ${sbs}`, [AUTH_INFO])!;
    expect(out).toMatch(
      /^OAuth Signature parameter failed verification\. Acceptable signature base string: GET&https%3A%2F%2Fsandbox\.api\.mastercard\.com%2Floyalty%2Foffers%2Fuser-presentment%2Foffers&/,
    );
    expect(out).toContain('AuthInfo%3D[redacted]%26limit%3D5%26oauth_body_hash%3D');
    expect(out.match(/\[redacted\]/g)).toHaveLength(1);
  });

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

describe('redactGatewayDescription', () => {
  it('an echoed base string: the same as redactEchoedBaseString, readable and whole', () => {
    const { sbs } = baseStringFor(
      `https://sandbox.api.mastercard.com/loyalty/offers/user-presentment/offers?limit=5&AuthInfo=${encodeURIComponent(AUTH_INFO)}`,
    );
    const description = `OAuth Signature parameter failed verification. Acceptable signature base string: ${sbs}`;
    expect(redactGatewayDescription(description, [AUTH_INFO])).toBe(redactEchoedBaseString(description, [AUTH_INFO]));
    expect(redactGatewayDescription(description, [AUTH_INFO]).length).toBeGreaterThan(300);
  });

  it('the body-hash refusal keeps both SHA-256 values (what the user compares), unless one is a sent secret', () => {
    const calculated = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
    const received = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
    const description = `Bad Request - The provided oauth_body_hash does not match the RSA-SHA256 hash of the request payload. Calculated: ${calculated}, Received: ${received}`;
    expect(redactGatewayDescription(description)).toBe(description);
    expect(redactGatewayDescription(description, [received])).toBe(description.replace(received, '[redacted]'));
    // Something that is not a hash in that position is scrubbed like any text.
    expect(redactGatewayDescription('Calculated: mh3WonUm5xmE, Received: x')).toBe('Calculated: [redacted], Received: x');
  });

  it('any other text: readable words and reason codes kept, sent secrets and opaque runs removed', () => {
    expect(redactGatewayDescription('Unauthorized - The consumer key is not known to this gateway.')).toBe(
      'Unauthorized - The consumer key is not known to this gateway.',
    );
    expect(redactGatewayDescription(`INVALID_AUTH_HEADER for ${AUTH_INFO} and alice-the-user`, ['alice-the-user'])).toBe(
      'INVALID_AUTH_HEADER for [redacted] and [redacted]',
    );
  });
});
