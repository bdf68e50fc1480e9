import 'reflect-metadata';
import { jest } from '@jest/globals';
import { IsInt, IsString } from 'class-validator';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { UserTokenResponse } from '../user-token/user-token.response.js';
import type { HttpResult } from './http-result.js';
import { isGatewayRefusal, parseModel, parseRetryAfter, redactedExcerpt, toApiError } from './response-parser.js';

const response = (status: number, body: string, headers: Record<string, string> = {}): HttpResult => ({ status, headers, body });
const errorsBody = (error: unknown) => JSON.stringify({ Errors: { Error: error } });

describe('redactedExcerpt', () => {
  it('removes a value the module sent as sent, percent-encoded once and twice (encodeURIComponent and RFC 3986)', () => {
    const secret = 'tok en!/x';
    const forms = [secret, 'tok%20en!%2Fx', 'tok%20en%21%2Fx', 'tok%2520en!%252Fx', 'tok%2520en%2521%252Fx'];
    for (const form of forms) expect(redactedExcerpt(`a ${form} b`, [secret])).toBe('a [redacted] b');
  });

  it('leaves secrets shorter than 4 characters alone (they would cut ordinary words)', () => {
    expect(redactedExcerpt('abc and abcd', ['abc'])).toBe('abc and abcd');
    expect(redactedExcerpt('abc and abcd', ['abcd'])).toBe('abc and [redacted]');
  });

  it('removes every occurrence of every secret', () => {
    expect(redactedExcerpt('k1k1 x k1k1 y zz99', ['k1k1', 'zz99'])).toBe('[redacted] x [redacted] y [redacted]');
  });

  it('replaces runs of control characters by one space', () => {
    expect(redactedExcerpt('a\u0000\u0001\nb\u007fc\td')).toBe('a b c d');
  });

  it('cuts opaque runs: 12+ characters with a digit or base64 punctuation, or any run of 32+', () => {
    expect(redactedExcerpt('token mh3WonUm5xmE end')).toBe('token [redacted] end');
    expect(redactedExcerpt('key abcdefghijk/ end')).toBe('key [redacted] end');
    expect(redactedExcerpt('pct abcdefghij%2F end')).toBe('pct [redacted] end');
    expect(redactedExcerpt('eq abcdefghijkl= end')).toBe('eq [redacted] end');
    expect(redactedExcerpt('under abcdefghij_kl end')).toBe('under [redacted] end');
    expect(redactedExcerpt('dash abcdefghij-kl end')).toBe('dash [redacted] end');
    expect(redactedExcerpt('plus abcdefghij+kl end')).toBe('plus [redacted] end');
    expect(redactedExcerpt(`long ${'a'.repeat(32)} end`)).toBe('long [redacted] end');
  });

  it('keeps words, short runs with digits and constant reason codes readable', () => {
    expect(redactedExcerpt('PersonalizedOffersSimulator says hi')).toBe('PersonalizedOffersSimulator says hi');
    expect(redactedExcerpt(`${'a'.repeat(31)} x`)).toBe(`${'a'.repeat(31)} x`);
    expect(redactedExcerpt('short1234ab x')).toBe('short1234ab x');
    expect(redactedExcerpt('AUTHENTICATION_FAILED INVALID_BODY_HASH')).toBe('AUTHENTICATION_FAILED INVALID_BODY_HASH');
    expect(redactedExcerpt('ERROR_CODE_123456 x')).toBe('ERROR_CODE_123456 x');
    // Not a constant code: lower case, or no underscore between the parts.
    expect(redactedExcerpt('Error_code_123456 x')).toBe('[redacted] x');
    expect(redactedExcerpt('ERRORCODE12345678 x')).toBe('[redacted] x');
    expect(redactedExcerpt('X_ERRORCODE_1234_ x')).toBe('[redacted] x');
  });

  it('is at most 120 characters, with an ellipsis only when it was cut', () => {
    const exact = 'word '.repeat(24);
    expect(exact).toHaveLength(120);
    expect(redactedExcerpt(exact)).toBe(exact);
    const long = `${exact}more`;
    expect(redactedExcerpt(long)).toBe(`${exact}…`);
    expect(redactedExcerpt('x'.repeat(10) + ' ' + 'word '.repeat(200))).toHaveLength(121);
  });
});

describe('parseRetryAfter', () => {
  it('is undefined when absent or empty', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
  });

  it('reads delta-seconds (surrounding spaces allowed) as milliseconds', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 7 ')).toBe(7000);
    expect(parseRetryAfter('120')).toBe(120_000);
  });

  it('reads an HTTP-date as the time left from now, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(' Wed, 21 Oct 2015 07:28:30 GMT ', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it('measures an HTTP-date from the current time by default', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const ms = parseRetryAfter(inAMinute)!;
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });

  it('is undefined for anything else', () => {
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5 seconds')).toBeUndefined();
  });
});

describe('isGatewayRefusal', () => {
  it('is true when an error item has Source "Gateway", in any case, in a list or alone', () => {
    expect(isGatewayRefusal(response(401, errorsBody([{ Source: 'Service' }, { Source: 'Gateway' }])))).toBe(true);
    expect(isGatewayRefusal(response(401, errorsBody({ Source: 'GATEWAY' })))).toBe(true);
  });

  it('is false for other sources, missing or non-text sources, other bodies and non-JSON', () => {
    expect(isGatewayRefusal(response(401, errorsBody([{ Source: 'Service' }])))).toBe(false);
    expect(isGatewayRefusal(response(401, errorsBody([{ ReasonCode: 'X' }, null])))).toBe(false);
    expect(isGatewayRefusal(response(401, errorsBody({ Source: ['Gateway'] })))).toBe(false);
    expect(isGatewayRefusal(response(401, errorsBody('Gateway')))).toBe(false);
    expect(isGatewayRefusal(response(401, JSON.stringify({ Errors: {} })))).toBe(false);
    expect(isGatewayRefusal(response(401, JSON.stringify({ Source: 'Gateway' })))).toBe(false);
    expect(isGatewayRefusal(response(401, 'null'))).toBe(false);
    expect(isGatewayRefusal(response(401, '<html>Gateway</html>'))).toBe(false);
  });
});

describe('toApiError', () => {
  it("maps Mastercard's error items, all fields, and summarizes the first in the message", () => {
    const error = toApiError(
      response(
        400,
        errorsBody([
          { Source: 'UserId', ReasonCode: 'INVALID_INPUT', Description: 'User id is invalid', Recoverable: false, Details: 'see docs' },
          { ReasonCode: 'OTHER', Recoverable: true },
        ]),
        { 'retry-after': '3' },
      ),
    );
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(error.message).toBe('Personalized Offers API responded 400: INVALID_INPUT User id is invalid.');
    expect(error.status).toBe(400);
    expect(error.retryAfterMs).toBe(3000);
    expect(error.bodyExcerpt).toBeUndefined();
    expect(error.errors).toEqual([
      { source: 'UserId', reasonCode: 'INVALID_INPUT', description: 'User id is invalid', recoverable: false, details: 'see docs' },
      { reasonCode: 'OTHER', recoverable: true },
    ]);
  });

  it('accepts a single error object, writes numbers as text and drops fields of other types', () => {
    const error = toApiError(response(500, errorsBody({ ReasonCode: 42, Source: true, Description: { a: 1 }, Details: null, Recoverable: 'yes' })));
    expect(error.errors).toEqual([{ reasonCode: '42' }]);
    expect(Object.keys(error.errors[0])).toEqual(['reasonCode']);
    expect(error.message).toBe('Personalized Offers API responded 500: 42.');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('summarizes with the description alone when there is no reason code, and says nothing more when neither is there', () => {
    expect(toApiError(response(403, errorsBody({ Description: 'Forbidden here' }))).message).toBe('Personalized Offers API responded 403: Forbidden here.');
    expect(toApiError(response(403, errorsBody({ Source: 'X' }))).message).toBe('Personalized Offers API responded 403.');
  });

  it('redacts the secrets the module sent from every text field and from the message', () => {
    const secret = 'user-token-value';
    const error = toApiError(
      response(401, errorsBody({ ReasonCode: `BAD ${secret}`, Source: secret, Description: `token ${secret} refused`, Details: secret })),
      [secret],
    );
    expect(JSON.stringify(error.errors)).not.toContain(secret);
    expect(error.message).not.toContain(secret);
    expect(error.errors[0]).toEqual({ reasonCode: 'BAD [redacted]', source: '[redacted]', description: 'token [redacted] refused', details: '[redacted]' });
  });

  it('keeps an echoed signature base string whole (longer than an excerpt), redacted structurally', () => {
    const sbs = `GET&https%3A%2F%2Fapi.mastercard.com%2Fplo%2Fv1%2Fusertoken&AuthInfo%3D${'ab12'.repeat(16)}%26FId%3D999`;
    const description = `Unable to verify. Signature base string: ${sbs}`;
    const error = toApiError(response(401, errorsBody({ Source: 'Gateway', ReasonCode: 'AUTHENTICATION_FAILED', Description: description })));
    const kept = error.errors[0].description!;
    expect(kept.length).toBeGreaterThan(120);
    expect(kept).toContain('GET&https%3A%2F%2Fapi.mastercard.com%2Fplo%2Fv1%2Fusertoken&AuthInfo%3D[redacted]%26FId%3D999');
    expect(kept).not.toContain('ab12ab12');
    // The message carries the gateway's words readable and whole (issue 18), the secrets redacted.
    expect(error.message).toBe(`Personalized Offers API responded 401: AUTHENTICATION_FAILED ${kept}.`);
  });

  it('bounds a gateway description all the same: anything can claim to be the gateway', () => {
    const error = toApiError(
      response(401, errorsBody({ Source: 'Gateway', ReasonCode: 'AUTHENTICATION_FAILED', Description: `Unauthorized ${'word '.repeat(100_000)}` })),
    );
    expect(error.errors[0].description!.length).toBe(2_001);
    expect(error.message.length).toBeLessThan(2_100);
  });

  it('falls back to a redacted excerpt of the body when it has no error items', () => {
    for (const body of ['<html>Bad gateway mh3WonUm5xmE</html>', errorsBody([]), JSON.stringify({ Errors: { Error: 'x' } }), 'null']) {
      const error = toApiError(response(502, body, { 'retry-after': '1' }));
      expect(error.message).toBe('Personalized Offers API responded 502 with an unexpected body.');
      expect(error.errors).toEqual([]);
      expect(error.retryAfterMs).toBe(1000);
      expect(error.bodyExcerpt).toBe(redactedExcerpt(body));
    }
    expect(toApiError(response(502, '<html>Bad gateway mh3WonUm5xmE</html>')).bodyExcerpt).toBe('<html>Bad gateway [redacted]</html>');
    expect(toApiError(response(502, 'my-secret-value'), ['my-secret-value']).bodyExcerpt).toBe('[redacted]');
  });
});

class Plain {
  @IsString() name!: string;
  @IsInt() count!: number;
}

describe('parseModel', () => {
  it('parses a model with wire fields through its compiled parser', () => {
    const body = { Response: { Status: { Code: '600' }, UserToken: { Token: 't' } } };
    const parsed = parseModel(response(200, JSON.stringify(body)), UserTokenResponse);
    expect(parsed).toBeInstanceOf(UserTokenResponse);
    expect(parsed).toEqual(body);
    // The compiled parser is reused for the next body.
    expect(parseModel(response(200, JSON.stringify(body)), UserTokenResponse)).toEqual(body);
  });

  it('parses any other class with class-transformer and validates it with class-validator', () => {
    const parsed = parseModel(response(200, '{"name":"a","count":2}'), Plain);
    expect(parsed).toBeInstanceOf(Plain);
    expect(parsed).toEqual({ name: 'a', count: 2 });
    expect(() => parseModel(response(200, '{"name":"a","count":"2"}'), Plain)).toThrow(PersonalizedOffersInvalidResponseError);
  });

  it("uses the operation's own build, then validates what it built", () => {
    const build = jest.fn((json: object) => Object.assign(new Plain(), json, { count: 1 }));
    expect(parseModel(response(200, '{"name":"b"}'), Plain, build)).toEqual({ name: 'b', count: 1 });
    expect(build).toHaveBeenCalledWith({ name: 'b' });
    // A model with wire fields goes through the build too when one is given.
    const wireBuild = jest.fn(() => Object.assign(new UserTokenResponse(), { Response: 'not an object' }));
    expect(() => parseModel(response(200, '{}'), UserTokenResponse, wireBuild as never)).toThrow(PersonalizedOffersInvalidResponseError);
    expect(wireBuild).toHaveBeenCalled();
  });

  it('refuses a body that is not a JSON object or does not fit, with the status, the model name and a redacted excerpt', () => {
    for (const body of ['not json', '[]', '"text"', 'null', '{"Response":{"Status":{}}}']) {
      let error: unknown;
      try {
        parseModel(response(201, body), UserTokenResponse);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PersonalizedOffersInvalidResponseError);
      const invalid = error as PersonalizedOffersInvalidResponseError;
      expect(invalid.message).toBe('Personalized Offers API responded 201 with a body that is not the expected UserTokenResponse.');
      expect(invalid.status).toBe(201);
      expect(invalid.bodyExcerpt).toBe(redactedExcerpt(body));
    }
  });

  it('gathers the secrets only on failure, from a list or a function', () => {
    const secrets = jest.fn(() => ['secret-token']);
    const body = { Response: { Status: { Code: '600' }, UserToken: { Token: 'x' } } };
    parseModel(response(200, JSON.stringify(body)), UserTokenResponse, undefined, secrets);
    expect(secrets).not.toHaveBeenCalled();
    const bad = '{"Response":"secret-token"}';
    expect(() => parseModel(response(200, bad), UserTokenResponse, undefined, secrets)).toThrow(
      expect.objectContaining({ bodyExcerpt: '{"Response":"[redacted]"}' }),
    );
    expect(secrets).toHaveBeenCalledTimes(1);
    expect(() => parseModel(response(200, bad), UserTokenResponse, undefined, ['secret-token'])).toThrow(
      expect.objectContaining({ bodyExcerpt: '{"Response":"[redacted]"}' }),
    );
  });
});
