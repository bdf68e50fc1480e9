/**
 * Mastercard's edge adds `X-MC-Correlation-ID` to every request and returns it on the response:
 * the id its support asks for. Some gateways answer `Correlation-ID` instead. Only an id-shaped
 * value is taken (a hostile peer could send anything there): letters, digits and `-._:`, at
 * most 128 characters.
 */
const CORRELATION_HEADERS = ['x-mc-correlation-id', 'correlation-id', 'x-correlation-id'] as const;
const ID_SHAPED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The correlation id of an answer (lower-case header names), when it carries an id-shaped one. */
export function correlationIdOf(headers: Record<string, unknown> | undefined): string | undefined {
  if (!headers) return undefined;
  for (const name of CORRELATION_HEADERS) {
    const value = headers[name];
    const text: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string' && ID_SHAPED.test(text.trim())) return text.trim();
  }
  return undefined;
}
