import { createCipheriv, type KeyObject } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import OAuth from 'mastercard-oauth1-signer';
import {
  AuthInfoCryptoService,
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

const tokenOf = (json: any): string => {
  const token = json?.Response?.UserToken?.Token;
  if (json?.Response?.Status?.Code !== '600' || !token) throw new Error('bad response');
  return token;
};

/** This module as users run it: UserTokenService from a Nest application context. */
export async function moduleContender(options: Partial<PersonalizedOffersModuleOptions> & { baseUrl: string }) {
  @Module({
    imports: [
      PersonalizedOffersModule.forRoot({
        fId: FID,
        authInfo: { key: KEY, iv: IV },
        ...options,
      }),
    ],
  })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  return {
    users: app.get(UserTokenService),
    crypto: app.get(AuthInfoCryptoService),
    store: app.get<TokenStore>(PERSONALIZED_OFFERS_TOKEN_STORE),
    close: () => app.close(),
  };
}

/** The generated client's way: superagent, a new request per call, query params, Accept JSON, default agent. */
export function superagentContender(baseUrl: string) {
  return async (userId: string): Promise<string> => {
    const res = await superagent
      .get(`${baseUrl}/usertoken`)
      .query({ FId: FID, AuthInfo: bareAuthInfo(userId) })
      .set('Accept', 'application/json');
    return tokenOf(res.body);
  };
}

/** The limit: undici's keep-alive Pool, same connection count, same AuthInfo and JSON parsing. */
export function undiciContender(baseUrl: string, connections: number, signer?: { consumerKey: string; key: KeyObject }) {
  const url = new URL(baseUrl);
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  return {
    call: async (userId: string): Promise<string> => {
      const path = `${url.pathname}/usertoken?FId=${FID}&AuthInfo=${bareAuthInfo(userId)}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (signer) headers.authorization = OAuth.getAuthorizationHeader(`${url.origin}${path}`, 'GET', null, signer.consumerKey, signer.key);
      const { body } = await pool.request({ path, method: 'GET', headers });
      return tokenOf(JSON.parse(await body.text()));
    },
    close: () => pool.close(),
  };
}
