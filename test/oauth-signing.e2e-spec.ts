import { createDecipheriv, createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import type { InternalAxiosRequestConfig } from 'axios';
import {
  AccessTokenService,
  AuthInfoCryptoService,
  PERSONALIZED_OFFERS_CLOCK,
  LegacyUserPresentmentService,
  PlatformAdminService,
  UserPresentmentService,
  type OAuthOptions,
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  UserTokenService,
  loadPersonalizedOffersConfig,
} from 'nestjs-personalized-offers';
import { captureLogger } from './support/capture-logger.js';
import { makePkcs12, rsaKeyPair } from './support/keys.js';
import { LoopbackServer, answerOk } from './support/loopback-server.js';
import { verifyOAuthRequest } from './support/oauth-verifier.js';

// Shaped like a Mastercard consumer key: 24 characters, '!', 48 hex characters.
const CONSUMER_KEY = 'TestConsumerKey_abcdefgh!0123456789abcdef0123456789abcdef0123456789abcdef';
const { privateKey, publicKey } = rsaKeyPair();
const authInfo = { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' };

describe('OAuth 1.0a signing, verified independently by a loopback server', () => {
  const server = new LoopbackServer();
  let baseUrl: string;
  let origin: string;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    baseUrl = await server.start();
    origin = new URL(baseUrl).origin;
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    server.responder = answerOk;
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function boot(oauth: OAuthOptions, extra: Partial<PersonalizedOffersModuleOptions> = {}): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo, oauth, ...extra })],
    }).compile();
    return moduleRef;
  }

  const verify = (i = 0) => verifyOAuthRequest(server.requests[i], publicKey, { consumerKey: CONSUMER_KEY, origin });

  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const p12 = makePkcs12(privateKey, 'keyalias', 'keystorepassword');
  const dir = mkdtempSync(join(tmpdir(), 'plo-oauth-'));
  const p12Path = join(dir, 'signing.p12');
  const pemPath = join(dir, 'signing.pem');
  writeFileSync(p12Path, p12);
  writeFileSync(pemPath, pkcs8);

  it.each<[string, OAuthOptions]>([
    ['a PKCS#1 PEM string', { consumerKey: CONSUMER_KEY, signingKey: pkcs1 }],
    ['a PKCS#8 PEM Buffer', { consumerKey: CONSUMER_KEY, signingKey: Buffer.from(pkcs8) }],
    ['a KeyObject', { consumerKey: CONSUMER_KEY, signingKey: privateKey }],
    ['a PKCS#12 file', { consumerKey: CONSUMER_KEY, pkcs12: { path: p12Path, alias: 'keyalias', password: 'keystorepassword' } }],
    ['PKCS#12 data', { consumerKey: CONSUMER_KEY, pkcs12: { data: p12, alias: 'keyalias', password: 'keystorepassword' } }],
  ])('signs with %s', async (_, oauth) => {
    const ref = await boot(oauth);
    await ref.get(UserTokenService).getUserToken('1PCLOSANDBOXBCN00002tra6athatR');
    expect(server.requests).toHaveLength(1);
    const result = verify();
    expect(result.ok).toBe(true);
    // The signed base string covers the whole URL that was sent, query included.
    expect(result.baseString).toContain(encodeURIComponent(`${origin}/plo/v1/usertoken`));
    expect(result.baseString).toContain('FId%3D999999');
    expect(result.baseString).toContain('AuthInfo%3D');
    // What the module sent, read off the wire: the operation's path and exactly its two query
    // parameters, the configured FId, and an AuthInfo that decrypts (here, with Node's own AES,
    // not the module's) to this user and fId.
    const sent = server.requests[0];
    const [path, query] = sent.url.split('?');
    expect(sent.method).toBe('GET');
    expect(path).toBe('/plo/v1/usertoken');
    const params = new URLSearchParams(query);
    expect([...params.keys()]).toEqual(['FId', 'AuthInfo']);
    expect(params.get('FId')).toBe('999999');
    const decipher = createDecipheriv('aes-128-cbc', Buffer.from(authInfo.key, 'hex'), Buffer.from(authInfo.iv, 'hex'));
    const plaintext = Buffer.concat([decipher.update(params.get('AuthInfo')!, 'hex'), decipher.final()]).toString('utf8');
    expect(plaintext).toMatch(/^1PCLOSANDBOXBCN00002tra6athatR:999999:\d{10}$/);
    // The verifier's independent result: the signature covers that query; without it, or with
    // another AuthInfo, the same header does not verify.
    expect(verifyOAuthRequest({ ...sent, url: path }, publicKey, { consumerKey: CONSUMER_KEY, origin }).ok).toBe(false);
    expect(
      verifyOAuthRequest({ ...sent, url: sent.url.replace(/AuthInfo=[0-9a-f]{2}/, 'AuthInfo=00') }, publicKey, { consumerKey: CONSUMER_KEY, origin }).ok,
    ).toBe(false);
  });

  it("signatureMethod 'RSA-PSS': the header says RSA-PSS and the PSS signature verifies independently (PKCS#1 v1.5 does not)", async () => {
    const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey, signatureMethod: 'RSA-PSS' });
    await ref.get(UserTokenService).getUserToken('pss-user');
    expect(String(server.requests[0].headers.authorization)).toContain('oauth_signature_method="RSA-PSS"');
    expect(verifyOAuthRequest(server.requests[0], publicKey, { consumerKey: CONSUMER_KEY, origin, method: 'RSA-PSS' }).ok).toBe(true);
    expect(verifyOAuthRequest(server.requests[0], publicKey, { consumerKey: CONSUMER_KEY, origin }).ok).toBe(false);
  });

  it('many signed requests in parallel all verify (the RSA step runs on the thread pool)', async () => {
    const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey }, { cache: false });
    await Promise.all(Array.from({ length: 40 }, (_, i) => ref.get(UserTokenService).getUserToken(`parallel-${i}`)));
    expect(server.requests).toHaveLength(40);
    expect(server.requests.map((_, i) => verify(i).ok)).toEqual(Array(40).fill(true));
  });

  it('a tampered query fails the independent check (the verifier can fail)', async () => {
    const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
    await ref.get(UserTokenService).getUserToken('alice');
    const tampered = { ...server.requests[0], url: server.requests[0].url.replace('FId=999999', 'FId=999998') };
    expect(verifyOAuthRequest(tampered, publicKey, { consumerKey: CONSUMER_KEY, origin }).ok).toBe(false);
    const otherKey = rsaKeyPair().publicKey;
    expect(verifyOAuthRequest(server.requests[0], otherKey, { consumerKey: CONSUMER_KEY, origin }).ok).toBe(false);
  });

  it('signs base64 AuthInfo with +, / and = exactly as sent', async () => {
    // A fixed clock: the users are chosen by the AuthInfo they encrypt to, which must not change
    // between choosing and sending (the time is part of the plaintext).
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo: { ...authInfo, encoding: 'base64' },
          oauth: { consumerKey: CONSUMER_KEY, signingKey: pkcs8 },
        }),
      ],
    })
      .overrideProvider(PERSONALIZED_OFFERS_CLOCK)
      .useValue({ now: () => 1_800_000_000_000 })
      .compile();
    const ref = moduleRef;
    const crypto = ref.get(AuthInfoCryptoService);
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`).filter((u) => /[+/]/.test(crypto.encrypt(u)));
    expect(users.length).toBeGreaterThan(3);
    for (const user of users) await ref.get(UserTokenService).getUserToken(user);
    for (let i = 0; i < users.length; i++) {
      expect(server.requests[i].url).toMatch(/AuthInfo=[^&]*%2[BF]/);
      expect(server.requests[i].url).toMatch(/%3D$/);
      expect(verify(i).ok).toBe(true);
    }
  });

  it('signs every retry afresh: new nonce and a valid signature on each attempt', async () => {
    server.responder = (req, res, index) => {
      if (index < 2) res.writeHead(503, { 'Retry-After': '0' }).end();
      else answerOk(req, res, index);
    };
    const ref = await boot({ consumerKey: CONSUMER_KEY, pkcs12: { data: p12, alias: 'keyalias', password: 'keystorepassword' } });
    await expect(ref.get(UserTokenService).getUserToken('alice')).resolves.toBe('tok-123');
    expect(server.requests).toHaveLength(3);
    const nonces = server.requests.map((_, i) => {
      const r = verify(i);
      expect(r.ok).toBe(true);
      return r.params.get('oauth_nonce');
    });
    expect(new Set(nonces).size).toBe(3);
    const signatures = new Set(server.requests.map((r) => r.headers.authorization));
    expect(signatures.size).toBe(3);
  });

  it('signs after users’ own interceptors have changed the request', async () => {
    const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
    const { PERSONALIZED_OFFERS_HTTP } = await import('nestjs-personalized-offers');
    ref.get(PERSONALIZED_OFFERS_HTTP).axiosRef.interceptors.request.use((config: InternalAxiosRequestConfig) => {
      config.url = `${config.url!}&Extra=a%20b`;
      return config;
    });
    await ref.get(UserTokenService).getUserToken('alice');
    expect(server.requests[0].url).toContain('&Extra=a%20b');
    expect(verify().ok).toBe(true);
  });

  describe('POST with a JSON body: oauth_body_hash over the exact bytes sent', () => {
    const activationBody = JSON.stringify({
      Response: { Status: { Code: '600', Message: 'Success' }, ScActivation: { ActivationId: '7', OfferId: 'o-1', Status: 'ACTIVATED' } },
    });
    const feedbackBody = JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' }, UserFeedback: { OfferId: 'o-1', Feedback: '1' } } });
    // Answer once the whole body has arrived, so the recorded body is complete.
    const answerAfterBody = (text: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(text));
      req.resume();
    };

    it.each<[string, (s: LegacyUserPresentmentService) => Promise<unknown>, string, Record<string, unknown>]>([
      [
        'activateStatementCreditOffer',
        // Tokens are printable ASCII (anything else is refused before I/O); the offer id carries the non-ASCII bytes.
        (s) => s.activateStatementCreditOffer({ userToken: 'tok-/+=' }, { offerId: 'o-€', lang: 'en_US' }),
        activationBody,
        { FId: '999999', OfferId: 'o-€', Lang: 'en_US', UserToken: 'tok-/+=' },
      ],
      [
        'sendUserFeedback',
        (s) => s.sendUserFeedback({ userToken: 'tok-1' }, { offerId: 'o-1', feedback: 1 }),
        feedbackBody,
        { FId: '999999', OfferId: 'o-1', Feedback: 1, UserToken: 'tok-1' },
      ],
    ])('%s: the signature and body hash verify against the received body', async (_, call, answer, expectedBody) => {
      server.responder = answerAfterBody(answer);
      const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
      await call(ref.get(LegacyUserPresentmentService));
      const received = server.requests[0];
      expect(received.method).toBe('POST');
      expect(received.headers['content-type']).toBe('application/json');
      expect(JSON.parse(received.body.toString('utf8'))).toEqual(expectedBody);
      const result = verify();
      expect(result.ok).toBe(true);
      expect(result.params.get('oauth_body_hash')).toBe(createHash('sha256').update(received.body).digest('base64'));
      // The same request with one byte of the body changed must not verify: the hash covers the bytes.
      const tampered = { ...received, body: Buffer.from(received.body.toString('utf8').replace('999999', '999998')) };
      expect(verifyOAuthRequest(tampered, publicKey, { consumerKey: CONSUMER_KEY, origin }).ok).toBe(false);
    });

    it.each<[string, (ref: TestingModule) => Promise<unknown>, string, string, Record<string, unknown>]>([
      [
        'createAccessToken',
        (ref) => ref.get(AccessTokenService).createAccessToken('1PCLOSANDBOXBCN00002tra6athatR', { utcOffset: '-07:00' }),
        '{"accessToken":"at-1"}',
        '/loyalty/offers/user-presentment/access-tokens',
        { fiId: '999999', userId: '1PCLOSANDBOXBCN00002tra6athatR', utcOffset: '-07:00' },
      ],
      [
        'searchOffers',
        (ref) => ref.get(UserPresentmentService).searchOffers({ accessToken: 'at-1' }, { offerCountries: ['!USA', '!AUS'], radius: '5mi', limit: 5 }),
        '{"offers":[]}',
        '/loyalty/offers/user-presentment/offers/filters',
        { offerCountries: ['!USA', '!AUS'], radius: '5mi', limit: 5 },
      ],
      [
        'processActivations',
        (ref) => ref.get(UserPresentmentService).processActivations({ accessToken: 'at-1' }, { offerId: 'o-1' }),
        '{"activations":[{"id":"a-1","status":"QUEUED","offerId":"o-1"}]}',
        '/loyalty/offers/user-presentment/activations',
        { offerId: 'o-1' },
      ],
      [
        'createOfferRating (offer id in the path)',
        (ref) => ref.get(UserPresentmentService).createOfferRating({ accessToken: 'at-1' }, 'o 1/!', { like: 1 }),
        '{"offerRating":{"offerId":"o 1/!","like":1}}',
        '/loyalty/offers/user-presentment/offer-ratings/o%201%2F%21/likes',
        { like: 1 },
      ],
      [
        'publishImpressions',
        (ref) =>
          ref
            .get(UserPresentmentService)
            .publishImpressions({ accessToken: 'at-1' }, [
              { offerId: 'o-1', order: 1, activityType: 'VIEWED', activityTimestamp: new Date('2026-11-29T10:00:00Z') },
            ]),
        '"Accepted"',
        '/loyalty/offers/impressions',
        { impressions: [{ offerId: 'o-1', order: '1', activityType: 'VIEWED', activityTimestamp: '2026-11-29T10:00:00.000Z' }] },
      ],
      [
        'searchAdminOffers',
        (ref) => ref.get(PlatformAdminService).searchAdminOffers({ languages: ['ALL'], offset: 0, limit: 10 }),
        '{"offers":[],"status":{"code":200,"message":"Success"}}',
        '/loyalty/offers/platform-admin/offers/filters',
        { fId: '999999', offset: 0, limit: 10, languages: ['ALL'] },
      ],
    ])('%s (current API): signature and body hash verify against the received body', async (_, call, answer, path, expectedBody) => {
      server.responder = answerAfterBody(answer);
      const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
      await call(ref);
      const received = server.requests[0];
      expect(received.method).toBe('POST');
      expect(received.url.split('?')[0]).toBe(path);
      expect(received.headers['content-type']).toBe('application/json');
      expect(JSON.parse(received.body.toString('utf8'))).toEqual(expectedBody);
      expect(verify().ok).toBe(true);
    });

    it('a GET with an exclusion list (offer_country=!USA&offer_country=!AUS) and an X-Auth-Token verifies', async () => {
      server.responder = answerAfterBody('{"offers":[]}');
      const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
      await ref.get(UserPresentmentService).getOffers({ accessToken: 'at-1' }, { offerCountry: ['!USA', '!AUS'], active: true });
      expect(server.requests[0].url).toBe('/loyalty/offers/user-presentment/offers?offer_country=%21USA&offer_country=%21AUS&active=true');
      expect(server.requests[0].headers['x-auth-token']).toBe('at-1');
      expect(verify().ok).toBe(true);
    });

    it('a user’s transformRequest cannot re-serialize a signed body', async () => {
      server.responder = answerAfterBody(feedbackBody);
      const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
      const { PERSONALIZED_OFFERS_HTTP } = await import('nestjs-personalized-offers');
      ref.get(PERSONALIZED_OFFERS_HTTP).axiosRef.defaults.transformRequest = [(data: unknown) => (typeof data === 'string' ? ` ${data} ` : data)];
      await ref.get(LegacyUserPresentmentService).sendUserFeedback({ userToken: 'tok-1' }, { offerId: 'o-1', feedback: 0 });
      expect(server.requests[0].body.toString('utf8')).toBe('{"FId":"999999","OfferId":"o-1","Feedback":0,"UserToken":"tok-1"}');
      expect(verify().ok).toBe(true);
    });

    it('a GET whose query holds !, *, quotes, parentheses and spaces verifies (RFC 3986 encoding, signed as sent)', async () => {
      server.responder = answerAfterBody(JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' } } }));
      const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: privateKey });
      await ref.get(LegacyUserPresentmentService).matchedOffers({ userToken: 'tok-1' }, { merchantName: "Koalla's (best)! *deals* 100%", category: 'SHOP' });
      expect(server.requests[0].url).toContain('MerchantName=Koalla%27s%20%28best%29%21%20%2Adeals%2A%20100%25');
      expect(verify().ok).toBe(true);
    });
  });

  describe('key loading fails fast with a helpful PersonalizedOffersConfigError', () => {
    const short = rsaKeyPair(1024).privateKey;
    const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const cases: Array<[string, () => OAuthOptions, RegExp, string]> = [
      [
        'a wrong PKCS#12 password',
        () => ({ consumerKey: CONSUMER_KEY, pkcs12: { data: p12, alias: 'keyalias', password: 'wrongP12password-Zq8x' } }),
        /password does not open/,
        'oauth.pkcs12.password',
      ],
      [
        'an alias that is not in the file',
        () => ({ consumerKey: CONSUMER_KEY, pkcs12: { data: p12, alias: 'other', password: 'keystorepassword' } }),
        /"other" is not in the keystore; it holds: "keyalias"/,
        'oauth.pkcs12.alias',
      ],
      [
        'a file that is not a keystore',
        () => ({ consumerKey: CONSUMER_KEY, pkcs12: { data: Buffer.from('hello world'), alias: 'a', password: 'notAkeystorePassword-3Hk' } }),
        /not a PKCS#12 keystore/,
        'oauth.pkcs12',
      ],
      [
        'a missing file',
        () => ({ consumerKey: CONSUMER_KEY, pkcs12: { path: join(dir, 'missing.p12'), alias: 'a', password: 'missingFilePassword-7Rt' } }),
        /cannot be read \(ENOENT\)/,
        'oauth.pkcs12.path',
      ],
      [
        'a PEM that is not a key',
        () => ({ consumerKey: CONSUMER_KEY, signingKey: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }),
        /not a PEM private key/,
        'oauth.signingKey',
      ],
      ['a public key', () => ({ consumerKey: CONSUMER_KEY, signingKey: publicKey }), /must be a private key/, 'oauth.signingKey'],
      ['an RSA key that is too short', () => ({ consumerKey: CONSUMER_KEY, signingKey: short }), /1024-bit RSA key; at least 2048/, 'oauth.signingKey'],
      [
        'a short key inside a PKCS#12',
        () => ({
          consumerKey: CONSUMER_KEY,
          pkcs12: { data: makePkcs12(short, 'k', 'shortKeyP12password-9Qm'), alias: 'k', password: 'shortKeyP12password-9Qm' },
        }),
        /1024-bit/,
        'oauth.pkcs12',
      ],
      ['an EC key', () => ({ consumerKey: CONSUMER_KEY, signingKey: ec() }), /must be an RSA key/, 'oauth.signingKey'],
      [
        'both a PEM and a PKCS#12',
        () => ({ consumerKey: CONSUMER_KEY, signingKey: pkcs8, pkcs12: { data: p12, alias: 'keyalias', password: 'bothGivenPassword-2Lp' } }),
        /exactly one/,
        'oauth.signingKey',
      ],
      ['neither', () => ({ consumerKey: CONSUMER_KEY }), /exactly one/, 'oauth.signingKey'],
      ['an empty consumer key', () => ({ consumerKey: '', signingKey: pkcs8 }), /consumerKey/, 'oauth.consumerKey'],
    ];
    it.each(cases)('%s: names the setting, and echoes neither the password given nor the consumer key', async (_, oauth, message, setting) => {
      const options = oauth();
      const error = await boot(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as PersonalizedOffersConfigError).settings).toContain(setting);
      expect((error as Error).message).not.toContain('keystorepassword');
      expect((error as Error).message).not.toContain(CONSUMER_KEY);
      // The password this case actually gave (the wrong one, for a wrong password), in every rendering.
      const password = options.pkcs12?.password;
      if (password !== undefined) {
        expect(password.length).toBeGreaterThanOrEqual(16); // long enough not to occur by chance
        for (const rendered of [String(error), (error as Error).stack, JSON.stringify(error)]) expect(rendered).not.toContain(password);
      }
    });
  });
});

describe('start-up warning for unsigned requests', () => {
  const { logger: capture, lines } = captureLogger();
  async function bootWith(options: PersonalizedOffersModuleOptions): Promise<void> {
    const ref = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options)] })
      .setLogger(capture)
      .compile();
    await ref.close();
  }

  it('warns once when oauth is absent and the base URL is not loopback', async () => {
    lines.length = 0;
    await bootWith({ fId: '1', baseUrl: 'https://sandbox.api.mastercard.com/plo/v1', authInfo });
    expect(lines.filter((l) => l.startsWith('warn') && l.includes('unsigned'))).toHaveLength(1);
  });

  it('does not warn for a loopback base URL, and logs only the masked consumer key when signing', async () => {
    lines.length = 0;
    await bootWith({ fId: '1', baseUrl: 'http://127.0.0.1:1/plo/v1', authInfo });
    expect(lines.filter((l) => l.startsWith('warn') && l.includes('unsigned'))).toHaveLength(0);
    await bootWith({ fId: '1', baseUrl: 'https://api.mastercard.com/plo/v1', authInfo, oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey } });
    expect(lines.join('\n')).toContain('consumer key …cdef');
    expect(lines.join('\n')).not.toContain(CONSUMER_KEY.slice(0, -4));
  });
});

describe('OAuth from the PLO_OAUTH_* environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plo-env-'));
  const p12Path = join(dir, 'key.p12');
  const pemPath = join(dir, 'key.pem');
  writeFileSync(p12Path, makePkcs12(privateKey, 'keyalias', 'keystorepassword'));
  writeFileSync(pemPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const base = { PLO_FID: '999999', PLO_AUTHINFO_KEY: authInfo.key, PLO_AUTHINFO_IV: authInfo.iv, PLO_OAUTH_CONSUMER_KEY: CONSUMER_KEY };
  const server = new LoopbackServer();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  it.each([
    ['a PKCS#12 file', { PLO_OAUTH_KEY_FILE: p12Path, PLO_OAUTH_KEY_ALIAS: 'keyalias', PLO_OAUTH_KEY_PASSWORD: 'keystorepassword' }],
    ['a PEM file', { PLO_OAUTH_KEY_FILE: pemPath }],
  ])('loads %s and signs verifiably', async (_, vars) => {
    server.requests.length = 0;
    const options = loadPersonalizedOffersConfig({ ...base, ...vars, PLO_BASE_URL: baseUrl });
    const ref = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options)] }).compile();
    await ref.get(UserTokenService).getUserToken('alice');
    await ref.close();
    expect(verifyOAuthRequest(server.requests[0], publicKey, { consumerKey: CONSUMER_KEY, origin: new URL(baseUrl).origin }).ok).toBe(true);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['a wrong password', { PLO_OAUTH_KEY_FILE: p12Path, PLO_OAUTH_KEY_ALIAS: 'keyalias', PLO_OAUTH_KEY_PASSWORD: 'wrong' }, ['PLO_OAUTH_KEY_PASSWORD']],
    ['an unknown alias', { PLO_OAUTH_KEY_FILE: p12Path, PLO_OAUTH_KEY_ALIAS: 'nope', PLO_OAUTH_KEY_PASSWORD: 'keystorepassword' }, ['PLO_OAUTH_KEY_ALIAS']],
    ['a .p12 without alias and password', { PLO_OAUTH_KEY_FILE: p12Path }, ['PLO_OAUTH_KEY_ALIAS', 'PLO_OAUTH_KEY_PASSWORD']],
    ['a consumer key without a key file', {}, ['PLO_OAUTH_KEY_FILE']],
    ['a missing key file', { PLO_OAUTH_KEY_FILE: join(dir, 'missing.p12') }, ['PLO_OAUTH_KEY_FILE']],
  ])('names the variables at fault for %s', (_, vars, settings) => {
    let error: unknown;
    try {
      loadPersonalizedOffersConfig({ ...base, ...vars });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings.sort()).toEqual(settings);
    expect((error as Error).message).not.toMatch(/keystorepassword|wrong|oauth\.pkcs12/);
  });

  it('a key file without a consumer key is refused', () => {
    expect(() => loadPersonalizedOffersConfig({ ...base, PLO_OAUTH_CONSUMER_KEY: '', PLO_OAUTH_KEY_FILE: pemPath })).toThrow(/PLO_OAUTH_CONSUMER_KEY/);
  });
});
