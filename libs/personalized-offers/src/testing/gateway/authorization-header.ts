/** One parameter of an `Authorization: OAuth …` header: its value percent-decoded and as it was sent. */
export interface OAuthHeaderValue {
  /** Percent-decoded (what RFC 5849 says to sign). */
  readonly value: string;
  /** Exactly as it stood between the quotes (what Mastercard's own signers sign). */
  readonly raw: string;
}

/** The header's parameters by decoded name, or why it could not be read. */
export type ParsedOAuthHeader =
  { readonly ok: true; readonly params: ReadonlyMap<string, OAuthHeaderValue> } | { readonly ok: false; readonly problem: string };

// `name="value"` (RFC 5849 §3.5.1), optional linear whitespace around `=` and the commas.
const PARAM = /[ \t]*([^\s=,"]+)[ \t]*=[ \t]*"([^"]*)"[ \t]*/y;

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses an `Authorization` header of the `OAuth` scheme (the scheme name is case-insensitive):
 * comma-separated `name="value"` pairs, names and values percent-encoded. Every pair must be
 * quoted, well-formed and given once; anything else is a malformed header.
 */
export function parseOAuthHeader(header: string | undefined): ParsedOAuthHeader {
  if (header === undefined || header.trim() === '') return { ok: false, problem: 'The Authorization header is missing.' };
  const scheme = /^[ \t]*OAuth[ \t]+/i.exec(header);
  if (!scheme) return { ok: false, problem: 'The Authorization header does not use the OAuth scheme.' };
  const params = new Map<string, OAuthHeaderValue>();
  let at = scheme[0].length;
  for (;;) {
    PARAM.lastIndex = at;
    const match = PARAM.exec(header);
    if (!match) return { ok: false, problem: `The Authorization header is malformed at character ${at + 1}: expected name="value".` };
    const name = decode(match[1]);
    const value = decode(match[2]);
    if (name === undefined || value === undefined) return { ok: false, problem: `The Authorization header has an invalid percent-encoding in ${match[1]}.` };
    if (params.has(name)) return { ok: false, problem: `The Authorization header gives ${name} more than once.` };
    params.set(name, { value, raw: match[2] });
    at = PARAM.lastIndex;
    if (at === header.length) break;
    if (header[at] !== ',') return { ok: false, problem: `The Authorization header is malformed at character ${at + 1}: expected a comma.` };
    at += 1;
  }
  return { ok: true, params };
}
