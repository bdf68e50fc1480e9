import { type KeyObject, createHash, randomBytes, sign } from 'node:crypto';

/**
 * The little JOSE this module needs (compact JWS with PS256 or ES256, public JWKs, RFC 7638
 * thumbprints), with Node's `crypto`: a library would add ESM-only loading and a dependency
 * for ~60 lines, and Node signs on the thread pool when asked.
 */

export type JwsAlgorithm = 'PS256' | 'ES256';

export const base64url = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');

/** A fresh random id of 96 bits, base64url (the `jti` of assertions and proofs). */
export const randomJti = (): string => randomBytes(12).toString('base64url');

/** The JWS algorithm of a private key: RSA ≥ 2048 bits → PS256, EC P-256 → ES256; else `undefined`. */
export function algorithmOf(key: KeyObject): JwsAlgorithm | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return (details?.modulusLength ?? 0) >= 2048 ? 'PS256' : undefined;
  if (key.asymmetricKeyType === 'ec') return details?.namedCurve === 'prime256v1' ? 'ES256' : undefined;
  return undefined;
}

/** The public JWK of a key with only its required members (RFC 7638 order does not matter here). */
export function publicJwk(key: KeyObject): Record<string, string> {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  return jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'RSA', n: jwk.n, e: jwk.e };
}

/**
 * RFC 7638 JWK SHA-256 thumbprint (the `jkt` a DPoP-bound token is bound to): SHA-256 of the
 * required members in lexicographic order, base64url. The simulator's gateway uses it too.
 */
export function jwkThumbprint(jwk: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown; e?: unknown; n?: unknown }): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y } : { e: jwk.e, kty: 'RSA', n: jwk.n };
  return base64url(createHash('sha256').update(JSON.stringify(members)).digest());
}

/** `ath`: base64url(SHA-256(access token)). */
export const accessTokenHash = (token: string): string => base64url(createHash('sha256').update(token, 'ascii').digest());

/** Signs a compact JWS; asynchronous (the thread pool) for RSA, where it costs. */
export function signJws(header: object, claims: object, key: KeyObject, alg: JwsAlgorithm): Promise<string> {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const keyInput = alg === 'PS256' ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 } : { key, dsaEncoding: 'ieee-p1363' as const };
  if (alg === 'ES256') return Promise.resolve(`${input}.${base64url(sign('sha256', Buffer.from(input), keyInput))}`);
  return new Promise((resolve, reject) =>
    sign('sha256', Buffer.from(input), keyInput, (error, signature) =>
      error ? reject(new Error('Unable to sign the JWS.')) : resolve(`${input}.${base64url(signature)}`),
    ),
  );
}
