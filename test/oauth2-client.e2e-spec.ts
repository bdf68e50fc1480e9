import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  PersonalizedOffersApiError,
  PersonalizedOffersConfigError,
  PersonalizedOffersInvalidResponseError,
  loadPersonalizedOffersConfig,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import * as jose from 'jose';
import { accessTokenHash } from '../libs/personalized-offers/src/signing/oauth2/jose.js';
import { LoopbackServer, okBody } from './support/loopback-server.js';
import { captureLogger } from './support/capture-logger.js';
import { TerminusModule } from '@nestjs/terminus';
import { PersonalizedOffersHealthIndicator } from 'nestjs-personalized-offers/health';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../libs/personalized-offers/src/personalized-offers.constants.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Issue 19 (client side): the module's OAuth 2.0 under FAPI 2.0 against a stand-in for
 * Mastercard's authorization server and gateway written here, which checks every assertion and
 * DPoP proof with node:crypto `verify` over the JWS bytes (the module only signs).
 */
const b64json = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** The JWS header fields the stand-in reads: a client assertion's `kid`/`typ`/`alg`, a DPoP proof's `typ`/`alg`/`jwk`. */
interface JwsHeader {
  alg?: string;
  typ?: string;
  kid?: string;
  jwk?: Record<string, string>;
}

/** The claims the stand-in reads: a client assertion's `iss`/`sub`/`aud`/`exp`/`iat`/`jti`, a DPoP proof's `htm`/`htu`/`iat`/`jti`/`ath`/`nonce`. */
interface JwsClaims {
  iss?: string;
  sub?: string;
  aud?: string;
  exp: number;
  iat: number;
  jti?: string;
  htm?: string;
  htu?: string;
  ath?: string;
  nonce?: string;
}

interface Jws {
  header: JwsHeader;
  claims: JwsClaims;
  valid: boolean;
}

function verifyJws(jws: string, key: KeyObject | undefined): Jws {
  const [h, c, s] = jws.split('.');
  const header = b64json(h) as JwsHeader;
  const claims = b64json(c) as JwsClaims;
  const publicKey = key ?? createPublicKey({ key: header.jwk!, format: 'jwk' });
  const alg = header.alg as string;
  const valid = verify(
    'sha256',
    Buffer.from(`${h}.${c}`),
    alg === 'PS256' ? { key: publicKey, padding: 6, saltLength: 32 } : { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  return { header, claims, valid };
}

const jkt = (jwk: Record<string, string>) =>
  createHash('sha256')
    .update(JSON.stringify(jwk.kty === 'EC' ? { crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y } : { e: jwk.e, kty: 'RSA', n: jwk.n }))
    .digest('base64url');

/** Mastercard's AS and gateway as OAUTH2.md describes them, strict. */
class StandIn extends LoopbackServer {
  origin = '';
  clientKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  clientId = 'client-id-1';
  kid = '302449525fad5309874b16298f3cbaaf0000000000000000';
  nonce = 'nonce-1';
  tokens = new Map<string, { jkt: string; scope: string }>();
  tokenRequests = 0;
  tokenType = 'DPoP';
  problems: string[] = [];
  proofJtis: Array<string | undefined> = [];
  /** Every proof and assertion as received, for the check with another JOSE implementation. */
  rawProofs: string[] = [];
  rawAssertions: string[] = [];
  assertions: Jws[] = [];
  /** Answer the next API request with this 401 first. */
  refuseNext?: 'use_dpop_nonce' | 'invalid_token';
  /** Answer API requests with 403 insufficient_scope. */
  scopeRefused = false;

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url!, this.origin);
      const proofHeader = req.headers.dpop;
      const proof = typeof proofHeader === 'string' ? verifyJws(proofHeader, undefined) : undefined;
      if (typeof proofHeader === 'string') this.rawProofs.push(proofHeader);
      const check = (ok: boolean, what: string) => {
        if (!ok) this.problems.push(`${req.method} ${url.pathname}: ${what}`);
      };
      check(proof !== undefined, 'no DPoP proof');
      if (proof) {
        this.proofJtis.push(proof.claims.jti);
        check(proof.valid, 'proof signature');
        check(proof.header.typ === 'dpop+jwt', 'proof typ');
        check(!('d' in proof.header.jwk!), 'private jwk');
        check(proof.claims.htm === req.method, 'htm');
        check(proof.claims.htu === `${this.origin}${url.pathname}`, `htu ${proof.claims.htu}`);
        check(Math.abs(proof.claims.iat - Date.now() / 1000) < 60, 'iat');
        check(typeof proof.claims.jti === 'string' && Buffer.from(proof.claims.jti, 'base64url').length >= 12, 'jti');
      }
      res.setHeader('DPoP-Nonce', this.nonce);
      if (url.pathname === '/oauth/token') {
        this.tokenRequests++;
        const form = new URLSearchParams(body);
        check(req.headers.authorization === undefined, 'an Authorization header at the token endpoint');
        check(proof?.claims.ath === undefined, 'ath at the token endpoint');
        if (proof?.claims.nonce !== this.nonce) {
          res
            .writeHead(400, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' }));
          return;
        }
        const assertion = verifyJws(form.get('client_assertion')!, this.clientKey.publicKey);
        this.rawAssertions.push(form.get('client_assertion')!);
        this.assertions.push(assertion);
        check(form.get('grant_type') === 'client_credentials', 'grant_type');
        check(form.get('client_id') === this.clientId, 'client_id');
        check(form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'assertion type');
        check(assertion.valid, 'assertion signature');
        check(assertion.header.kid === this.kid && assertion.header.typ === 'JWT' && assertion.header.alg === 'PS256', 'assertion header');
        const c = assertion.claims;
        check(c.iss === this.clientId && c.sub === this.clientId && c.aud === this.origin, 'assertion iss/sub/aud');
        check(c.exp - c.iat <= 90 && c.exp > Date.now() / 1000, 'assertion exp');
        const token = `at-${this.tokenRequests}-${Math.random().toString(36).slice(2)}`;
        this.tokens.set(token, { jkt: jkt(proof.header.jwk!), scope: form.get('scope') ?? '' });
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ access_token: token, token_type: this.tokenType, expires_in: 900, scope: form.get('scope') }));
        return;
      }
      // The gateway.
      check(!String(req.headers.authorization).startsWith('OAuth '), 'an OAuth 1.0a header');
      const token = /^DPoP (.+)$/.exec(String(req.headers.authorization))?.[1];
      const bound = token ? this.tokens.get(token) : undefined;
      if (this.refuseNext) {
        const error = this.refuseNext;
        this.refuseNext = undefined;
        if (error === 'use_dpop_nonce') this.nonce = 'nonce-2';
        res.setHeader('DPoP-Nonce', this.nonce);
        // The colon form Mastercard's own fakes use.
        res.writeHead(401, { 'WWW-Authenticate': `Dpop error:"${error}", error_description:"refused"` }).end(JSON.stringify({ error }));
        if (error === 'invalid_token' && token) this.tokens.delete(token);
        return;
      }
      if (this.scopeRefused) {
        res
          .writeHead(403, {
            'Content-Type': 'application/json',
            'WWW-Authenticate': 'Dpop error:"insufficient_scope", error_description:"requested scope is not permitted"',
          })
          .end(JSON.stringify({ error: 'insufficient_scope', error_description: 'requested scope is not permitted' }));
        return;
      }
      check(bound !== undefined, 'unknown token');
      check(bound !== undefined && proof !== undefined && bound.jkt === jkt(proof.header.jwk!), 'token not bound to the proof key');
      check(proof?.claims.ath === (token ? accessTokenHash(token) : undefined), 'ath');
      check(proof?.claims.nonce === this.nonce, 'nonce');
      if (url.pathname === '/plo/v1/usertoken') res.writeHead(200, { 'Content-Type': 'application/json' }).end(okBody('user-token-1'));
      else if (url.pathname === '/loyalty/offers/user-presentment/access-tokens')
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ accessToken: 'x-auth-token-1' }));
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ offset: 0, limit: 10, total: 0, count: 0, offers: [] }));
    });
  };
}

describe('OAuth 2.0 (FAPI 2.0, private_key_jwt, DPoP): the module against a strict stand-in', () => {
  const server = new StandIn();
  let baseUrl: string;
  let moduleRef: TestingModule | undefined;
  const authInfo = { key: '000102030405060708090a0b0c0d0e0f', iv: '0f0e0d0c0b0a09080706050403020100' };

  beforeAll(async () => {
    baseUrl = new URL(await server.start()).origin;
    server.origin = baseUrl;
    server.responder = server.handle;
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    server.tokens.clear();
    server.tokenRequests = 0;
    server.tokenType = 'DPoP';
    server.problems = [];
    server.proofJtis = [];
    server.assertions = [];
    server.rawProofs = [];
    server.rawAssertions = [];
    server.nonce = 'nonce-1';
    server.scopeRefused = false;
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function boot(overrides: Partial<PersonalizedOffersModuleOptions> = {}) {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo,
          oauth2: { clientId: server.clientId, kid: server.kid, clientKey: server.clientKey.privateKey, scopes: ['service:scope1', 'service:scope2'] },
          ...overrides,
        }),
      ],
    }).compile();
    return moduleRef;
  }

  it('mints a DPoP-bound token (nonce flow at the token endpoint), then signs the API call with a proof carrying ath and the nonce; no OAuth 1.0a header', async () => {
    const ref = await boot();
    await expect(ref.get(UserTokenService).getUserToken('alice')).resolves.toBe('user-token-1');
    expect(server.problems).toEqual([]);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(['/oauth/token', '/oauth/token', '/plo/v1/usertoken']);
    const api = server.requests[2];
    expect(api.headers.authorization).toMatch(/^DPoP at-2-/);
    const [assertion] = server.assertions;
    expect(assertion.claims.exp - assertion.claims.iat).toBe(90);
    expect(Buffer.from(assertion.claims.jti!, 'base64url')).toHaveLength(12);
    expect(new URLSearchParams(server.requests[1].body.toString()).get('scope')).toBe('service:scope1 service:scope2');
  });

  it('50 concurrent first calls share one token (one mint: the nonce round and the token request)', async () => {
    const ref = await boot();
    const users = ref.get(UserTokenService);
    await Promise.all(Array.from({ length: 50 }, (_, i) => users.getUserToken(`user-${i}`)));
    expect(server.tokenRequests).toBe(2);
    expect(server.problems).toEqual([]);
    // Every proof is new: no jti twice.
    expect(new Set(server.proofJtis).size).toBe(server.proofJtis.length);
  });

  it('a gateway 401 use_dpop_nonce (colon form) is repeated once with the new nonce and a new proof', async () => {
    const ref = await boot();
    const users = ref.get(UserTokenService);
    await users.getUserToken('warm');
    server.refuseNext = 'use_dpop_nonce';
    server.proofJtis = [];
    await expect(users.getUserToken('bob')).resolves.toBe('user-token-1');
    expect(server.problems).toEqual([]);
    expect(server.proofJtis).toHaveLength(2);
    expect(new Set(server.proofJtis).size).toBe(2);
  });

  it('a gateway 401 invalid_token drops the token, mints once and repeats once', async () => {
    const ref = await boot();
    const users = ref.get(UserTokenService);
    await users.getUserToken('warm');
    const before = server.tokenRequests;
    server.refuseNext = 'invalid_token';
    await expect(users.getUserToken('carol')).resolves.toBe('user-token-1');
    expect(server.tokenRequests).toBe(before + 1);
    expect(server.problems).toEqual([]);
  });

  it('scopes per operation: each scope set gets its own token', async () => {
    const ref = await boot({
      oauth2: {
        clientId: server.clientId,
        kid: server.kid,
        clientKey: server.clientKey.privateKey,
        scopes: (op) => [op.id.startsWith('get') ? 'plo:read' : 'loyalty:all'],
      },
    });
    await ref.get(UserTokenService).getUserToken('dave');
    await ref.get(UserPresentmentService).getOffers('dave');
    const scopes = server.requests.filter((r) => r.url === '/oauth/token').map((r) => new URLSearchParams(r.body.toString()).get('scope'));
    expect([...new Set(scopes)]).toEqual(['plo:read', 'loyalty:all']);
    expect(server.problems).toEqual([]);
  });

  it('a token that is not DPoP-bound is refused: an invalid response, no API request', async () => {
    server.tokenType = 'Bearer';
    const ref = await boot();
    await expect(ref.get(UserTokenService).getUserToken('eve')).rejects.toBeInstanceOf(PersonalizedOffersInvalidResponseError);
    expect(server.requests.every((r) => r.url === '/oauth/token')).toBe(true);
  });

  it('oauth and oauth2 together are a configuration error', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(boot({ oauth: { consumerKey: 'ck', signingKey: privateKey } })).rejects.toBeInstanceOf(PersonalizedOffersConfigError);
  });

  it('a 403 insufficient_scope: a typed API error naming the scope problem, not retried, and a warn line saying what to do, without the token', async () => {
    const capture = captureLogger();
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo,
          oauth2: { clientId: server.clientId, kid: server.kid, clientKey: server.clientKey.privateKey, scopes: ['plo:read'] },
        }),
      ],
    })
      .setLogger(capture.logger)
      .compile();
    server.scopeRefused = true;
    const error = await moduleRef
      .get(UserTokenService)
      .getUserToken('frank')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(error).toMatchObject({
      status: 403,
      errors: [{ reasonCode: 'insufficient_scope', source: 'OAuth2', description: 'requested scope is not permitted' }],
    });
    expect(server.requests.filter((r) => !r.url.startsWith('/oauth/token'))).toHaveLength(1);
    const warn = capture.lines.filter((l) => l.startsWith('warn ') && l.includes('insufficient_scope'));
    expect(warn).toHaveLength(1);
    expect(warn[0]).toContain('check oauth2.scopes');
    const token = [...server.tokens.keys()][0];
    expect(capture.lines.join('\n')).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
  });

  it('from the environment: PLO_OAUTH2_* (a PEM key file, scopes space-separated) configure the module, which then works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plo-oauth2-'));
    try {
      writeFileSync(join(dir, 'client.pem'), server.clientKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const options = loadPersonalizedOffersConfig({
        PLO_FID: '999999',
        PLO_BASE_URL: baseUrl,
        PLO_OAUTH2_CLIENT_ID: server.clientId,
        PLO_OAUTH2_KID: server.kid,
        PLO_OAUTH2_KEY_FILE: join(dir, 'client.pem'),
        PLO_OAUTH2_SCOPES: 'service:scope1 service:scope2',
      });
      expect(options.oauth2).toMatchObject({ clientId: server.clientId, kid: server.kid, scopes: ['service:scope1', 'service:scope2'] });
      moduleRef = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options)] }).compile();
      await expect(moduleRef.get(UserPresentmentService).getOffers('gina')).resolves.toMatchObject({ offers: [] });
      expect(server.problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['PLO_OAUTH2_KID missing', { PLO_OAUTH2_KID: undefined }, ['PLO_OAUTH2_KID']],
    ['PLO_OAUTH2_SCOPES missing', { PLO_OAUTH2_SCOPES: undefined }, ['PLO_OAUTH2_SCOPES']],
    ['an unreadable key file', { PLO_OAUTH2_KEY_FILE: '/nonexistent/key.pem' }, ['PLO_OAUTH2_KEY_FILE']],
    ['OAuth 1.0a variables too', { PLO_OAUTH_CONSUMER_KEY: 'ck' }, ['PLO_OAUTH2_CLIENT_ID']],
  ])('from the environment, %s: a configuration error naming the variable', (_what, change, names) => {
    const env: Record<string, string | undefined> = {
      PLO_FID: '999999',
      PLO_OAUTH2_CLIENT_ID: 'c',
      PLO_OAUTH2_KID: 'k',
      PLO_OAUTH2_KEY_FILE: '/dev/null',
      PLO_OAUTH2_SCOPES: 's',
      ...change,
    };
    let error: unknown;
    try {
      loadPersonalizedOffersConfig(env, { logger: { warn: () => undefined } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings).toEqual(expect.arrayContaining(names));
  });

  it('the health indicator reports the token state without calling Mastercard: none, valid, then failing (down) after a refused mint', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl,
          authInfo,
          oauth2: { clientId: server.clientId, kid: server.kid, clientKey: server.clientKey.privateKey, scopes: ['s'] },
        }),
        TerminusModule,
      ],
      providers: [PersonalizedOffersHealthIndicator],
    }).compile();
    const indicator = moduleRef.get(PersonalizedOffersHealthIndicator);
    const before = server.requests.length;
    expect((await indicator.isHealthy()).personalizedOffers).toMatchObject({ status: 'up', oauth2: { state: 'none', tokens: 0 } });
    expect(server.requests.length).toBe(before);
    await moduleRef.get(UserTokenService).getUserToken('henry');
    const valid = (await indicator.isHealthy()).personalizedOffers as unknown as { oauth2: { state: string; expiresInMs: number } };
    expect(valid).toMatchObject({ status: 'up', oauth2: { state: 'valid', tokens: 1 } });
    expect(valid.oauth2.expiresInMs).toBeGreaterThan(890_000);
    // Every token refused from now on: the next mint fails.
    server.tokenType = 'Bearer';
    moduleRef.get<{ oauth2: { tokens: Map<string, unknown> } }>(PERSONALIZED_OFFERS_RESOLVED_OPTIONS, { strict: false }).oauth2.tokens.clear();
    await expect(moduleRef.get(UserTokenService).getUserToken('ivan')).rejects.toBeInstanceOf(PersonalizedOffersInvalidResponseError);
    const failing = await indicator.isHealthy();
    expect(failing.personalizedOffers).toMatchObject({ status: 'down', oauth2: { state: 'failing', reason: 'INVALID_RESPONSE' } });
  });

  it('checked by another JOSE implementation (panva/jose): the assertion verifies under the client key with the claims FAPI 2.0 asks, every proof under its own jwk, with the thumbprint the token is bound to', async () => {
    const ref = await boot();
    await ref.get(UserTokenService).getUserToken('jose-user');
    await ref.get(UserPresentmentService).getOffers('jose-user');
    const assertion = server.rawAssertions.at(-1)!;
    const verified = await jose.jwtVerify(assertion, server.clientKey.publicKey, {
      algorithms: ['PS256'],
      issuer: server.clientId,
      subject: server.clientId,
      audience: baseUrl,
      typ: 'JWT',
    });
    expect(verified.protectedHeader).toEqual({ alg: 'PS256', typ: 'JWT', kid: server.kid });
    expect(Object.keys(verified.payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub']);
    expect(server.rawProofs.length).toBeGreaterThanOrEqual(4);
    const thumbprints = new Set<string>();
    for (const proof of server.rawProofs) {
      const header = jose.decodeProtectedHeader(proof);
      const key = await jose.importJWK(header.jwk as jose.JWK, 'ES256');
      const { payload, protectedHeader } = await jose.jwtVerify(proof, key, { typ: 'dpop+jwt', algorithms: ['ES256'] });
      expect(protectedHeader.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) });
      expect(payload).toMatchObject({ htm: expect.stringMatching(/^(GET|POST)$/), htu: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/[^?#]*$/) });
      thumbprints.add(await jose.calculateJwkThumbprint(header.jwk as jose.JWK, 'sha256'));
    }
    // One DPoP key for every proof, and it is the key the tokens were bound to.
    expect(thumbprints.size).toBe(1);
    expect([...server.tokens.values()].every((t) => thumbprints.has(t.jkt))).toBe(true);
  });

  it('the ath test vector of OAUTH2.md §3.1', () => {
    expect(accessTokenHash('sample_access_token')).toBe('bvfMxCVzmPZ0NTqtpvm0_13Jq7zDrBLZYawDcKVGN34');
  });
});
