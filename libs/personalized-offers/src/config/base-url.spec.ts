import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { resolveBaseUrl } from './base-url.js';

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

  it.each(['http://api.mastercard.com', 'ftp://x', 'https://u:p@api.mastercard.com', 'https://api.mastercard.com/?a=1', 'not a url'])(
    'refuses %s',
    (input) => {
      expect(() => resolveBaseUrl(input)).toThrow(PersonalizedOffersConfigError);
    },
  );
});
