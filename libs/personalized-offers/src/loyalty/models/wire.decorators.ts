import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, ValidateBy } from 'class-validator';

/*
 * Decorators for the `/loyalty/offers/*` response models (user presentment and platform admin).
 * The legacy ones are re-exported unchanged, so the models import everything from this file.
 * Same rules as the legacy family (`plainToInstance(Model, json)` then `validateSync(instance)`):
 * no field is required, `null` is accepted and becomes `undefined` (absent), unknown fields are
 * kept, every list is normalized to an array. Unlike the legacy family, numbers and booleans must
 * be JSON numbers and booleans: a numeric or boolean string fails validation (no coercion).
 */
export { ListOf, Nested, Num, Text } from '../../plo/models/wire.decorators.js';
import { wire } from '../../plo/models/wire.decorators.js';

/** Normalizations only apply when parsing the wire body (`plainToInstance`), never on `instanceToPlain`. */
const toClassOnly = { toClassOnly: true } as const;

/** Applies several property decorators as one. */
function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

/** `null` → absent; an array stays; anything else becomes a one-element array (then validated item by item). */
function asList(value: unknown): unknown[] | undefined {
  return value == null ? undefined : Array.isArray(value) ? value : [value];
}

/** Optional JSON integer (any sign), kept as sent; null becomes absent; a string (`"5"`) or a fraction fails validation. */
export function Int(): PropertyDecorator {
  return compose(
    wire({ kind: 'int' }),
    IsOptional(),
    IsInt(),
    Transform(({ value }: { value: unknown }) => value ?? undefined, toClassOnly),
  );
}

/** Optional JSON boolean; null becomes absent; a string (`"true"`) or a number fails validation. */
export function Flag(): PropertyDecorator {
  return compose(
    wire({ kind: 'flag' }),
    IsOptional(),
    IsBoolean(),
    Transform(({ value }: { value: unknown }) => value ?? undefined, toClassOnly),
  );
}

/**
 * Optional list of strings; a bare string (the spec's `tags` example `"Westpac"`) becomes a one-element array,
 * a JSON number item becomes its string form (as `Text()` does), null becomes absent; any other item fails validation.
 */
export function TextList(): PropertyDecorator {
  return compose(
    wire({ kind: 'text-list' }),
    IsOptional(),
    IsArray(),
    IsString({ each: true }),
    Transform(({ value }: { value: unknown }) => asList(value)?.map((item) => (typeof item === 'number' ? String(item) : item)), toClassOnly),
  );
}

/** Optional list of JSON integers; a bare integer becomes a one-element array, null becomes absent; a string item fails validation. */
export function IntList(): PropertyDecorator {
  return compose(
    wire({ kind: 'int-list' }),
    IsOptional(),
    IsArray(),
    IsInt({ each: true }),
    Transform(({ value }: { value: unknown }) => asList(value), toClassOnly),
  );
}

/**
 * Optional platform-admin `status.code`: int32 in the spec (`200`), but the reference app's mock sends `600`
 * and other families send the code as a string, so a string of digits (`"600"`) becomes a number; anything else fails validation.
 */
export function StatusCode(): PropertyDecorator {
  return compose(
    wire({ kind: 'status-code' }),
    IsOptional(),
    IsInt(),
    Transform(
      ({ value }: { value: unknown }) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : (value ?? undefined)),
      toClassOnly,
    ),
  );
}

/**
 * Optional string or finite JSON number, kept exactly as sent (no conversion either way); null becomes absent.
 * For `transactionSequenceNumber`: an integer in the spec, yet "may be formatted with leading zeros", so possibly a string.
 */
export function TextOrNumber(): PropertyDecorator {
  return compose(
    wire({ kind: 'text-or-number' }),
    IsOptional(),
    ValidateBy({
      name: 'isStringOrNumber',
      validator: {
        validate: (value: unknown) => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a string or a number`,
      },
    }),
    Transform(({ value }: { value: unknown }) => value ?? undefined, toClassOnly),
  );
}
