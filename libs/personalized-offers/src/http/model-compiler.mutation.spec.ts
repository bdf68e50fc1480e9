import { type WireField, compileModel, hasWireFields, registerWireField, wireFieldsOf } from './model-compiler.js';

/** A fresh class with `fields` registered (each test gets its own, so compiled parsers never mix). */
function model(fields: Record<string, WireField>, Base?: new () => object): new () => object {
  const Model = Base
    ? class extends Base {}
    : class {
        [field: string]: unknown;
      };
  for (const [key, field] of Object.entries(fields)) registerWireField(Model.prototype, key, field);
  return Model;
}

const parseWith = (field: WireField) => compileModel(model({ f: field }));
const value = (field: WireField, raw: unknown) => {
  const result = parseWith(field)({ f: raw });
  return result.ok ? (result.value as Record<string, unknown>).f : { failedAt: result.path };
};
const FAIL = { failedAt: 'f' };

describe('compiled parsers: one field kind at a time', () => {
  it('text: strings as sent, numbers as their string form, anything else fails; null/absent is absent', () => {
    expect([value({ kind: 'text' }, 'a'), value({ kind: 'text' }, 1.5), value({ kind: 'text' }, true)]).toEqual(['a', '1.5', FAIL]);
    const result = parseWith({ kind: 'text' })({ f: null });
    expect(result.ok && 'f' in result.value).toBe(false);
  });

  it('string: only strings', () => {
    expect([value({ kind: 'string' }, ''), value({ kind: 'string' }, 1)]).toEqual(['', FAIL]);
  });

  it('counter: whole numbers from 0, and strings of digits (spaces around allowed)', () => {
    const f: WireField = { kind: 'counter' };
    expect([value(f, 0), value(f, 7), value(f, ' 12 '), value(f, '007')]).toEqual([0, 7, 12, 7]);
    for (const bad of [-1, 1.5, '-1', '1.0', '', 'x', true]) expect([bad, value(f, bad)]).toEqual([bad, FAIL]);
  });

  it('number: finite JSON numbers only', () => {
    const f: WireField = { kind: 'number' };
    expect([value(f, -1.5), value(f, 0)]).toEqual([-1.5, 0]);
    for (const bad of [Infinity, NaN, '1']) expect([bad, value(f, bad)]).toEqual([bad, FAIL]);
  });

  it('int: JSON integers of any sign only', () => {
    const f: WireField = { kind: 'int' };
    expect([value(f, -3), value(f, 0)]).toEqual([-3, 0]);
    for (const bad of [1.5, '5']) expect([bad, value(f, bad)]).toEqual([bad, FAIL]);
  });

  it('flag: booleans only', () => {
    expect([value({ kind: 'flag' }, false), value({ kind: 'flag' }, 'true'), value({ kind: 'flag' }, 0)]).toEqual([false, FAIL, FAIL]);
  });

  it('status-code: integers, and strings of signed digits', () => {
    const f: WireField = { kind: 'status-code' };
    expect([value(f, 600), value(f, '600'), value(f, ' -1 '), value(f, -2)]).toEqual([600, 600, -1, -2]);
    for (const bad of ['Success', 2.5, '', '+1', '1-']) expect([bad, value(f, bad)]).toEqual([bad, FAIL]);
  });

  it('text-or-number: strings and finite numbers, kept as sent', () => {
    const f: WireField = { kind: 'text-or-number' };
    expect([value(f, '000123'), value(f, 5)]).toEqual(['000123', 5]);
    for (const bad of [true, Infinity, {}]) expect([bad, value(f, bad)]).toEqual([bad, FAIL]);
  });

  it('text-list: a list (a bare value becomes one), number items as strings; the failing index is named', () => {
    const f: WireField = { kind: 'text-list' };
    expect([value(f, ['a', 2]), value(f, 'solo'), value(f, 3), value(f, [])]).toEqual([['a', '2'], ['solo'], ['3'], []]);
    expect(value(f, ['a', 'b', {}])).toEqual({ failedAt: 'f.2' });
    expect(value(f, [null])).toEqual({ failedAt: 'f.0' });
  });

  it('int-list: a list of integers (a bare one becomes a list); the failing index is named', () => {
    const f: WireField = { kind: 'int-list' };
    expect([value(f, [1, -2]), value(f, 4)]).toEqual([[1, -2], [4]]);
    expect(value(f, [1, 2, '3'])).toEqual({ failedAt: 'f.2' });
    expect(value(f, [1.5])).toEqual({ failedAt: 'f.0' });
  });

  it('required-text: a non-empty string that must be there', () => {
    const Model = model({ f: { kind: 'required-text' } });
    const parse = compileModel(Model);
    expect(parse({ f: 'x' })).toEqual({ ok: true, value: Object.assign(new Model(), { f: 'x' }) });
    for (const body of [{}, { f: '' }, { f: null }, { f: 1 }]) expect(parse(body)).toEqual({ ok: false, path: 'f' });
  });

  it('required-string: any string, empty too, that must be there', () => {
    const parse = compileModel(model({ f: { kind: 'required-string' } }));
    expect(parse({ f: '' }).ok).toBe(true);
    for (const body of [{}, { f: null }, { f: 0 }]) expect(parse(body)).toEqual({ ok: false, path: 'f' });
  });
});

describe('compiled parsers: nesting, lists and the object itself', () => {
  const Inner = model({ name: { kind: 'required-text' }, n: { kind: 'counter' } });

  it('nested: an object parsed into its class; prepare runs first; required ones must be there', () => {
    const Outer = model({
      inner: { kind: 'nested', type: () => Inner },
      must: { kind: 'nested', type: () => Inner, required: true, prepare: (raw) => (raw === 'empty' ? null : raw) },
    });
    const parse = compileModel(Outer);
    const ok = parse({ inner: { name: 'a', n: '2' }, must: { name: 'b' } });
    expect(ok.ok).toBe(true);
    const value = (ok as { value: Record<string, unknown> }).value;
    expect(value.inner).toBeInstanceOf(Inner);
    expect(value.inner).toEqual(Object.assign(new Inner(), { name: 'a', n: 2 }));
    expect(parse({ must: 'empty' })).toEqual({ ok: false, path: 'must' });
    expect(parse({})).toEqual({ ok: false, path: 'must' });
    expect(parse({ must: { name: 'b' }, inner: [] })).toEqual({ ok: false, path: 'inner' });
    expect(parse({ must: { name: 'b' }, inner: { n: 1 } })).toEqual({ ok: false, path: 'inner.name' });
    expect(parse({ must: { name: 'b' }, inner: null }).ok).toBe(true);
  });

  it('list: objects parsed into their class (a bare object becomes a list); the failing path has the index', () => {
    const Outer = model({ items: { kind: 'list', type: () => Inner } });
    const parse = compileModel(Outer);
    const ok = parse({ items: { name: 'solo' } });
    expect(ok.ok && (ok.value as { items: unknown[] }).items).toEqual([Object.assign(new Inner(), { name: 'solo' })]);
    expect(parse({ items: [{ name: 'a' }, { name: 'b', n: -1 }] })).toEqual({ ok: false, path: 'items.1.n' });
    expect(parse({ items: [{ name: 'a' }, 'x'] })).toEqual({ ok: false, path: 'items.1' });
    expect(parse({ items: [{}] })).toEqual({ ok: false, path: 'items.0.name' });
  });

  it('keeps unknown fields as they came, never __proto__, and leaves absent fields out', () => {
    const Model = model({ a: { kind: 'text' } });
    const result = compileModel(Model)(JSON.parse('{"extra":{"x":1},"__proto__":{"polluted":true},"a":null}'));
    expect(result.ok).toBe(true);
    const value = (result as { value: Record<string, unknown> }).value;
    expect(Object.keys(value)).toEqual(['extra']);
    expect(value.extra).toEqual({ x: 1 });
    expect(Object.getPrototypeOf(value)).toBe(Model.prototype);
  });

  it('the top level must be an object', () => {
    const parse = compileModel(model({ a: { kind: 'text' } }));
    for (const json of [null, [], 'x', 1, undefined]) expect(parse(json)).toEqual({ ok: false, path: '' });
  });

  it('errors that are not a misfit (a bug in a prepare hook) are thrown, not reported as a path', () => {
    const bug = new Error('bug');
    const parse = compileModel(
      model({
        f: {
          kind: 'nested',
          type: () => Inner as never,
          prepare: () => {
            throw bug;
          },
        },
      }),
    );
    expect(() => parse({ f: {} })).toThrow(bug);
    const inList = compileModel(
      model({
        items: {
          kind: 'list',
          type: () =>
            model({
              f: {
                kind: 'nested',
                type: () => Inner,
                prepare: () => {
                  throw bug;
                },
              },
            }) as never,
        },
      }),
    );
    expect(() => inList({ items: [{ f: 1 }] })).toThrow(bug);
  });
});

describe('wire field registry', () => {
  it('inherits the fields of base classes, a subclass’s own winning', () => {
    const Base = model({ a: { kind: 'text' }, b: { kind: 'text' } });
    const Sub = model({ b: { kind: 'counter' }, c: { kind: 'flag' } }, Base);
    expect([...wireFieldsOf(Sub)]).toEqual([
      ['a', { kind: 'text' }],
      ['b', { kind: 'counter' }],
      ['c', { kind: 'flag' }],
    ]);
    expect(compileModel(Sub)({ a: 1, b: '2', c: true })).toEqual({ ok: true, value: Object.assign(new Sub(), { a: '1', b: 2, c: true }) });
    // A subclass without fields of its own still has its base's.
    class Plain extends Base {}
    expect(hasWireFields(Plain)).toBe(true);
  });

  it('a class without wire fields has none, and cannot be compiled', () => {
    class Nothing {
      declare plain?: string; // a property, but not a wire field
    }
    expect(hasWireFields(Nothing)).toBe(false);
    expect(wireFieldsOf(Nothing).size).toBe(0);
    expect(() => compileModel(Nothing)).toThrow('Nothing has no wire fields registered.');
  });

  it('registering a field again replaces it, and symbols are stored by name', () => {
    const Model = model({ a: { kind: 'text' } });
    registerWireField(Model.prototype, 'a', { kind: 'counter' });
    registerWireField(Model.prototype, Symbol.for('s'), { kind: 'flag' });
    expect([...wireFieldsOf(Model).keys()]).toEqual(['a', 'Symbol(s)']);
    expect(wireFieldsOf(Model).get('a')).toEqual({ kind: 'counter' });
  });

  it('compiles each class once and reuses the parser', () => {
    const Model = model({ a: { kind: 'text' } });
    const first = compileModel(Model);
    registerWireField(Model.prototype, 'b', { kind: 'flag' });
    // The parser compiled first does not see fields registered later.
    expect(compileModel(Model)({ b: 'not a flag' }).ok).toBe(true);
    expect(first({ a: 1 })).toEqual({ ok: true, value: Object.assign(new Model(), { a: '1' }) });
  });
});
