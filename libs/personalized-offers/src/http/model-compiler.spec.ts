import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import * as loyalty from '../loyalty/models/index.js';
import * as legacy from '../plo/models/index.js';
import { UserTokenResponse } from '../user-token/user-token.response.js';
import { type WireField, compileModel, generatedDecision, parsesWithGeneratedCode, registerWireField, wireFieldsOf } from './model-compiler.js';

type Ctor = new () => object;

/** Every response model the operations parse (the whole-body classes). */
const MODELS: Array<[string, Ctor]> = [
  ['UserTokenResponse', UserTokenResponse],
  ['MatchedOffersResponse', legacy.MatchedOffersResponse],
  ['OfferDetailsResponse', legacy.OfferDetailsResponse],
  ['RedeemedOffersResponse', legacy.RedeemedOffersResponse],
  ['StatementCreditActivationResponse', legacy.StatementCreditActivationResponse],
  ['UserSavingsResponse', legacy.UserSavingsResponse],
  ['UserFeedbackListResponse', legacy.UserFeedbackListResponse],
  ['UserFeedbackResponse', legacy.UserFeedbackResponse],
  ['UserAccessToken', loyalty.UserAccessToken],
  ['UserOffers', loyalty.UserOffers],
  ['OfferDetails', loyalty.OfferDetails],
  ['BrowseOffers', loyalty.BrowseOffers],
  ['Activations', loyalty.Activations],
  ['UserOfferRatings', loyalty.UserOfferRatings],
  ['UserOfferRating', loyalty.UserOfferRating],
  ['UserPresentmentSavings', loyalty.UserPresentmentSavings],
  ['UserAdjustments', loyalty.UserAdjustments],
  ['AdminAdjustments', loyalty.AdminAdjustments],
  ['GeoLocations', loyalty.GeoLocations],
];

/** The reference: what the models' class-transformer and class-validator decorators accept and build. */
function reference(Model: Ctor, json: object): { ok: true; value: object } | { ok: false } {
  const instance = plainToInstance(Model, json);
  return validateSync(instance).length === 0 ? { ok: true, value: instance } : { ok: false };
}

const anyScalar = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 500 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 }),
  fc.boolean(),
  fc.constant(null),
);
const wrong = fc.oneof(anyScalar, fc.constant({}), fc.constant([]), fc.constant([1, 'a']), fc.constant({ x: 1 }));

/** Mostly `valid`, now and then one of the `edge` values (invalid or borderline for the kind). */
const mostly = (valid: fc.Arbitrary<unknown>, ...edge: unknown[]) =>
  edge.length === 0 ? valid : fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...edge) });

/** Values for one field: mostly well-formed for its kind, sometimes borderline, of another type, or null. */
function valueFor(field: WireField, depth: number): fc.Arbitrary<unknown> {
  const good: fc.Arbitrary<unknown> = (() => {
    switch (field.kind) {
      case 'text':
        return mostly(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant('10.20')), '');
      case 'string':
      case 'required-string':
      case 'required-text':
        return mostly(fc.string({ minLength: 1, maxLength: 8 }), '', 600);
      case 'counter':
        return mostly(fc.oneof(fc.nat(1000), fc.constant('25'), fc.constant(' 7 ')), '2.5', '-1', 'abc', -3);
      case 'number':
        return mostly(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()), '1.5');
      case 'int':
        return mostly(fc.integer(), 2.5, '5');
      case 'flag':
        return mostly(fc.boolean(), 'true', 0);
      case 'status-code':
        return mostly(fc.constantFrom(200, 600, '600', ' 200 ', '-1'), 'Success', 2.5, '');
      case 'text-or-number':
        return mostly(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant('000123')), true);
      case 'text-list':
        return mostly(fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }), fc.string({ maxLength: 4 })), [null], [{}]);
      case 'int-list':
        return mostly(fc.oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.integer()), ['1']);
      case 'nested':
        return depth > 3 ? fc.constant({}) : bodyFor(field.type(), depth + 1);
      case 'list': {
        if (depth > 3) return fc.constant([]);
        const item = bodyFor(field.type(), depth + 1);
        return mostly(fc.oneof(fc.array(item, { maxLength: 2 }), item), [null], ['x']);
      }
    }
  })();
  return fc.oneof({ weight: 60, arbitrary: good }, { weight: 1, arbitrary: wrong });
}

/** A body for `Model`: any subset of its fields with generated values, sometimes an unknown field; required fields mostly present. */
function bodyFor(Model: Ctor, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = [...wireFieldsOf(Model)];
  const record = Object.fromEntries(fields.map(([key, field]) => [key, valueFor(field, depth)]));
  const required = fields.filter(([, f]) => (f.kind === 'nested' && f.required) || f.kind === 'required-text' || f.kind === 'required-string').map(([k]) => k);
  const withRequired = fc.record(record, { requiredKeys: required });
  const anySubset = fc.record(record, { requiredKeys: [] });
  const known = required.length === 0 ? anySubset : fc.oneof({ weight: 9, arbitrary: withRequired }, { weight: 1, arbitrary: anySubset });
  return fc
    .tuple(known, fc.option(fc.dictionary(fc.constantFrom('extra', 'Extra_1', 'zz'), anyScalar), { nil: undefined }))
    .map(([k, extra]) => ({ ...k, ...extra }));
}

describe('compiled model parsing accepts exactly what class-validator accepts, and builds the same instances', () => {
  it.each(MODELS)('%s: 400 generated bodies (valid, wrong types, nulls, single items, unknown fields)', (_, Model) => {
    const parse = compileModel(Model);
    let accepted = 0;
    fc.assert(
      fc.property(bodyFor(Model), (body) => {
        const expected = reference(Model, structuredClone(body));
        const actual = parse(structuredClone(body));
        expect(actual.ok).toBe(expected.ok);
        if (expected.ok && actual.ok) {
          accepted += 1;
          expect(actual.value).toStrictEqual(expected.value);
        }
        // The generated parser decides the same alone: the walking one is only asked for a path.
        const alone = generatedDecision(Model, structuredClone(body));
        expect(alone.ok).toBe(expected.ok);
        if (expected.ok && alone.ok) expect(alone.value).toStrictEqual(expected.value);
      }),
      { numRuns: 400, seed: 20261129 },
    );
    // The generator really exercises both outcomes.
    expect(accepted).toBeGreaterThan(5);
  });

  it('rejects what is not a JSON object at the top', () => {
    const parse = compileModel(legacy.MatchedOffersResponse);
    for (const body of [null, [], 'x', 5]) expect(parse(body).ok).toBe(false);
  });

  it('names the first field that does not fit', () => {
    const parse = compileModel(legacy.MatchedOffersResponse);
    const result = parse({ Response: { Status: { Code: '600' }, Items: { MatchedOffer: [{ OfferId: 'a' }, { Headline: {} }] } } });
    expect(result).toEqual({ ok: false, path: 'Response.Items.MatchedOffer.1.Headline' });
  });

  it('never lets a body set an instance’s prototype', () => {
    const parse = compileModel(loyalty.UserAccessToken);
    const result = parse(JSON.parse('{"accessToken":"t","__proto__":{"polluted":true}}'));
    expect(result.ok && Object.getPrototypeOf(result.value)).toBe(loyalty.UserAccessToken.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it.each(MODELS)('%s is parsed by a generated function (named loads and stores)', (_, Model) => {
    expect(parsesWithGeneratedCode(Model)).toBe(true);
  });

  it('falls back to the walking parser for a field name that cannot be written as `raw.Name`, with the same answers', () => {
    class Odd {}
    registerWireField(Odd.prototype, 'data-id', { kind: 'text' });
    registerWireField(Odd.prototype, 'toString', { kind: 'counter' });
    const parse = compileModel(Odd);
    expect(parsesWithGeneratedCode(Odd)).toBe(false);
    expect(parse({ 'data-id': 5, toString: '7', extra: true })).toEqual({
      ok: true,
      value: Object.assign(new Odd(), { 'data-id': '5', toString: 7, extra: true }),
    });
    expect(parse({ toString: 'x' })).toEqual({ ok: false, path: 'toString' });
  });

  it('keeps unknown wire keys only when the answer has some, beside every known one', () => {
    const parse = compileModel(loyalty.UserAccessToken);
    const plain = parse({ accessToken: 't' });
    const extra = parse({ accessToken: 't', zz: 1, nested: { a: [1] } });
    expect(plain.ok && Object.keys(plain.value).filter((k) => (plain.value as Record<string, unknown>)[k] !== undefined)).toEqual(['accessToken']);
    expect(extra.ok && extra.value).toMatchObject({ accessToken: 't', zz: 1, nested: { a: [1] } });
  });
});
