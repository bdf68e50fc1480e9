import { encodeQuery, rfc3986 } from './request-encoding.js';

describe('encodeQuery: the query exactly as signed and sent', () => {
  it('keeps wire names and order, skips undefined, and writes numbers and booleans as text', () => {
    expect(encodeQuery({ FId: '999999', Lang: undefined, PageNumber: 2, active: false })).toBe('?FId=999999&PageNumber=2&active=false');
  });

  it('is empty for no parameters', () => {
    expect(encodeQuery({})).toBe('');
    expect(encodeQuery({ a: undefined })).toBe('');
  });

  it("percent-encodes per RFC 3986, including ! * ' ( ) that encodeURIComponent leaves alone, and a space as %20", () => {
    expect(encodeQuery({ q: "a b!*'()+/=&€" })).toBe('?q=a%20b%21%2A%27%28%29%2B%2F%3D%26%E2%82%AC');
    expect(rfc3986('!USA')).toBe('%21USA');
  });

  it('repeats the key for a list, never the same pair twice (the signer folds duplicates)', () => {
    expect(encodeQuery({ offer_country: ['!USA', '!AUS', '!USA'] })).toBe('?offer_country=%21USA&offer_country=%21AUS');
  });
});
