import { type Cipher, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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
 * Nest service and the simulator. The bytes are those of a fresh `createCipheriv` per call
 * (tested against it and against the OpenSSL vectors); see {@link CipherChain} for how.
 */
export function encryptAuthInfo(material: AuthInfoKeyMaterial, plaintext: string): string {
  let chain = chains.get(material);
  if (chain === undefined) {
    chain = new CipherChain(material);
    chains.set(material, chain);
  }
  return chain.encrypt(plaintext).toString(material.encoding);
}

/** One cipher chain per key material, for as long as the material lives. */
const chains = new WeakMap<AuthInfoKeyMaterial, CipherChain>();

/**
 * AES-128 over one long-lived OpenSSL context per key material, instead of a context per call:
 * creating, keying and finalizing a context was ~13 µs of a ~90 µs cold token call; this is ~2 µs.
 *
 * - `ecb`: every block is encrypted alone, so one unpadded ECB context serves every message.
 * - `cbc` / `cbc-random-iv`: one unpadded CBC context, never finalized. After a message its
 *   chaining value is that message's last ciphertext block `L`; CBC encrypts the next input block
 *   `X` as `E(X ⊕ L)`. Feeding the next message's first block as `P₁ ⊕ IV ⊕ L` gives
 *   `E(P₁ ⊕ IV)`, which is what a fresh context with that IV produces; the later blocks chain
 *   on their own. So each message is exactly the ciphertext of a fresh `createCipheriv`.
 *
 * PKCS#7 padding is added here (the context runs without padding so nothing stays buffered
 * between messages). Any failure drops the context, so a broken chain is never reused.
 */
class CipherChain {
  #context: Cipher | undefined;
  /** The context's chaining value: the last ciphertext block it produced (the IV at first). */
  readonly #last = Buffer.alloc(16);

  constructor(private readonly material: AuthInfoKeyMaterial) {}

  encrypt(plaintext: string): Buffer {
    const { mode } = this.material;
    const size = Buffer.byteLength(plaintext, 'utf8');
    const length = (size & ~15) + 16;
    const block = Buffer.allocUnsafe(length);
    block.write(plaintext, 0, 'utf8');
    block.fill(length - size, size);
    const iv = mode === 'cbc' ? fixedIv(this.material) : mode === 'cbc-random-iv' ? randomBytes(16) : undefined;
    try {
      const context = (this.#context ??= this.open());
      if (iv !== undefined) {
        const last = this.#last;
        for (let i = 0; i < 16; i++) block[i] ^= iv[i] ^ last[i];
      }
      const out = context.update(block);
      if (out.length !== length) throw new Error('AES context buffered a block');
      if (iv === undefined) return out;
      out.copy(this.#last, 0, length - 16);
      return mode === 'cbc' ? out : Buffer.concat([iv, out]);
    } catch (error) {
      this.#context = undefined;
      throw error;
    } finally {
      // `allocUnsafe` memory may come from Node's shared pool: the user id is not left in it.
      block.fill(0);
    }
  }

  private open(): Cipher {
    const key = this.material.rawKey();
    const context = this.material.mode === 'ecb' ? createCipheriv('aes-128-ecb', key, null) : createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
    context.setAutoPadding(false);
    // A fresh CBC context chains from its IV: zeros here, so the first message XORs in `IV ⊕ 0`.
    this.#last.fill(0);
    return context;
  }
}

/** The fixed IV of mode `cbc` (`AuthInfoKeyMaterial.from` requires it there). */
function fixedIv(material: AuthInfoKeyMaterial): Buffer {
  const iv = material.rawIv();
  if (iv === undefined) throw new TypeError("AuthInfo key material of mode 'cbc' without an IV.");
  return iv;
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
