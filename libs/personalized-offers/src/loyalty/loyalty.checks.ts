import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { acceptLanguage, check, isoDate } from '../operations/param-checks.js';

/** Checks shared by the current API's operations; each throws `InvalidArgumentError` naming the parameter. */

/** `offset` ≥ 0 and `limit` ≥ 1. */
export function checkOffsetPaging(p: { offset?: number; limit?: number }): void {
  check.int('offset', p.offset, 0);
  check.int('limit', p.limit, 1);
}

/** A list of country codes (alpha-2 or alpha-3), each optionally marked `!` (exclusion). */
export function checkCountries(name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string' && /^!?[A-Za-z]{2,3}$/.test(c))) {
    throw new InvalidArgumentError(name, "must be a non-empty list of country codes such as 'USA' (a '!' marks an exclusion list)");
  }
}

/** A list of language tags (`en-US`, `en_US`) or `ALL`; returns the hyphen forms. */
export function languageList(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const tags = Array.isArray(value) ? value.map((v) => (v === 'ALL' ? 'ALL' : acceptLanguage(v))) : [undefined];
  if (tags.length === 0 || tags.some((t) => t === undefined || t.includes(','))) {
    throw new InvalidArgumentError(name, "must be a non-empty list of language tags such as 'en-US', or ['ALL']");
  }
  return tags as string[];
}

/** The `Accept-Language` header of a call: its own value, else the module default, else none. */
export function languageHeader(value: unknown, fallback: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return fallback === undefined ? undefined : { 'Accept-Language': fallback };
  const language = acceptLanguage(value);
  if (language === undefined) throw new InvalidArgumentError('acceptLanguage', "must be a language tag such as 'en-US', or a comma list of them");
  return { 'Accept-Language': language };
}

/** A start/end date pair, `YYYY-MM-DD` on the wire. */
export function checkDates(p: { startDate?: unknown; endDate?: unknown; dateFilter?: unknown }): void {
  isoDate('startDate', p.startDate);
  isoDate('endDate', p.endDate);
  check.oneOf('dateFilter', p.dateFilter, ['CREATED', 'UPDATED']);
}
