/** RFC 3986 percent-encoding: like `encodeURIComponent`, plus `!'()*`, so no parser re-encodes anything. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The `GET /usertoken` URL exactly as it goes on the wire: parameter names as the spec writes
 * them (`FId`, `AuthInfo`) and values percent-encoded, so base64's `+`, `/` and `=` survive.
 * Built here, once, and signed as built, so what is sent and what is signed cannot differ.
 */
export function buildUserTokenUrl(baseUrl: string, fId: string, authInfo: string): string {
  return `${baseUrl}/usertoken?FId=${rfc3986(fId)}&AuthInfo=${rfc3986(authInfo)}`;
}
