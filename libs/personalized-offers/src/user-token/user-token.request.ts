/**
 * The `GET /usertoken` URL exactly as it goes on the wire: parameter names as the spec writes
 * them (`FId`, `AuthInfo`) and values percent-encoded, so base64's `+`, `/` and `=` survive.
 * Built here, once, so what is sent and what is signed cannot differ.
 */
export function buildUserTokenUrl(baseUrl: string, fId: string, authInfo: string): string {
  return `${baseUrl}/usertoken?FId=${encodeURIComponent(fId)}&AuthInfo=${encodeURIComponent(authInfo)}`;
}
