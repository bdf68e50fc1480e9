/**
 * Compiled parsing of the wire models: the model decorators (`Text`, `Counter`, `ListOf`, …)
 * also record here what each field accepts, and `compileModel(Model)` turns that into one plain
 * function per class that builds the instance and validates it in a single walk, without
 * class-transformer's and class-validator's per-value machinery (a 50-offer page: ~13 ms that
 * way, well under 1 ms this way). Where it can, the function is generated (`generatedParserOf`)
 * with one named load and store per field; the walking form names the failing field. Both accept
 * exactly what `plainToInstance` + `validateSync` accept and build the same values: `model-compiler.spec.ts` checks both on every spec example
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
const generated = new Map<object, Parser>();
const compiled = new Map<object, Parser>();
const FAIL = new Invalid('');

/** The field's normalized value (`undefined` = absent); throws `Invalid` with a path relative to the field. */
function fieldValue(field: WireField, value: unknown, fast = false): unknown {
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
      return parserOf(field.type(), fast)(value);
    case 'list': {
      const list = Array.isArray(value) ? value : [value];
      const parse = parserOf(field.type(), fast);
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

/**
 * The parser of `ctor`. `fast`: the generated one (`generatedParserOf`) where it can be made; it
 * decides exactly what the walking one decides, but names no path on failure (the caller asks the
 * walking one for that, failures being rare).
 */
function parserOf(ctor: Ctor, fast = false): Parser {
  const cache = fast ? generated : compiled;
  let parser = cache.get(ctor);
  if (parser) return parser;
  const fields = fieldsOf(ctor);
  if (!fields) throw new Error(`${ctor.name} has no wire fields registered.`);
  const required = [...fields]
    .filter(([, f]) => f.kind === 'required-text' || f.kind === 'required-string' || (f.kind === 'nested' && f.required))
    .map(([k]) => k);
  parser = (fast ? generatedParserOf(ctor, fields, required) : undefined) ?? walkingParserOf(ctor, fields, required);
  cache.set(ctor, parser);
  return parser;
}

/** The walking parser: the wire object's keys in order, each looked up; names the first field that does not fit. */
function walkingParserOf(ctor: Ctor, fields: Map<string, WireField>, required: string[]): Parser {
  return (raw) => {
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
}

/** Field names a generated parser may write as `raw.Name` / `out.Name`: identifiers not inherited from `Object.prototype`. */
const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A parser generated for `ctor` with `new Function`: one named load per declared field
 * (`raw.OfferId`), its check written out inline for its kind (`inlineCheck`: no shared
 * `fieldValue` switch, nested and list parsers called directly), one named store
 * (`out.OfferId = v`), so V8 sees fixed property names and monomorphic checks instead of the
 * walking parser's keyed loads and stores (a 50-offer page: ~100 µs → ~30 µs). Unknown wire keys
 * are only walked when the answer has any (counted first). The source is made of the model's own
 * field names and the fixed text of `inlineCheck` only, each name checked to be a plain
 * identifier: nothing of an answer ever goes into it. `undefined` (the walking parser is used) when a name does not fit or
 * code generation is disallowed (`--disallow-code-generation-from-strings`).
 */
function generatedParserOf(ctor: Ctor, fields: Map<string, WireField>, required: string[]): Parser | undefined {
  const names = [...fields.keys()];
  if (!names.every((name) => PLAIN_NAME.test(name) && !(name in Object.prototype))) return undefined;
  const checks = names.map((name) => {
    const field = fields.get(name) as WireField;
    return (value: unknown): unknown => fieldValue(field, value, true);
  });
  const known = Object.create(null) as Record<string, true | undefined>;
  for (const name of names) known[name] = true;
  const copyUnknown = (raw: Record<string, unknown>, out: Record<string, unknown>): void => {
    for (const key in raw) {
      if (key === '__proto__' || known[key] === true) continue;
      const value = raw[key];
      if (typeof value !== 'object' || value === null || withinDepth(value, MAX_UNKNOWN_DEPTH)) out[key] = value;
    }
  };
  // Child parsers (nested models, list items) are resolved on first use: `type` is a thunk, and a
  // model may refer to one declared after it.
  const children = names.map((name) => {
    const field = fields.get(name) as WireField;
    return field.kind === 'nested' || field.kind === 'list' ? field.type : undefined;
  });
  const child = (i: number): Parser => parserOf((children[i] as () => Ctor)(), true);
  let source = names.map((_, i) => (children[i] ? `let P${i};\n` : '')).join('');
  source += 'return function parse(raw) {\n  const out = new Ctor();\n  let seen = 0;\n  let v;\n';
  names.forEach((name, i) => {
    source += `  v = raw.${name};\n  if (v !== undefined) {\n    seen++;\n${inlineCheck(fields.get(name) as WireField, i)}    if (v !== undefined) out.${name} = v;\n  }\n`;
  });
  source += '  let keys = 0;\n  for (const key in raw) keys++;\n  if (keys !== seen) copyUnknown(raw, out);\n';
  for (const name of required) source += `  if (out.${name} === undefined) throw FAIL;\n`;
  source += '  return out;\n};';
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the model's own field names (checked identifiers), never from an answer
    const make = new Function('Ctor', 'check', 'copyUnknown', 'FAIL', 'child', 'DIGITS', 'SIGNED_DIGITS', source) as (...args: unknown[]) => Parser;
    const parser = make(ctor, checks, copyUnknown, FAIL, child, DIGITS, SIGNED_DIGITS);
    GENERATED.add(parser);
    return parser;
  } catch {
    return undefined;
  }
}

/**
 * The generated statements that check and normalize `v` (the wire value of field `i`, not
 * `undefined`) as {@link fieldValue} does, leaving `v` as the value to store (`undefined`: absent)
 * or throwing `FAIL`. The kinds that are rare or need a loop with paths (`text-list`, `int-list`,
 * a `nested` with `prepare`) call `fieldValue` itself through `check[i]`.
 */
function inlineCheck(field: WireField, i: number): string {
  const fail = 'throw FAIL;';
  const present = (body: string) => `    if (v === null) v = undefined;\n    else {\n${body}    }\n`;
  switch (field.kind) {
    case 'required-text':
      return `    if (typeof v !== 'string' || v.length === 0) ${fail}\n`;
    case 'required-string':
      return `    if (typeof v !== 'string') ${fail}\n`;
    case 'text':
      return present(`      if (typeof v === 'number') v = String(v);\n      else if (typeof v !== 'string') ${fail}\n`);
    case 'string':
      return present(`      if (typeof v !== 'string') ${fail}\n`);
    case 'counter':
      return present(
        `      if (typeof v === 'string' && DIGITS.test(v)) v = Number(v);\n      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) ${fail}\n`,
      );
    case 'number':
      return present(`      if (typeof v !== 'number' || !Number.isFinite(v)) ${fail}\n`);
    case 'int':
      return present(`      if (typeof v !== 'number' || !Number.isInteger(v)) ${fail}\n`);
    case 'flag':
      return present(`      if (typeof v !== 'boolean') ${fail}\n`);
    case 'status-code':
      return present(
        `      if (typeof v === 'string' && SIGNED_DIGITS.test(v)) v = Number(v);\n      if (typeof v !== 'number' || !Number.isInteger(v)) ${fail}\n`,
      );
    case 'text-or-number':
      return present(`      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) ${fail}\n`);
    case 'nested':
      if (field.prepare) break;
      // A required one left absent fails at the end, with the other required fields.
      return present(`      if (typeof v !== 'object' || Array.isArray(v)) ${fail}\n      v = (P${i} ??= child(${i}))(v);\n`);
    case 'list':
      return present(
        `      const list = Array.isArray(v) ? v : [v];\n      const parse = (P${i} ??= child(${i}));\n      const items = new Array(list.length);\n` +
          `      for (let j = 0; j < list.length; j++) {\n        const item = list[j];\n        if (typeof item !== 'object' || item === null || Array.isArray(item)) ${fail}\n        items[j] = parse(item);\n      }\n      v = items;\n`,
      );
    case 'text-list':
    case 'int-list':
      break;
  }
  return `    v = check[${i}](v);\n`;
}

const GENERATED = new WeakSet<Parser>();

/** Whether `Model` is parsed by a generated function (for tests: every model of this API should be). */
export function parsesWithGeneratedCode(Model: new () => object): boolean {
  return GENERATED.has(parserOf(Model, true));
}

/**
 * What the generated parser of `Model` decides alone, without the walking parser's second look
 * (for tests: it must decide what the walking one decides, not lean on it).
 */
export function generatedDecision(Model: new () => object, json: Record<string, unknown>): { ok: true; value: object } | { ok: false } {
  try {
    return { ok: true, value: parserOf(Model, true)(json) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false };
    throw error;
  }
}

/** True when `ctor` (or a base class) declared its fields with the wire decorators. */
export function hasWireFields(ctor: object): boolean {
  return fieldsOf(ctor) !== undefined;
}

/** What a compiled parser gives: the instance, or the path of the first field that does not fit. */
export type CompiledResult<T> = { ok: true; value: T } | { ok: false; path: string };

/** The compiled parser of `Model`: builds and validates an instance from parsed JSON in one walk. */
export function compileModel<T extends object>(Model: new () => T): (json: unknown) => CompiledResult<T> {
  const fast = parserOf(Model, true);
  const walking = parserOf(Model);
  const walk = (json: Record<string, unknown>): CompiledResult<T> => {
    try {
      return { ok: true, value: walking(json) as T };
    } catch (error) {
      if (error instanceof Invalid) return { ok: false, path: error.path };
      throw error;
    }
  };
  return (json) => {
    if (!isRecord(json)) return { ok: false, path: '' };
    try {
      return { ok: true, value: fast(json) as T };
    } catch (error) {
      // The generated parser names no path: the walking one decides again and names it (the
      // input is untouched: parsers build new objects and never write into the answer).
      if (error instanceof Invalid) return walk(json);
      throw error;
    }
  };
}

/** The recorded fields of `ctor` (inherited ones included), for tests that generate bodies from them. */
export function wireFieldsOf(ctor: object): ReadonlyMap<string, WireField> {
  return fieldsOf(ctor) ?? new Map();
}
