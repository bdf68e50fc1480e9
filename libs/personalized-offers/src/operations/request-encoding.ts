import type { JsonBody, QueryParams } from './operation.js';

/** RFC 3986 percent-encoding: like `encodeURIComponent`, plus `!'()*`, so no parser re-encodes anything. */
export function rfc3986(value: string): string {
  const encoded = encodeURIComponent(value);
  // Most values (ids, tokens, numbers) have none of `!'()*`: no second pass, no closure call.
  return RESERVED.test(encoded) ? encoded.replace(RESERVED_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}
const RESERVED = /[!'()*]/;
const RESERVED_ALL = /[!'()*]/g;

/**
 * The query string exactly as it goes on the wire (`?a=1&b=2`, or `''`): names as the spec
 * writes them, values RFC 3986-encoded (`%20`, never `+`; `!` encoded, since the signer escapes
 * only the first one), arrays as repeated keys without repeating an identical pair. Built once
 * and signed as built, so what is sent and what is signed cannot differ.
 */
export function encodeQuery(query: QueryParams): string {
  let out = '';
  for (const name in query) {
    const value = query[name];
    if (value === undefined) continue;
    if (typeof value === 'object') {
      for (const item of new Set(value)) out += `&${rfc3986(name)}=${rfc3986(item)}`;
    } else {
      out += `&${rfc3986(name)}=${rfc3986(String(value))}`;
    }
  }
  return out === '' ? '' : `?${out.slice(1)}`;
}

/** The JSON text of a body, members that are `undefined` left out: the exact bytes signed and sent. */
export function serializeBody(body: JsonBody): string {
  return JSON.stringify(body);
}
