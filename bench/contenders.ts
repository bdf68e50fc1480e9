import { createCipheriv, type KeyObject } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import OAuth from 'mastercard-oauth1-signer';
import {
  AccessTokenService,
  AuthInfoCryptoService,
  LegacyUserPresentmentService,
  PERSONALIZED_OFFERS_TOKEN_STORE,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  type TokenStore,
  UserTokenService,
} from 'nestjs-personalized-offers';
import superagent from 'superagent';
import { Pool } from 'undici';

export const FID = '999999';
export const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
export const IV = Buffer.from('f0e0d0c0b0a090807060504030201000', 'hex');

/** The same AuthInfo the module makes (cbc, fixed IV, hex), with bare node:crypto. */
export function bareAuthInfo(userId: string): string {
  const cipher = createCipheriv('aes-128-cbc', KEY, IV);
  const plaintext = `${userId}:${FID}:${Math.floor(Date.now() / 1000)}`;
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('hex');
}

/** The wire shape of a user-token answer, as far as the contenders read it (any member may be missing). */
interface UserTokenJson {
  Response?: { Status?: { Code?: string }; UserToken?: { Token?: string } };
}

/** The wire shape of an activation answer, as far as `activate` reads it. */
interface ActivationJson {
  Response?: { Status?: { Code?: string }; ScActivation?: { OfferId?: string; ActivationId: string } };
}

// Typed by a cast only (no validation pass): the contenders' per-request work stays what it was.
const tokenOf = (json: UserTokenJson | null): string => {
  const token = json?.Response?.UserToken?.Token;
  if (json?.Response?.Status?.Code !== '600' || !token) throw new Error('bad response');
  return token;
};

/** This module as users run it: its services from a Nest application context (`baseUrl` host only). */
export async function moduleContender(options: Partial<PersonalizedOffersModuleOptions> & { baseUrl: string }) {
  // Module metadata as the entry: Nest wraps it in a root module class of its own.
  const app = await NestFactory.createApplicationContext(
    {
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: FID,
          authInfo: { key: KEY, iv: IV },
          ...options,
        }),
      ],
    },

    { logger: false },
  );
  return {
    users: app.get(UserTokenService),
    legacy: app.get(LegacyUserPresentmentService),
    accessTokens: app.get(AccessTokenService),
    crypto: app.get(AuthInfoCryptoService),
    store: app.get<TokenStore>(PERSONALIZED_OFFERS_TOKEN_STORE),
    close: () => app.close(),
  };
}

/** The generated client's way: superagent, a new request per call, query params, Accept JSON, default agent. */
export function superagentContender(baseUrl: string) {
  return async (userId: string): Promise<string> => {
    const res = await superagent
      .get(`${baseUrl}/plo/v1/usertoken`)
      .query({ FId: FID, AuthInfo: bareAuthInfo(userId) })
      .set('Accept', 'application/json');
    return tokenOf(res.body as UserTokenJson | null);
  };
}

/** The JSON body the module sends for an activation with a held token: the same bytes, the same member order. */
export const activationBody = (offerId: string, userToken: string): string => JSON.stringify({ FId: FID, OfferId: offerId, UserToken: userToken });

/** An RSA signer used the way `mastercard-oauth1-signer` documents it: synchronously, per request. */
export interface SyncSigner {
  consumerKey: string;
  key: KeyObject;
}

/**
 * The limit: undici's keep-alive Pool, same connection count, the same wire request (AuthInfo,
 * query, JSON body) and JSON parsing; with `signer`, `OAuth.getAuthorizationHeader` is called
 * synchronously for every request over the exact URL and body sent. `baseUrl` is host only.
 */
export function undiciContender(baseUrl: string, connections: number, signer?: SyncSigner) {
  const origin = new URL(baseUrl).origin;
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const sign = signer
    ? (method: string, path: string, body: string | null) => OAuth.getAuthorizationHeader(`${origin}${path}`, method, body, signer.consumerKey, signer.key)
    : undefined;
  return {
    /** GET /plo/v1/usertoken for `userId` (a cold token). */
    call: async (userId: string): Promise<string> => {
      const path = `/plo/v1/usertoken?FId=${FID}&AuthInfo=${bareAuthInfo(userId)}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (sign) headers.authorization = sign('GET', path, null);
      const { body } = await pool.request({ path, method: 'GET', headers });
      return tokenOf(JSON.parse(await body.text()) as UserTokenJson | null);
    },
    /** POST /plo/v2/activatestatementcreditoffer with a held user token, the module's body bytes. */
    activate: async (offerId: string, userToken: string): Promise<string> => {
      const path = '/plo/v2/activatestatementcreditoffer';
      const text = activationBody(offerId, userToken);
      const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
      if (sign) headers.authorization = sign('POST', path, text);
      const { body } = await pool.request({ path, method: 'POST', headers, body: text });
      const json = JSON.parse(await body.text()) as ActivationJson | null;
      if (json?.Response?.Status?.Code !== '600' || json.Response.ScActivation?.OfferId !== offerId) throw new Error('bad response');
      return json.Response.ScActivation.ActivationId;
    },
    /** GET /plo/v1/matchedoffers (50 per page) and `JSON.parse`: the parse is the only work on the answer. */
    matchedOffers: async (userToken: string): Promise<unknown> => {
      const path = `/plo/v1/matchedoffers?FId=${FID}&ItemsPerPage=50&UserToken=${userToken}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (sign) headers.authorization = sign('GET', path, null);
      const { statusCode, body } = await pool.request({ path, method: 'GET', headers });
      const parsed: unknown = JSON.parse(await body.text());
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return parsed;
    },
    close: () => pool.close(),
  };
}
