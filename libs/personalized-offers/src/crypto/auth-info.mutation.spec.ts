import { createCipheriv } from 'node:crypto';
import { inspect } from 'node:util';
import { AuthInfoDecryptError } from '../errors/auth-info-decrypt.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { AuthInfoOptions } from '../interfaces/index.js';
import { AuthInfoKeyMaterial, isAes128Secret } from './auth-info-key-material.js';
import { decryptAuthInfo, encryptAuthInfo } from './auth-info.codec.js';
import { MAX_IDENTIFIER_LENGTH, findIdentifierProblem } from './identifier.js';
import { systemClock } from './system-clock.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';

function configError(fn: () => unknown): PersonalizedOffersConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    return error as PersonalizedOffersConfigError;
  }
  throw new Error('expected a PersonalizedOffersConfigError');
}

function decryptReason(material: AuthInfoKeyMaterial, authInfo: unknown): string {
  try {
    decryptAuthInfo(material, authInfo as string);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthInfoDecryptError);
    return (error as AuthInfoDecryptError).reason;
  }
  throw new Error('expected an AuthInfoDecryptError');
}

/** AES-128-ECB of raw bytes under KEY, in the material's encoding. */
function ecbOf(bytes: Buffer, encoding: BufferEncoding = 'hex'): string {
  const c = createCipheriv('aes-128-ecb', Buffer.from(KEY, 'hex'), null);
  return Buffer.concat([c.update(bytes), c.final()]).toString(encoding);
}

describe('AuthInfoKeyMaterial.from', () => {
  it('refuses missing options, naming the setting prefix', () => {
    for (const options of [undefined, null, 'key']) {
      const error = configError(() => AuthInfoKeyMaterial.from(options as never));
      expect(error.settings).toEqual(['authInfo']);
      expect(error.message).toBe('authInfo is required: { key, iv?, mode?, encoding? }.');
    }
    expect(configError(() => AuthInfoKeyMaterial.from(undefined, 'simulator.authInfo')).settings).toEqual(['simulator.authInfo']);
    expect(configError(() => AuthInfoKeyMaterial.from({ key: KEY }, 'sim')).settings).toEqual(['sim.iv']);
  });

  it('defaults to mode cbc and hex, and says what the mode and encoding must be', () => {
    const material = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    expect([material.mode, material.encoding]).toEqual(['cbc', 'hex']);
    expect(configError(() => AuthInfoKeyMaterial.from({ key: KEY, mode: 'CBC' as never })).message).toBe(
      'authInfo.mode must be one of cbc, cbc-random-iv, ecb.',
    );
    expect(configError(() => AuthInfoKeyMaterial.from({ key: KEY, iv: IV, encoding: 'HEX' as never })).message).toBe(
      'authInfo.encoding must be one of hex, base64, base64url.',
    );
  });

  it('requires an IV in cbc (null and empty count as none) and refuses one in the other modes', () => {
    for (const iv of [undefined, null, '']) {
      const error = configError(() => AuthInfoKeyMaterial.from({ key: KEY, iv } as AuthInfoOptions));
      expect(error.message).toBe("authInfo.iv is required in mode 'cbc'.");
    }
    for (const iv of [null, '']) expect(AuthInfoKeyMaterial.from({ key: KEY, iv, mode: 'ecb' } as AuthInfoOptions).iv).toBeUndefined();
    expect(configError(() => AuthInfoKeyMaterial.from({ key: KEY, iv: IV, mode: 'ecb' })).message).toBe(
      "authInfo.iv is not used in mode 'ecb'; remove it or use mode 'cbc'.",
    );
    expect(configError(() => AuthInfoKeyMaterial.from({ key: KEY, iv: 'bad' })).message).toBe(
      'authInfo.iv must be exactly 16 bytes, given as a Buffer, 32 hex characters or base64.',
    );
  });

  it('hands out copies of the key and IV, keeps the raw ones for the cipher, and is frozen', () => {
    const material = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    material.key.fill(0);
    material.iv!.fill(0);
    expect(material.key.toString('hex')).toBe(KEY);
    expect(material.iv!.toString('hex')).toBe(IV);
    expect(material.rawKey().toString('hex')).toBe(KEY);
    expect(material.rawIv()!.toString('hex')).toBe(IV);
    expect(material.key).not.toBe(material.rawKey());
    expect(Object.isFrozen(material)).toBe(true);
    expect(AuthInfoKeyMaterial.from({ key: KEY, mode: 'ecb' }).rawIv()).toBeUndefined();
  });

  it('a Buffer key is copied: changing the caller’s Buffer later changes nothing', () => {
    const key = Buffer.from(KEY, 'hex');
    const material = AuthInfoKeyMaterial.from({ key, mode: 'ecb' });
    key.fill(9);
    expect(material.key.toString('hex')).toBe(KEY);
  });

  it('shows only mode, encoding and whether there is an IV', () => {
    const cbc = AuthInfoKeyMaterial.from({ key: KEY, iv: IV, encoding: 'base64' });
    const ecb = AuthInfoKeyMaterial.from({ key: KEY, mode: 'ecb' });
    expect(cbc.toJSON()).toEqual({ mode: 'cbc', encoding: 'base64', key: '[redacted]', iv: '[redacted]' });
    expect(ecb.toJSON()).toEqual({ mode: 'ecb', encoding: 'hex', key: '[redacted]', iv: 'none' });
    expect(inspect(cbc)).toBe("AuthInfoKeyMaterial { mode: 'cbc', encoding: 'base64', key: [redacted], iv: [redacted] }");
    expect(inspect(ecb)).toBe("AuthInfoKeyMaterial { mode: 'ecb', encoding: 'hex', key: [redacted], iv: none }");
  });
});

describe('isAes128Secret', () => {
  const bytes = Buffer.from(KEY, 'hex');

  it('accepts 16 bytes as a Buffer, 32 hex characters (any case, spaces around) or base64 / base64url', () => {
    for (const value of [bytes, KEY, KEY.toUpperCase(), `  ${KEY}\n`, bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, '')]) {
      expect(isAes128Secret(value)).toBe(true);
    }
    const urlSafe = Buffer.from('fbff'.repeat(8), 'hex');
    expect(urlSafe.toString('base64')).toMatch(/[+/]/);
    expect(isAes128Secret(urlSafe.toString('base64'))).toBe(true);
    expect(isAes128Secret(urlSafe.toString('base64url'))).toBe(true);
    expect(AuthInfoKeyMaterial.from({ key: urlSafe.toString('base64url'), mode: 'ecb' }).key).toEqual(urlSafe);
    expect(AuthInfoKeyMaterial.from({ key: urlSafe.toString('base64'), mode: 'ecb' }).key).toEqual(urlSafe);
  });

  it('refuses other lengths, other types, junk characters and base64 that does not round-trip', () => {
    for (const value of [
      Buffer.alloc(15),
      Buffer.alloc(17),
      16,
      null,
      '',
      KEY.slice(1),
      Buffer.alloc(15).toString('base64'),
      Buffer.alloc(17).toString('base64'),
      `${bytes.toString('base64').slice(0, 10)}!${bytes.toString('base64').slice(10)}`,
      `${bytes.toString('base64').replace(/=+$/, '')}===`,
      bytes.toString('base64').replace(/.$/, 'B'),
    ]) {
      expect([value, isAes128Secret(value)]).toEqual([value, false]);
    }
  });
});

describe('AuthInfo codec', () => {
  const ecb = AuthInfoKeyMaterial.from({ key: KEY, mode: 'ecb' });

  it('encrypts a plaintext of exactly one block into two blocks (full padding block)', () => {
    const out = encryptAuthInfo(ecb, 'abcdefghijklmnop');
    expect(Buffer.from(out, 'hex')).toHaveLength(32);
    expect(encryptAuthInfo(ecb, '')).toBe(ecbOf(Buffer.alloc(0)));
  });

  it('refuses by encoding: a non-string, empty, or text that is not the configured encoding', () => {
    expect(decryptReason(ecb, 5)).toBe('encoding');
    expect(decryptReason(ecb, '')).toBe('encoding');
    expect(decryptReason(ecb, 'abc')).toBe('encoding');
    const b64 = AuthInfoKeyMaterial.from({ key: KEY, mode: 'ecb', encoding: 'base64' });
    const good64 = encryptAuthInfo(b64, 'u:f:1');
    expect(decryptAuthInfo(b64, good64)).toEqual({ userId: 'u', fId: 'f', unixTime: 1 });
    expect(decryptReason(b64, good64.replace(/=+$/, ''))).toBe('encoding');
    expect(decryptReason(b64, `${good64.slice(0, 4)}-${good64.slice(5)}`)).toBe('encoding');
    const url = AuthInfoKeyMaterial.from({ key: KEY, mode: 'ecb', encoding: 'base64url' });
    const goodUrl = encryptAuthInfo(url, 'u:f:1');
    expect(goodUrl).not.toContain('=');
    expect(decryptAuthInfo(url, goodUrl).userId).toBe('u');
    expect((goodUrl.length + 3) % 4).toBe(1);
    expect(decryptReason(url, `${goodUrl}AAA`)).toBe('encoding'); // length % 4 === 1
    expect(decryptReason(url, `${goodUrl}AA`)).toBe('length');
    expect(decryptReason(url, `${goodUrl}=`)).toBe('encoding');
    expect(decryptReason(url, goodUrl.replace(/^./, '+'))).toBe('encoding');
  });

  it('refuses by length: shorter than a block (two in cbc-random-iv) or not a block multiple', () => {
    expect(decryptReason(ecb, '00'.repeat(15))).toBe('length');
    expect(decryptReason(ecb, '00'.repeat(17))).toBe('length');
    expect(decryptReason(ecb, '00'.repeat(31))).toBe('length');
    const random = AuthInfoKeyMaterial.from({ key: KEY, mode: 'cbc-random-iv' });
    expect(decryptReason(random, '00'.repeat(16))).toBe('length');
    expect(decryptReason(random, '00'.repeat(24))).toBe('length');
    const good = encryptAuthInfo(random, 'u:f:7');
    expect(Buffer.from(good, 'hex')).toHaveLength(32);
    expect(decryptAuthInfo(random, good)).toEqual({ userId: 'u', fId: 'f', unixTime: 7 });
  });

  it('decrypts cbc-random-iv with the IV it carries, and cbc with the configured one', () => {
    const random = AuthInfoKeyMaterial.from({ key: KEY, mode: 'cbc-random-iv' });
    const good = Buffer.from(encryptAuthInfo(random, 'user:fid:42'), 'hex');
    const otherIv = Buffer.concat([Buffer.alloc(16, 1), good.subarray(16)]).toString('hex');
    expect(() => decryptAuthInfo(random, otherIv)).toThrow(AuthInfoDecryptError);
    const cbc = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    const fixed = encryptAuthInfo(cbc, 'user:fid:42');
    expect(encryptAuthInfo(cbc, 'user:fid:42')).toBe(fixed);
    expect(fixed).not.toBe(encryptAuthInfo(ecb, 'user:fid:42'));
    expect(decryptAuthInfo(cbc, fixed)).toEqual({ userId: 'user', fId: 'fid', unixTime: 42 });
    expect(decryptReason(ecb, fixed)).not.toBe('length');
  });

  it('refuses bad padding as a decryption failure', () => {
    expect(decryptReason(ecb, '932c81c2a474ed85b0cfe23f7429d74c')).toBe('decryption');
  });

  it('refuses by format: invalid UTF-8, not three fields, an empty field, or a time that is not a safe whole number', () => {
    expect(decryptReason(ecb, ecbOf(Buffer.from([0xff, 0x3a, 0x61, 0x3a, 0x31])))).toBe('format');
    for (const text of ['u:f', 'u:f:1:2', ':f:1', 'u::1', 'u:f:', 'u:f:01', 'u:f:-1', 'u:f:1.5', 'u:f: 1', 'u:f:99999999999999999999']) {
      expect([text, decryptReason(ecb, ecbOf(Buffer.from(text)))]).toEqual([text, 'format']);
    }
    expect(decryptAuthInfo(ecb, ecbOf(Buffer.from('u:f:0')))).toEqual({ userId: 'u', fId: 'f', unixTime: 0 });
    expect(decryptAuthInfo(ecb, ecbOf(Buffer.from(`u:f:${Number.MAX_SAFE_INTEGER}`))).unixTime).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('accepts upper-case hex', () => {
    const text = encryptAuthInfo(ecb, 'u:f:5');
    expect(decryptAuthInfo(ecb, text.toUpperCase())).toEqual({ userId: 'u', fId: 'f', unixTime: 5 });
  });
});

describe('findIdentifierProblem', () => {
  it('accepts up to 256 code points, astral characters counting once', () => {
    expect(MAX_IDENTIFIER_LENGTH).toBe(256);
    expect(findIdentifierProblem('x'.repeat(256))).toBeUndefined();
    expect(findIdentifierProblem('🎉'.repeat(256))).toBeUndefined();
    expect(findIdentifierProblem('x'.repeat(257))).toBe('too-long');
    expect(findIdentifierProblem('🎉'.repeat(257))).toBe('too-long');
  });

  it('refuses C0, DEL and C1 controls at the edges of their ranges, and accepts the characters just past them', () => {
    for (const c of ['\u0000', '\u001f', '\u007f', '\u0080', '\u009f']) expect(findIdentifierProblem(`a${c}b`)).toBe('contains-control-character');
    for (const c of [' ', '~', '\u00a0', 'é']) expect(findIdentifierProblem(`a${c}b`)).toBeUndefined();
  });

  it('checks in order: type, emptiness, length, colon, controls, Unicode', () => {
    expect(findIdentifierProblem(null)).toBe('not-a-string');
    expect(findIdentifierProblem('')).toBe('empty');
    expect(findIdentifierProblem(`${'x'.repeat(257)}:`)).toBe('too-long');
    expect(findIdentifierProblem('a:\u0000')).toBe('contains-colon');
    expect(findIdentifierProblem('\u0000\ud800')).toBe('contains-control-character');
    expect(findIdentifierProblem('\udc00')).toBe('malformed-unicode');
  });
});

describe('systemClock', () => {
  it('reads the wall time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
