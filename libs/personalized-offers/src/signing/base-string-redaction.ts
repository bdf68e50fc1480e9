import { maskConsumerKey } from './oauth-signer.js';

/**
 * OAuth parameters whose values are safe to show and are what a user compares first when the
 * gateway refuses a signature: method, version, timestamp (clock skew), nonce, body hash (a
 * SHA-256 of the exact bytes: compare it with the gateway's "Calculated" value).
 */
const SHOWN = new Set(['oauth_signature_method', 'oauth_version', 'oauth_timestamp', 'oauth_nonce', 'oauth_body_hash']);
/** An opaque run (token, AuthInfo, key, signature): 12+ token characters with a digit or base64 punctuation, or 32+. */
const OPAQUE = /[A-Za-z0-9+/=_-]{12,}/g;
const CONSTANT_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/** OAuth parameter names (`oauth_timestamp`): never secrets. */
const OAUTH_NAME = /^oauth_[a-z]+(?:_[a-z]+)*$/;
const REDACTED = '[redacted]';

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A plain (decoded) value with the module's own secrets and any opaque run replaced. */
function scrubValue(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out.replace(OPAQUE, (run) =>
    CONSTANT_CODE.test(run) || OAUTH_NAME.test(run) || !(run.length >= 32 || /[0-9+/=_-]/.test(run)) ? run : REDACTED,
  );
}

/** Encodes `times` times every part of `text` except the markers it contains (kept raw and readable). */
function encodeAround(text: string, times: number): string {
  return text
    .split(/(\[redacted\]|…)/)
    .map((part, i) => {
      if (i % 2 === 1) return part;
      let out = part;
      for (let t = 0; t < times; t++) out = encodeURIComponent(out);
      return out;
    })
    .join('');
}

/** One piece of a base string encoded `times` times: kept byte for byte unless it needs scrubbing. */
function scrubEncoded(encoded: string, times: number, secrets: readonly string[]): string {
  let plain = encoded;
  for (let t = 0; t < times; t++) plain = decode(plain);
  const scrubbed = scrubValue(plain, secrets);
  return scrubbed === plain ? encoded : encodeAround(scrubbed, times);
}

/**
 * An OAuth 1.0a signature base string (`METHOD&enc(base URI)&enc(k=v&k=v…)`, the form the
 * module signs and Mastercard's gateway echoes in `AUTHENTICATION_FAILED`) made safe to log
 * while keeping it byte for byte where it is safe, so the module's own and the gateway's can be
 * compared side by side: parameter names and order, the method, the URI, the OAuth
 * method/version/timestamp/nonce and body hash are kept; the consumer key shows only its last 4
 * characters (`…abcd`); every other value (query values: AuthInfo, tokens) has what the module
 * sent and any opaque run replaced by a raw `[redacted]`. Anything that is not a base string is
 * scrubbed as a whole.
 */
export function redactSignatureBaseString(baseString: string, secrets: readonly string[] = []): string {
  const first = baseString.indexOf('&');
  const second = first < 0 ? -1 : baseString.indexOf('&', first + 1);
  if (second < 0) return scrubValue(baseString, secrets);
  const method = scrubValue(baseString.slice(0, first), secrets);
  // Inside the base string a `/` of the URI is `%2F`, a `&` and `=` between parameters `%26` and
  // `%3D`; the same characters inside a value are encoded once more (`%252F`, `%2526`, `%253D`).
  const uri = baseString
    .slice(first + 1, second)
    .split('%2F')
    .map((segment) => scrubEncoded(segment, 1, secrets))
    .join('%2F');
  const params = baseString
    .slice(second + 1)
    .split('%26')
    .map((pair) => {
      const eq = pair.indexOf('%3D');
      if (eq < 0) return scrubEncoded(pair, 2, secrets);
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 3);
      const plainName = decode(decode(name));
      if (SHOWN.has(plainName)) return pair;
      if (plainName === 'oauth_consumer_key') return `${name}%3D${encodeAround(maskConsumerKey(decode(decode(value))), 2)}`;
      return `${name}%3D${scrubEncoded(value, 2, secrets)}`;
    })
    .join('%26');
  return `${method}&${uri}&${params}`;
}

/** Where a gateway description carries a base string: `… signature base string: <SBS>`. */
const ECHOED_BASE_STRING = /^(.*signature base string:\s*)(\S+)(.*)$/is;

/**
 * A gateway description that echoes a signature base string, with that base string redacted
 * the same way as the module's own debug line (`redactSignatureBaseString`) and not cut short;
 * `undefined` when the description carries none.
 */
export function redactEchoedBaseString(description: string, secrets: readonly string[] = []): string | undefined {
  const match = ECHOED_BASE_STRING.exec(description);
  if (!match) return undefined;
  const [, prefix, baseString, rest] = match;
  return `${scrubValue(prefix!, secrets)}${redactSignatureBaseString(baseString!, secrets)}${scrubValue(rest!, secrets)}`;
}
