import { HttpService } from '@nestjs/axios';
import { Logger, type Provider } from '@nestjs/common';
import axios from 'axios';
import { type ResolvedPersonalizedOffersOptions, resolveOptions } from './config/resolve-options.js';
import { MemoryTokenStore } from './cache/memory-token.store.js';
import { RedisTokenStore, redisMode } from './cache/redis-token.store.js';
import { TokenCache } from './cache/token.cache.js';
import { systemClock } from './crypto/system-clock.js';
import { ConnectionPool } from './http/connection-pool.js';
import { DIRECT_PATH_GATE, DirectPathGate } from './http/direct-path.js';
import type { PersonalizedOffersModuleOptions } from './interfaces/index.js';
import {
  LOGGER_CONTEXT,
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_REGISTRATION,
  PERSONALIZED_OFFERS_RESOLVED_OPTIONS,
  PERSONALIZED_OFFERS_TOKEN_STORE,
  PRODUCTION_BASE_URL,
  SANDBOX_BASE_URL,
} from './personalized-offers.constants.js';
import { PERSONALIZED_OFFERS_MODULE_OPTIONS } from './personalized-offers.module-definition.js';
import { installOAuthSigning } from './signing/oauth-signing.interceptor.js';

/**
 * The `PERSONALIZED_OFFERS_RESOLVED_OPTIONS` factory: validates the options (and loads the keys)
 * and logs what the configuration implies. Also used by `usePersonalizedOffersSimulator`.
 */
export function resolveModuleOptions(options: PersonalizedOffersModuleOptions, registration?: string | null): ResolvedPersonalizedOffersOptions {
  const resolved = resolveOptions(options, registration ?? undefined);
  const logger = new Logger(LOGGER_CONTEXT);
  if (resolved.legacyBaseUrl) {
    logger.warn(
      `baseUrl ends in /plo/v1 (the v1.3 style); using ${resolved.baseUrl} as its host part, since operations carry their full paths. Configure the host only.`,
    );
  }
  logger.log(describeStartup(resolved));
  if (!resolved.signer && !resolved.oauth2 && !resolved.loopback) {
    logger.warn(`No oauth options: requests to ${new URL(resolved.baseUrl).host} are unsigned and Mastercard will refuse them.`);
  }
  return resolved;
}

/** Mastercard's hosts, named in the start-up line. */
const KNOWN_HOSTS: Record<string, string> = {
  [new URL(PRODUCTION_BASE_URL).host]: 'production',
  [new URL(SANDBOX_BASE_URL).host]: 'sandbox',
};

/**
 * The start-up line: API host (named when it is Mastercard's production or sandbox), fId (its last
 * 4 characters), authentication, AuthInfo, cache kind and transport. No secret: the consumer key
 * shows its last 4 characters only, a proxy only its host.
 */
export function describeStartup(resolved: ResolvedPersonalizedOffersOptions): string {
  const url = new URL(resolved.baseUrl);
  const where = url.host + url.pathname.replace(/\/+$/, '');
  const kind = KNOWN_HOSTS[url.host] ?? (resolved.loopback ? 'loopback' : undefined);
  const auth = resolved.signer
    ? `OAuth 1.0a ${resolved.signer.signatureMethod} (consumer key ${resolved.signer.maskedConsumerKey})`
    : resolved.oauth2
      ? `OAuth 2.0 DPoP (${resolved.oauth2.describe})`
      : 'unsigned';
  const authInfo = resolved.keyMaterial ? `${resolved.keyMaterial.mode}/${resolved.keyMaterial.encoding}` : 'none (legacy user-token calls disabled)';
  const cache = resolved.cache
    ? resolved.cache.redis
      ? { url: 'redis', client: 'redis (client)', sentinel: 'redis (sentinel)', cluster: 'redis (cluster)' }[redisMode(resolved.cache.redis)]
      : resolved.cache.store
    : 'none';
  let transport: string = resolved.http.transport;
  if (resolved.http.proxy !== undefined) transport += ` via proxy ${new URL(resolved.http.proxy).host}`;
  return (
    `${resolved.registration !== undefined ? `[${resolved.registration}] ` : ''}Personalized Offers API ${where}${kind ? ` (${kind})` : ''}, fId …${resolved.fId.slice(-4)}, ` +
    `authentication ${auth}, AuthInfo ${authInfo}, cache ${cache}, transport ${transport}.`
  );
}

/**
 * Config providers: options validated (and keys loaded) once at start-up, then the fId and key
 * material. `PERSONALIZED_OFFERS_KEY_MATERIAL` is `null` when the module has no `authInfo`.
 */
export const configProviders: Provider[] = [
  {
    provide: PERSONALIZED_OFFERS_RESOLVED_OPTIONS,
    useFactory: resolveModuleOptions,
    inject: [PERSONALIZED_OFFERS_MODULE_OPTIONS, PERSONALIZED_OFFERS_REGISTRATION],
  },
  {
    provide: PERSONALIZED_OFFERS_FID,
    useFactory: (resolved: ResolvedPersonalizedOffersOptions) => resolved.fId,
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS],
  },
  {
    provide: PERSONALIZED_OFFERS_KEY_MATERIAL,
    useFactory: (resolved: ResolvedPersonalizedOffersOptions) => resolved.keyMaterial,
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS],
  },
  { provide: PERSONALIZED_OFFERS_CLOCK, useValue: systemClock },
];

/**
 * The module's own `HttpService` over its own axios instance and connection pool, so its
 * settings and interceptors never touch the application's default axios. Redirects are not
 * followed: a redirect would carry the AuthInfo query to another URL. The OAuth signer is its
 * first request interceptor.
 */
export const httpProviders: Provider[] = [
  ConnectionPool,
  {
    provide: PERSONALIZED_OFFERS_HTTP,
    useFactory: (resolved: ResolvedPersonalizedOffersOptions, pool: ConnectionPool) => {
      const instance = axios.create({ maxRedirects: 0, ...pool.axiosDefaults() });
      if (resolved.signer) installOAuthSigning(instance, resolved.signer);
      resolved.oauth2?.install(instance);
      // Everything registered so far is the module's own: the HTTP client may skip axios while nothing else is.
      (instance as { [DIRECT_PATH_GATE]?: DirectPathGate })[DIRECT_PATH_GATE] = new DirectPathGate(instance);
      return new HttpService(instance);
    },
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS, ConnectionPool],
  },
];

/** The token store chosen by `cache.store` (or `null` with `cache: false`), and the cache over it. */
export const cacheProviders: Provider[] = [
  {
    provide: PERSONALIZED_OFFERS_TOKEN_STORE,
    useFactory: async ({ cache }: ResolvedPersonalizedOffersOptions) => {
      if (!cache) return null;
      // `custom` and `redis` are set with their `store` kind.
      if (cache.store === 'custom' && cache.custom) return cache.custom;
      if (cache.store === 'redis' && cache.redis) {
        const logger = new Logger(LOGGER_CONTEXT);
        const store = new RedisTokenStore({ ...cache.redis }, logger);
        if (!(await store.connect())) {
          logger.warn(
            `Redis token store${store.mode === 'url' ? '' : ` (${store.mode})`} unreachable at start-up; serving from process memory and the upstream until it is.`,
          );
        }
        return store;
      }
      return new MemoryTokenStore({ maxEntries: cache.maxEntries, ttlMs: cache.ttlMs });
    },
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS],
  },
  TokenCache,
];
