import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AuthInfoDecryptError } from '../errors/auth-info-decrypt.error.js';
import type { AuthInfoKeyMaterial } from './auth-info-key-material.js';

/** The fields AuthInfo carries. */
export interface AuthInfoPlaintext {
  /** The user id, typically the bank customer number (BCN) the user was enrolled with. */
  userId: string;
  /** The financial institution identifier (FId) Mastercard issued for the platform. */
  fId: string;
  /** When the AuthInfo was made, in Unix seconds. */
  unixTime: number;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UNIX_TIME = /^(?:0|[1-9][0-9]*)$/;
// ignoreBOM: a user id may start with U+FEFF; it must come back as it went in, not be taken for a BOM.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encrypts `userId:fId:unixTime` (UTF-8) with AES-128 and PKCS#7 under the material's mode and
 * encoding. Callers validate the fields first; this is the pure cipher step shared by the
 * Nest service and the simulator.
 */
export function encryptAuthInfo(material: AuthInfoKeyMaterial, plaintext: string): string {
  const key = material.rawKey();
  let bytes: Buffer;
  switch (material.mode) {
    case 'cbc':
      bytes = cipher('aes-128-cbc', key, fixedIv(material), plaintext);
      break;
    case 'cbc-random-iv': {
      const iv = randomBytes(16);
      bytes = Buffer.concat([iv, cipher('aes-128-cbc', key, iv, plaintext)]);
      break;
    }
    case 'ecb':
      bytes = cipher('aes-128-ecb', key, null, plaintext);
      break;
  }
  return bytes.toString(material.encoding);
}

/** The fixed IV of mode `cbc` (`AuthInfoKeyMaterial.from` requires it there). */
function fixedIv(material: AuthInfoKeyMaterial): Buffer {
  const iv = material.rawIv();
  if (iv === undefined) throw new TypeError("AuthInfo key material of mode 'cbc' without an IV.");
  return iv;
}

function cipher(algorithm: string, key: Buffer, iv: Buffer | null, plaintext: string): Buffer {
  const c = createCipheriv(algorithm, key, iv);
  const head = c.update(plaintext, 'utf8');
  const tail = c.final();
  return head.length === 0 ? tail : Buffer.concat([head, tail]);
}

/**
 * Inverts {@link encryptAuthInfo}. Every failure (bad encoding, length, padding, UTF-8 or field
 * layout) becomes an `AuthInfoDecryptError` that does not echo the input.
 */
export function decryptAuthInfo(material: AuthInfoKeyMaterial, authInfo: string): AuthInfoPlaintext {
  const bytes = decode(authInfo, material.encoding);
  const minLength = material.mode === 'cbc-random-iv' ? 32 : 16;
  if (bytes.length < minLength || bytes.length % 16 !== 0) throw new AuthInfoDecryptError('length');

  let plain: Buffer;
  try {
    const key = material.rawKey();
    const d =
      material.mode === 'ecb'
        ? createDecipheriv('aes-128-ecb', key, null)
        : material.mode === 'cbc'
          ? createDecipheriv('aes-128-cbc', key, fixedIv(material))
          : createDecipheriv('aes-128-cbc', key, bytes.subarray(0, 16));
    const body = material.mode === 'cbc-random-iv' ? bytes.subarray(16) : bytes;
    plain = Buffer.concat([d.update(body), d.final()]);
  } catch {
    throw new AuthInfoDecryptError('decryption');
  }

  let text: string;
  try {
    text = utf8.decode(plain);
  } catch {
    throw new AuthInfoDecryptError('format');
  }
  const parts = text.split(':');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !UNIX_TIME.test(parts[2])) {
    throw new AuthInfoDecryptError('format');
  }
  const unixTime = Number(parts[2]);
  if (!Number.isSafeInteger(unixTime)) throw new AuthInfoDecryptError('format');
  return { userId: parts[0], fId: parts[1], unixTime };
}

function decode(text: unknown, encoding: AuthInfoKeyMaterial['encoding']): Buffer {
  if (typeof text !== 'string' || text.length === 0) throw new AuthInfoDecryptError('encoding');
  const ok =
    encoding === 'hex' ? HEX.test(text) : encoding === 'base64' ? BASE64.test(text) && text.length % 4 === 0 : BASE64URL.test(text) && text.length % 4 !== 1;
  if (!ok) throw new AuthInfoDecryptError('encoding');
  return Buffer.from(text, encoding);
}
