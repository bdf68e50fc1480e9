import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

// C0 and C1 control characters and DEL (U+0000–U+001F, U+007F–U+009F: category Cc): never legitimate in an id or a filter.
const CONTROL = /\p{Cc}/u;
const MAX_TEXT = 1024;

/**
 * Checks of typed params before any I/O. Each throws `InvalidArgumentError` naming the
 * parameter (its camelCase name, as the caller wrote it) and saying what it must be; the value
 * itself is never echoed.
 */
export const check = {
  /** Refuses `name` outright with `requirement`. */
  fail(name: string, requirement: string): never {
    throw new InvalidArgumentError(name, requirement);
  },

  /** A params object (or nothing, when every param is optional). */
  object(name: string, value: unknown, required = false): void {
    if (value === undefined && !required) return;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidArgumentError(name, required ? 'must be an object' : 'must be an object when given');
    }
  },

  /** A non-empty string without control characters. */
  text(name: string, value: unknown, required = false): void {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(name, 'must be a non-empty string');
    if (value.length > MAX_TEXT) throw new InvalidArgumentError(name, `must be at most ${MAX_TEXT} characters`);
    if (CONTROL.test(value) || !value.isWellFormed()) {
      throw new InvalidArgumentError(name, 'must not contain control characters or malformed Unicode');
    }
  },

  /** A whole number from `min` to `max`. */
  int(name: string, value: unknown, min: number, max = 2 ** 31 - 1): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(name, `must be a whole number from ${min} to ${max}`);
    }
  },

  /** A finite number from `min` to `max`. */
  number(name: string, value: unknown, min: number, max: number): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new InvalidArgumentError(name, `must be a number from ${min} to ${max}`);
    }
  },

  /** One of `allowed`. */
  oneOf(name: string, value: unknown, allowed: readonly unknown[], required = false): void {
    if (value === undefined && !required) return;
    if (!allowed.includes(value)) throw new InvalidArgumentError(name, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  },
};

/** A calendar date as `YYYY-MM-DD`: from a `Date` (its UTC day) or a string already in that form. */
export function isoDate(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(name, 'must be a valid date');
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const parsed = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value)) return value;
  }
  throw new InvalidArgumentError(name, 'must be a Date or a YYYY-MM-DD string');
}

/**
 * A legacy language tag (`Lang`): ISO 639-1 and ISO 3166-1 alpha-2 joined by an underscore
 * (`en_US`). The header form `en-US` is accepted and converted, so callers keep one locale form.
 */
export function legacyLang(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[a-z]{2}[-_][A-Z]{2}$/.test(value)) return value.replace('-', '_');
  throw new InvalidArgumentError(name, 'must be a language tag such as en_US (or en-US)');
}

/** A UTC offset `±HH:MM` (−12:00 to +14:00). */
export function isUtcOffset(value: unknown): value is string {
  const m = typeof value === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(value) : null;
  if (!m) return false;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return Number(m[3]) < 60 && (m[1] === '+' ? minutes <= 14 * 60 : minutes <= 12 * 60);
}

const LANGUAGE_TAG = /^[a-z]{2}[-_][A-Z]{2}$/;

/**
 * An `Accept-Language` value in the current API's hyphen form (`en-US`, or `en-US,en-AU`), or
 * `undefined` when `value` is not one. The legacy underscore form (`en_US`) is accepted and
 * converted, so callers keep one locale form for both APIs.
 */
export function acceptLanguage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const tags = value.split(',').map((t) => t.trim());
  if (tags.length === 0 || tags.length > 10 || !tags.every((t) => LANGUAGE_TAG.test(t))) return undefined;
  return tags.map((t) => t.replace('_', '-')).join(',');
}
