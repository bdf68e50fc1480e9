import type { OAuthHeaderValue } from './authorization-header.js';

/**
 * RFC 3986 percent-encoding (RFC 5849 §3.6): everything but `A-Z a-z 0-9 - . _ ~` as upper-case
 * `%XX` of its UTF-8 bytes. Written here rather than shared with the module's signing code, so
 * that the two cannot share a mistake.
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The request as the gateway received it: nothing re-serialized. */
export interface ReceivedTarget {
  /** The request method as sent. */
  readonly method: string;
  /** The request target of the request line: origin-form (`/path?query`) or, through a forward proxy, absolute-form. */
  readonly target: string;
  /** The `Host` header. */
  readonly host: string | undefined;
  /** Scheme of the connection (the simulator listens on `http`). */
  readonly scheme: string;
  /** Authority to use when the request has no `Host` header (HTTP/1.0). */
  readonly fallbackHost: string;
}

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/;
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

/**
 * The base string URI (RFC 5849 §3.4.1.2, as Mastercard's signers build it): scheme and host
 * lower-cased, the default port dropped, the path exactly as received (case and
 * percent-escapes kept; empty → `/`), no query, no fragment. Also the raw query.
 */
export function baseUriOf(request: ReceivedTarget): { baseUri: string; rawQuery: string } {
  let scheme = request.scheme;
  let authority = request.host ?? request.fallbackHost;
  let path: string;
  let rawQuery: string;
  const absolute = ABSOLUTE.exec(request.target);
  if (absolute) {
    [, scheme = scheme, authority = authority, path = '', rawQuery = ''] = absolute;
  } else {
    const q = request.target.indexOf('?');
    path = q < 0 ? request.target : request.target.slice(0, q);
    rawQuery = q < 0 ? '' : request.target.slice(q + 1);
    const hash = rawQuery.indexOf('#');
    if (hash >= 0) rawQuery = rawQuery.slice(0, hash);
  }
  scheme = scheme.toLowerCase();
  authority = authority.toLowerCase();
  const port = /:(\d*)$/.exec(authority);
  if (port && (port[1] === '' || port[1] === DEFAULT_PORTS[scheme])) authority = authority.slice(0, port.index);
  return { baseUri: `${scheme}://${authority}${path || '/'}`, rawQuery };
}

type Pair = readonly [string, string];

/** The query's `name=value` pairs as they stand on the wire (a name without `=` gets an empty value; empty segments are skipped). */
function rawPairs(rawQuery: string): Pair[] {
  return rawQuery
    .split('&')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const i = segment.indexOf('=');
      return i < 0 ? [segment, ''] : [segment.slice(0, i), segment.slice(i + 1)];
    });
}

/** RFC 5849 §3.4.1.3.2: decoded (a `+` stays a `+`: OAuth has no form encoding), then RFC 3986-encoded; undefined when a `%` escape is broken. */
function normalizedPairs(pairs: readonly Pair[]): Pair[] | undefined {
  try {
    return pairs.map(([name, value]) => [percentEncode(decodeURIComponent(name)), percentEncode(decodeURIComponent(value))]);
  } catch {
    return undefined;
  }
}

/** Sorted by name, then value, in byte (code unit) order, joined as `name=value&…`. */
function parameterString(pairs: readonly Pair[]): string {
  const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...pairs]
    .sort(([an, av], [bn, bv]) => byteOrder(an, bn) || byteOrder(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/**
 * Every signature base string (RFC 5849 §3.4.1) a correct Mastercard client may have signed for
 * this request, the one the gateway echoes first:
 *
 * - `METHOD & pct(base URI) & pct(parameter string)`, with RFC 3986 percent-encoding;
 * - the parameter string holds every query parameter and every header parameter but `realm`
 *   and `oauth_signature` (no body parameters: the body is covered by `oauth_body_hash`);
 * - query pairs as they stand on the wire (what Mastercard's signers sign; the first form),
 *   or decoded and re-encoded per RFC 5849;
 * - header values as they were sent (Mastercard's Java, Node.js and Python signers send them
 *   raw and sign them raw: the echoed form), or percent-decoded (the C# signer sends them
 *   encoded and signs them raw).
 *
 * Duplicates are removed, so a request with nothing to normalize has exactly one.
 */
export function signatureBaseStrings(request: ReceivedTarget, header: ReadonlyMap<string, OAuthHeaderValue>): string[] {
  const { baseUri, rawQuery } = baseUriOf(request);
  const wire = rawPairs(rawQuery);
  const queryForms = [wire, normalizedPairs(wire)].filter((p): p is Pair[] => p !== undefined);
  const signed = [...header].filter(([name]) => name !== 'realm' && name !== 'oauth_signature');
  const headerForms: Pair[][] = [signed.map(([name, v]) => [name, v.raw]), signed.map(([name, v]) => [name, v.value])];
  const prefix = `${request.method.toUpperCase()}&${percentEncode(baseUri)}&`;
  const out = new Set<string>();
  for (const headerPairs of headerForms) {
    for (const queryPairs of queryForms) out.add(prefix + percentEncode(parameterString([...queryPairs, ...headerPairs])));
  }
  return [...out];
}
