import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { resolveBaseUrl } from './base-url.js';
import { resolveOptions } from './resolve-options.js';

describe('resolveBaseUrl: host-only base URLs, the v1.3 form still accepted', () => {
  it.each([
    ['https://api.mastercard.com', 'https://api.mastercard.com/', false],
    ['https://sandbox.api.mastercard.com/', 'https://sandbox.api.mastercard.com/', false],
    ['https://api.mastercard.com/plo/v1', 'https://api.mastercard.com/', true],
    ['https://api.mastercard.com/plo/v1/', 'https://api.mastercard.com/', true],
    ['https://proxy.bank.example/mastercard/plo/v1', 'https://proxy.bank.example/mastercard', true],
    ['https://proxy.bank.example/mastercard', 'https://proxy.bank.example/mastercard', false],
    ['http://127.0.0.1:8080/plo/v1', 'http://127.0.0.1:8080/', true],
  ])('%s → %s (legacy path: %s)', (input, href, legacyPath) => {
    const resolved = resolveBaseUrl(input);
    expect(resolved.url.href).toBe(href);
    expect(resolved.legacyPath).toBe(legacyPath);
  });

  it.each(['http://api.mastercard.com', 'ftp://x', 'https://u:p@api.mastercard.com', 'https://api.mastercard.com/?a=1', 'not a url'])('refuses %s', (input) => {
    expect(() => resolveBaseUrl(input)).toThrow(PersonalizedOffersConfigError);
  });
});

describe('resolveOptions: access-token and language settings', () => {
  const base = { fId: '999999', authInfo: { key: '000102030405060708090a0b0c0d0e0f', iv: '000102030405060708090a0b0c0d0e0f' } };

  it('defaults to a 60-minute lifetime served for 55 minutes and +00:00', () => {
    expect(resolveOptions(base).accessTokens).toEqual({ ttlMs: 3_600_000, refreshBeforeMs: 300_000, defaultUtcOffset: '+00:00' });
  });

  it('refreshes half-way through a lifetime shorter than 10 minutes unless told otherwise', () => {
    expect(resolveOptions({ ...base, accessTokens: { ttlMs: 120_000 } }).accessTokens.refreshBeforeMs).toBe(60_000);
  });

  it.each([
    [{ accessTokens: { ttlMs: 60_000, refreshBeforeMs: 60_000 } }, 'accessTokens.refreshBeforeMs'],
    [{ accessTokens: { defaultUtcOffset: '+0700' } }, 'accessTokens.defaultUtcOffset'],
    [{ accessTokens: { ttlMs: 10 } }, 'accessTokens.ttlMs'],
    [{ language: 'english' }, 'language'],
  ])('refuses %o, naming %s', (extra, setting) => {
    const error = (() => {
      try {
        resolveOptions({ ...base, ...(extra as object) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings).toContain(setting);
  });

  it('converts language en_US,en_AU to the header form', () => {
    expect(resolveOptions({ ...base, language: 'en_US,en_AU' }).language).toBe('en-US,en-AU');
  });
});
