import type { IdentifierProblem } from '../errors/invalid-user-id.error.js';

/** Longest user id or fId accepted, in characters (Unicode code points). */
export const MAX_IDENTIFIER_LENGTH = 256;

// C0 and C1 control characters and DEL (Unicode category Cc).
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a user id or fId before it goes into `id:fId:time`. A `:` would let a caller forge the
 * other fields; control characters and lone surrogates would not survive the round trip.
 * Returns the problem, or `undefined` when the identifier is acceptable.
 */
export function findIdentifierProblem(value: unknown): IdentifierProblem | undefined {
  if (typeof value !== 'string') return 'not-a-string';
  if (value.length === 0) return 'empty';
  // length counts UTF-16 units, so only strings longer than the limit need a code point count.
  if (value.length > MAX_IDENTIFIER_LENGTH && [...value].length > MAX_IDENTIFIER_LENGTH) return 'too-long';
  if (value.includes(':')) return 'contains-colon';
  if (CONTROL_CHARACTER.test(value)) return 'contains-control-character';
  if (!value.isWellFormed()) return 'malformed-unicode';
  return undefined;
}
