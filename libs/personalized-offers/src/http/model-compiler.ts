/**
 * Compiled parsing of the wire models: the model decorators (`Text`, `Counter`, `ListOf`, …)
 * also record here what each field accepts, and `compileModel(Model)` turns that into one plain
 * function per class that builds the instance and validates it in a single walk, without
 * class-transformer's and class-validator's per-value machinery (a 50-offer page: ~13 ms that
 * way, well under 1 ms this way). It accepts exactly what `plainToInstance` + `validateSync`
 * accept and builds the same values: `model-compiler.spec.ts` checks both on every spec example
 * and on thousands of mutated bodies.
 */

type Ctor = new () => object;

/** What one field accepts, and how its wire value is normalized. */
export type WireField =
  | { kind: 'text' } // string; a number becomes its string form
  | { kind: 'counter' } // integer ≥ 0; a string of digits becomes a number
  | { kind: 'number' } // a JSON number
  | { kind: 'int' } // a JSON integer
  | { kind: 'flag' } // a JSON boolean
  | { kind: 'status-code' } // integer; a string of (signed) digits becomes a number
  | { kind: 'text-or-number' } // a string or a finite number, kept as sent
  | { kind: 'text-list' } // list of strings; a bare value becomes a list; number items become strings
  | { kind: 'int-list' } // list of integers; a bare value becomes a list
  | { kind: 'nested'; type: () => Ctor; prepare?: (raw: unknown) => unknown; required?: boolean }
  | { kind: 'list'; type: () => Ctor }
  | { kind: 'required-text' } // a non-empty string, required
  | { kind: 'string' } // a string, nothing converted
  | { kind: 'required-string' }; // a string (empty allowed), required

/** Recorded fields by class (a constructor: any object that decorators saw as `target.constructor`). */
const FIELDS = new Map<object, Map<string, WireField>>();

/** Records what `key` of `target`'s class accepts (called by the model decorators). */
export function registerWireField(target: object, key: string | symbol, field: WireField): void {
  const ctor = target.constructor;
  let fields = FIELDS.get(ctor);
  if (!fields) FIELDS.set(ctor, (fields = new Map<string, WireField>()));
  fields.set(String(key), field);
}

/** The fields of `ctor`, inherited ones included (a subclass's own win). */
function fieldsOf(ctor: object): Map<string, WireField> | undefined {
  const chain: Map<string, WireField>[] = [];
  for (let c: object | null = ctor; c && c !== Object && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) {
    const own = FIELDS.get(c);
    if (own) chain.unshift(own);
  }
  if (chain.length === 0) return undefined;
  return new Map(chain.flatMap((m) => [...m]));
}

/**
 * Thrown inside a compiled parser: the failing path relative to the object being parsed. Caught
 * by `compileModel`'s parser, never seen outside; only a failing body pays for one.
 */
class Invalid extends Error {
  constructor(readonly path: string) {
    super('invalid wire value');
  }
}

/** `inner` prefixed with `key` as the failure travels up (paths are only built on failure). */
const under = (key: string | number, inner: string): string => (inner === '' ? String(key) : `${key}.${inner}`);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const DIGITS = /^\s*\d+\s*$/;
const SIGNED_DIGITS = /^\s*-?\d+\s*$/;

type Parser = (raw: Record<string, unknown>) => object;

/** How deep an unknown field may nest (objects and arrays) and still be kept. */
export const MAX_UNKNOWN_DEPTH = 32;

/** Whether `value` nests at most `limit` levels; recursion bounded by `limit` itself. */
function withinDepth(value: object, limit: number): boolean {
  if (limit <= 0) return false;
  const children: readonly unknown[] = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    if (typeof child === 'object' && child !== null && !withinDepth(child, limit - 1)) return false;
  }
  return true;
}
const compiled = new Map<object, Parser>();
const FAIL = new Invalid('');

/** The field's normalized value (`undefined` = absent); throws `Invalid` with a path relative to the field. */
function fieldValue(field: WireField, value: unknown): unknown {
  if (field.kind === 'required-text') {
    if (typeof value !== 'string' || value.length === 0) throw FAIL;
    return value;
  }
  if (field.kind === 'required-string') {
    if (typeof value !== 'string') throw FAIL;
    return value;
  }
  if (field.kind === 'nested' && field.prepare) value = field.prepare(value);
  if (value === null || value === undefined) {
    if (field.kind === 'nested' && field.required) throw FAIL;
    return undefined;
  }
  switch (field.kind) {
    case 'text':
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') throw FAIL;
      return value;
    case 'string':
      if (typeof value !== 'string') throw FAIL;
      return value;
    case 'counter': {
      const n = typeof value === 'string' && DIGITS.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw FAIL;
      return n;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw FAIL;
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw FAIL;
      return value;
    case 'flag':
      if (typeof value !== 'boolean') throw FAIL;
      return value;
    case 'status-code': {
      const n = typeof value === 'string' && SIGNED_DIGITS.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw FAIL;
      return n;
    }
    case 'text-or-number':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) throw FAIL;
      return value;
    case 'text-list': {
      const list = Array.isArray(value) ? value : [value];
      return list.map((item, i) => {
        if (typeof item === 'number') return String(item);
        if (typeof item !== 'string') throw new Invalid(String(i));
        return item;
      });
    }
    case 'int-list': {
      const list = Array.isArray(value) ? value : [value];
      for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'number' || !Number.isInteger(list[i])) throw new Invalid(String(i));
      return list;
    }
    case 'nested':
      if (!isRecord(value)) throw FAIL;
      return parserOf(field.type())(value);
    case 'list': {
      const list = Array.isArray(value) ? value : [value];
      const parse = parserOf(field.type());
      const out = new Array<object>(list.length);
      for (let i = 0; i < list.length; i++) {
        const item: unknown = list[i];
        if (!isRecord(item)) throw new Invalid(String(i));
        try {
          out[i] = parse(item);
        } catch (error) {
          throw error instanceof Invalid ? new Invalid(under(i, error.path)) : error;
        }
      }
      return out;
    }
  }
}

function parserOf(ctor: Ctor): Parser {
  let parser = compiled.get(ctor);
  if (parser) return parser;
  const fields = fieldsOf(ctor);
  if (!fields) throw new Error(`${ctor.name} has no wire fields registered.`);
  const required = [...fields]
    .filter(([, f]) => f.kind === 'required-text' || f.kind === 'required-string' || (f.kind === 'nested' && f.required))
    .map(([k]) => k);
  parser = (raw) => {
    const out = new ctor() as Record<string, unknown>;
    for (const key in raw) {
      if (key === '__proto__') continue; // never let a body pick an instance's prototype
      const field = fields.get(key);
      if (field === undefined) {
        // Unknown fields are kept as they came, to a bounded depth: one nested past it is dropped,
        // so a result is always serializable (`JSON.stringify` recurses).
        const value = raw[key];
        if (typeof value !== 'object' || value === null || withinDepth(value, MAX_UNKNOWN_DEPTH)) out[key] = value;
        continue;
      }
      let value: unknown;
      try {
        value = fieldValue(field, raw[key]);
      } catch (error) {
        throw error instanceof Invalid ? new Invalid(under(key, error.path)) : error;
      }
      if (value !== undefined) out[key] = value;
    }
    for (const key of required) if (out[key] === undefined) throw new Invalid(key);
    return out;
  };
  compiled.set(ctor, parser);
  return parser;
}

/** True when `ctor` (or a base class) declared its fields with the wire decorators. */
export function hasWireFields(ctor: object): boolean {
  return fieldsOf(ctor) !== undefined;
}

/** What a compiled parser gives: the instance, or the path of the first field that does not fit. */
export type CompiledResult<T> = { ok: true; value: T } | { ok: false; path: string };

/** The compiled parser of `Model`: builds and validates an instance from parsed JSON in one walk. */
export function compileModel<T extends object>(Model: new () => T): (json: unknown) => CompiledResult<T> {
  const parse = parserOf(Model);
  return (json) => {
    if (!isRecord(json)) return { ok: false, path: '' };
    try {
      return { ok: true, value: parse(json) as T };
    } catch (error) {
      if (error instanceof Invalid) return { ok: false, path: error.path };
      throw error;
    }
  };
}

/** The recorded fields of `ctor` (inherited ones included), for tests that generate bodies from them. */
export function wireFieldsOf(ctor: object): ReadonlyMap<string, WireField> {
  return fieldsOf(ctor) ?? new Map();
}
