import { jest } from '@jest/globals';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { callerCredential, fixedCredential } from './credential.js';
import { type LegacyBody, SUCCESS_STATUS_CODE, openLegacyEnvelope } from './legacy-envelope.js';
import { acceptLanguage, check, isoDate, isUtcOffset, legacyLang } from './param-checks.js';
import { serializeBody } from './request-encoding.js';

/** The message of the InvalidArgumentError `fn` throws (fails when it throws nothing or something else). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('check.fail / check.object', () => {
  it('fail refuses the parameter with the requirement', () => {
    expect(refusal(() => check.fail('page', 'must be odd'))).toBe('Invalid page: it must be odd.');
  });

  it('object accepts an object, and nothing when optional', () => {
    expect(() => check.object('params', {})).not.toThrow();
    expect(() => check.object('params', undefined)).not.toThrow();
  });

  it('object refuses non-objects, saying whether it was required', () => {
    for (const value of [null, [], 'x', 5]) expect(refusal(() => check.object('params', value))).toBe('Invalid params: it must be an object when given.');
    expect(refusal(() => check.object('user', undefined, true))).toBe('Invalid user: it must be an object.');
    expect(refusal(() => check.object('user', null, true))).toBe('Invalid user: it must be an object.');
  });
});

describe('check.text', () => {
  it('accepts a non-empty string up to 1024 characters, and nothing when optional', () => {
    expect(() => check.text('q', 'x')).not.toThrow();
    expect(() => check.text('q', 'x'.repeat(1024))).not.toThrow();
    expect(() => check.text('q', undefined)).not.toThrow();
  });

  it('refuses a missing required value, an empty string or a non-string', () => {
    for (const value of ['', 5, null]) expect(refusal(() => check.text('q', value))).toBe('Invalid q: it must be a non-empty string.');
    expect(refusal(() => check.text('q', undefined, true))).toBe('Invalid q: it must be a non-empty string.');
  });

  it('refuses more than 1024 characters', () => {
    expect(refusal(() => check.text('q', 'x'.repeat(1025)))).toBe('Invalid q: it must be at most 1024 characters.');
  });

  it('refuses C0 and C1 control characters, DEL and lone surrogates, never echoing the value', () => {
    for (const value of ['a\u0000', 'a\u001f', 'a\u007f', 'a\u0085', 'a\u009f', 'a\ud800b']) {
      expect(refusal(() => check.text('q', value))).toBe('Invalid q: it must not contain control characters or malformed Unicode.');
    }
    expect(() => check.text('q', 'a\u00a0 é 😀')).not.toThrow();
  });
});

describe('check.int / check.number', () => {
  it('int accepts whole numbers within the bounds (inclusive), and nothing', () => {
    for (const v of [1, 5, 10, undefined]) expect(() => check.int('n', v, 1, 10)).not.toThrow();
    expect(() => check.int('n', 2 ** 31 - 1, 0)).not.toThrow();
  });

  it('int refuses fractions, non-numbers and values outside the bounds, naming them', () => {
    for (const v of [0, 11, 1.5, '5', NaN]) expect(refusal(() => check.int('n', v, 1, 10))).toBe('Invalid n: it must be a whole number from 1 to 10.');
    expect(refusal(() => check.int('n', 2 ** 31, 0))).toBe(`Invalid n: it must be a whole number from 0 to ${2 ** 31 - 1}.`);
  });

  it('number accepts finite numbers within the bounds (inclusive), and nothing', () => {
    for (const v of [-90, 0.5, 90, undefined]) expect(() => check.number('lat', v, -90, 90)).not.toThrow();
  });

  it('number refuses non-finite values, non-numbers and values outside the bounds', () => {
    for (const v of [-90.1, 90.1, Infinity, NaN, '1'])
      expect(refusal(() => check.number('lat', v, -90, 90))).toBe('Invalid lat: it must be a number from -90 to 90.');
  });
});

describe('check.oneOf', () => {
  it('accepts a listed value, and nothing when optional', () => {
    expect(() => check.oneOf('sort', 'asc', ['asc', 'desc'])).not.toThrow();
    expect(() => check.oneOf('sort', undefined, ['asc', 'desc'])).not.toThrow();
  });

  it('refuses anything else, and nothing when required, listing the allowed values', () => {
    expect(refusal(() => check.oneOf('sort', 'up', ['asc', 'desc']))).toBe('Invalid sort: it must be one of "asc", "desc".');
    expect(refusal(() => check.oneOf('sort', undefined, ['asc', 1], true))).toBe('Invalid sort: it must be one of "asc", 1.');
  });
});

describe('isoDate', () => {
  it('takes the UTC day of a Date, or a valid YYYY-MM-DD string as is', () => {
    expect(isoDate('from', new Date('2024-02-29T23:30:00Z'))).toBe('2024-02-29');
    expect(isoDate('from', '2024-02-29')).toBe('2024-02-29');
    expect(isoDate('from', undefined)).toBeUndefined();
  });

  it('refuses an invalid Date', () => {
    expect(refusal(() => isoDate('from', new Date('nope')))).toBe('Invalid from: it must be a valid date.');
  });

  it('refuses strings that are not a real calendar day in that exact form', () => {
    for (const v of ['2023-02-29', '2024-13-01', '2024-1-01', ' 2024-01-01', '2024-01-01T00:00:00Z', '20240101', 5]) {
      expect(refusal(() => isoDate('from', v))).toBe('Invalid from: it must be a Date or a YYYY-MM-DD string.');
    }
  });
});

describe('legacyLang', () => {
  it('accepts en_US and converts en-US', () => {
    expect(legacyLang('lang', 'en_US')).toBe('en_US');
    expect(legacyLang('lang', 'en-US')).toBe('en_US');
    expect(legacyLang('lang', undefined)).toBeUndefined();
  });

  it('refuses other forms', () => {
    for (const v of ['EN_us', 'en', 'en_USA', 'xen_US', 'en_USx', 'en US', 5]) {
      expect(refusal(() => legacyLang('lang', v))).toBe('Invalid lang: it must be a language tag such as en_US (or en-US).');
    }
  });
});

describe('isUtcOffset', () => {
  it('accepts -12:00 to +14:00', () => {
    for (const v of ['+00:00', '-00:00', '+14:00', '-12:00', '+05:30', '-09:59', '+13:59']) expect(isUtcOffset(v)).toBe(true);
  });

  it('refuses other offsets and forms', () => {
    for (const v of ['+14:01', '-12:01', '+15:00', '+05:60', '05:00', '+5:00', '+05:00 ', ' +05:00', '+0500', 0, undefined]) expect(isUtcOffset(v)).toBe(false);
  });
});

describe('acceptLanguage', () => {
  it('accepts up to 10 tags, converts the underscore form, and trims around commas', () => {
    expect(acceptLanguage('en-US')).toBe('en-US');
    expect(acceptLanguage('en_US, en_AU')).toBe('en-US,en-AU');
    const ten = Array.from({ length: 10 }, () => 'en-US').join(',');
    expect(acceptLanguage(ten)).toBe(ten);
  });

  it('refuses more than 10 tags, a bad tag, an empty item or a non-string', () => {
    expect(acceptLanguage(Array.from({ length: 11 }, () => 'en-US').join(','))).toBeUndefined();
    for (const v of ['en-US,', 'en-us', 'english', '', 'xen-US', 'en-USx', 5]) expect(acceptLanguage(v)).toBeUndefined();
  });
});

describe('credentials', () => {
  it('fixedCredential sends the held value and cannot be renewed', async () => {
    const credential = fixedCredential('held');
    expect(await credential.get()).toBe('held');
    expect(typeof credential.renew).toBe('undefined');
  });

  it('callerCredential: a user id goes to byId, an object is the held credential, checked', async () => {
    const byIdSource = { get: () => Promise.resolve('cached') };
    const byId = jest.fn(() => byIdSource);
    expect(callerCredential('user-1', 'userToken', byId)).toBe(byIdSource);
    expect(byId).toHaveBeenCalledWith('user-1');

    const held = callerCredential({ userToken: 'tok' }, 'userToken', byId);
    expect(await held.get()).toBe('tok');
    expect(typeof held.renew).toBe('undefined');
    expect(byId).toHaveBeenCalledTimes(1);
  });

  it('callerCredential refuses a held credential that is not an object or has no usable value', () => {
    const byId = () => fixedCredential('x');
    expect(refusal(() => callerCredential(null as never, 'userToken', byId))).toBe('Invalid user: it must be an object.');
    expect(refusal(() => callerCredential({} as never, 'userToken', byId))).toBe('Invalid user.userToken: it must be a non-empty string.');
    expect(refusal(() => callerCredential({ userToken: '' }, 'userToken', byId))).toBe('Invalid user.userToken: it must be a non-empty string.');
  });
});

describe('openLegacyEnvelope', () => {
  /** A parsed wire body, typed as the operations hand it over (`body as LegacyBody<R>`). */
  const wire = (json: object) => json as LegacyBody<object>;

  it("returns the Response payload when Status.Code is '600'", () => {
    const body = { Response: { Status: { Code: SUCCESS_STATUS_CODE }, Items: [1] } };
    expect(openLegacyEnvelope(body, 'op')).toBe(body.Response);
    expect(SUCCESS_STATUS_CODE).toBe('600');
  });

  it('refuses another status with its code and message, as an API error of status 200', () => {
    let error: PersonalizedOffersApiError | undefined;
    try {
      openLegacyEnvelope(wire({ Response: { Status: { Code: '601', Message: 'Offer already active' } } }), 'activateOffer');
    } catch (e) {
      error = e as PersonalizedOffersApiError;
    }
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(error!.message).toBe('Personalized Offers API returned status 601 (Offer already active) instead of 600 for activateOffer.');
    expect(error!.status).toBe(200);
    expect(error!.apiStatus).toEqual({ code: '601', message: 'Offer already active' });
  });

  it('refuses a missing status, a numeric 600 and a status without message', () => {
    const messages = [{ Response: {} }, { Response: undefined }, { Response: { Status: { Code: 600 } } }].map((body) => {
      try {
        openLegacyEnvelope(body as never, 'op');
      } catch (e) {
        return [(e as Error).message, (e as PersonalizedOffersApiError).apiStatus];
      }
      return undefined;
    });
    expect(messages).toEqual([
      ['Personalized Offers API returned status missing instead of 600 for op.', { code: 'missing' }],
      ['Personalized Offers API returned status missing instead of 600 for op.', { code: 'missing' }],
      ['Personalized Offers API returned status 600 instead of 600 for op.', { code: '600' }],
    ]);
  });

  it('redacts secret-looking upstream text in the code and message', () => {
    try {
      openLegacyEnvelope(wire({ Response: { Status: { Code: 'mh3WonUm5xmE', Message: 'token mh3WonUm5xmE refused' } } }), 'op');
    } catch (e) {
      expect((e as PersonalizedOffersApiError).apiStatus).toEqual({ code: '[redacted]', message: 'token [redacted] refused' });
      return;
    }
    throw new Error('expected a refusal');
  });
});

describe('serializeBody', () => {
  it('writes the JSON text, leaving undefined members out', () => {
    expect(serializeBody({ a: 1, b: undefined, c: 'x' })).toBe('{"a":1,"c":"x"}');
  });
});
