import type { IdentifierProblem } from '../errors/invalid-user-id.error.js';

/** Longest user id or fId accepted, in characters (Unicode code points). */
export const MAX_IDENTIFIER_LENGTH = 256;

// C0 and C1 control characters and DEL: U+0000–U+001F, U+007F–U+009F (Unicode category Cc).
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Checks a user id or fId before it goes into `id:fId:time`. A `:` would let a caller forge the
 * other fields; control characters and lone surrogates would not survive the round trip.
 * Returns the problem, or `undefined` when the identifier is acceptable.
 */
export function findIdentifierProblem(value: unknown): IdentifierProblem | undefined {
  if (typeof value !== 'string') return 'not-a-string';
  if (value.length === 0) return 'empty';
  // length counts UTF-16 units, so only strings longer than the limit need a code point count.
  if (value.length > MAX_IDENTIFIER_LENGTH && codePointLength(value) > MAX_IDENTIFIER_LENGTH) return 'too-long';
  if (value.includes(':')) return 'contains-colon';
  if (CONTROL_CHARACTER.test(value)) return 'contains-control-character';
  if (!value.isWellFormed()) return 'malformed-unicode';
  return undefined;
}

/** The length of `value` in code points, as its iterator counts them (a lone surrogate is one), without building an array. */
function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--; // a surrogate pair: one code point
        i++;
      }
    }
  }
  return length;
}
