import { inspect } from 'node:util';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { echoForms, scrubError, scrubText, secretPattern } from './secret-scrubber.js';

const USER = 'jane.doe x@bank.example';

describe('secret scrubber', () => {
  it('knows a value raw, JSON-escaped once and twice, form-encoded and percent-encoded once and twice', () => {
    const forms = echoForms('a"b c/é\\');
    expect(forms).toEqual(
      expect.arrayContaining([
        'a"b c/é\\',
        'a\\"b c/é\\\\',
        'a\\\\\\"b c/é\\\\\\\\',
        'a%22b+c%2F%C3%A9%5C',
        'a%22b%20c%2F%C3%A9%5C',
        'a%2522b%2520c%252F%25C3%25A9%255C',
      ]),
    );
    // longest first, so an encoded form is replaced whole before a raw form inside it
    expect(forms.map((f) => f.length)).toEqual([...forms.map((f) => f.length)].sort((x, y) => y - x));
  });

  it('leaves values under 4 characters alone (they would take ordinary words with them)', () => {
    expect(echoForms('abc')).toEqual([]);
    expect(secretPattern(['abc'])).toBeUndefined();
    expect(scrubText('abc abcd', ['abc'])).toBe('abc abcd');
    expect(scrubText('abc abcd', ['abcd'])).toBe('abc [redacted]');
  });

  it('scrubs every form, whatever the case', () => {
    const text = `raw ${USER} upper ${USER.toUpperCase()} enc ${encodeURIComponent(USER)} lower-hex ${encodeURIComponent(USER).toLowerCase()} twice ${encodeURIComponent(encodeURIComponent(USER))}`;
    expect(scrubText(text, [USER])).toBe('raw [redacted] upper [redacted] enc [redacted] lower-hex [redacted] twice [redacted]');
  });

  it('scrubs an error in place: message, stack, fields, nested items, arrays and the cause chain', () => {
    const token = 'abcdefghijklmnopqrst';
    const cause = new Error(`inner ${token}`);
    const error = new PersonalizedOffersApiError(`outer ${USER}`, {
      status: 400,
      errors: [{ description: `d ${token}`, details: `x ${encodeURIComponent(USER)}` }],
      apiStatus: { code: '601', message: `m ${token}` },
      bodyExcerpt: `b ${USER}`,
    });
    Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
    expect(scrubError(error, [USER, token])).toBe(error);
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })} ${cause.message} ${cause.stack}`;
    expect(everything).not.toContain(token);
    expect(everything.toLowerCase()).not.toContain('jane.doe');
    expect(error.errors[0]).toEqual({ description: 'd [redacted]', details: 'x [redacted]' });
    expect(error.apiStatus).toEqual({ code: '601', message: 'm [redacted]' });
    expect(error.message).toBe('outer [redacted]');
  });

  it('survives cycles and leaves accessors alone', () => {
    const a: Record<string, unknown> = { text: 'secret-value' };
    a.self = a;
    Object.defineProperty(a, 'getter', { get: () => 'secret-value', enumerable: true });
    scrubError(a, ['secret-value']);
    expect(a.text).toBe('[redacted]');
  });

  it('does nothing without secrets', () => {
    const error = new Error('keep me');
    scrubError(error, []);
    expect(error.message).toBe('keep me');
  });
});
