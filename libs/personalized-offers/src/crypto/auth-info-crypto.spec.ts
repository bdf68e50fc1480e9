import { jest } from '@jest/globals';
import { createCipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { AuthInfoDecryptError } from '../errors/auth-info-decrypt.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { AuthInfoEncoding, AuthInfoMode, AuthInfoOptions } from '../interfaces/index.js';
import { AuthInfoCryptoService } from './auth-info-crypto.service.js';
import { AuthInfoKeyMaterial } from './auth-info-key-material.js';
import { encryptAuthInfo } from './auth-info.codec.js';

interface Vector {
  mode: AuthInfoMode;
  encoding: AuthInfoEncoding;
  key: string;
  iv: string | null;
  userId: string;
  fId: string;
  unixTime: number;
  plaintext: string;
  authInfo: string;
}

// The shared known-answer vectors, made with the OpenSSL CLI; read in place, never copied.
const vectors: Vector[] = JSON.parse(readFileSync(sharedFile('vectors/authinfo.json'), 'utf8')).vectors;

/**
 * A file of shared/ (a sibling of the repository root), from the nearest ancestor directory that
 * has it: the spec then also runs from a copy of the repository nested deeper, such as the
 * mutation-testing sandbox (.stryker-tmp/sandbox-…).
 */
function sharedFile(relative: string): URL {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const candidate = new URL(`shared/${relative}`, dir);
    if (existsSync(candidate)) return candidate;
    if (dir.pathname === '/') throw new Error(`shared/${relative} not found above ${fileURLToPath(import.meta.url)}`);
  }
}

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
const fixedClock = (ms: number) => ({ now: () => ms });

function service(fId: string, options: AuthInfoOptions, nowMs = 1_700_000_000_000): AuthInfoCryptoService {
  return new AuthInfoCryptoService(fId, AuthInfoKeyMaterial.from(options), fixedClock(nowMs));
}

describe('AuthInfo known-answer vectors (OpenSSL)', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5);
  });

  it.each(vectors.map((v) => [`${v.mode}/${v.encoding} ${v.userId}`, v] as const))('%s encrypts and decrypts exactly', (_, v) => {
    const crypto = service(v.fId, { key: v.key, ...(v.iv ? { iv: v.iv } : {}), mode: v.mode, encoding: v.encoding });
    expect(crypto.encrypt(v.userId, v.unixTime)).toBe(v.authInfo);
    expect(crypto.decrypt(v.authInfo)).toEqual({ userId: v.userId, fId: v.fId, unixTime: v.unixTime });
  });

  it('accepts the key and IV as Buffers and as base64 with the same result', () => {
    const v = vectors[0];
    const asBuffers = service(v.fId, { key: Buffer.from(v.key, 'hex'), iv: Buffer.from(v.iv!, 'hex') });
    const asBase64 = service(v.fId, {
      key: Buffer.from(v.key, 'hex').toString('base64'),
      iv: Buffer.from(v.iv!, 'hex').toString('base64'),
    });
    expect(asBuffers.encrypt(v.userId, v.unixTime)).toBe(v.authInfo);
    expect(asBase64.encrypt(v.userId, v.unixTime)).toBe(v.authInfo);
  });
});

describe('AuthInfo on one long-lived cipher context per key material', () => {
  // encryptAuthInfo keeps one OpenSSL context per material and chains messages on it; every
  // message must still be exactly what a fresh createCipheriv gives.
  const fresh = (material: AuthInfoKeyMaterial, plaintext: string, iv: Buffer | null) => {
    const c = createCipheriv(material.mode === 'ecb' ? 'aes-128-ecb' : 'aes-128-cbc', material.rawKey(), iv);
    return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  };
  // Lengths around block edges, multi-byte and astral characters: 0–80 UTF-8 bytes.
  const alphabet = ['a', 'Z', '0', ':', '-', 'é', '€', '😀', ' '];
  const plaintexts = (count: number, seed: number) => {
    let x = seed;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    return Array.from({ length: count }, () => Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join(''));
  };

  it('gives every message the bytes of a fresh context, in every mode, with three materials interleaved', () => {
    const cbc = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    const ecb = AuthInfoKeyMaterial.from({ key: KEY, mode: 'ecb', encoding: 'base64' });
    const random = AuthInfoKeyMaterial.from({ key: IV, mode: 'cbc-random-iv', encoding: 'base64url' });
    const texts = plaintexts(3_000, 7);
    expect(new Set(texts.map((t) => Buffer.byteLength(t) % 16)).size).toBe(16);
    texts.forEach((text, i) => {
      const material = [cbc, ecb, random][i % 3];
      const out = Buffer.from(encryptAuthInfo(material, text), material.encoding);
      if (material.mode === 'cbc-random-iv') {
        expect(out.subarray(16)).toEqual(fresh(material, text, out.subarray(0, 16)));
      } else {
        expect(out).toEqual(fresh(material, text, material.mode === 'cbc' ? material.rawIv()! : null));
      }
    });
  });

  it('reproduces every OpenSSL vector on one material, in order and again in reverse', () => {
    const byMaterial = new Map<string, Vector[]>();
    for (const v of vectors) {
      const id = `${v.mode}|${v.encoding}|${v.key}|${v.iv}`;
      byMaterial.set(id, [...(byMaterial.get(id) ?? []), v]);
    }
    expect([...byMaterial.values()].some((group) => group.length > 1)).toBe(true);
    for (const group of byMaterial.values()) {
      const v0 = group[0];
      const material = AuthInfoKeyMaterial.from({ key: v0.key, ...(v0.iv ? { iv: v0.iv } : {}), mode: v0.mode, encoding: v0.encoding });
      for (const v of [...group, ...group.slice().reverse(), ...group]) expect(encryptAuthInfo(material, v.plaintext)).toBe(v.authInfo);
    }
  });

  it('leaves no plaintext in the buffer it padded (Node may hand that pool memory out again)', () => {
    const cbc = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    const spy = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      encryptAuthInfo(cbc, 'customer-4711:FID:1700000000');
      const padded = spy.mock.results.map((r) => r.value as Buffer).find((b) => b.length === 32);
      expect(padded).toBeDefined();
      expect(padded!.every((byte) => byte === 0)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('drops a context that gave back fewer bytes than it was given, and the next message is right again', () => {
    const cbc = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    encryptAuthInfo(cbc, 'warm:the:context');
    const proto = Object.getPrototypeOf(createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16))) as { update: (b: Buffer) => Buffer };
    const update = proto.update;
    const spy = jest.spyOn(proto, 'update').mockImplementationOnce(function (this: unknown, block: Buffer) {
      // The real context advances; only the answer is short, as if OpenSSL had held a block back.
      return update.call(this, block).subarray(16);
    });
    try {
      expect(() => encryptAuthInfo(cbc, 'user-1:FID:1700000000')).toThrow('AES context buffered a block');
    } finally {
      spy.mockRestore();
    }
    expect(Buffer.from(encryptAuthInfo(cbc, 'user-2:FID:1700000000'), 'hex')).toEqual(fresh(cbc, 'user-2:FID:1700000000', cbc.rawIv()!));
  });
});

describe('AuthInfoCryptoService', () => {
  const modes: AuthInfoMode[] = ['cbc', 'cbc-random-iv', 'ecb'];
  const encodings: AuthInfoEncoding[] = ['hex', 'base64', 'base64url'];

  it.each(modes.flatMap((m) => encodings.map((e) => [m, e] as const)))('round-trips in %s / %s', (mode, encoding) => {
    const crypto = service('123456', { key: KEY, ...(mode === 'cbc' ? { iv: IV } : {}), mode, encoding });
    for (const userId of ['u', 'jürgen.müller@example.com', '🎉'.repeat(256), 'x'.repeat(256)]) {
      const authInfo = crypto.encrypt(userId, 1_735_689_600);
      expect(crypto.decrypt(authInfo)).toEqual({ userId, fId: '123456', unixTime: 1_735_689_600 });
      if (encoding === 'hex') expect(authInfo).toMatch(/^[0-9a-f]+$/);
      if (encoding === 'base64url') expect(authInfo).toMatch(/^[A-Za-z0-9_-]+$/);
      if (encoding === 'base64') expect(authInfo.length % 4).toBe(0);
    }
  });

  it('uses a fresh IV per call in cbc-random-iv and prefixes it', () => {
    const crypto = service('1', { key: KEY, mode: 'cbc-random-iv' });
    const a = Buffer.from(crypto.encrypt('u', 5), 'hex');
    const b = Buffer.from(crypto.encrypt('u', 5), 'hex');
    expect(a.length).toBe(32); // IV ‖ one block
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
  });

  it('takes the time from the injected clock, in whole seconds', () => {
    const crypto = service('999999', { key: KEY, iv: IV }, 1_700_000_000_999);
    expect(crypto.decrypt(crypto.encrypt('u')).unixTime).toBe(1_700_000_000);
  });

  it.each([
    ['empty', '', 'empty'],
    ['a colon (field forgery)', 'u:111111', 'contains-colon'],
    ['a newline', 'u\n', 'contains-control-character'],
    ['NUL', 'u\u0000', 'contains-control-character'],
    ['a C1 control', 'u\u0085', 'contains-control-character'],
    ['257 characters', 'x'.repeat(257), 'too-long'],
    ['257 astral characters', '🎉'.repeat(257), 'too-long'],
    ['a lone surrogate', 'u\ud800', 'malformed-unicode'],
    ['a number', 42 as unknown as string, 'not-a-string'],
    ['undefined', undefined as unknown as string, 'not-a-string'],
  ])('refuses a user id with %s', (_, userId, reason) => {
    const crypto = service('999999', { key: KEY, iv: IV });
    const error = captureError(() => crypto.encrypt(userId, 1));
    expect(error).toBeInstanceOf(InvalidUserIdError);
    expect(error).toMatchObject({ name: 'InvalidUserIdError', code: 'INVALID_USER_ID', reason });
    if (typeof userId === 'string' && userId.length > 2) expect((error as Error).message).not.toContain(userId);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses unixTime %p', (time) => {
    expect(() => service('1', { key: KEY, iv: IV }).encrypt('u', time)).toThrow(InvalidArgumentError);
  });

  it.each([
    ['not hex', 'zz'],
    ['odd hex', 'abc'],
    ['not a block multiple', '00'.repeat(17)],
    ['empty', ''],
    ['wrong key (padding)', '932c81c2a474ed85b0cfe23f7429d74c'],
    ['base64 alphabet in hex mode', 'kyyBwqR07YWwz+I/dCnXTA=='],
  ])('decrypt refuses %s with AuthInfoDecryptError', (_, input) => {
    const crypto = service('1', { key: '0f0e0d0c0b0a09080706050403020100', iv: IV });
    expect(() => crypto.decrypt(input)).toThrow(AuthInfoDecryptError);
  });

  it('decrypt refuses plaintext that is not userId:fId:time', () => {
    const crypto = service('1', { key: KEY, iv: IV });
    const material = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    const other = new AuthInfoCryptoService('1', material, fixedClock(0));
    // Forge "a:b:c:d" by encrypting through a service whose fId has a colon-free but odd shape.
    const forged = new AuthInfoCryptoService('1:2', material, fixedClock(0)).encrypt('u', 3);
    expect(() => other.decrypt(forged)).toThrow(AuthInfoDecryptError);
    expect(crypto.decrypt(crypto.encrypt('u', 0)).unixTime).toBe(0);
  });
});

describe('AuthInfoKeyMaterial', () => {
  const bad: Array<[string, Partial<AuthInfoOptions> & Record<string, unknown>, string]> = [
    ['a 15-byte Buffer key', { key: Buffer.alloc(15), iv: IV }, 'authInfo.key'],
    ['a 17-byte Buffer key', { key: Buffer.alloc(17), iv: IV }, 'authInfo.key'],
    ['a 30-hex-char key', { key: KEY.slice(2), iv: IV }, 'authInfo.key'],
    ['a 34-hex-char key', { key: `${KEY}00`, iv: IV }, 'authInfo.key'],
    ['a key with a non-hex character', { key: `${KEY.slice(1)}g`, iv: IV }, 'authInfo.key'],
    ['a base64 key of 15 bytes', { key: Buffer.alloc(15, 7).toString('base64'), iv: IV }, 'authInfo.key'],
    ['a base64 key of 24 bytes', { key: Buffer.alloc(24, 7).toString('base64'), iv: IV }, 'authInfo.key'],
    ['a numeric key', { key: 1234 as unknown as string, iv: IV }, 'authInfo.key'],
    ['a missing key', { iv: IV }, 'authInfo.key'],
    ['no IV in cbc', { key: KEY }, 'authInfo.iv'],
    ['a short IV', { key: KEY, iv: IV.slice(4) }, 'authInfo.iv'],
    ['an IV in ecb', { key: KEY, iv: IV, mode: 'ecb' }, 'authInfo.iv'],
    ['an IV in cbc-random-iv', { key: KEY, iv: IV, mode: 'cbc-random-iv' }, 'authInfo.iv'],
    ['an unknown mode', { key: KEY, iv: IV, mode: 'gcm' as AuthInfoMode }, 'authInfo.mode'],
    ['an unknown encoding', { key: KEY, iv: IV, encoding: 'base32' as AuthInfoEncoding }, 'authInfo.encoding'],
  ];

  it.each(bad)('refuses %s, naming the setting and not the value', (_, options, setting) => {
    const error = captureError(() => AuthInfoKeyMaterial.from(options as AuthInfoOptions));
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings).toEqual([setting]);
    const shown = `${(error as Error).message} ${inspect(error)} ${JSON.stringify(error)}`;
    for (const value of [options.key, options.iv]) {
      if (typeof value === 'string' && value.length >= 8) expect(shown).not.toContain(value);
    }
  });

  it('never shows the key or IV in inspect or JSON', () => {
    const material = AuthInfoKeyMaterial.from({ key: KEY, iv: IV });
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the default String() form is what this test checks leaks nothing
    const shown = `${inspect(material, { showHidden: true, depth: 5 })} ${JSON.stringify(material)} ${String(material)}`;
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(IV);
    expect(shown).not.toContain(Buffer.from(KEY, 'hex').toString('base64'));
    expect(material.key.toString('hex')).toBe(KEY);
    expect(material.iv?.toString('hex')).toBe(IV);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
