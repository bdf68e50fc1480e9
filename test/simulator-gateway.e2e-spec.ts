import { createCipheriv, createHash, type KeyObject } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import OAuth from 'mastercard-oauth1-signer';
import forge from 'node-forge';
import {
  AccessTokenService,
  LegacyUserPresentmentService,
  type OAuthOptions,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, type SimulatorGatewayOptions, simulatorGatewayCredentials } from 'nestjs-personalized-offers/testing';
import { rsaKeyPair } from './support/keys.js';

// Shaped like a Mastercard consumer key: 48 characters, '!', 48 hex characters.
const CONSUMER_KEY = 'GatewayTestConsumerKey_0123456789abcdefghijklmnop!0123456789abcdef0123456789abcdef00000000';
const FID = '999999';
const EMPTY_BODY_HASH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
const { privateKey, publicKey } = rsaKeyPair();
const other = rsaKeyPair();

/** A self-signed X.509 certificate (PEM) for `key`: what the Mastercard Developers portal gives for a signing key. */
function certificatePem(key: KeyObject): string {
  const forgeKey = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'gateway-test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'gateway-test' }]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** What these tests read of a JSON answer: a usertoken `Response`, or an `Errors` list. */
interface WireJson {
  Response?: { UserToken?: { Token?: string } };
  Errors?: { Error?: Array<{ Source?: string; ReasonCode: string; Description: string; Recoverable?: boolean; Details?: unknown }> };
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body; undefined when it is not JSON. */
  json: WireJson | undefined;
}

/** One request with exactly these bytes on the wire (no client library in between). */
function raw(
  baseUrl: string,
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path: target,
        agent: false,
        headers: { ...(body ? { 'Content-Length': String(body.length) } : {}), ...options.headers },
      },
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The `Authorization` header Mastercard's reference signer (`mastercard-oauth1-signer`) makes for this request. */
function referenceHeader(url: string, method: string, body: string | undefined, key: KeyObject = privateKey, consumerKey = CONSUMER_KEY, pss = false): string {
  return OAuth.getAuthorizationHeader(
    url,
    method,
    body ?? null,
    consumerKey,
    key,
    pss ? OAuth.SignatureMethod.RSA_PSS_SHA256 : OAuth.SignatureMethod.RSA_SHA256,
  );
}

/** The signature base string the reference signer signs for this request (to compare with the gateway's echo). */
function referenceBaseString(url: string, method: string, header: string): string {
  const oauthParams = new Map<string, string | number>();
  for (const [, name, value] of header.matchAll(/(\w+)="([^"]*)"/g)) if (name !== 'oauth_signature') oauthParams.set(name, value);
  return OAuth.getSignatureBaseString(method, OAuth.getBaseUriString(url), OAuth.toOAuthParamString(OAuth.extractQueryParams(url), oauthParams));
}

/** AuthInfo as Mastercard specifies it (AES-128-CBC, hex, `userId:fId:unixTime`), written here with node:crypto. */
function authInfoFor(simulator: PersonalizedOffersSimulator, userId: string, unixTime = Math.floor(Date.now() / 1000)): string {
  const key = Buffer.from(String(simulator.authInfo.key), 'hex');
  const iv = Buffer.from(String(simulator.authInfo.iv), 'hex');
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([cipher.update(`${userId}:${FID}:${unixTime}`, 'utf8'), cipher.final()]).toString('hex');
}

/** The gateway's error item of a refusal body, checked for the gateway's fixed fields. */
function gatewayError(response: RawResponse): { ReasonCode: string; Description: string } {
  expect(response.headers['content-type']).toBe('application/json');
  const errors = response.json?.Errors?.Error;
  expect(errors).toHaveLength(1);
  expect(errors![0]).toEqual({ Source: 'Gateway', ReasonCode: expect.any(String), Description: expect.any(String), Recoverable: false, Details: null });
  return errors![0];
}

/**
 * A reverse proxy on loopback that keeps the `Host` header (so the signed URL still names the
 * simulator) and can rewrite the request target or the body on the way, as a misbehaving
 * middlebox would after the module signed.
 */
async function startProxy(
  target: string,
  rewrite: { target?: (t: string) => string; body?: (b: Buffer) => Buffer } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      if (rewrite.body && body.length > 0) body = rewrite.body(body);
      const headers = { ...req.headers };
      if (body.length > 0) headers['content-length'] = String(body.length);
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: rewrite.target ? rewrite.target(req.url!) : req.url, headers, agent: false },
        (up) => {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('the simulator as Mastercard’s gateway (option `gateway`)', () => {
  // The public key given as the X.509 certificate a Mastercard project shows.
  const simulator = new PersonalizedOffersSimulator({ fIds: [FID], gateway: { consumerKey: CONSUMER_KEY, publicKey: certificatePem(privateKey) } });
  let baseUrl: string;
  const modules: TestingModule[] = [];

  async function boot(oauth: OAuthOptions | undefined, extra: Partial<PersonalizedOffersModuleOptions> = {}, sim = simulator): Promise<TestingModule> {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({ fId: FID, baseUrl: sim.baseUrl, authInfo: sim.authInfo, cache: false, ...(oauth ? { oauth } : {}), ...extra }),
      ],
    }).compile();
    modules.push(ref);
    return ref;
  }

  const signed: OAuthOptions = { consumerKey: CONSUMER_KEY, signingKey: privateKey };
  const refusals = () => simulator.requests.filter((r) => r.gatewayRefusal).map((r) => r.gatewayRefusal!.reasonCode);

  /** Calls `fn`, expects a PersonalizedOffersApiError and returns it. */
  async function apiError(fn: () => Promise<unknown>): Promise<PersonalizedOffersApiError> {
    const error = await fn().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    return error as PersonalizedOffersApiError;
  }

  beforeAll(async () => {
    ({ baseUrl } = await simulator.start());
  });
  afterAll(async () => {
    await simulator.stop();
  });
  beforeEach(() => {
    simulator.clearRequests();
    simulator.resetRequestCount();
    simulator.clearFaults();
  });
  afterEach(async () => {
    while (modules.length) await modules.pop()!.close();
  });

  describe('accepts what the module signs', () => {
    it('a GET (usertoken): the token comes back and the gateway refused nothing', async () => {
      const ref = await boot(signed);
      await expect(ref.get(UserTokenService).getUserToken('alice')).resolves.toBe(simulator.tokenFor(FID, 'alice'));
      expect(simulator.requests).toHaveLength(1);
      expect(simulator.requests[0]).toMatchObject({ operationId: 'getUserToken' });
      expect(simulator.requests[0].headers.authorization).toMatch(/^OAuth .*oauth_body_hash="47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU="/);
      expect(refusals()).toEqual([]);
    });

    it('a POST with a JSON body (createAccessToken)', async () => {
      const ref = await boot(signed);
      const token = await ref.get(AccessTokenService).getAccessToken('alice');
      expect(token.length).toBeGreaterThan(10);
      const [post] = simulator.requests;
      expect(post).toMatchObject({ operationId: 'createAccessToken', method: 'POST' });
      expect(post.body).toContain('"userId":"alice"');
      // The header's body hash is the hash of exactly those bytes.
      const hash = createHash('sha256').update(post.body).digest('base64');
      expect(post.headers.authorization).toContain(`oauth_body_hash="${hash}"`);
      expect(refusals()).toEqual([]);
    });

    it('a query with special characters (space, comma, &, +, /, =, *, !, quote, parentheses, non-ASCII)', async () => {
      const ref = await boot(signed);
      const keywords = "San Diego, California & Zürich +/=*!'() 東京";
      const result = await ref.get(UserPresentmentService).findGeoLocations('alice', { keywords });
      expect(result).toBeDefined();
      const get = simulator.requests.find((r) => r.operationId === 'findGeoLocations')!;
      expect(get.query.keywords).toEqual([keywords]);
      expect(get.url).toContain('%2B%2F%3D%2A%21%27%28%29');
      expect(refusals()).toEqual([]);
    });

    it("signatureMethod 'RSA-PSS'; and a gateway limited to RSA-SHA256 refuses it as INVALID_AUTH_HEADER", async () => {
      const ref = await boot({ ...signed, signatureMethod: 'RSA-PSS' });
      await expect(ref.get(UserTokenService).getUserToken('pss-user')).resolves.toBe(simulator.tokenFor(FID, 'pss-user'));
      expect(simulator.requests[0].headers.authorization).toContain('oauth_signature_method="RSA-PSS"');
      expect(refusals()).toEqual([]);

      const strict = new PersonalizedOffersSimulator({ gateway: { consumerKey: CONSUMER_KEY, publicKey, signatureMethods: ['RSA-SHA256'] } });
      await strict.start();
      try {
        const error = await apiError(async () =>
          (await boot({ ...signed, signatureMethod: 'RSA-PSS' }, {}, strict)).get(UserTokenService).getUserToken('pss-user'),
        );
        expect(error.status).toBe(400);
        expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'INVALID_AUTH_HEADER' });
      } finally {
        await strict.stop();
      }
    });

    it('the public key as a PEM public key, a DER certificate, or a private KeyObject; nothing else', async () => {
      const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certificatePem(privateKey)))).getBytes(), 'binary');
      const forms: SimulatorGatewayOptions['publicKey'][] = [publicKey.export({ type: 'spki', format: 'pem' }).toString(), der, privateKey];
      for (const form of forms) {
        const sim = new PersonalizedOffersSimulator({ gateway: { consumerKey: CONSUMER_KEY, publicKey: form } });
        await sim.start();
        try {
          const ref = await boot(signed, {}, sim);
          await expect(ref.get(UserTokenService).getUserToken('bob')).resolves.toBe(sim.tokenFor(FID, 'bob'));
        } finally {
          await sim.stop();
        }
      }
      expect(() => new PersonalizedOffersSimulator({ gateway: { consumerKey: CONSUMER_KEY, publicKey: 'not a key' } })).toThrow(TypeError);
      expect(() => new PersonalizedOffersSimulator({ gateway: { consumerKey: '', publicKey } })).toThrow(TypeError);
      expect(() => new PersonalizedOffersSimulator({ gateway: { consumerKey: CONSUMER_KEY, publicKey, timestampWindowSeconds: 0 } })).toThrow(RangeError);
    });

    it('simulatorGatewayCredentials() gives a working consumer key and key pair', async () => {
      const credentials = simulatorGatewayCredentials();
      expect(credentials.consumerKey).toMatch(/^[A-Za-z0-9_-]{48}![0-9a-f]{48}$/);
      const sim = new PersonalizedOffersSimulator({ gateway: { consumerKey: credentials.consumerKey, publicKey: credentials.publicKey } });
      await sim.start();
      try {
        const ref = await boot({ consumerKey: credentials.consumerKey, signingKey: credentials.signingKey }, {}, sim);
        await expect(ref.get(UserTokenService).getUserToken('carol')).resolves.toBe(sim.tokenFor(FID, 'carol'));
      } finally {
        await sim.stop();
      }
    });

    it('both header encodings: raw values (Node/Java/Python signers) and percent-encoded values (C# signer)', async () => {
      const url = `${baseUrl}/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(simulator, 'dave')}`;
      const header = referenceHeader(url, 'GET', undefined);
      // Re-encode every value the way the C# signer writes its header (the signature stays over
      // the raw values). Signed again: a fresh nonce, or the second would be a replay.
      const encoded = referenceHeader(url, 'GET', undefined).replace(/(\w+)="([^"]*)"/g, (_, name: string, value: string) =>
        name === 'oauth_signature' ? `${name}="${value}"` : `${name}="${encodeURIComponent(value).replace(/!/g, '%21')}"`,
      );
      expect(encoded).toContain('oauth_body_hash="47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D"');
      for (const authorization of [header, encoded]) {
        const response = await raw(baseUrl, 'GET', url.slice(baseUrl.length), { headers: { Authorization: authorization } });
        expect([response.status, response.json?.Response?.UserToken?.Token]).toEqual([200, simulator.tokenFor(FID, 'dave')]);
      }
    });

    it('normalizes like the signers: scheme and host lower-cased, default port dropped', async () => {
      const target = `/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(simulator, 'erin')}`;
      // Signed for http://api.example.com (no port); the request says Host: API.Example.com:80.
      const header = referenceHeader(`http://api.example.com${target}`, 'GET', undefined);
      const response = await raw(baseUrl, 'GET', target, { headers: { Authorization: header, Host: 'API.Example.com:80' } });
      expect(response.status).toBe(200);
      // The same header with another port in Host no longer matches.
      const moved = await raw(baseUrl, 'GET', target, {
        headers: { Authorization: referenceHeader(`http://api.example.com${target}`, 'GET', undefined), Host: 'api.example.com:8080' },
      });
      expect([moved.status, gatewayError(moved).ReasonCode]).toEqual([403, 'AUTHENTICATION_FAILED']);
    });
  });

  describe('refuses, with the gateway’s status and body', () => {
    it('an unsigned request (no Authorization) → 400 INVALID_AUTH_HEADER, surfaced as a typed API error; no operation runs', async () => {
      const ref = await boot(undefined);
      const error = await apiError(() => ref.get(UserTokenService).getUserToken('alice'));
      expect(error.status).toBe(400);
      expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'INVALID_AUTH_HEADER', recoverable: false });
      expect(error.message).toContain('INVALID_AUTH_HEADER');
      expect(simulator.requests).toHaveLength(1);
      expect(simulator.requests[0].gatewayRefusal).toMatchObject({ status: 400, reasonCode: 'INVALID_AUTH_HEADER' });
      expect(simulator.requests[0].gatewayRefusal!.description).toMatch(/Authorization header is missing/);

      // Before routing: an unknown path is refused by the gateway too, not answered 404.
      const response = await raw(baseUrl, 'GET', '/no/such/path');
      expect([response.status, gatewayError(response).ReasonCode]).toEqual([400, 'INVALID_AUTH_HEADER']);
    });

    it('a consumer key the gateway does not know → 401 AUTHENTICATION_FAILED (not retried, no token renewal)', async () => {
      const ref = await boot({ consumerKey: CONSUMER_KEY.replace(/^G/, 'H'), signingKey: privateKey });
      const error = await apiError(() => ref.get(UserTokenService).getUserToken('alice'));
      expect(error.status).toBe(401);
      expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED' });
      expect(simulator.requests).toHaveLength(1);
      expect(simulator.requests[0].gatewayRefusal!.description).toMatch(/consumer key/);
    });

    it('a signature by another key → 403 AUTHENTICATION_FAILED, echoing the base string the reference signer built', async () => {
      const ref = await boot({ consumerKey: CONSUMER_KEY, signingKey: other.privateKey });
      const error = await apiError(() => ref.get(UserTokenService).getUserToken('alice'));
      expect(error.status).toBe(403);
      expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED', recoverable: false });
      expect(refusals()).toEqual(['AUTHENTICATION_FAILED']);

      // The raw echo, byte for byte the base string Mastercard's own signer signed for this request.
      const url = `${baseUrl}/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(simulator, 'alice')}`;
      const header = referenceHeader(url, 'GET', undefined, other.privateKey);
      const response = await raw(baseUrl, 'GET', url.slice(baseUrl.length), { headers: { Authorization: header } });
      expect(response.status).toBe(403);
      expect(gatewayError(response).Description).toBe(
        `OAuth Signature parameter failed verification. Acceptable signature base string: ${referenceBaseString(url, 'GET', header)}`,
      );
    });

    it('a query a proxy changed after signing (a parameter added) → 403 AUTHENTICATION_FAILED; the same proxy untouched passes', async () => {
      const clean = await startProxy(baseUrl);
      const tampering = await startProxy(baseUrl, { target: (t) => `${t}&trace=on` });
      try {
        // The module signs its own base URL (the proxy's); the proxies keep that Host, so only the target differs.
        const viaClean = await boot(signed, { baseUrl: clean.url });
        await expect(viaClean.get(UserTokenService).getUserToken('alice')).resolves.toBe(simulator.tokenFor(FID, 'alice'));

        const viaTampering = await boot(signed, { baseUrl: tampering.url });
        const error = await apiError(() => viaTampering.get(UserTokenService).getUserToken('alice'));
        expect(error.status).toBe(403);
        expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED' });
        const refused = simulator.requests.find((r) => r.gatewayRefusal)!;
        expect(refused.url).toMatch(/&trace=on$/);
        expect(refused.gatewayRefusal!.description).toContain('trace%3Don');
      } finally {
        await clean.close();
        await tampering.close();
      }
    });

    it('a body re-serialized after signing → 400 INVALID_BODY_HASH with the calculated and the received hash', async () => {
      const proxy = await startProxy(baseUrl, { body: (b) => Buffer.from(JSON.stringify(JSON.parse(b.toString()), null, 2)) });
      try {
        const ref = await boot(signed, { baseUrl: proxy.url });
        const error = await apiError(() => ref.get(AccessTokenService).getAccessToken('alice'));
        expect(error.status).toBe(400);
        expect(error.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'INVALID_BODY_HASH' });
        const [refused] = simulator.requests;
        expect(refused.body).toContain('\n  "userId": "alice"');
        const calculated = createHash('sha256').update(refused.body).digest('base64');
        const sent = /oauth_body_hash="([^"]+)"/.exec(refused.headers.authorization!)![1];
        expect(sent).not.toBe(calculated);
        expect(refused.gatewayRefusal).toEqual({
          status: 400,
          reasonCode: 'INVALID_BODY_HASH',
          description: `Bad Request - The provided oauth_body_hash does not match the RSA-SHA256 hash of the request payload. Calculated: ${calculated}, Received: ${sent}`,
        });
      } finally {
        await proxy.close();
      }
    });

    it('a body on a request signed without one (hash of the empty string) → INVALID_BODY_HASH', async () => {
      const url = `${baseUrl}/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(simulator, 'alice')}`;
      const header = referenceHeader(url, 'POST', undefined);
      expect(header).toContain(`oauth_body_hash="${EMPTY_BODY_HASH}"`);
      const response = await raw(baseUrl, 'POST', url.slice(baseUrl.length), { headers: { Authorization: header }, body: 'x' });
      expect([response.status, gatewayError(response).ReasonCode]).toEqual([400, 'INVALID_BODY_HASH']);
    });

    it('a stale timestamp (simulator clock moved past the window, either way) → 401; inside the window it passes', async () => {
      const ref = await boot(signed);
      const users = ref.get(UserTokenService);
      try {
        simulator.advanceTime(290_000);
        await expect(users.getUserToken('inside')).resolves.toBe(simulator.tokenFor(FID, 'inside'));
        simulator.advanceTime(20_000); // 310 s ahead: the module's timestamps are now 310 s old
        const late = await apiError(() => users.getUserToken('late'));
        expect(late.status).toBe(401);
        expect(late.errors[0]).toMatchObject({ source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED' });
        simulator.advanceTime(-620_000); // 310 s behind: timestamps from the future
        const early = await apiError(() => users.getUserToken('early'));
        expect(early.status).toBe(401);
      } finally {
        simulator.advanceTime(310_000);
      }
      expect(refusals()).toEqual(['AUTHENTICATION_FAILED', 'AUTHENTICATION_FAILED']);
      expect(simulator.requests.filter((r) => r.gatewayRefusal).every((r) => /oauth_timestamp .*300 seconds/.test(r.gatewayRefusal!.description))).toBe(true);
    });

    it('a gateway 401 on a call with a cached user token is not taken for a refused token: no renewal, one request', async () => {
      const ref = await boot(signed, { cache: {} });
      const legacy = ref.get(LegacyUserPresentmentService);
      await legacy.matchedOffers('alice');
      simulator.clearRequests();
      simulator.advanceTime(310_000);
      try {
        const error = await apiError(() => legacy.matchedOffers('alice'));
        expect([error.status, error.errors[0].source, error.errors[0].reasonCode]).toEqual([401, 'Gateway', 'AUTHENTICATION_FAILED']);
      } finally {
        simulator.advanceTime(-310_000);
      }
      expect(simulator.requests.map((r) => [r.operationId, r.gatewayRefusal?.reasonCode])).toEqual([['matchedOffers', 'AUTHENTICATION_FAILED']]);
    });

    it("a raw query value with ' ( ) signed by Mastercard's Node.js signer (which leaves them unencoded) → 403: pre-encode with RFC 3986", async () => {
      const token = simulator.tokenFor(FID, 'alice');
      const target = `/plo/v1/matchedoffers?FId=${FID}&UserToken=${token}&Category=it's(1)`;
      const response = await raw(baseUrl, 'GET', target, { headers: { Authorization: referenceHeader(`${baseUrl}${target}`, 'GET', undefined) } });
      expect([response.status, gatewayError(response).ReasonCode]).toEqual([403, 'AUTHENTICATION_FAILED']);
      // The gateway encodes them (RFC 3986); the signer had signed `Category%3Dit's(1)`.
      expect(gatewayError(response).Description).toContain('Category%3Dit%27s%281%29');
      // The same value RFC 3986-encoded on the wire passes.
      const encoded = `/plo/v1/matchedoffers?FId=${FID}&UserToken=${token}&Category=it%27s%281%29`;
      const ok = await raw(baseUrl, 'GET', encoded, { headers: { Authorization: referenceHeader(`${baseUrl}${encoded}`, 'GET', undefined) } });
      expect(ok.json?.Errors?.Error?.[0]?.Source).not.toBe('Gateway');
    });

    it('the window is configurable (timestampWindowSeconds)', async () => {
      const sim = new PersonalizedOffersSimulator({ gateway: { consumerKey: CONSUMER_KEY, publicKey, timestampWindowSeconds: 30 } });
      await sim.start();
      try {
        const users = (await boot(signed, {}, sim)).get(UserTokenService);
        sim.advanceTime(60_000);
        const error = await apiError(() => users.getUserToken('alice'));
        expect([error.status, error.errors[0].reasonCode]).toEqual([401, 'AUTHENTICATION_FAILED']);
        expect(sim.requests[0].gatewayRefusal!.description).toMatch(/30 seconds/);
      } finally {
        await sim.stop();
      }
    });

    it('the exact same signed request sent twice → the replay gets 401 (nonce already used)', async () => {
      const url = `${baseUrl}/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(simulator, 'replayed')}`;
      const headers = { Authorization: referenceHeader(url, 'GET', undefined) };
      const first = await raw(baseUrl, 'GET', url.slice(baseUrl.length), { headers });
      expect([first.status, first.json?.Response?.UserToken?.Token]).toEqual([200, simulator.tokenFor(FID, 'replayed')]);
      const replay = await raw(baseUrl, 'GET', url.slice(baseUrl.length), { headers });
      expect([replay.status, gatewayError(replay).ReasonCode]).toEqual([401, 'AUTHENTICATION_FAILED']);
      expect(gatewayError(replay).Description).toMatch(/oauth_nonce was already used/);
      expect(refusals()).toEqual(['AUTHENTICATION_FAILED']);
    });

    it('replays pass with rejectReplayedNonces: false', async () => {
      const sim = new PersonalizedOffersSimulator({ gateway: { consumerKey: CONSUMER_KEY, publicKey, rejectReplayedNonces: false } });
      const { baseUrl: url0 } = await sim.start();
      try {
        const url = `${url0}/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(sim, 'replayed')}`;
        const headers = { Authorization: referenceHeader(url, 'GET', undefined) };
        for (let i = 0; i < 2; i++) expect((await raw(url0, 'GET', url.slice(url0.length), { headers })).status).toBe(200);
      } finally {
        await sim.stop();
      }
    });

    const url = () => `${baseUrl}/plo/v1/usertoken?FId=${FID}&AuthInfo=00`;
    it.each<[string, () => string, RegExp]>([
      ['another scheme', () => 'Basic dXNlcjpwYXNz', /OAuth scheme/],
      ['an unquoted value', () => `OAuth oauth_consumer_key=${CONSUMER_KEY}`, /malformed/],
      ['a trailing comma', () => `${referenceHeader(url(), 'GET', undefined)},`, /malformed/],
      ['a broken percent-escape', () => referenceHeader(url(), 'GET', undefined).replace(/oauth_nonce="[^"]*"/, 'oauth_nonce="%zz"'), /percent-encoding/],
      ['a parameter given twice', () => `${referenceHeader(url(), 'GET', undefined)},oauth_nonce="again"`, /more than once/],
      ['no oauth_body_hash', () => referenceHeader(url(), 'GET', undefined).replace(/oauth_body_hash="[^"]*",?/, ''), /lacks oauth_body_hash/],
      ['no oauth_signature', () => referenceHeader(url(), 'GET', undefined).replace(/,?oauth_signature="[^"]*"/, ''), /lacks oauth_signature/],
      ['oauth_version 2.0', () => referenceHeader(url(), 'GET', undefined).replace('oauth_version="1.0"', 'oauth_version="2.0"'), /oauth_version must be 1\.0/],
      ['HMAC-SHA1', () => referenceHeader(url(), 'GET', undefined).replace('RSA-SHA256', 'HMAC-SHA1'), /HMAC-SHA1 is not supported/],
      [
        'a timestamp in milliseconds with a dot',
        () => referenceHeader(url(), 'GET', undefined).replace(/oauth_timestamp="(\d+)"/, 'oauth_timestamp="$1.5"'),
        /whole seconds/,
      ],
    ])('a malformed header (%s) → 400 INVALID_AUTH_HEADER', async (_, header, problem) => {
      const response = await raw(baseUrl, 'GET', url().slice(baseUrl.length), { headers: { Authorization: header() } });
      const error = gatewayError(response);
      expect([response.status, error.ReasonCode]).toEqual([400, 'INVALID_AUTH_HEADER']);
      expect(error.Description).toMatch(/^Bad Request - /);
      expect(error.Description).toMatch(problem);
    });

    it('a refused request draws no fault: the next admitted one gets it', async () => {
      simulator.setFault({ type: 'http-error', status: 503 }, { operation: 'getUserToken', times: 1 });
      const unsigned = await raw(baseUrl, 'GET', `/plo/v1/usertoken?FId=${FID}&AuthInfo=00`);
      expect(unsigned.status).toBe(400);
      const url = `${baseUrl}/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(simulator, 'faulted')}`;
      const admitted = await raw(baseUrl, 'GET', url.slice(baseUrl.length), { headers: { Authorization: referenceHeader(url, 'GET', undefined) } });
      expect(admitted.status).toBe(503);
      expect(simulator.faultsApplied).toEqual({ 'http-error': 1 });
    });
  });

  it('without the option the simulator checks nothing (as before)', async () => {
    const open = new PersonalizedOffersSimulator();
    const { baseUrl: openUrl } = await open.start();
    try {
      const response = await raw(openUrl, 'GET', `/plo/v1/usertoken?FId=${FID}&AuthInfo=${authInfoFor(open, 'frank')}`);
      expect([response.status, response.json?.Response?.UserToken?.Token]).toEqual([200, open.tokenFor(FID, 'frank')]);
      expect(open.requests[0].gatewayRefusal).toBeUndefined();
    } finally {
      await open.stop();
    }
  });
});
