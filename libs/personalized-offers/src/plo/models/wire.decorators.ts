// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Transform, Type, plainToInstance } from 'class-transformer';
import { IsArray, IsDefined, IsInt, IsNumber, IsObject, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { type WireField, registerWireField } from '../../http/model-compiler.js';
import { ResponseStatus } from '../../user-token/user-token.response.js';

/** Records the field for the compiled parser (`http/model-compiler.ts`), which must accept exactly what the validators do. */
export function wire(field: WireField): PropertyDecorator {
  return (target, key) => registerWireField(target, key, field);
}

/*
 * Tolerance rules shared by every legacy (/plo/v1, /plo/v2) response model. They hold for bodies
 * parsed with `plainToInstance(Model, json)` then `validateSync(instance)`, default options:
 * - no response field is required; `null` is accepted and becomes `undefined` (absent);
 * - unknown fields are kept as they came (neither decorator nor default options strip them);
 * - every list may arrive as a single object and is normalized to an array;
 * - the page counters arrive as strings (v1.5) or integers (v1.3) and become numbers;
 * - string fields holding numbers or money stay strings; a JSON number there becomes its string form.
 * Only the envelope (`Response`) and `Response.Status` are required: the caller reads `Response.Status.Code`.
 */

type Factory = () => new () => object;

/** Normalizations only apply when parsing the wire body (`plainToInstance`), never on `instanceToPlain`. */
const toClassOnly = { toClassOnly: true } as const;

/** Applies several property decorators as one. */
function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

/** True for a JSON object (not null, not an array). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional string; a JSON number becomes its string form (`10.2` → `"10.2"`), null becomes absent. */
export function Text(): PropertyDecorator {
  return compose(
    wire({ kind: 'text' }),
    IsOptional(),
    IsString(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : (value ?? undefined)), toClassOnly),
  );
}

/** Optional non-negative integer; a string of digits (`"25"`) becomes a number, anything else non-numeric fails validation. */
export function Counter(): PropertyDecorator {
  return compose(
    wire({ kind: 'counter' }),
    IsOptional(),
    IsInt(),
    Min(0),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : (value ?? undefined)), toClassOnly),
  );
}

/** Optional JSON number (finite), kept as sent; null becomes absent. */
export function Num(): PropertyDecorator {
  return compose(
    wire({ kind: 'number' }),
    IsOptional(),
    IsNumber(),
    Transform(({ value }: { value: unknown }) => value ?? undefined, toClassOnly),
  );
}

/**
 * Optional nested object of class `type()`; null becomes absent, an array or a scalar fails validation.
 * `prepare` rewrites the raw wire value first (e.g. a legacy spelling); when it changes it, the rewritten value is converted.
 */
export function Nested(type: Factory, prepare?: (raw: unknown) => unknown): PropertyDecorator {
  return compose(
    wire({ kind: 'nested', type, ...(prepare ? { prepare } : {}) }),
    IsOptional(),
    IsObject(),
    ValidateNested(),
    Type(type),
    Transform(({ value, obj, key }: { value: unknown; obj: unknown; key: string }) => {
      if (prepare) {
        const raw = (obj as Record<string, unknown>)[key];
        const fixed = prepare(raw);
        if (fixed !== raw) return plainToInstance(type(), fixed);
      }
      return value ?? undefined;
    }, toClassOnly),
  );
}

/** Optional list of `type()` objects; a single object becomes a one-element array (applied after @Type conversion), null becomes absent. */
export function ListOf(type: Factory): PropertyDecorator {
  return compose(
    wire({ kind: 'list', type }),
    IsOptional(),
    IsArray(),
    IsObject({ each: true }),
    ValidateNested(),
    Type(type),
    Transform(({ value }: { value: unknown }) => (value == null ? undefined : Array.isArray(value) ? value : [value]), toClassOnly),
  );
}

/** Required object of class `type()`: the `Response` envelope must be there for the caller to read its `Status`. */
export function Envelope(type: Factory): PropertyDecorator {
  return compose(wire({ kind: 'nested', type, required: true }), IsDefined(), IsObject(), ValidateNested(), Type(type));
}

/** Required legacy `Status` (the shared `ResponseStatus`, `Code` required); a numeric `Code` (v1.3 example `600`) becomes `"600"`. */
export function LegacyStatus(): PropertyDecorator {
  return compose(
    wire({ kind: 'nested', type: () => ResponseStatus, required: true, prepare: numericCodeAsText }),
    IsDefined(),
    IsObject(),
    ValidateNested(),
    Type(() => ResponseStatus),
    Transform(({ value }: { value: unknown }) => {
      const code: unknown = value instanceof ResponseStatus ? value.Code : undefined;
      if (typeof code === 'number') (value as ResponseStatus).Code = String(code);
      return value;
    }, toClassOnly),
  );
}

/** The compiled form of `LegacyStatus`'s transform: a numeric `Code` becomes its string form. */
function numericCodeAsText(raw: unknown): unknown {
  return isRecord(raw) && typeof raw.Code === 'number' ? { ...raw, Code: String(raw.Code) } : raw;
}

/** For `Nested(…, prepare)`: moves the raw object's `from` key (a legacy spelling) to `to` when `to` is absent. */
export function renameKey(from: string, to: string): (raw: unknown) => unknown {
  return (raw) => {
    if (!isRecord(raw) || !(from in raw) || raw[to] != null) return raw;
    const { [from]: moved, ...rest } = raw;
    return { ...rest, [to]: moved };
  };
}

/** For `Nested(…, prepare)`: a non-empty object without the `listKey` wrapper is a bare item; wraps it as `{ [listKey]: [item] }`. */
export function wrapBareItem(listKey: string): (raw: unknown) => unknown {
  return (raw) => (isRecord(raw) && !(listKey in raw) && Object.keys(raw).length > 0 ? { [listKey]: [raw] } : raw);
}
