import { IsString } from 'class-validator';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import type { HttpResult } from './http-result.js';
import { MAX_UNKNOWN_DEPTH, compileModel, registerWireField } from './model-compiler.js';
import { nestingWithin, parseModel, refusalClockSkew, toApiError } from './response-parser.js';

/** `depth` arrays nested inside each other: `[[[…]]]`. */
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

const result = (status: number, body = '', headers: Record<string, string> = {}): HttpResult => ({ status, headers, body });

describe('answers nested too deep', () => {
  class Thing {
    declare name?: string;
  }
  registerWireField(Thing.prototype, 'name', { kind: 'text' });
  const parse = compileModel(Thing);

  it(`keeps an unknown field nested exactly ${MAX_UNKNOWN_DEPTH} levels as it came, and drops one nested a level deeper`, () => {
    const kept = parse({ name: 'n', extra: nested(MAX_UNKNOWN_DEPTH), scalar: 5 });
    expect(kept).toEqual({ ok: true, value: { name: 'n', extra: nested(MAX_UNKNOWN_DEPTH), scalar: 5 } });
    const dropped = parse({ name: 'n', extra: nested(MAX_UNKNOWN_DEPTH + 1), other: { a: [1] } });
    expect(dropped).toEqual({ ok: true, value: { name: 'n', other: { a: [1] } } });
  });

  it('drops an unknown field 100 000 levels deep without overflowing the stack, so the result serializes', () => {
    const parsed = parse({ name: 'n', deep: nested(100_000) });
    expect(parsed.ok).toBe(true);
    expect(JSON.stringify((parsed as { value: object }).value)).toBe('{"name":"n"}');
  });

  it('counts objects as levels too', () => {
    let deep: unknown = {};
    for (let i = 1; i < MAX_UNKNOWN_DEPTH + 1; i++) deep = { d: deep };
    expect(parse({ deep })).toEqual({ ok: true, value: {} });
  });

  it('nestingWithin counts levels of objects and arrays iteratively', () => {
    expect(nestingWithin(nested(64), 64)).toBe(true);
    expect(nestingWithin(nested(65), 64)).toBe(false);
    expect(nestingWithin({ a: { b: 1 } }, 2)).toBe(true);
    expect(nestingWithin({ a: { b: {} } }, 2)).toBe(false);
    expect(nestingWithin('text', 0)).toBe(true);
    expect(nestingWithin(nested(200_000), 64)).toBe(false);
  });

  it('refuses, as an invalid response, a body nested past 64 levels for a model parsed by class-validator', () => {
    class Plain {
      @IsString()
      name!: string;
    }
    const ok = parseModel(result(200, JSON.stringify({ name: 'n', x: nested(60) })), Plain);
    expect(ok.name).toBe('n');
    expect(() => parseModel(result(200, `{"name":"n","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), Plain)).toThrow(
      PersonalizedOffersInvalidResponseError,
    );
  });
});

describe('statuses that are not a success', () => {
  it.each([300, 301, 302, 303, 307, 308])('%i is an UNEXPECTED_REDIRECT API error that says it was not followed', (status) => {
    const error = toApiError(result(status, '{"Response":{"Status":{"Code":"600"}}}', { location: 'https://elsewhere.example/' }));
    expect(error).toMatchObject({ status, code: 'UNEXPECTED_REDIRECT' });
    expect(error.message).toContain('a redirect, which the module never follows');
  });

  it('a 400 stays an API_ERROR', () => {
    expect(toApiError(result(400)).code).toBe('API_ERROR');
  });
});

describe('clock skew on refusals', () => {
  const now = Date.parse('2026-12-03T12:00:00.000Z');
  const at = (offsetSeconds: number) => new Date(now + offsetSeconds * 1000).toUTCString();

  it.each([
    [401, 600, 600],
    [403, -600, -600],
    [401, 61, 61],
    [401, -61, -61],
  ])('a %i with a Date %i s off reads as %i s of skew', (status, offset, expected) => {
    expect(refusalClockSkew(result(status, '', { date: at(offset) }), now)).toBe(expected);
  });

  it.each([
    ['within a minute', 401, 59],
    ['on a 400', 400, 600],
    ['on a 500', 500, 600],
    ['on a 200', 200, 600],
  ])('says nothing %s', (_what, status, offset) => {
    expect(refusalClockSkew(result(status, '', { date: at(offset) }), now)).toBeUndefined();
  });

  it('says nothing without a readable Date', () => {
    expect(refusalClockSkew(result(401, ''), now)).toBeUndefined();
    expect(refusalClockSkew(result(401, '', { date: 'yesterday' }), now)).toBeUndefined();
  });

  it('puts the offset and the remedy in the refusal error, with or without error items', () => {
    const date = new Date(Date.now() + 600_000).toUTCString();
    const bare = toApiError(result(401, '', { date }));
    expect(bare.clockSkewSeconds).toBeGreaterThanOrEqual(599);
    expect(bare.clockSkewSeconds).toBeLessThanOrEqual(601);
    expect(bare.message).toMatch(
      /The server's clock \(its Date header\) is (599|600) s ahead of this machine's: Mastercard refuses OAuth timestamps more than 300 s off\. Synchronize this host's clock \(NTP\), or set oauth\.clockSkewCorrection\./,
    );
    const behind = toApiError(
      result(401, '{"Errors":{"Error":[{"ReasonCode":"AUTHENTICATION_FAILED","Source":"Gateway"}]}}', { date: new Date(Date.now() - 600_000).toUTCString() }),
    );
    expect(behind.message).toMatch(
      /^Personalized Offers API responded 401: AUTHENTICATION_FAILED\. The server's clock \(its Date header\) is (600|601) s behind this machine's/,
    );
    expect(toApiError(result(401, '')).clockSkewSeconds).toBeUndefined();
    expect('clockSkewSeconds' in toApiError(result(401, ''))).toBe(false);
  });
});

describe('error bodies listing too much', () => {
  it('keeps the first 10 error items of an answer that lists thousands', () => {
    const items = Array.from({ length: 5_000 }, (_, i) => ({ ReasonCode: `R${i}`, Description: 'd' }));
    const error = toApiError(result(400, JSON.stringify({ Errors: { Error: items } })));
    expect(error.errors.map((e) => e.reasonCode)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9']);
  });
});
