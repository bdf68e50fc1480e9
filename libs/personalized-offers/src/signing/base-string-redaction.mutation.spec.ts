import { describe, expect, it } from '@jest/globals';
import { redactEchoedBaseString, redactSignatureBaseString } from './base-string-redaction.js';

const URI = 'https%3A%2F%2Fapi.example.com%2Fplo%2Fv1%2Fusertoken';
const sbs = (params: string, method = 'GET', uri = URI) => `${method}&${uri}&${params}`;

describe('redactSignatureBaseString: structure', () => {
  it('scrubs a text with fewer than two "&" as a whole', () => {
    expect(redactSignatureBaseString('no separators mh3WonUm5xmE')).toBe('no separators [redacted]');
    expect(redactSignatureBaseString('one&mh3WonUm5xmE')).toBe('one&[redacted]');
    expect(redactSignatureBaseString('short secret-one here', ['secret-one'])).toBe('short [redacted] here');
  });

  it('keeps method, URI and every readable pair byte for byte', () => {
    const input = sbs('FId%3D1234%26Lang%3Den_US%26q%3Da%2520b%252Fc');
    expect(redactSignatureBaseString(input)).toBe(input);
  });

  it('redacts values the module sent in the URI; a "method" that is not one means the text is not a base string', () => {
    const uri = 'https%3A%2F%2Fapi.example.com%2Fusers%2Fuser-secret%2Fsavings';
    expect(redactSignatureBaseString(sbs('a%3D1', 'GET', uri), ['user-secret'])).toBe(
      sbs('a%3D1', 'GET', 'https%3A%2F%2Fapi.example.com%2Fusers%2F[redacted]%2Fsavings'),
    );
    expect(redactSignatureBaseString(sbs('a%3DmhWonUm5xmE3', 'secret-method'), ['secret-method'])).toBe(sbs('a%[redacted]', '[redacted]'));
    // A URI that is not an encoded http(s) one: scrubbed as a whole too.
    expect(redactSignatureBaseString('GET&ftp%3A%2F%2Fh&a%3Dmh3WonUm5xmE')).toBe('GET&ftp%3A%2F%2Fh&a%[redacted]');
  });

  it('keeps an ordinary value that only looks opaque; redacts only the sent secret inside it, re-encoding the rest twice around the raw marker', () => {
    // "token <opaque>" encoded twice: the space is %2520.
    expect(redactSignatureBaseString(sbs('x%3Dtoken%2520mh3WonUm5xmE'))).toBe(sbs('x%3Dtoken%2520mh3WonUm5xmE'));
    expect(redactSignatureBaseString(sbs('x%3Dtoken%2520mh3WonUm5xmE'), ['mh3WonUm5xmE'])).toBe(sbs('x%3Dtoken%2520[redacted]'));
    // A value the module sent, percent-encoded twice in the base string.
    expect(redactSignatureBaseString(sbs('Lang%3Dmy%2520token%2520value'), ['my token value'])).toBe(sbs('Lang%3D[redacted]'));
  });

  it('redacts the whole value of a secret-bearing parameter, whatever it looks like; an empty one stays empty', () => {
    for (const name of [
      'AuthInfo',
      'UserToken',
      'authinfo',
      'access_token',
      'X-Auth-Token',
      'oauth_signature',
      'oauth_token',
      'client_secret',
      'password',
      'api_key',
      'apiKey',
    ]) {
      expect([name, redactSignatureBaseString(sbs(`${name}%3Dab%26b%3D2`))]).toEqual([name, sbs(`${name}%3D[redacted]%26b%3D2`)]);
    }
    expect(redactSignatureBaseString(sbs('UserToken%3D%26b%3D2'))).toBe(sbs('UserToken%3D%26b%3D2'));
    // The name itself is kept, unless it is a sent secret.
    expect(redactSignatureBaseString(sbs('mh3WonUm5xmE%3D1'), ['mh3WonUm5xmE'])).toBe(sbs('[redacted]%3D1'));
  });

  it('keeps a parameter without "=" unless it holds a sent secret (twice encoded)', () => {
    expect(redactSignatureBaseString(sbs('flag%26mh3WonUm5xmE%26a%3D1'))).toBe(sbs('flag%26mh3WonUm5xmE%26a%3D1'));
    expect(redactSignatureBaseString(sbs('flag%26mh3WonUm5xmE%26a%3D1'), ['mh3WonUm5xmE'])).toBe(sbs('flag%26[redacted]%26a%3D1'));
  });

  it('keeps the OAuth parameters a user compares, even when they look opaque', () => {
    const params = [
      'oauth_body_hash%3D47DEQpj8HBSa%252B%252FTImW%252B5JCeuQeRkm5NMpJWZG3hSuFU%253D',
      'oauth_nonce%3DabcDEF123456ghiJKL',
      'oauth_signature_method%3DRSA-SHA256',
      'oauth_timestamp%3D1700000000123',
      'oauth_version%3D1.0',
    ].join('%26');
    expect(redactSignatureBaseString(sbs(params))).toBe(sbs(params));
    // Another OAuth name with the same kind of value is kept too; the signature is not.
    expect(redactSignatureBaseString(sbs('oauth_other%3DabcDEF123456ghiJKL'))).toBe(sbs('oauth_other%3DabcDEF123456ghiJKL'));
    expect(redactSignatureBaseString(sbs('oauth_signature%3DabcDEF123456ghiJKL'))).toBe(sbs('oauth_signature%3D[redacted]'));
  });

  it('shows only the last 4 characters of the consumer key, and nothing of a short one', () => {
    expect(redactSignatureBaseString(sbs('oauth_consumer_key%3Dabcdefghijkl%2521mnop%26a%3D1'))).toBe(sbs('oauth_consumer_key%3D…mnop%26a%3D1'));
    expect(redactSignatureBaseString(sbs('oauth_consumer_key%3Dabcdefgh'))).toBe(sbs('oauth_consumer_key%3D…'));
    // The last four characters are encoded like the rest of the base string.
    expect(redactSignatureBaseString(sbs('oauth_consumer_key%3Dabcdefghijkl%252Fm%2520p'))).toBe(sbs('oauth_consumer_key%3D…%252Fm%2520p'));
  });

  it('ignores secrets shorter than 4 characters, and keeps malformed escapes as they are', () => {
    expect(redactSignatureBaseString(sbs('a%3Dabc'), ['abc'])).toBe(sbs('a%3Dabc'));
    expect(redactSignatureBaseString(sbs('a%3Dabcd'), ['abcd'])).toBe(sbs('a%3D[redacted]'));
    const malformed = sbs('a%3D%25E0%25A4%25A');
    expect(redactSignatureBaseString(malformed)).toBe(malformed);
  });
});

describe('redactSignatureBaseString: what counts as opaque in a text that is not a base string', () => {
  const redacted = (value: string) => redactSignatureBaseString(`text ${value} end`);

  it('12+ token characters with a digit or base64 punctuation', () => {
    for (const value of ['abcdefghijk1', 'abcdefghijk+', 'abcdefghijk/', 'abcdefghijk=', 'abcdefghijk_', 'abcdefghijk-']) {
      expect([value, redacted(value)]).toEqual([value, 'text [redacted] end']);
    }
  });

  it('any run of 32 or more; not 31 letters, short runs, constant codes or OAuth names', () => {
    expect(redacted('a'.repeat(32))).toBe('text [redacted] end');
    for (const value of ['a'.repeat(31), 'abcdefghij1', 'AUTHENTICATION_FAILED_12345', 'INVALID_BODY_HASH', 'oauth_signature_method']) {
      expect([value, redacted(value)]).toEqual([value, `text ${value} end`]);
    }
    expect(redacted('Not_A_Constant_Code_1')).toBe('text [redacted] end');
  });

  it('inside a base string the same runs are kept in ordinary values', () => {
    for (const value of ['abcdefghijk1', 'a'.repeat(32)]) expect(redactSignatureBaseString(sbs(`v%3D${value}`))).toBe(sbs(`v%3D${value}`));
  });
});

describe('redactEchoedBaseString', () => {
  it('matches the marker in any case, and scrubs the text around the base string too', () => {
    const description = `Failed for secret-value. SIGNATURE BASE STRING:   ${sbs('a%3Dsecret-value')} (seen secret-value)`;
    expect(redactEchoedBaseString(description, ['secret-value'])).toBe(
      `Failed for [redacted]. SIGNATURE BASE STRING:   ${sbs('a%3D[redacted]')} (seen [redacted])`,
    );
  });

  it('spans lines, and leaves a long base string whole', () => {
    const long = sbs(Array.from({ length: 20 }, (_, i) => `p${i}%3Dvalue${i}`).join('%26'));
    const description = `Line one\nsignature base string: ${long}\nLine three`;
    expect(redactEchoedBaseString(description)).toBe(description);
  });

  it('is undefined without the marker or without anything after it', () => {
    expect(redactEchoedBaseString('signature base string:')).toBeUndefined();
    expect(redactEchoedBaseString('base string: GET&a&b')).toBeUndefined();
  });
});
