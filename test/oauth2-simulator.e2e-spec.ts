import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { RedisServer } from './support/redis-server.js';
import {
  AccessTokenService,
  LegacyUserPresentmentService,
  PersonalizedOffersModule,
  PlatformAdminService,
  UserPresentmentService,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, simulatorOAuth2Credentials, usePersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';

/**
 * Issue 19: the module signed with OAuth 2.0 (FAPI 2.0, DPoP) end to end against the simulator
 * playing Mastercard's authorization server and gateway, which checks every assertion, proof,
 * token binding and nonce; both API families, reads and writes.
 */
describe('OAuth 2.0 end to end against the simulator in OAuth 2.0 mode', () => {
  const credentials = simulatorOAuth2Credentials();
  const simulator = new PersonalizedOffersSimulator({
    gateway: { oauth2: { clientId: credentials.clientId, kid: credentials.kid, publicKey: credentials.publicKey, wwwAuthenticate: 'colon' } },
  });
  let moduleRef: TestingModule;
  const USER = 'oauth2-user-1';

  /** Refusals other than the expected nonce rounds: each one a request the module got wrong. */
  const refusals = () =>
    simulator.requests
      .filter((r) => r.gatewayRefusal && r.gatewayRefusal.reasonCode !== 'use_dpop_nonce')
      .map((r) => `${r.method} ${r.path}: ${r.gatewayRefusal!.reasonCode} ${r.gatewayRefusal!.description}`);

  beforeAll(async () => {
    await simulator.start();
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          oauth2: { clientId: credentials.clientId, kid: credentials.kid, clientKey: credentials.clientKey, scopes: ['offers:read', 'offers:write'] },
        }),
      ],
    }).compile();
    simulator.clearRequests();
    simulator.resetRequestCount();
  });
  afterEach(async () => {
    await moduleRef.close();
  });

  it('both families, reads and writes: every request admitted, one token minted (after one nonce round)', async () => {
    const legacy = moduleRef.get(LegacyUserPresentmentService);
    const page = await legacy.matchedOffers(USER, {});
    const offer = (page.Items?.MatchedOffer ?? []).find((o) => o.ActiveSc === 'AVAILABLE');
    expect(offer).toBeDefined();
    await expect(legacy.activateStatementCreditOffer(USER, { offerId: offer!.OfferId! })).resolves.toBeDefined();
    const current = moduleRef.get(UserPresentmentService);
    const offers = await current.getOffers(USER, { limit: 5 });
    expect(offers.offers?.length).toBeGreaterThan(0);
    await expect(moduleRef.get(PlatformAdminService).browseOffers({ limit: 1 })).resolves.toBeDefined();
    expect(refusals()).toEqual([]);
    expect(simulator.oauth2TokenRequests).toBe(2); // the nonce round, then the token
    for (const r of simulator.requests) expect(r.headers.authorization ?? '').not.toMatch(/^OAuth /);
  });

  it('every operation of both APIs and platform admin, signed with DPoP and admitted (24 operations)', async () => {
    const legacy = moduleRef.get(LegacyUserPresentmentService);
    const current = moduleRef.get(UserPresentmentService);
    const admin = moduleRef.get(PlatformAdminService);
    const user = 'every-op-user';
    const page = await legacy.matchedOffers(user, { pageNumber: 1, itemsPerPage: 20 });
    const available = (page.Items?.MatchedOffer ?? []).filter((o) => o.ActiveSc === 'AVAILABLE').map((o) => o.OfferId!);
    const activation = await legacy.activateStatementCreditOffer(user, { offerId: available[0] });
    const offers = await current.getOffers(user, { limit: 10 });
    const offerIds = (offers.offers ?? []).map((o) => o.id!);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['getUserToken', () => moduleRef.get(UserTokenService).getUserToken(user, { refresh: true })],
      ['getOfferDetails', () => legacy.getOfferDetails(user, { offerId: available[1], lang: 'en_US' })],
      ['getRedeemedOfferDetails', () => legacy.getRedeemedOfferDetails(user, { pageNumber: 1 })],
      ['getStatementCreditActivationDetail', () => legacy.getStatementCreditActivationDetail(user, { activationId: activation.ScActivation!.ActivationId! })],
      ['getUserSavings', () => legacy.getUserSavings(user)],
      ['getUserFeedback', () => legacy.getUserFeedback(user)],
      ['sendUserFeedback', () => legacy.sendUserFeedback(user, { offerId: available[2], feedback: 1 })],
      ['createAccessToken', () => moduleRef.get(AccessTokenService).createAccessToken(user)],
      ['getOffer', () => current.getOffer(user, offerIds[0])],
      ['searchOffers', () => current.searchOffers(user, { category: 'SHOP', limit: 5 })],
      ['processActivations', () => current.processActivations(user, { offerId: offerIds[1] })],
      ['createOfferRating', () => current.createOfferRating(user, offerIds[2], { like: 1 })],
      ['getOfferRatings', () => current.getOfferRatings(user, { limit: 10 })],
      ['getOfferRating', () => current.getOfferRating(user, offerIds[2])],
      ['getUserPresentmentSavings', () => current.getUserPresentmentSavings(user)],
      ['getUserPresentmentAdjustments', () => current.getUserPresentmentAdjustments(user, { limit: 10 })],
      ['findGeoLocations', () => current.findGeoLocations(user, { keywords: 'San', limit: 5 })],
      [
        'publishImpressions',
        () => current.publishImpressions(user, [{ offerId: offerIds[0], order: 1, activityType: 'VIEWED', activityTimestamp: new Date() }]),
      ],
      ['browseOffers', () => admin.browseOffers({ limit: 5, lang: ['ALL'] })],
      ['searchAdminOffers', () => admin.searchAdminOffers({ category: 'DINING', limit: 5 })],
      ['getAdjustments', () => admin.getAdjustments({ limit: 5 })],
    ];
    const failures: string[] = [];
    for (const [name, call] of calls) await call().catch((e: unknown) => failures.push(`${name}: ${(e as Error).message}`));
    expect(failures).toEqual([]);
    expect(refusals()).toEqual([]);
    // matchedOffers, activateStatementCreditOffer and getOffers above, and these 21: every request DPoP-signed.
    const api = simulator.requests.filter((r) => r.path !== '/oauth/token');
    expect(new Set(api.map((r) => r.operationId)).size).toBeGreaterThanOrEqual(24);
    for (const r of api) expect(String(r.headers.authorization)).toMatch(/^DPoP /);
  });

  it('50 concurrent first calls: one token, every call admitted', async () => {
    const tokens = moduleRef.get(UserTokenService);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => tokens.getUserToken(`concurrent-${i}`)));
    expect(new Set(results).size).toBe(50);
    expect(simulator.oauth2TokenRequests).toBe(2);
    expect(refusals()).toEqual([]);
  });

  it('a rotated nonce at the gateway (colon form) costs one repeat; a revoked token one re-mint; both invisible to the caller', async () => {
    const tokens = moduleRef.get(UserTokenService);
    await tokens.getUserToken('warm-up');
    simulator.rotateDpopNonce();
    await expect(tokens.getUserToken('after-rotation')).resolves.toBeDefined();
    simulator.revokeOAuth2Tokens();
    const before = simulator.oauth2TokenRequests;
    await expect(tokens.getUserToken('after-revocation')).resolves.toBeDefined();
    expect(simulator.oauth2TokenRequests).toBe(before + 1);
    expect(refusals().filter((r) => !r.includes('invalid_token'))).toEqual([]);
  });

  it('a token is re-minted before it expires (60 s, or a tenth of a shorter lifetime): with a 2 s lifetime, a call 1.9 s later mints again, without an invalid_token round', async () => {
    const shortLived = new PersonalizedOffersSimulator({
      gateway: { oauth2: { clientId: credentials.clientId, kid: credentials.kid, publicKey: credentials.publicKey, tokenTtlSeconds: 2 } },
    });
    await shortLived.start();
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: shortLived.baseUrl,
          authInfo: shortLived.authInfo,
          oauth2: { clientId: credentials.clientId, kid: credentials.kid, clientKey: credentials.clientKey, scopes: ['offers:read'] },
        }),
      ],
    }).compile();
    try {
      const tokens = ref.get(UserTokenService);
      await tokens.getUserToken('first');
      await tokens.getUserToken('second'); // within the second: the same token
      expect(shortLived.oauth2TokenRequests).toBe(2);
      await new Promise((r) => setTimeout(r, 1_900));
      await tokens.getUserToken('third');
      expect(shortLived.oauth2TokenRequests).toBe(3); // re-minted (the nonce is current: one request)
      expect(shortLived.requests.filter((r) => r.gatewayRefusal && r.gatewayRefusal.reasonCode !== 'use_dpop_nonce')).toEqual([]);
    } finally {
      await ref.close();
      await shortLived.stop();
    }
  });

  it("usePersonalizedOffersSimulator follows an app on OAuth 2.0: the simulator it starts runs in OAuth 2.0 mode with the app's client, and Mastercard's endpoints are replaced", async () => {
    const fresh = new PersonalizedOffersSimulator();
    const app = PersonalizedOffersModule.forRoot({
      fId: '999999',
      baseUrl: 'https://api.mastercard.com',
      oauth2: {
        clientId: credentials.clientId,
        kid: credentials.kid,
        clientKey: credentials.clientKey,
        scopes: ['offers:read'],
        tokenEndpoint: 'https://api.mastercard.com/oauth/token',
        issuer: 'https://api.mastercard.com',
      },
    });
    const ref = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [app] }), fresh).compile();
    try {
      await expect(ref.get(UserPresentmentService).getOffers('helper-user', { limit: 1 })).resolves.toBeDefined();
      await expect(ref.get(UserTokenService).getUserToken('helper-user')).resolves.toBeDefined();
      expect(fresh.oauth2TokenRequests).toBeGreaterThan(0);
      expect(fresh.requests.filter((r) => r.gatewayRefusal && r.gatewayRefusal.reasonCode !== 'use_dpop_nonce')).toEqual([]);
      expect(fresh.requests.every((r) => (r.headers.authorization ?? '').startsWith('DPoP ') || r.path === '/oauth/token')).toBe(true);
    } finally {
      await ref.close();
      await fresh.stop();
    }
  });

  describe('a fleet sharing the token store (Redis)', () => {
    const redis = new RedisServer();
    beforeAll(() => redis.start());
    afterAll(() => redis.stop());

    async function instance(db: number, dpopKey?: KeyObject) {
      return Test.createTestingModule({
        imports: [
          PersonalizedOffersModule.forRoot({
            fId: '999999',
            baseUrl: simulator.baseUrl,
            authInfo: simulator.authInfo,
            cache: { store: { redis: { url: redis.url(db) } } },
            oauth2: {
              clientId: credentials.clientId,
              kid: credentials.kid,
              clientKey: credentials.clientKey,
              scopes: ['offers:read'],
              ...(dpopKey ? { dpopKey } : {}),
            },
          }),
        ],
      }).compile();
    }

    it('with a configured DPoP key, three instances mint one token between them; the store holds the token, never a key', async () => {
      const dpopKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      const fleet = [await instance(3, dpopKey), await instance(3, dpopKey), await instance(3, dpopKey)];
      try {
        await fleet[0].get(PlatformAdminService).browseOffers({ limit: 1 });
        await Promise.all(fleet.slice(1).map((ref, i) => ref.get(PlatformAdminService).browseOffers({ limit: 1 + i })));
        expect(simulator.oauth2TokensIssued).toBe(1);
        expect(refusals()).toEqual([]);
        const admin = redis.admin(3);
        try {
          const keys = await admin.keys('*');
          const values = await Promise.all(keys.map((k) => admin.get(k)));
          const pem = dpopKey.export({ type: 'pkcs8', format: 'pem' }).toString();
          for (const v of values) expect(String(v)).not.toContain(pem.split('\n')[1]);
        } finally {
          admin.disconnect();
        }
        // A revoked token: one instance re-mints through the store, and the others follow it.
        simulator.revokeOAuth2Tokens();
        await fleet[1].get(PlatformAdminService).browseOffers({ limit: 1 });
        expect(simulator.oauth2TokensIssued).toBe(2);
      } finally {
        for (const ref of fleet) await ref.close();
      }
    });

    it('without a configured DPoP key (one made per instance), each instance mints its own: a token is bound to its key', async () => {
      const fleet = [await instance(4), await instance(4)];
      try {
        for (const ref of fleet) await ref.get(PlatformAdminService).browseOffers({ limit: 1 });
        expect(simulator.oauth2TokensIssued).toBe(2);
        expect(refusals()).toEqual([]);
      } finally {
        for (const ref of fleet) await ref.close();
      }
    });
  });
});
