import { inspect } from 'node:util';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { AuthInfoEncoding, AuthInfoMode, AuthInfoOptions } from '../interfaces/index.js';

export const AUTHINFO_MODES: readonly AuthInfoMode[] = ['cbc', 'cbc-random-iv', 'ecb'];
export const AUTHINFO_ENCODINGS: readonly AuthInfoEncoding[] = ['hex', 'base64', 'base64url'];
const HEX_16_BYTES = /^[0-9a-fA-F]{32}$/;
const BASE64_ANY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * The AuthInfo key, IV and format, validated. The secrets sit in private fields and are
 * hidden from `util.inspect` and `JSON.stringify`; read them through `key` / `iv`.
 */
export class AuthInfoKeyMaterial {
  readonly #key: Buffer;
  readonly #iv: Buffer | undefined;

  private constructor(
    key: Buffer,
    iv: Buffer | undefined,
    /** Cipher mode. */
    readonly mode: AuthInfoMode,
    /** Ciphertext text encoding. */
    readonly encoding: AuthInfoEncoding,
  ) {
    this.#key = key;
    this.#iv = iv;
    Object.freeze(this);
  }

  /**
   * Parses options into key material, or throws a `PersonalizedOffersConfigError` naming the
   * setting at fault (`settingPrefix.key`, …) without echoing any value.
   */
  static from(options: AuthInfoOptions | undefined, settingPrefix = 'authInfo'): AuthInfoKeyMaterial {
    if (!options || typeof options !== 'object') {
      throw new PersonalizedOffersConfigError(settingPrefix, `${settingPrefix} is required: { key, iv?, mode?, encoding? }.`);
    }
    const mode = options.mode ?? 'cbc';
    if (!AUTHINFO_MODES.includes(mode)) {
      throw new PersonalizedOffersConfigError(`${settingPrefix}.mode`, `${settingPrefix}.mode must be one of ${AUTHINFO_MODES.join(', ')}.`);
    }
    const encoding = options.encoding ?? 'hex';
    if (!AUTHINFO_ENCODINGS.includes(encoding)) {
      throw new PersonalizedOffersConfigError(`${settingPrefix}.encoding`, `${settingPrefix}.encoding must be one of ${AUTHINFO_ENCODINGS.join(', ')}.`);
    }
    const key = parseAes128Secret(options.key, `${settingPrefix}.key`);
    // Read as it may really come (JS callers, configuration from the environment): `null` and `''` are no IV.
    const givenIv: unknown = options.iv;
    let iv: Buffer | undefined;
    if (mode === 'cbc') {
      if (givenIv === undefined || givenIv === null || givenIv === '') {
        throw new PersonalizedOffersConfigError(`${settingPrefix}.iv`, `${settingPrefix}.iv is required in mode 'cbc'.`);
      }
      iv = parseAes128Secret(givenIv, `${settingPrefix}.iv`);
    } else if (givenIv !== undefined && givenIv !== null && givenIv !== '') {
      // A configured IV that would be silently ignored usually means the mode is wrong.
      throw new PersonalizedOffersConfigError(`${settingPrefix}.iv`, `${settingPrefix}.iv is not used in mode '${mode}'; remove it or use mode 'cbc'.`);
    }
    return new AuthInfoKeyMaterial(key, iv, mode, encoding);
  }

  /** The 16-byte AES key (a copy). */
  get key(): Buffer {
    return Buffer.from(this.#key);
  }

  /** The 16-byte fixed IV of mode `cbc` (a copy), otherwise `undefined`. */
  get iv(): Buffer | undefined {
    return this.#iv && Buffer.from(this.#iv);
  }

  /** @internal Un-copied key, for the cipher hot path. */
  rawKey(): Buffer {
    return this.#key;
  }

  /** @internal Un-copied IV, for the cipher hot path. */
  rawIv(): Buffer | undefined {
    return this.#iv;
  }

  /**
   * What `JSON.stringify` shows: the mode and encoding, never the key or IV.
   *
   * @returns `{ mode, encoding, key: '[redacted]', iv: '[redacted]' | 'none' }`.
   */
  toJSON(): Record<string, string> {
    return { mode: this.mode, encoding: this.encoding, key: '[redacted]', iv: this.#iv ? '[redacted]' : 'none' };
  }

  /**
   * What `util.inspect` and `console.log` show: the mode and encoding, never the key or IV.
   *
   * @returns `AuthInfoKeyMaterial { mode: …, encoding: …, key: [redacted], iv: … }`.
   */
  [inspect.custom](): string {
    return `AuthInfoKeyMaterial { mode: '${this.mode}', encoding: '${this.encoding}', key: [redacted], iv: ${this.#iv ? '[redacted]' : 'none'} }`;
  }
}

/**
 * The error of a call that needs AuthInfo (a legacy user token, AuthInfo encryption) in a module
 * configured without `authInfo`: raised before any I/O, naming the `authInfo` setting.
 */
export function authInfoNotConfigured(call: string): PersonalizedOffersConfigError {
  return new PersonalizedOffersConfigError(
    'authInfo',
    `${call} needs AuthInfo, and this PersonalizedOffersModule has no authInfo (option authInfo, or PLO_AUTHINFO_KEY / PLO_AUTHINFO_IV). ` +
      'Configure it for the legacy (/plo) API; the current (/loyalty) API does not need it.',
  );
}

/** True when `value` is a 16-byte secret in one of the accepted forms. */
export function isAes128Secret(value: unknown): boolean {
  try {
    parseAes128Secret(value, 'value');
    return true;
  } catch {
    return false;
  }
}

/** A 16-byte secret from a Buffer, 32 hex characters, or base64 / base64url. */
function parseAes128Secret(value: unknown, setting: string): Buffer {
  const fail = (): never => {
    throw new PersonalizedOffersConfigError(setting, `${setting} must be exactly 16 bytes, given as a Buffer, 32 hex characters or base64.`);
  };
  if (Buffer.isBuffer(value)) return value.length === 16 ? Buffer.from(value) : fail();
  if (typeof value !== 'string') return fail();
  const text = value.trim();
  if (HEX_16_BYTES.test(text)) return Buffer.from(text, 'hex');
  if (!BASE64_ANY.test(text)) return fail();
  const bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  // Node's base64 decoder skips junk silently; a strict round trip makes typos fail instead.
  const canonical = (s: string) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (bytes.length !== 16 || canonical(bytes.toString('base64url')) !== canonical(text)) return fail();
  return bytes;
}
