import { type JsonWebKey, type KeyObject, constants, createPublicKey, verify } from 'node:crypto';
import { jwkThumbprint } from '../../signing/oauth2/jose.js';

/**
 * The little JOSE the simulator needs to verify client assertions and DPoP proofs, on Node's
 * `crypto` alone: compact JWS parsing, PS256 / ES256 verification, public JWK import and the
 * RFC 7638 thumbprint. Written apart from the module's signing code, so the two cannot share a
 * mistake.
 */

/** JWS algorithms Mastercard's FAPI 2.0 profile uses: RSASSA-PSS SHA-256 and ECDSA P-256 SHA-256. */
export type JwsAlgorithm = 'PS256' | 'ES256';
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = ['PS256', 'ES256'];

/** A compact JWS split and decoded; nothing verified yet. */
export interface CompactJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** `base64url(header) . base64url(payload)`: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
/** Longest compact JWS read (a proof with an RSA 4096 jwk is under 2 KB). */
const MAX_JWS_LENGTH = 16_384;

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  if (part === '' || !B64URL.test(part) || part.length % 4 === 1) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a compact JWS (`header.payload.signature`, each base64url without padding); undefined when it is not one. */
export function parseCompactJws(text: string): CompactJws | undefined {
  if (text.length > MAX_JWS_LENGTH) return undefined;
  const parts = text.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJsonPart(h);
  const payload = decodeJsonPart(p);
  if (!header || !payload || s === '' || !B64URL.test(s) || s.length % 4 === 1) return undefined;
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/** Why `key` cannot sign with `alg`, or undefined when it can (PS256: RSA ≥ 2048 bits; ES256: EC P-256). */
export function keyProblem(alg: JwsAlgorithm, key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (alg === 'PS256') {
    if (type !== 'rsa' && type !== 'rsa-pss') return `PS256 needs an RSA key, not ${type ?? key.type}`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) return `PS256 needs an RSA key of at least 2048 bits, not ${bits}`;
    return undefined;
  }
  if (type !== 'ec') return `ES256 needs an EC P-256 key, not ${type ?? key.type}`;
  if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return `ES256 needs the P-256 curve, not ${key.asymmetricKeyDetails?.namedCurve}`;
  return undefined;
}

/** The JWS algorithm a public key signs with: RSA → PS256, EC P-256 → ES256; undefined otherwise. */
export function algorithmOf(key: KeyObject): JwsAlgorithm | undefined {
  return JWS_ALGORITHMS.find((alg) => keyProblem(alg, key) === undefined);
}

/** Whether `signature` over `signingInput` verifies with `key` (PS256: MGF1 SHA-256, salt 32; ES256: r‖s, 64 bytes). */
export function verifyJws(alg: JwsAlgorithm, key: KeyObject, signingInput: string, signature: Buffer): boolean {
  const data = Buffer.from(signingInput, 'ascii');
  try {
    if (alg === 'PS256') {
      return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    }
    if (signature.length !== 64) return false;
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** A public JWK the proof may carry, imported; or why not. */
export type ImportedJwk = { readonly ok: true; readonly key: KeyObject; readonly thumbprint: string } | { readonly ok: false; readonly problem: string };

function isB64urlString(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && B64URL.test(value) && value.length % 4 !== 1;
}

/**
 * Imports the `jwk` header member of a DPoP proof for `alg`: a public EC P-256 key
 * (`kty` EC, `crv` P-256, `x`, `y`) for ES256 or a public RSA key (`kty` RSA, `n`, `e`) for PS256,
 * with no private member. Also returns its RFC 7638 SHA-256 thumbprint (the `jkt`).
 */
export function importPublicJwk(alg: JwsAlgorithm, jwk: unknown): ImportedJwk {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return { ok: false, problem: 'the jwk header member must be a JSON object' };
  const members = jwk as Record<string, unknown>;
  const privateMember = PRIVATE_MEMBERS.find((name) => name in members);
  if (privateMember) return { ok: false, problem: `the jwk must be a public key: it has the private member ${privateMember}` };
  let publicJwk: JsonWebKey;
  if (alg === 'ES256') {
    if (members.kty !== 'EC' || members.crv !== 'P-256') return { ok: false, problem: 'ES256 needs a jwk with kty EC and crv P-256' };
    if (!isB64urlString(members.x) || !isB64urlString(members.y)) return { ok: false, problem: 'the EC jwk needs base64url x and y' };
    if (Buffer.from(members.x, 'base64url').length !== 32 || Buffer.from(members.y, 'base64url').length !== 32) {
      return { ok: false, problem: 'the EC jwk x and y must be 32 bytes each' };
    }
    publicJwk = { kty: 'EC', crv: 'P-256', x: members.x, y: members.y };
  } else {
    if (members.kty !== 'RSA') return { ok: false, problem: 'PS256 needs a jwk with kty RSA' };
    if (!isB64urlString(members.n) || !isB64urlString(members.e)) return { ok: false, problem: 'the RSA jwk needs base64url n and e' };
    publicJwk = { kty: 'RSA', n: members.n, e: members.e };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk, format: 'jwk' });
  } catch {
    return { ok: false, problem: 'the jwk is not a valid public key' };
  }
  const problem = keyProblem(alg, key);
  if (problem) return { ok: false, problem: `the jwk does not fit: ${problem}` };
  return { ok: true, key, thumbprint: jwkThumbprint(publicJwk) };
}

// One thumbprint and one `ath` for the module and the simulator (RFC vectors in the tests).
export { accessTokenHash, jwkThumbprint } from '../../signing/oauth2/jose.js';

/**
 * `htu` comparison form (RFC 9449 §4.3 with RFC 3986 §6.2.2/§6.2.3 normalization, as WHATWG URL
 * does it): scheme and host lower-cased, the default port dropped, dot segments and
 * percent-encoding normalized, query and fragment dropped, the path otherwise exact (a trailing
 * slash counts). Undefined when it is not an absolute http(s) URL.
 */
export function normalizeHtu(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}
