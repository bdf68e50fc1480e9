import fc from 'fast-check';
import { sameAsParsed } from './personalized-offers-http.client.js';
import { encodeQuery, rfc3986 } from '../operations/request-encoding.js';

const ORIGIN = 'https://sandbox.api.mastercard.com';

/** What a URL parse would make of `url`: its href and the request target undici is given. */
const parsed = (url: string) => {
  const u = new URL(url);
  return { href: u.href, origin: u.origin, target: u.pathname + u.search };
};

describe('sameAsParsed: the direct path splits a URL by hand only where `new URL` would give it back unchanged', () => {
  it('accepts what the operations build: base, encoded path segments, encoded query', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (segments, query) => {
        const path =
          '/plo/v1/' +
          segments
            .filter((s) => s !== '' && s !== '.' && s !== '..')
            .map(rfc3986)
            .join('/');
        const url = `${ORIGIN}${path}${encodeQuery(query)}`;
        if (!sameAsParsed(url, ORIGIN)) return; // refused: `new URL` takes it, nothing to compare
        expect(parsed(url)).toEqual({ href: url, origin: ORIGIN, target: url.slice(ORIGIN.length) });
      }),
      { numRuns: 2_000, seed: 20261203 },
    );
    // The common case really takes the fast path.
    expect(sameAsParsed(`${ORIGIN}/plo/v1/usertoken?FId=999999&AuthInfo=a1b2c3`, ORIGIN)).toBe(true);
    expect(sameAsParsed(`${ORIGIN}/loyalty/offers/user-presentment/offers/abc-123?utcOffset=%2B05%3A30`, ORIGIN)).toBe(true);
  });

  it('never accepts a URL that `new URL` would change, whatever the characters', () => {
    const alphabet = fc.constantFrom(...'aZ09-._~%!$&\'()*+,;=:@/?#[]\\ "<>`{}|^\u00e9\t.'.split(''), '%2e', '%2E', '/..', '/.', '%41');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }), (chars) => {
        const url = `${ORIGIN}/${chars.join('')}`;
        if (sameAsParsed(url, ORIGIN)) expect(parsed(url)).toEqual({ href: url, origin: ORIGIN, target: url.slice(ORIGIN.length) });
      }),
      { numRuns: 20_000, seed: 20261203 },
    );
  });

  it('refuses another origin, a prefix that is not a whole origin, and dot segments', () => {
    expect(sameAsParsed('https://other.example/plo/v1/usertoken', ORIGIN)).toBe(false);
    expect(sameAsParsed(`${ORIGIN}.evil.example/plo`, ORIGIN)).toBe(false);
    expect(sameAsParsed(`${ORIGIN}:8443/plo`, ORIGIN)).toBe(false);
    expect(sameAsParsed(`${ORIGIN}/plo/../admin`, ORIGIN)).toBe(false);
    expect(sameAsParsed(`${ORIGIN}/plo/%2E%2E/admin`, ORIGIN)).toBe(false);
    expect(sameAsParsed(`${ORIGIN}/plo?x='1'`, ORIGIN)).toBe(false);
  });
});
