import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import {
  AuthInfoCryptoService,
  AuthInfoDecryptError,
  type AuthInfoEncoding,
  AuthInfoKeyMaterial,
  type AuthInfoMode,
  InvalidUserIdError,
  PersonalizedOffersConfigError,
  PersonalizedOffersError,
  PersonalizedOffersModule,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
/** C0 and C1 control characters, U+0000–U+001F and U+007F–U+009F (general category Cc). */
const CONTROL = /\p{Cc}/u;
/** Length in Unicode code points (what the module's 256 limit counts), not UTF-16 units nor graphemes. */
const codePoints = (s: string) => Array.from(s).length;
const isValidId = (s: string) => s.length > 0 && codePoints(s) <= 256 && !s.includes(':') && !CONTROL.test(s) && s.isWellFormed();

/** Any Unicode (astral planes included) without ':' or control characters, 1–256 code points. */
const validUserId = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }).filter(isValidId);
/** Ids that must be refused: a colon or a control character somewhere, too long, or empty. */
const invalidUserId = fc.oneof(
  fc
    .tuple(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(':', '\u0000', '\n', '\t', '\u007f', '\u0085', '\u009f'),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    .map(([a, bad, b]) => `${a}${bad}${b}`),
  fc.string({ unit: 'binary', minLength: 257, maxLength: 400 }).filter((s) => codePoints(s) > 256),
  fc.constant(''),
);

const modes: AuthInfoMode[] = ['cbc', 'cbc-random-iv', 'ecb'];
const encodings: AuthInfoEncoding[] = ['hex', 'base64', 'base64url'];
const crypto = (mode: AuthInfoMode, encoding: AuthInfoEncoding, fId = '999999') =>
  new AuthInfoCryptoService(fId, AuthInfoKeyMaterial.from({ key: KEY, ...(mode === 'cbc' ? { iv: IV } : {}), mode, encoding }), { now: Date.now });

describe('fuzz: AuthInfo', () => {
  it.each(modes.flatMap((m) => encodings.map((e) => [m, e] as const)))('round-trips arbitrary valid user ids in %s / %s', (mode, encoding) => {
    const c = crypto(mode, encoding);
    fc.assert(
      fc.property(validUserId, fc.integer({ min: 0, max: 2 ** 40 }), (userId, unixTime) => {
        expect(c.decrypt(c.encrypt(userId, unixTime))).toEqual({ userId, fId: '999999', unixTime });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every invalid user id with InvalidUserIdError', () => {
    const c = crypto('cbc', 'hex');
    fc.assert(
      fc.property(invalidUserId, (userId) => {
        expect(() => c.encrypt(userId)).toThrow(InvalidUserIdError);
      }),
      { numRuns: 500 },
    );
  });

  it('decrypt on arbitrary strings throws only AuthInfoDecryptError, never a raw crypto error', () => {
    for (const mode of modes) {
      for (const encoding of encodings) {
        const c = crypto(mode, encoding);
        fc.assert(
          fc.property(
            fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.stringMatching(/^[0-9a-f]{0,160}$/), fc.base64String({ maxLength: 160 })),
            (text) => {
              try {
                const out = c.decrypt(text);
                expect(isValidId(out.userId)).toBe(true); // a lucky valid AuthInfo is fine
              } catch (error) {
                expect(error).toBeInstanceOf(AuthInfoDecryptError);
              }
            },
          ),
          { numRuns: 300 },
        );
      }
    }
  });

  it('refuses every key and IV that is not exactly 16 bytes in an accepted form', () => {
    const badSecret = fc.oneof(
      fc
        .uint8Array({ maxLength: 40 })
        .filter((b) => b.length !== 16)
        .map((b) => Buffer.from(b)),
      fc.stringMatching(/^[0-9a-f]{0,64}$/).filter((s) => s.length !== 32),
      fc
        .uint8Array({ maxLength: 40 })
        .filter((b) => b.length !== 16)
        .map((b) => Buffer.from(b).toString('base64')),
      fc.string({ maxLength: 40 }).filter((s) => !/^[0-9a-fA-F]{32}$/.test(s) && Buffer.from(s, 'base64').length !== 16),
      fc.constantFrom(undefined, null, 42, {}, []),
    );
    fc.assert(
      fc.property(badSecret, fc.boolean(), (secret, asIv) => {
        const options = asIv ? { key: KEY, iv: secret } : { key: secret, iv: IV };
        expect(() => AuthInfoKeyMaterial.from(options as never)).toThrow(PersonalizedOffersConfigError);
      }),
      { numRuns: 500 },
    );
  });
});

/** Through the module, signed, against the simulator's gateway (support/gateway.ts). */
describe('fuzz: bad input makes no request', () => {
  const simulator = gatewaySimulator();
  beforeAll(() => simulator.start());
  afterAll(() => simulator.stop());
  afterEach(() => expectNoGatewayRefusal(simulator));

  it('invalid user ids are refused before any network I/O', async () => {
    const ref = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...signed })],
    }).compile();
    const users = ref.get(UserTokenService);
    simulator.resetRequestCount();
    // The count below is meaningful only if a request would be counted: one valid call is.
    await users.getUserToken('fuzz-control-user');
    expect(simulator.requestCount).toBe(1);
    simulator.resetRequestCount();
    await fc.assert(
      fc.asyncProperty(invalidUserId, async (userId) => {
        await expect(users.getUserToken(userId)).rejects.toBeInstanceOf(InvalidUserIdError);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(''),
          fc.string().map((s) => `${s}:`),
          fc.string().map((s) => `\n${s}`),
        ),
        async (fId) => {
          await expect(users.usertokenGet(fId, 'abcd')).rejects.toBeInstanceOf(PersonalizedOffersError);
        },
      ),
      { numRuns: 100 },
    );
    expect(simulator.requestCount).toBe(0);
    await ref.close();
  });

  it('invalid fIds fail the module start-up with PersonalizedOffersConfigError naming fId, and make no request', async () => {
    // This test's own requests only: whatever an earlier test sent does not count here.
    simulator.resetRequestCount();
    const badFId = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 20 }).map((s) => `${s}:1`),
      fc.string({ maxLength: 20 }).map((s) => `${s}\u0000`),
    );
    await fc.assert(
      fc.asyncProperty(badFId, async (fId) => {
        const boot = Test.createTestingModule({
          imports: [PersonalizedOffersModule.forRoot({ fId, baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...signed })],
        }).compile();
        await expect(boot).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
        await expect(boot).rejects.toMatchObject({ settings: ['fId'] });
      }),
      { numRuns: 40 },
    );
    expect(simulator.requestCount).toBe(0);
  });
});
