import { scrubText } from '../operations/secret-scrubber.js';
import { maskConsumerKey } from './oauth-signer.js';

/**
 * OAuth parameters whose values are safe to show and are what a user compares first when the
 * gateway refuses a signature: method, version, timestamp (clock skew), nonce (a random value
 * the gateway only checks for reuse), body hash (a SHA-256 of the exact bytes: compare it with
 * the gateway's "Calculated" value).
 */
const SHOWN = new Set(['oauth_signature_method', 'oauth_version', 'oauth_timestamp', 'oauth_nonce', 'oauth_body_hash']);
/**
 * Secret-bearing positions: a parameter whose name says it carries a credential (`AuthInfo`,
 * `UserToken`, any `…token`, `oauth_signature`, a secret, password or API key) has its whole
 * value redacted, whatever it looks like, even when the module did not send it (an echo of a
 * request someone else changed).
 */
const SECRET_NAME = /authinfo|token|signature|secret|password|passwd|api_?key|credential/i;
/** An opaque run (token, AuthInfo, key, signature): 12+ token characters with a digit or base64 punctuation, or 32+. Only for text that is not a base string. */
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

/** A plain (decoded) text with the values the module sent as secrets replaced. */
function removeSecrets(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

/** Free text (not a base string): the module's own secrets (in every echo form) and any opaque run replaced. */
function scrubValue(value: string, secrets: readonly string[]): string {
  return scrubText(removeSecrets(value, secrets), secrets).replace(OPAQUE, (run) =>
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

/** One piece of a base string encoded `times` times: kept byte for byte unless it holds a value the module sent as a secret. */
function scrubEncoded(encoded: string, times: number, secrets: readonly string[]): string {
  let plain = encoded;
  for (let t = 0; t < times; t++) plain = decode(plain);
  const scrubbed = removeSecrets(plain, secrets);
  return scrubbed === plain ? encoded : encodeAround(scrubbed, times);
}

/**
 * An OAuth 1.0a signature base string (`METHOD&enc(base URI)&enc(k=v&k=v…)`, the form the
 * module signs and Mastercard's gateway echoes in `AUTHENTICATION_FAILED`) made safe to log
 * while keeping it byte for byte where it is safe, so the module's own and the gateway's can be
 * compared side by side and read: the method, the URI (host and every path segment), parameter
 * names and order, ordinary values (`FId`, `Lang`, `limit`…) and the OAuth
 * method/version/timestamp/nonce and body hash are kept. Redacted (a raw `[redacted]`): every
 * value the module sent as a secret (`secrets`: AuthInfo, tokens, user id…) wherever it appears,
 * and the whole value of a secret-bearing parameter (`AuthInfo`, `UserToken`, `…token`,
 * `oauth_signature`, …) whatever it is; the consumer key shows only its last 4 characters
 * (`…abcd`). Anything that is not a base string is scrubbed as a whole, opaque runs included.
 */
export function redactSignatureBaseString(baseString: string, secrets: readonly string[] = []): string {
  const first = baseString.indexOf('&');
  const second = first < 0 ? -1 : baseString.indexOf('&', first + 1);
  // Only a real base string (an HTTP method, then an encoded http(s) URI) is kept structurally:
  // any other text is scrubbed as a whole, opaque runs included.
  if (second < 0 || !/^[A-Z]{1,16}$/i.test(baseString.slice(0, first)) || !/^https?%3A%2F%2F/i.test(baseString.slice(first + 1, second))) {
    return scrubValue(baseString, secrets);
  }
  const method = baseString.slice(0, first);
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
      const keptName = scrubEncoded(name, 2, secrets);
      if (SECRET_NAME.test(plainName)) return `${keptName}%3D${value === '' ? '' : REDACTED}`;
      return `${keptName}%3D${scrubEncoded(value, 2, secrets)}`;
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
  return `${scrubValue(prefix, secrets)}${redactSignatureBaseString(baseString, secrets)}${scrubValue(rest, secrets)}`;
}

/** A SHA-256 in base64 (what `oauth_body_hash` and the gateway's "Calculated" value are): 43 characters and `=`. */
const BODY_HASH_VALUE = /^[A-Za-z0-9+/]{43}=$/;
/** The gateway's body-hash refusal: `… Calculated: <hash>, Received: <hash>` (GATEWAY-ERRORS.md). */
const BODY_HASH_PAIR = /(Calculated:\s*)(\S+?)(,\s*Received:\s*)(\S+?)([.,;]?\s*$)/i;

/**
 * A gateway refusal's description made safe to log and still readable, for the error item, the
 * error message and the refusal log line alike: an echoed signature base string is redacted
 * structurally ({@link redactEchoedBaseString}: the URI, path segments and parameter names stay);
 * the body-hash refusal keeps its two SHA-256 values (hashes of the body, what the user compares
 * with the module's `oauth_body_hash`), unless one is a value the module sent as a secret; any
 * other text loses the module's secrets and opaque runs. Never cut short.
 */
export function redactGatewayDescription(description: string, secrets: readonly string[] = []): string {
  const echoed = redactEchoedBaseString(description, secrets);
  if (echoed !== undefined) return echoed;
  const pair = BODY_HASH_PAIR.exec(description);
  if (pair) {
    const [, calculatedLabel, calculated, receivedLabel, received, tail] = pair;
    const hash = (value: string) => (BODY_HASH_VALUE.test(value) && removeSecrets(value, secrets) === value ? value : scrubValue(value, secrets));
    return `${scrubValue(description.slice(0, pair.index), secrets)}${calculatedLabel}${hash(calculated)}${receivedLabel}${hash(received)}${tail}`;
  }
  return scrubValue(description, secrets);
}
