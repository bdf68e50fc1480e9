import { type KeyObject, constants, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { AuthInfoCryptoService, AuthInfoKeyMaterial } from 'nestjs-personalized-offers';
import {
  PersonalizedOffersSimulator,
  type SimulatorOAuth2Options,
  simulatorGatewayCredentials,
  simulatorOAuth2Credentials,
} from 'nestjs-personalized-offers/testing';
import { jwkThumbprint } from '../libs/personalized-offers/src/testing/gateway/jose-verify.js';

/*
 * The simulator in OAuth 2.0 mode, driven with raw HTTP and JWTs built here with node:crypto
 * alone (nothing shared with the simulator's verifier): Mastercard's authorization server at
 * /oauth/token (client credentials, private_key_jwt, DPoP, nonces) and its gateway in front of
 * every operation (DPoP-bound tokens, RFC 9449 §4.3 and §7).
 */

type Alg = 'PS256' | 'ES256';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FID = '999999';
const BROWSE = `/loyalty/offers/platform-admin/offers?f_id=${FID}&limit=1`;
const BROWSE_PATH = '/loyalty/offers/platform-admin/offers';

const b64u = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jti = () => randomBytes(12).toString('base64url');
const ath = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/** A compact JWS signed here: PS256 = RSA-PSS SHA-256 salt 32; ES256 = ECDSA P-256 r‖s. */
function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject, alg: Alg): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const signature =
    alg === 'PS256'
      ? sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

interface DpopKey {
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
  alg: Alg;
}

function dpopKey(kind: 'ec' | 'rsa' = 'ec'): DpopKey {
  const { privateKey, publicKey } = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const full = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const jwk = kind === 'ec' ? { kty: 'EC', crv: full.crv, x: full.x, y: full.y } : { kty: 'RSA', n: full.n, e: full.e };
  return { privateKey, jwk, alg: kind === 'ec' ? 'ES256' : 'PS256' };
}

interface ProofOptions {
  htm: string;
  htu: string;
  nonce?: string;
  token?: string;
  ath?: string;
  iat?: number;
  jti?: string;
  typ?: string;
  jwk?: Record<string, unknown>;
}

/** What these tests read of a JSON answer: the token endpoint's fields or error (RFC 6749, RFC 9449), or an API body. */
interface WireJson {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
  status?: { code?: number; message?: string };
  Response?: { Status: { Code: string } };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed body; undefined when it is not JSON. */
  json: WireJson | undefined;
}

/** One request with exactly these headers (a header given as an array goes out as that many lines). */
function raw(baseUrl: string, method: string, target: string, headers: Record<string, string | string[]>, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  const bytes = body === undefined ? undefined : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, method, path: target, agent: false, headers: { ...(bytes ? { 'Content-Length': String(bytes.length) } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: WireJson | undefined;
          try {
            json = JSON.parse(text) as WireJson;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

/** A client of the simulator written from OAUTH2.md: every JWT built here, every step explicit. */
class Client {
  readonly dpop: DpopKey;
  nonce: string | undefined;
  nowSeconds: () => number;

  constructor(
    readonly baseUrl: string,
    readonly creds: { clientId: string; kid: string; clientKey: KeyObject; alg: Alg },
    clock: () => number,
    dpop: DpopKey = dpopKey(),
  ) {
    this.dpop = dpop;
    this.nowSeconds = () => Math.floor(clock() / 1000);
  }

  get tokenUrl(): string {
    return `${this.baseUrl}/oauth/token`;
  }

  proof(o: ProofOptions, key: DpopKey = this.dpop): string {
    const payload: Record<string, unknown> = { jti: o.jti ?? jti(), htm: o.htm, htu: o.htu, iat: o.iat ?? this.nowSeconds() };
    if (o.token !== undefined) payload.ath = o.ath ?? ath(o.token);
    else if (o.ath !== undefined) payload.ath = o.ath;
    const nonce = 'nonce' in o ? o.nonce : this.nonce;
    if (nonce !== undefined) payload.nonce = nonce;
    return signJwt({ typ: o.typ ?? 'dpop+jwt', alg: key.alg, jwk: o.jwk ?? key.jwk }, payload, key.privateKey, key.alg);
  }

  assertion(overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: KeyObject; alg?: Alg } = {}): string {
    const now = this.nowSeconds();
    const alg = overrides.alg ?? this.creds.alg;
    const header = { alg, typ: 'JWT', kid: this.creds.kid, ...overrides.header };
    const claims = {
      iss: this.creds.clientId,
      sub: this.creds.clientId,
      aud: this.baseUrl,
      jti: jti(),
      iat: now,
      nbf: now,
      exp: now + 90,
      ...overrides.claims,
    };
    return signJwt(header, claims, overrides.key ?? this.creds.clientKey, alg);
  }

  form(overrides: Record<string, string | undefined> = {}): string {
    const fields: Record<string, string | undefined> = {
      grant_type: 'client_credentials',
      client_id: this.creds.clientId,
      scope: 'offers:read',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: this.assertion(),
      ...overrides,
    };
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) params.append(name, value);
    return params.toString();
  }

  /** `dpop` null: no DPoP header. */
  async tokenRequest(
    form = this.form(),
    dpop: string | string[] | null = this.proof({ htm: 'POST', htu: this.tokenUrl }),
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<Answer> {
    const headers: Record<string, string | string[]> = { 'Content-Type': contentType, Accept: 'application/json', 'User-Agent': 'simulator-oauth2-test' };
    if (dpop !== null) headers.DPoP = dpop;
    const answer = await raw(this.baseUrl, 'POST', '/oauth/token', headers, form);
    if (typeof answer.headers['dpop-nonce'] === 'string') this.nonce = answer.headers['dpop-nonce'];
    return answer;
  }

  /** The nonce dance, then a token (fails the test if either step answers otherwise). */
  async token(scope = 'offers:read'): Promise<string> {
    if (this.nonce === undefined) {
      const first = await this.tokenRequest(this.form({ scope }));
      expect(first.status).toBe(400);
      expect(first.json!.error).toBe('use_dpop_nonce');
    }
    const answer = await this.tokenRequest(this.form({ scope }));
    expect(answer.status).toBe(200);
    return answer.json!.access_token as string;
  }

  async call(
    method: string,
    target: string,
    token: string | undefined,
    o: { proof?: Partial<ProofOptions>; key?: DpopKey; authorization?: string | null; dpop?: string | string[] | null } = {},
  ): Promise<Answer> {
    const path = target.split('?')[0];
    const headers: Record<string, string | string[]> = { Accept: 'application/json' };
    const authorization = o.authorization === undefined ? (token !== undefined ? `DPoP ${token}` : undefined) : o.authorization;
    if (authorization !== null && authorization !== undefined) headers.Authorization = authorization;
    const dpop =
      o.dpop === undefined ? this.proof({ htm: method, htu: `${this.baseUrl}${path}`, ...(token !== undefined ? { token } : {}), ...o.proof }, o.key) : o.dpop;
    if (dpop !== null) headers.DPoP = dpop;
    const answer = await raw(this.baseUrl, method, target, headers);
    if (typeof answer.headers['dpop-nonce'] === 'string') this.nonce = answer.headers['dpop-nonce'];
    return answer;
  }
}

function oauth2Simulator(options: Partial<SimulatorOAuth2Options> & { publicKey: KeyObject; clientId: string; kid: string }, clock: () => number) {
  return new PersonalizedOffersSimulator({ fIds: [FID], now: clock, gateway: { oauth2: options } });
}

describe('PersonalizedOffersSimulator in OAuth 2.0 mode', () => {
  let clockMs = Date.now();
  const clock = () => clockMs;
  const rsa = simulatorOAuth2Credentials();
  const simulator = oauth2Simulator({ clientId: rsa.clientId, kid: rsa.kid, publicKey: rsa.publicKey, scopes: ['offers:read', 'offers:admin'] }, clock);
  let baseUrl: string;
  const client = () => new Client(baseUrl, { clientId: rsa.clientId, kid: rsa.kid, clientKey: rsa.clientKey, alg: 'PS256' }, clock);
  /** One client (one DPoP key) with a token, shared by the gateway tests. */
  let shared: Client;
  let sharedToken: string;

  beforeAll(async () => {
    ({ baseUrl } = await simulator.start());
    shared = client();
    sharedToken = await shared.token();
  });
  afterAll(() => simulator.stop());

  it('the ath test vector of OAUTH2.md §3.1', () => {
    expect(ath('sample_access_token')).toBe('bvfMxCVzmPZ0NTqtpvm0_13Jq7zDrBLZYawDcKVGN34');
  });

  it('the simulator binds tokens by the RFC 7638 thumbprint (the RFC §3.1 example key)', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' } as never)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('simulatorOAuth2Credentials: a client ID, a Mastercard-shaped kid and an RSA 2048 key pair', () => {
    expect(rsa.clientId).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(rsa.kid).toMatch(/^[0-9a-f]{32}0{16}$/);
    expect(rsa.clientKey.type).toBe('private');
    expect(rsa.clientKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsa.publicKey.type).toBe('public');
  });

  describe('token endpoint', () => {
    it('asks for a nonce (400 use_dpop_nonce + DPoP-Nonce), then issues a DPoP token (PS256 assertion, ES256 proof)', async () => {
      const c = client();
      simulator.resetRequestCount();
      const first = await c.tokenRequest();
      expect(first.status).toBe(400);
      expect(first.json).toEqual({ error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' });
      expect(first.headers['dpop-nonce']).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(first.headers['dpop-nonce']).toBe(simulator.dpopNonce);

      const second = await c.tokenRequest();
      expect(second.status).toBe(200);
      expect(second.headers['content-type']).toBe('application/json');
      expect(second.headers['cache-control']).toBe('no-store');
      expect(second.headers['dpop-nonce']).toBe(simulator.dpopNonce);
      expect(second.json).toEqual({ access_token: expect.any(String), token_type: 'DPoP', expires_in: 900, scope: 'offers:read' });
      expect(second.json!.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(simulator.oauth2TokenRequests).toBe(2);
      expect(simulator.oauth2TokensIssued).toBe(1);
    });

    it('issues tokens to an EC P-256 client key (ES256 assertion), tokenTtlSeconds, several scopes, an RSA DPoP key (PS256 proof)', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const sim = oauth2Simulator({ clientId: 'ec-client', kid: 'ec-kid', publicKey, tokenTtlSeconds: 120 }, clock);
      const { baseUrl: url } = await sim.start();
      try {
        const c = new Client(url, { clientId: 'ec-client', kid: 'ec-kid', clientKey: privateKey, alg: 'ES256' }, clock, dpopKey('rsa'));
        await c.tokenRequest();
        const answer = await c.tokenRequest(c.form({ scope: 'a:read b:write' }));
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ token_type: 'DPoP', expires_in: 120, scope: 'a:read b:write' });
        const api = await c.call('GET', BROWSE, answer.json!.access_token);
        expect(api.status).toBe(200);
        // A PS256 assertion from an EC key's client is refused.
        const wrongAlg = await c.tokenRequest(c.form({ client_assertion: c.assertion({ alg: 'PS256', key: rsa.clientKey }) }));
        expect(wrongAlg.status).toBe(401);
        expect(wrongAlg.json).toEqual({ error: 'invalid_client', error_description: "client_assertion alg must be ES256 for this client's key" });
      } finally {
        await sim.stop();
      }
    });

    it('accepts aud as an array holding the issuer; with no scope requested grants the configured scopes', async () => {
      const c = client();
      await c.tokenRequest();
      const array = await c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { aud: ['https://elsewhere.example', baseUrl] } }) }));
      expect(array.status).toBe(200);
      const none = await c.tokenRequest(c.form({ scope: undefined }));
      expect(none.status).toBe(200);
      expect(none.json!.scope).toBe('offers:read offers:admin');
    });

    const refusals: Array<[string, (c: Client) => Promise<Answer>, number, string, string]> = [
      ['a wrong client_id', (c) => c.tokenRequest(c.form({ client_id: 'someone-else' })), 401, 'invalid_client', 'Unknown client_id'],
      [
        'a wrong kid',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ header: { kid: 'another-kid' } }) })),
        401,
        'invalid_client',
        'client_assertion kid is not a key of this client',
      ],
      [
        'an assertion signed with another key',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ key: simulatorOAuth2Credentials().clientKey }) })),
        401,
        'invalid_client',
        "client_assertion signature couldn't be verified",
      ],
      [
        'an assertion with alg ES256 from an RSA-key client',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ header: { alg: 'ES256' } }) })),
        401,
        'invalid_client',
        "client_assertion alg must be PS256 for this client's key",
      ],
      [
        'an assertion without typ JWT',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ header: { typ: undefined } }) })),
        401,
        'invalid_client',
        'client_assertion header typ must be JWT',
      ],
      [
        'aud = the token endpoint',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { aud: c.tokenUrl } }) })),
        401,
        'invalid_client',
        'client_assertion aud must be the issuer',
      ],
      [
        'aud with a trailing slash',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { aud: `${c.baseUrl}/` } }) })),
        401,
        'invalid_client',
        'client_assertion aud must be the issuer',
      ],
      [
        'iss not the client ID',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { iss: 'x' } }) })),
        401,
        'invalid_client',
        'client_assertion iss must be the client_id',
      ],
      [
        'sub not the client ID',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { sub: 'x' } }) })),
        401,
        'invalid_client',
        'client_assertion sub must be the client_id',
      ],
      [
        'an expired assertion',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { exp: c.nowSeconds() - 1 } }) })),
        401,
        'invalid_client',
        'client_assertion has expired',
      ],
      [
        'an assertion valid for an hour',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { exp: c.nowSeconds() + 3600 } }) })),
        401,
        'invalid_client',
        'client_assertion exp is more than 300 seconds away',
      ],
      [
        'iat 61 s ahead',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { iat: c.nowSeconds() + 61 } }) })),
        401,
        'invalid_client',
        'client_assertion iat is more than 60 seconds in the future',
      ],
      [
        'nbf 61 s ahead',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { nbf: c.nowSeconds() + 61 } }) })),
        401,
        'invalid_client',
        'client_assertion nbf is more than 60 seconds in the future',
      ],
      [
        'no jti',
        (c) => c.tokenRequest(c.form({ client_assertion: c.assertion({ claims: { jti: undefined } }) })),
        401,
        'invalid_client',
        'client_assertion jti is missing',
      ],
      [
        'no client_assertion',
        (c) => c.tokenRequest(c.form({ client_assertion: undefined })),
        401,
        'invalid_client',
        'Client authentication (client_assertion and client_assertion_type) is required',
      ],
      [
        'a wrong client_assertion_type',
        (c) => c.tokenRequest(c.form({ client_assertion_type: 'urn:x' })),
        401,
        'invalid_client',
        `client_assertion_type must be ${ASSERTION_TYPE}`,
      ],
      [
        'a scope not allowed',
        (c) => c.tokenRequest(c.form({ scope: 'offers:read offers:everything' })),
        400,
        'invalid_scope',
        'Scope not allowed for this client: offers:everything',
      ],
      [
        'grant_type password',
        (c) => c.tokenRequest(c.form({ grant_type: 'password' })),
        400,
        'unsupported_grant_type',
        'grant_type password is not supported; use client_credentials',
      ],
      [
        'a JSON body',
        (c) => c.tokenRequest('{}', undefined, 'application/json'),
        400,
        'invalid_request',
        'The token request must be application/x-www-form-urlencoded',
      ],
      ['a parameter twice', (c) => c.tokenRequest(`${c.form()}&scope=offers:read`), 400, 'invalid_request', 'The parameter scope is given more than once'],
      ['no client_id', (c) => c.tokenRequest(c.form({ client_id: undefined })), 400, 'invalid_request', 'client_id is missing'],
      ['no DPoP header', (c) => c.tokenRequest(c.form(), null), 400, 'invalid_dpop_proof', 'A DPoP proof is required'],
      [
        'two DPoP headers',
        (c) => c.tokenRequest(c.form(), [c.proof({ htm: 'POST', htu: c.tokenUrl }), c.proof({ htm: 'POST', htu: c.tokenUrl })]),
        400,
        'invalid_dpop_proof',
        'Exactly one DPoP header is allowed',
      ],
      [
        'a proof with htm GET',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'GET', htu: c.tokenUrl })),
        400,
        'invalid_dpop_proof',
        'DPoP proof htm does not match the request method POST',
      ],
      [
        'a proof for another URI',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: `${c.baseUrl}/oauth/token2` })),
        400,
        'invalid_dpop_proof',
        `DPoP proof htu does not match the request URI`,
      ],
      [
        'a proof whose htu has a query',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: `${c.tokenUrl}?a=1` })),
        400,
        'invalid_dpop_proof',
        'DPoP proof htu must not carry a query or fragment',
      ],
      [
        'a proof with ath',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, ath: ath('x') })),
        400,
        'invalid_dpop_proof',
        'DPoP proof at the token endpoint must not carry ath',
      ],
      [
        'a proof typed JWT',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, typ: 'JWT' })),
        400,
        'invalid_dpop_proof',
        'DPoP proof typ must be dpop+jwt',
      ],
      [
        'a proof 61 s old',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, iat: c.nowSeconds() - 61 })),
        400,
        'invalid_dpop_proof',
        'DPoP proof iat is too old',
      ],
      [
        'a proof 11 s ahead',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, iat: c.nowSeconds() + 11 })),
        400,
        'invalid_dpop_proof',
        'DPoP proof iat is in the future',
      ],
      [
        'a proof whose jwk has the private d',
        (c) =>
          c.tokenRequest(
            c.form(),
            c.proof({ htm: 'POST', htu: c.tokenUrl, jwk: { ...c.dpop.jwk, d: (c.dpop.privateKey.export({ format: 'jwk' }) as { d: string }).d } }),
          ),
        400,
        'invalid_dpop_proof',
        'DPoP proof jwk is not acceptable: the jwk must be a public key: it has the private member d',
      ],
      [
        'a proof signed by another key than its jwk',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, jwk: dpopKey().jwk })),
        400,
        'invalid_dpop_proof',
        'DPoP proof signature does not verify with its jwk',
      ],
      [
        'a proof with a made-up nonce',
        (c) => c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, nonce: 'not-a-nonce' })),
        400,
        'use_dpop_nonce',
        'Authorization server requires nonce in DPoP proof',
      ],
    ];
    it.each(refusals)('refuses %s', async (_name, send, status, error, description) => {
      const c = client();
      await c.tokenRequest(); // the nonce
      const issued = simulator.oauth2TokensIssued;
      const answer = await send(c);
      expect(answer.status).toBe(status);
      expect(answer.json!.error).toBe(error);
      expect(answer.json!.error_description).toContain(description);
      expect(answer.headers['dpop-nonce']).toBe(simulator.dpopNonce);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(simulator.oauth2TokensIssued).toBe(issued);
      const record = simulator.requests.at(-1)!;
      expect(record.path).toBe('/oauth/token');
      expect(record.gatewayRefusal).toEqual({ status, reasonCode: error, description: answer.json!.error_description });
    });

    it('refuses a replayed client assertion (same jti) and a replayed proof', async () => {
      const c = client();
      await c.tokenRequest();
      const assertion = c.assertion();
      expect((await c.tokenRequest(c.form({ client_assertion: assertion }))).status).toBe(200);
      const replayed = await c.tokenRequest(c.form({ client_assertion: assertion }));
      expect(replayed.status).toBe(401);
      expect(replayed.json).toEqual({ error: 'invalid_client', error_description: 'client_assertion jti was already used' });

      const proof = c.proof({ htm: 'POST', htu: c.tokenUrl });
      expect((await c.tokenRequest(c.form(), proof)).status).toBe(200);
      const again = await c.tokenRequest(c.form(), proof);
      expect(again.status).toBe(400);
      expect(again.json).toEqual({ error: 'invalid_dpop_proof', error_description: 'DPoP proof jti was already used' });
    });

    it('an assertion refused for want of a nonce is not spent: the same assertion with a new proof succeeds', async () => {
      const c = client();
      const form = c.form();
      expect((await c.tokenRequest(form)).json!.error).toBe('use_dpop_nonce');
      expect((await c.tokenRequest(form)).status).toBe(200);
    });

    it('50 concurrent token requests: 50 distinct tokens, all usable, all counted', async () => {
      const c = client();
      await c.tokenRequest();
      simulator.resetRequestCount();
      const answers = await Promise.all(Array.from({ length: 50 }, () => c.tokenRequest()));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(new Set(answers.map((a) => a.json!.access_token)).size).toBe(50);
      expect(simulator.oauth2TokenRequests).toBe(50);
      expect(simulator.oauth2TokensIssued).toBe(50);
      expect((await c.call('GET', BROWSE, answers[49].json!.access_token)).status).toBe(200);
    });

    it('serves POST only', async () => {
      const answer = await raw(baseUrl, 'GET', '/oauth/token', {});
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(answer.json!.error).toBe('invalid_request');
    });
  });

  describe('gateway', () => {
    it('admits a DPoP-bound call to both families (browseOffers, usertoken), every answer with DPoP-Nonce, nothing refused', async () => {
      simulator.clearRequests();
      const browse = await shared.call('GET', BROWSE, sharedToken);
      expect(browse.status).toBe(200);
      expect(browse.json!.status).toEqual({ code: 200, message: 'Success' });
      expect(browse.headers['dpop-nonce']).toBe(simulator.dpopNonce);

      const authInfo = new AuthInfoCryptoService(FID, AuthInfoKeyMaterial.from(simulator.authInfo), { now: clock }).encrypt('oauth2-user');
      const usertoken = await shared.call('GET', `/plo/v1/usertoken?FId=${FID}&AuthInfo=${encodeURIComponent(authInfo)}`, sharedToken);
      expect(usertoken.status).toBe(200);
      expect(usertoken.json!.Response!.Status.Code).toBe('600');
      expect(usertoken.headers['dpop-nonce']).toBe(simulator.dpopNonce);

      expect(simulator.requests.map((r) => r.operationId)).toEqual(['browseOffers', 'getUserToken']);
      expect(simulator.requests.filter((r) => r.gatewayRefusal)).toEqual([]);
      expect(simulator.requests[0].headers.authorization).toBe(`DPoP ${sharedToken}`);
    });

    it('an unknown path still needs the token, then gets 404', async () => {
      expect((await shared.call('GET', '/loyalty/nothing', sharedToken)).status).toBe(404);
      expect((await shared.call('GET', '/loyalty/nothing', undefined, { authorization: null })).status).toBe(400);
    });

    const gatewayFormat = (reasonCode: string, description: string) => ({
      Errors: { Error: [{ Source: 'Gateway', ReasonCode: reasonCode, Description: description, Recoverable: false, Details: null }] },
    });

    it('no Authorization header: 400 INVALID_AUTH_HEADER in the gateway format', async () => {
      const answer = await shared.call('GET', BROWSE, undefined);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(gatewayFormat('INVALID_AUTH_HEADER', 'Bad Request - No Authorization header set.'));
      expect(answer.headers['dpop-nonce']).toBe(simulator.dpopNonce);
      expect(simulator.requests.at(-1)!.gatewayRefusal).toEqual({
        status: 400,
        reasonCode: 'INVALID_AUTH_HEADER',
        description: 'Bad Request - No Authorization header set.',
      });
    });

    it('Authorization but no DPoP header: 400 MALFORMED_OAUTH_REQ', async () => {
      const answer = await shared.call('GET', BROWSE, sharedToken, { dpop: null });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(gatewayFormat('MALFORMED_OAUTH_REQ', 'Invalid Request'));
    });

    it('an OAuth 1.0a header: 400 INVALID_AUTH_HEADER', async () => {
      const oauth1 =
        'OAuth oauth_body_hash="47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",oauth_consumer_key="key",oauth_nonce="n",oauth_signature="c2ln",oauth_signature_method="RSA-SHA256",oauth_timestamp="1",oauth_version="1.0"';
      const answer = await shared.call('GET', BROWSE, undefined, { authorization: oauth1, dpop: null });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(
        gatewayFormat(
          'INVALID_AUTH_HEADER',
          'Bad Request - OAuth 1.0a is not accepted for this client: send Authorization: DPoP <access token> and a DPoP proof.',
        ),
      );
    });

    it('two Authorization headers: 400 INVALID_AUTH_HEADER', async () => {
      const answer = await shared.call('GET', BROWSE, sharedToken, { authorization: [`DPoP ${sharedToken}`, `DPoP ${sharedToken}`] as unknown as string });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(gatewayFormat('INVALID_AUTH_HEADER', 'Bad Request - More than one Authorization header set.'));
    });

    it('a Bearer token: 400 INVALID_AUTH_HEADER', async () => {
      const answer = await shared.call('GET', BROWSE, sharedToken, { authorization: `Bearer ${sharedToken}` });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(gatewayFormat('INVALID_AUTH_HEADER', 'Bad Request - The Authorization header must use the DPoP scheme.'));
    });

    const rfc = (error: string, description: string) => `DPoP error="${error}", error_description="${description}", algs="ES256 PS256"`;
    const proofRefusals: Array<[string, (c: Client, token: string) => Promise<Answer>, string, string]> = [
      [
        'htm POST on a GET',
        (c, t) => c.call('GET', BROWSE, t, { proof: { htm: 'POST' } }),
        'invalid_dpop_proof',
        'DPoP proof htm does not match the request method GET',
      ],
      [
        'htu of another path',
        (c, t) => c.call('GET', BROWSE, t, { proof: { htu: `${c.baseUrl}/loyalty/offers/platform-admin/adjustments` } }),
        'invalid_dpop_proof',
        `DPoP proof htu does not match the request URI http://127.0.0.1:`,
      ],
      [
        'htu with the query',
        (c, t) => c.call('GET', BROWSE, t, { proof: { htu: `${c.baseUrl}${BROWSE}` } }),
        'invalid_dpop_proof',
        'DPoP proof htu must not carry a query or fragment',
      ],
      [
        'htu with another port',
        (c, t) => c.call('GET', BROWSE, t, { proof: { htu: `http://127.0.0.1:1${BROWSE_PATH}` } }),
        'invalid_dpop_proof',
        'DPoP proof htu does not match the request URI',
      ],
      [
        'ath of another token',
        (c, t) => c.call('GET', BROWSE, t, { proof: { ath: ath(`${t}x`) } }),
        'invalid_dpop_proof',
        'DPoP proof ath does not match the access token',
      ],
      [
        'no ath',
        (c, t) => c.call('GET', BROWSE, t, { dpop: c.proof({ htm: 'GET', htu: `${c.baseUrl}${BROWSE_PATH}` }) }),
        'invalid_dpop_proof',
        'DPoP proof ath is missing',
      ],
      ['a proof 61 s old', (c, t) => c.call('GET', BROWSE, t, { proof: { iat: c.nowSeconds() - 61 } }), 'invalid_dpop_proof', 'DPoP proof iat is too old'],
      ['a proof typed jwt', (c, t) => c.call('GET', BROWSE, t, { proof: { typ: 'jwt' } }), 'invalid_dpop_proof', 'DPoP proof typ must be dpop+jwt'],
      ['a proof that is not a JWT', (c, t) => c.call('GET', BROWSE, t, { dpop: 'not.a.jwt' }), 'invalid_dpop_proof', 'DPoP proof is not a well-formed JWT'],
      [
        'two DPoP headers',
        (c, t) =>
          c.call('GET', BROWSE, t, {
            dpop: [c.proof({ htm: 'GET', htu: `${c.baseUrl}${BROWSE_PATH}`, token: t }), c.proof({ htm: 'GET', htu: `${c.baseUrl}${BROWSE_PATH}`, token: t })],
          }),
        'invalid_dpop_proof',
        'Exactly one DPoP header is allowed',
      ],
      ['a token bound to another key', (c, t) => c.call('GET', BROWSE, t, { key: dpopKey() }), 'invalid_token', 'Invalid DPoP key binding'],
      ['an unknown token', (c) => c.call('GET', BROWSE, 'bm90LWEtdG9rZW4'), 'invalid_token', 'The access token is invalid or expired'],
    ];
    it.each(proofRefusals)('%s: 401 with WWW-Authenticate and the JSON body', async (_name, send, error, description) => {
      const answer = await send(shared, sharedToken);
      expect(answer.status).toBe(401);
      expect(answer.json!.error).toBe(error);
      expect(answer.json!.error_description).toContain(description);
      expect(answer.headers['www-authenticate']).toBe(rfc(error, answer.json!.error_description!));
      expect(answer.headers['dpop-nonce']).toBe(simulator.dpopNonce);
      expect(simulator.requests.at(-1)!.gatewayRefusal).toEqual({ status: 401, reasonCode: error, description: answer.json!.error_description });
      // The token still works with a right proof afterwards.
      expect((await shared.call('GET', BROWSE, sharedToken)).status).toBe(200);
    });

    it('a replayed proof: 401 invalid_dpop_proof', async () => {
      const proof = shared.proof({ htm: 'GET', htu: `${baseUrl}${BROWSE_PATH}`, token: sharedToken });
      expect((await shared.call('GET', BROWSE, sharedToken, { dpop: proof })).status).toBe(200);
      const again = await shared.call('GET', BROWSE, sharedToken, { dpop: proof });
      expect(again.status).toBe(401);
      expect(again.json).toEqual({ error: 'invalid_dpop_proof', error_description: 'DPoP proof jti was already used' });
      expect(again.headers['www-authenticate']).toBe(rfc('invalid_dpop_proof', 'DPoP proof jti was already used'));
    });

    it('nonce missing or stale: 401 use_dpop_nonce with DPoP-Nonce; the new nonce then works', async () => {
      const expected = 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"';
      const missing = await shared.call('GET', BROWSE, sharedToken, { proof: { nonce: undefined } });
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe(expected);
      expect(missing.json).toEqual({ error: 'use_dpop_nonce', error_description: 'Resource server requires nonce in DPoP proof' });
      expect(missing.headers['dpop-nonce']).toBe(simulator.dpopNonce);

      const old = shared.nonce!;
      const fresh = simulator.rotateDpopNonce();
      expect(fresh).not.toBe(old);
      const stale = await shared.call('GET', BROWSE, sharedToken, { proof: { nonce: old } });
      expect(stale.status).toBe(401);
      expect(stale.headers['www-authenticate']).toBe(expected);
      expect(stale.headers['dpop-nonce']).toBe(fresh);
      expect(shared.nonce).toBe(fresh);
      expect((await shared.call('GET', BROWSE, sharedToken)).status).toBe(200);
    });

    it('a graceful rotation keeps the previous nonce valid until the next one; timed rotation every 300 s', async () => {
      const before = simulator.dpopNonce;
      const after = simulator.rotateDpopNonce({ keepPrevious: true });
      expect((await shared.call('GET', BROWSE, sharedToken, { proof: { nonce: before } })).status).toBe(200);
      expect(shared.nonce).toBe(after);
      simulator.rotateDpopNonce({ keepPrevious: true });
      expect((await shared.call('GET', BROWSE, sharedToken, { proof: { nonce: before } })).status).toBe(401);
      // Timed: 300 s on, the nonce changes and the last one stays valid; 600 s on, both are stale.
      const current = simulator.dpopNonce;
      clockMs += 300_000;
      try {
        expect(simulator.dpopNonce).not.toBe(current);
        expect((await shared.call('GET', BROWSE, sharedToken, { proof: { nonce: current } })).status).toBe(200);
      } finally {
        clockMs -= 300_000;
      }
      shared.nonce = simulator.rotateDpopNonce();
    });

    it('insufficient scope (scopeFor): 403 with WWW-Authenticate and the JSON body, in both header forms', async () => {
      for (const style of ['rfc', 'colon'] as const) {
        const sim = oauth2Simulator(
          {
            clientId: rsa.clientId,
            kid: rsa.kid,
            publicKey: rsa.publicKey,
            wwwAuthenticate: style,
            scopeFor: (op) => (op === 'browseOffers' ? 'offers:admin' : 'offers:read'),
          },
          clock,
        );
        const { baseUrl: url } = await sim.start();
        try {
          const c = new Client(url, { clientId: rsa.clientId, kid: rsa.kid, clientKey: rsa.clientKey, alg: 'PS256' }, clock);
          const reader = await c.token('offers:read');
          const answer = await c.call('GET', BROWSE, reader);
          expect(answer.status).toBe(403);
          expect(answer.json).toEqual({ error: 'insufficient_scope', error_description: 'requested scope is not permitted' });
          expect(answer.headers['www-authenticate']).toBe(
            style === 'rfc'
              ? 'DPoP error="insufficient_scope", error_description="requested scope is not permitted", algs="ES256 PS256"'
              : 'Dpop error:"insufficient_scope", error_description:"requested scope is not permitted", algs:"ES256 PS256"',
          );
          expect(sim.requests.at(-1)!.gatewayRefusal).toEqual({
            status: 403,
            reasonCode: 'insufficient_scope',
            description: 'requested scope is not permitted',
          });
          // The same token serves an operation its scope covers; a token with both scopes serves both.
          const authInfo = new AuthInfoCryptoService(FID, AuthInfoKeyMaterial.from(sim.authInfo), { now: clock }).encrypt('u');
          expect((await c.call('GET', `/plo/v1/usertoken?FId=${FID}&AuthInfo=${encodeURIComponent(authInfo)}`, reader)).status).toBe(200);
          const both = await c.token('offers:read offers:admin');
          expect((await c.call('GET', BROWSE, both)).status).toBe(200);
          // The nonce refusal in this form too.
          const nonce = await c.call('GET', BROWSE, both, { proof: { nonce: 'stale' } });
          expect(nonce.status).toBe(401);
          expect(nonce.headers['www-authenticate']).toBe(
            style === 'rfc'
              ? 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"'
              : 'Dpop error:"use_dpop_nonce", error_description:"Resource server requires nonce in DPoP proof"',
          );
          const invalid = await c.call('GET', BROWSE, 'dW5rbm93bg');
          expect(invalid.headers['www-authenticate']).toBe(
            style === 'rfc'
              ? 'DPoP error="invalid_token", error_description="The access token is invalid or expired", algs="ES256 PS256"'
              : 'Dpop error:"invalid_token", error_description:"The access token is invalid or expired", algs:"ES256 PS256"',
          );
        } finally {
          await sim.stop();
        }
      }
    });

    it('expired tokens: 401 invalid_token, by expireOAuth2Tokens() and by the clock passing expires_in; a new token works', async () => {
      const c = client();
      const token = await c.token();
      expect((await c.call('GET', BROWSE, token)).status).toBe(200);
      simulator.expireOAuth2Tokens();
      const expired = await c.call('GET', BROWSE, token);
      expect(expired.status).toBe(401);
      expect(expired.json).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid or expired' });

      const next = await c.token();
      clockMs += 899_000;
      try {
        c.nonce = simulator.dpopNonce;
        expect((await c.call('GET', BROWSE, next)).status).toBe(200);
        clockMs += 1_000;
        const late = await c.call('GET', BROWSE, next);
        expect(late.status).toBe(401);
        expect(late.json!.error).toBe('invalid_token');
      } finally {
        clockMs -= 900_000;
      }
      // expireOAuth2Tokens() expired the shared token too.
      shared.nonce = simulator.rotateDpopNonce();
      expect((await shared.call('GET', BROWSE, sharedToken)).json!.error).toBe('invalid_token');
      sharedToken = await shared.token();
      expect((await shared.call('GET', BROWSE, sharedToken)).status).toBe(200);
    });

    it('revokeOAuth2Tokens(): every token gets 401 invalid_token; a new one works (run last: it revokes the shared token)', async () => {
      const c = client();
      const token = await c.token();
      simulator.revokeOAuth2Tokens();
      for (const [who, t] of [
        [c, token],
        [shared, sharedToken],
      ] as const) {
        const answer = await who.call('GET', BROWSE, t);
        expect(answer.status).toBe(401);
        expect(answer.json!.error).toBe('invalid_token');
        expect(answer.headers['www-authenticate']).toBe(rfc('invalid_token', 'The access token is invalid or expired'));
      }
      expect((await c.call('GET', BROWSE, await c.token())).status).toBe(200);
    });
  });

  describe('options and other modes', () => {
    it('requireNonce: false issues a token and admits calls without a nonce', async () => {
      const sim = oauth2Simulator({ clientId: rsa.clientId, kid: rsa.kid, publicKey: rsa.publicKey, requireNonce: false }, clock);
      const { baseUrl: url } = await sim.start();
      try {
        const c = new Client(url, { clientId: rsa.clientId, kid: rsa.kid, clientKey: rsa.clientKey, alg: 'PS256' }, clock);
        const answer = await c.tokenRequest(c.form(), c.proof({ htm: 'POST', htu: c.tokenUrl, nonce: undefined }));
        expect(answer.status).toBe(200);
        expect(answer.headers['dpop-nonce']).toBeDefined();
        expect((await c.call('GET', BROWSE, answer.json!.access_token, { proof: { nonce: undefined } })).status).toBe(200);
        // A nonce sent must still be current.
        expect((await c.call('GET', BROWSE, answer.json!.access_token, { proof: { nonce: 'old' } })).status).toBe(401);
      } finally {
        await sim.stop();
      }
    });

    it('refuses bad options at construction', () => {
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
      expect(() => oauth2Simulator({ clientId: 'c', kid: 'k', publicKey: p384 }, clock)).toThrow(/RSA key of at least 2048 bits \(PS256\) or an EC P-256 key/);
      expect(() => oauth2Simulator({ clientId: '', kid: 'k', publicKey: rsa.publicKey }, clock)).toThrow(/clientId/);
      expect(() => oauth2Simulator({ clientId: 'c', kid: 'k', publicKey: rsa.publicKey, scopes: ['a b'] }, clock)).toThrow(/scopes/);
      expect(() => oauth2Simulator({ clientId: 'c', kid: 'k', publicKey: rsa.publicKey, tokenTtlSeconds: 0 }, clock)).toThrow(/tokenTtlSeconds/);
      // The PEM form of the public key is accepted too.
      expect(() =>
        oauth2Simulator({ clientId: 'c', kid: 'k', publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as unknown as KeyObject }, clock),
      ).not.toThrow();
    });

    it('outside OAuth 2.0 mode: /oauth/token is not served, no DPoP-Nonce, and the OAuth 2.0 controls say why', async () => {
      const gateway = simulatorGatewayCredentials();
      for (const sim of [
        new PersonalizedOffersSimulator(),
        new PersonalizedOffersSimulator({ gateway: { consumerKey: gateway.consumerKey, publicKey: gateway.publicKey } }),
      ]) {
        const { baseUrl: url } = await sim.start();
        try {
          const answer = await raw(url, 'POST', '/oauth/token', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
          expect(answer.status).toBe(sim.requests.at(-1)!.gatewayRefusal ? 400 : 404);
          expect(answer.headers['dpop-nonce']).toBeUndefined();
          expect(sim.oauth2TokenRequests).toBe(0);
          expect(() => sim.rotateDpopNonce()).toThrow(/needs OAuth 2.0 mode/);
          expect(() => sim.revokeOAuth2Tokens()).toThrow(/needs OAuth 2.0 mode/);
        } finally {
          await sim.stop();
        }
      }
    });
  });
});
