import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import type { HttpService } from '@nestjs/axios';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  LegacyUserPresentmentService,
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_HTTP,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersHttpClient } from '../libs/personalized-offers/src/http/personalized-offers-http.client.js';
import { FORCE_PATH_VARIABLE } from '../libs/personalized-offers/src/http/direct-path.js';
import { captureLogger } from './support/capture-logger.js';
import { LoopbackServer, okBody, type ReceivedRequest } from './support/loopback-server.js';
import { rsaKeyPair } from './support/keys.js';

/**
 * Issue 21: the direct path (signed and sent straight on the undici pool) and the axios path
 * put the same request on the wire, and the module switches to axios as soon as its axios
 * instance is customized.
 */
const CONSUMER_KEY = 'TestConsumerKey_abcdefgh!0123456789abcdef0123456789abcdef0123456789abcdef';
const { privateKey } = rsaKeyPair();
const authInfo = { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' };
const activation = JSON.stringify({
  Response: { Status: { Code: '600', Message: 'Success' }, ScActivation: { ActivationId: '7', OfferId: 'o-1', Status: 'ACTIVATED' } },
});

/** Answers once the body has arrived; a fixed DPoP-bound token at the token endpoint. */
const responder = (req: IncomingMessage, res: ServerResponse): void => {
  req.resume();
  req.on('end', () => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/oauth/token')
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'at-fixed', token_type: 'DPoP', expires_in: 900 }));
    else if (path.includes('activatestatementcreditoffer')) res.writeHead(200, { 'Content-Type': 'application/json' }).end(activation);
    else res.writeHead(200, { 'Content-Type': 'application/json', Date: new Date().toUTCString() }).end(okBody());
  });
};

/** The request with the values that differ per attempt (nonce, timestamp, signature, proof) blanked. */
function comparable(r: ReceivedRequest): unknown {
  const headers: Record<string, unknown> = { ...r.headers };
  if (typeof headers.authorization === 'string') {
    headers.authorization = headers.authorization.replace(/oauth_(nonce|timestamp|signature)="[^"]*"/g, 'oauth_$1="…"');
  }
  if (typeof headers.dpop === 'string') {
    const [h, c] = headers.dpop.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
    headers.dpop = { typ: header.typ, alg: header.alg, jwk: Object.keys(header.jwk).sort(), claims: { ...claims, jti: '…', iat: '…' } };
  }
  return { method: r.method, url: r.url, headers, body: r.body.toString('utf8') };
}

describe('the direct path', () => {
  const server = new LoopbackServer();
  let baseUrl: string;
  let origin: string;
  const refs: TestingModule[] = [];

  beforeAll(async () => {
    baseUrl = await server.start();
    origin = new URL(baseUrl).origin;
    server.responder = responder;
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
  });
  afterEach(async () => {
    for (const ref of refs.splice(0)) await ref.close();
  });

  // This file chooses its paths itself, also when the suite runs forced onto one (test:e2e:axios-path).
  async function boot(options: Partial<PersonalizedOffersModuleOptions>, path?: 'axios', logger = captureLogger().logger): Promise<TestingModule> {
    const saved = process.env[FORCE_PATH_VARIABLE];
    if (path) process.env[FORCE_PATH_VARIABLE] = path;
    else Reflect.deleteProperty(process.env, FORCE_PATH_VARIABLE);
    try {
      // A fixed clock: AuthInfo carries the time, and the two paths' calls may straddle a second.
      const ref = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl: origin, authInfo, ...options })] })
        .overrideProvider(PERSONALIZED_OFFERS_CLOCK)
        .useValue({ now: () => 1_764_000_000_000 })
        .setLogger(logger)
        .compile();
      await ref.init();
      refs.push(ref);
      return ref;
    } finally {
      if (saved === undefined) Reflect.deleteProperty(process.env, FORCE_PATH_VARIABLE);
      else process.env[FORCE_PATH_VARIABLE] = saved;
    }
  }

  const clientOf = (ref: TestingModule) => ref.get(PersonalizedOffersHttpClient);
  const dpopKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const configurations: Array<[string, Partial<PersonalizedOffersModuleOptions>]> = [
    ['OAuth 1.0a', { oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey } }],
    [
      'OAuth 1.0a RSA-PSS with clock skew correction',
      { oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey, signatureMethod: 'RSA-PSS', clockSkewCorrection: true } as never },
    ],
    ['OAuth 2.0 DPoP', { oauth2: { clientId: 'client-1', kid: 'kid-1', clientKey: privateKey, dpopKey, scopes: ['s:1'] } }],
    ['no signature (loopback)', {}],
  ];

  it.each(configurations)('%s: both paths put the same GET and POST on the wire', async (_, options) => {
    const direct = await boot(options);
    const axios = await boot(options, 'axios');
    expect(clientOf(direct).path).toBe('direct');
    expect(clientOf(axios).path).toBe('axios');
    const calls = async (ref: TestingModule) => {
      server.requests.length = 0;
      await ref.get(UserTokenService).getUserToken('1PCLOSANDBOXBCN00002tra6athatR');
      await ref.get(LegacyUserPresentmentService).activateStatementCreditOffer({ userToken: 'tok-1' }, { offerId: 'o-1' });
      return server.requests.filter((r) => !r.url.startsWith('/oauth/token')).map(comparable);
    };
    const viaDirect = await calls(direct);
    const viaAxios = await calls(axios);
    expect(viaDirect).toHaveLength(2);
    expect(viaDirect).toEqual(viaAxios);
  });

  it('switches to the axios path when an interceptor is registered (logged once), and back when it is ejected', async () => {
    const { logger, lines } = captureLogger();
    const ref = await boot({ oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey } }, undefined, logger);
    const client = clientOf(ref);
    const users = ref.get(UserTokenService);
    expect(client.path).toBe('direct');
    await users.getUserToken('a');
    const axiosRef = ref.get<HttpService>(PERSONALIZED_OFFERS_HTTP).axiosRef;
    const seen: string[] = [];
    const id = axiosRef.interceptors.request.use((config) => {
      seen.push(String(config.url));
      config.headers.set('X-Extra', 'yes');
      return config;
    });
    expect(client.path).toBe('axios');
    await users.getUserToken('b');
    await users.getUserToken('c');
    expect(seen).toHaveLength(2);
    expect(server.requests.map((r) => r.headers['x-extra'])).toEqual([undefined, 'yes', 'yes']);
    expect(lines.filter((l) => l.includes('axios path'))).toEqual([expect.stringMatching(/^log .*a request interceptor was registered/)]);
    axiosRef.interceptors.request.eject(id);
    expect(client.path).toBe('direct');
    await users.getUserToken('d');
    expect(seen).toHaveLength(2);
    const responses = axiosRef.interceptors.response.use((r) => r);
    expect(client.path).toBe('axios');
    axiosRef.interceptors.response.eject(responses);
    expect(client.path).toBe('direct');
  });

  it('a change to the axios instance’s defaults means the axios path for good', async () => {
    const ref = await boot({});
    const axiosRef = ref.get<HttpService>(PERSONALIZED_OFFERS_HTTP).axiosRef;
    expect(clientOf(ref).path).toBe('direct');
    axiosRef.defaults.headers.common['X-Tenant'] = 't-1';
    expect(clientOf(ref).path).toBe('axios');
    await ref.get(UserTokenService).getUserToken('a');
    expect(server.requests[0].headers['x-tenant']).toBe('t-1');
  });

  it('transport node keeps the axios path', async () => {
    const ref = await boot({ http: { transport: 'node' } as never });
    expect(clientOf(ref).path).toBe('axios');
    await ref.get(UserTokenService).getUserToken('a');
    expect(server.requests).toHaveLength(1);
  });
});
