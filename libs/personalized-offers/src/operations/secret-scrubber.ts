import { rfc3986 } from './request-encoding.js';

/** The shortest value scrubbed: shorter ones would take ordinary words with them. */
const MIN_SECRET_LENGTH = 4;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const jsonEscaped = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * Every form in which a value the module sent can come back in an echo: as sent, form-encoded
 * (`+` for a space), percent-encoded once or twice (Mastercard's gateway echoes its signature base
 * string, whose query values are encoded twice) with `encodeURIComponent` or RFC 3986, and each of
 * those JSON-escaped once or twice (an upstream quoting the request body inside its own JSON).
 * Longest first, so a longer form is replaced before a shorter one inside it.
 */
export function echoForms(secret: string): string[] {
  const encoded = new Set<string>([secret, encodeURIComponent(secret).replace(/%20/g, '+')]);
  for (let layer = [secret], i = 0; i < 2; i++) {
    layer = layer.flatMap((v) => [encodeURIComponent(v), rfc3986(v)]);
    for (const v of layer) encoded.add(v);
  }
  const forms = new Set<string>();
  for (const form of encoded) {
    const once = jsonEscaped(form);
    forms.add(form).add(once).add(jsonEscaped(once));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * One case-insensitive pattern matching every echo form of every secret (an upstream may
 * lower-case an e-mail-like user id or the hex of a percent escape), or `undefined` when there
 * is nothing to scrub.
 */
export function secretPattern(secrets: readonly string[]): RegExp | undefined {
  const forms = [...new Set(secrets.filter((s) => typeof s === 'string').flatMap(echoForms))].sort((a, b) => b.length - a.length);
  return forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join('|'), 'gi');
}

/** `text` with every echo form of every secret replaced by `[redacted]`. */
export function scrubText(text: string, secrets: readonly string[] | RegExp | undefined): string {
  const pattern = secrets instanceof RegExp || secrets === undefined ? secrets : secretPattern(secrets);
  if (!pattern) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, '[redacted]');
}

/**
 * Scrubs, in place, every string an error carries (message, stack, its fields, nested objects
 * and arrays, and its `cause` chain) of every echo form of `secrets`: the last line of defence
 * behind the redaction where upstream text is first taken in, so no error path can carry a
 * value the module sent (a token, AuthInfo, the consumer key, the user id) to a log.
 */
export function scrubError<T>(error: T, secrets: readonly string[]): T {
  const pattern = secretPattern(secrets);
  if (pattern) scrubValue(error, pattern, new Set(), 0);
  return error;
}

function scrubValue(value: unknown, pattern: RegExp, seen: Set<object>, depth: number): void {
  if (typeof value !== 'object' || value === null || seen.has(value) || depth > 8) return;
  seen.add(value);
  const record = value as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor || !('value' in descriptor)) continue; // accessors are left alone
    const v = descriptor.value as unknown;
    if (typeof v === 'string') {
      const scrubbed = scrubText(v, pattern);
      if (scrubbed !== v && descriptor.writable) record[key] = scrubbed;
      else if (scrubbed !== v && descriptor.configurable) Object.defineProperty(value, key, { ...descriptor, value: scrubbed });
    } else {
      scrubValue(v, pattern, seen, depth + 1);
    }
  }
}
