import { type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { Logger, type LoggerService } from '@nestjs/common';
import { type ConfigFactory, type ConfigFactoryKeyHost, registerAs } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, type ValidationArguments, ValidateBy, type ValidationOptions, validateSync } from 'class-validator';
import { AUTHINFO_ENCODINGS, AUTHINFO_MODES, isAes128Secret } from '../crypto/auth-info-key-material.js';
import { findIdentifierProblem } from '../crypto/identifier.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type {
  AuthInfoEncoding,
  AuthInfoMode,
  CacheOptions,
  HttpOptions,
  OAuth2Options,
  OAuthOptions,
  PersonalizedOffersModuleOptions,
  RateLimitOptions,
  RedisClusterOptions,
  RedisNodeAddress,
  RedisSentinelOptions,
} from '../interfaces/index.js';
import { LOGGER_CONTEXT, PRODUCTION_BASE_URL, SANDBOX_BASE_URL } from '../personalized-offers.constants.js';
import { checkRegistrationName } from '../personalized-offers.registration.js';
import { loadSigningKey } from '../signing/signing-key.loader.js';
import { resolveBaseUrl } from './base-url.js';
import { findUnknownVariables } from './unknown-variables.js';

/** Name of the `@nestjs/config` namespace: `configService.get('personalizedOffers')`. */
export const PERSONALIZED_OFFERS_CONFIG_NAMESPACE = 'personalizedOffers';

/** The hosts `PLO_ENV` names. */
export const ENVIRONMENT_HOSTS: Readonly<Record<'sandbox' | 'production', string>> = Object.freeze({
  sandbox: SANDBOX_BASE_URL,
  production: PRODUCTION_BASE_URL,
});

function Check(name: string, test: (value: unknown, args: ValidationArguments) => boolean, options?: ValidationOptions) {
  return ValidateBy({ name, validator: { validate: test } }, options);
}

const isValidBaseUrl = (value: unknown): boolean => {
  try {
    resolveBaseUrl(value);
    return true;
  } catch {
    return false;
  }
};

/**
 * The `PLO_*` environment variables this module reads, as validated at boot. Under another prefix
 * (`personalizedOffersConfigFor`) the same class validates them, and the errors are renamed.
 */
export class PersonalizedOffersEnvironment {
  /** Financial Institution id. */
  @IsString()
  @IsNotEmpty()
  @Check('isIdentifier', (v) => findIdentifierProblem(v) === undefined)
  PLO_FID!: string;

  /** `sandbox` or `production`: picks the host when PLO_BASE_URL is not set (or names the same host). */
  @IsOptional()
  @IsIn(Object.keys(ENVIRONMENT_HOSTS))
  PLO_ENV?: 'sandbox' | 'production';

  /** Base URL; https, or http on loopback only. @default PRODUCTION_BASE_URL */
  @IsOptional()
  @Check('isBaseUrl', isValidBaseUrl)
  PLO_BASE_URL?: string;

  /**
   * AES-128 key: 32 hex characters or base64. Optional: without it the current (`/loyalty`) API
   * works and the legacy user-token calls are refused. Required as soon as another PLO_AUTHINFO_* is set.
   */
  @Check('authInfoKey', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return env.PLO_AUTHINFO_IV === undefined && env.PLO_AUTHINFO_MODE === undefined && env.PLO_AUTHINFO_ENCODING === undefined;
    return isAes128Secret(v);
  })
  PLO_AUTHINFO_KEY?: string;

  /** AES IV (required in mode `cbc`, refused in the others). */
  @Check('ivMatchesMode', (v, args) => {
    // Without a key there is no AuthInfo to judge the IV for: a lone IV is PLO_AUTHINFO_KEY's error.
    if ((args.object as PersonalizedOffersEnvironment).PLO_AUTHINFO_KEY === undefined) return true;
    const mode = (args.object as PersonalizedOffersEnvironment).PLO_AUTHINFO_MODE ?? 'cbc';
    // An unknown mode is PLO_AUTHINFO_MODE's error alone: the IV cannot be judged against it.
    if (!(AUTHINFO_MODES as readonly string[]).includes(mode)) return true;
    return mode === 'cbc' ? isAes128Secret(v) : v === undefined;
  })
  PLO_AUTHINFO_IV?: string;

  /** `cbc` (default), `cbc-random-iv` or `ecb`. */
  @IsOptional()
  @IsIn(AUTHINFO_MODES as AuthInfoMode[])
  PLO_AUTHINFO_MODE?: AuthInfoMode;

  /** `hex` (default), `base64` or `base64url`. */
  @IsOptional()
  @IsIn(AUTHINFO_ENCODINGS as AuthInfoEncoding[])
  PLO_AUTHINFO_ENCODING?: AuthInfoEncoding;

  /** Timeout of one attempt, in milliseconds. @default 10000 */
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,5}$/)
  PLO_HTTP_TIMEOUT_MS?: string;

  /** Retries after the first attempt (0 to 10). @default 2 */
  @IsOptional()
  @Matches(/^(?:[0-9]|10)$/)
  PLO_HTTP_RETRIES?: string;

  /** Access-token lifetime in milliseconds (Mastercard's default: 60 minutes). */
  @IsOptional()
  @Matches(/^[1-9][0-9]{3,9}$/)
  PLO_ACCESS_TOKEN_TTL_MS?: string;

  /** Form of the legacy writes: `v2` (default, JSON body) or `v1` (v1.3 query form). */
  @IsOptional()
  @IsIn(['v2', 'v1'])
  PLO_LEGACY_WRITES?: 'v2' | 'v1';

  /** `memory` (default), `redis` or `off`. */
  @IsOptional()
  @IsIn(['memory', 'redis', 'off'])
  PLO_CACHE?: 'memory' | 'redis' | 'off';

  /**
   * Redis URL (`redis://[user:password@]host:port/db`, `rediss://` for TLS). With `PLO_CACHE=redis`
   * exactly one of PLO_REDIS_URL, PLO_REDIS_SENTINELS and PLO_REDIS_CLUSTER_NODES is required.
   */
  @Check('redisUrl', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return !(env.PLO_CACHE === 'redis' && redisForms(env).length === 0);
    return typeof v === 'string' && /^rediss?:\/\/./.test(v) && redisForms(env).length === 1;
  })
  PLO_REDIS_URL?: string;

  /** Redis Sentinel: `host:port,host:port` (IPv6 as `[::1]:26379`); with PLO_REDIS_SENTINEL_NAME. */
  @Check('redisSentinels', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return env.PLO_REDIS_SENTINEL_NAME === undefined && env.PLO_REDIS_SENTINEL_PASSWORD === undefined;
    return parseRedisNodes(v) !== undefined && redisForms(env).length === 1;
  })
  PLO_REDIS_SENTINELS?: string;

  /** The master group name the sentinels monitor (`sentinel monitor <name> …`); required with PLO_REDIS_SENTINELS. */
  @Check('redisSentinelName', (v, args) =>
    v === undefined ? (args.object as PersonalizedOffersEnvironment).PLO_REDIS_SENTINELS === undefined : isPrintable(v),
  )
  PLO_REDIS_SENTINEL_NAME?: string;

  /** Password of the sentinels themselves, when they have one (kept as set: not trimmed). */
  @IsOptional()
  @IsString()
  PLO_REDIS_SENTINEL_PASSWORD?: string;

  /** Redis Cluster seed nodes: `host:port,host:port` (IPv6 as `[::1]:7000`). */
  @Check(
    'redisClusterNodes',
    (v, args) => v === undefined || (parseRedisNodes(v) !== undefined && redisForms(args.object as PersonalizedOffersEnvironment).length === 1),
  )
  PLO_REDIS_CLUSTER_NODES?: string;

  /** ACL user of the data nodes, for PLO_REDIS_SENTINELS or PLO_REDIS_CLUSTER_NODES (a URL carries its own). */
  @Check('redisUsername', (v, args) => v === undefined || (isPrintable(v) && (args.object as PersonalizedOffersEnvironment).PLO_REDIS_URL === undefined))
  PLO_REDIS_USERNAME?: string;

  /** Password of the data nodes, for PLO_REDIS_SENTINELS or PLO_REDIS_CLUSTER_NODES (kept as set: not trimmed). */
  @Check('redisPassword', (v, args) => v === undefined || (typeof v === 'string' && (args.object as PersonalizedOffersEnvironment).PLO_REDIS_URL === undefined))
  PLO_REDIS_PASSWORD?: string;

  /**
   * Secret (at least 16 bytes) that encrypts the tokens kept in Redis. Defaults to the AuthInfo
   * key; required with `PLO_CACHE=redis` when PLO_AUTHINFO_KEY is not set.
   */
  @Check('cacheEncryptionKey', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return !(env.PLO_CACHE === 'redis' && env.PLO_AUTHINFO_KEY === undefined);
    return typeof v === 'string' && Buffer.byteLength(v, 'utf8') >= 16;
  })
  PLO_CACHE_ENCRYPTION_KEY?: string;

  /** Token time to live in milliseconds (no expiry when unset). */
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,9}$/)
  PLO_TOKEN_TTL_MS?: string;

  /** Most tokens held in process memory. */
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,7}$/)
  PLO_CACHE_MAX_ENTRIES?: string;

  /** OAuth consumer key; required as soon as a key file is given. */
  @Check('consumerKey', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return env.PLO_OAUTH_KEY_FILE === undefined;
    return typeof v === 'string' && /^[\x21-\x7e]+$/.test(v);
  })
  PLO_OAUTH_CONSUMER_KEY?: string;

  /** Signing key file: a PKCS#12 keystore (`.p12`) or a PEM private key. */
  @Check('keyFile', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return env.PLO_OAUTH_CONSUMER_KEY === undefined;
    return readKeyFile(v) !== undefined;
  })
  PLO_OAUTH_KEY_FILE?: string;

  /** Alias of the key inside the PKCS#12 keystore (required for `.p12`). */
  @Check('keyAlias', (v, args) => v !== undefined || !isPkcs12File((args.object as PersonalizedOffersEnvironment).PLO_OAUTH_KEY_FILE))
  PLO_OAUTH_KEY_ALIAS?: string;

  /** Keystore password (required for `.p12`; the passphrase of an encrypted PEM). */
  @Check('keyPassword', (v, args) => v !== undefined || !isPkcs12File((args.object as PersonalizedOffersEnvironment).PLO_OAUTH_KEY_FILE))
  PLO_OAUTH_KEY_PASSWORD?: string;

  /** OAuth 2.0 client ID; with it the module uses OAuth 2.0 (and PLO_OAUTH_* must be unset). */
  @Check('oauth2ClientId', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    const any2 = OAUTH2_VARIABLES.some((name) => env[name] !== undefined);
    if (v === undefined) return !any2;
    return typeof v === 'string' && /^[\x21-\x7e]+$/.test(v) && env.PLO_OAUTH_CONSUMER_KEY === undefined && env.PLO_OAUTH_KEY_FILE === undefined;
  })
  PLO_OAUTH2_CLIENT_ID?: string;

  /** Key ID of the OAuth 2.0 authentication key. */
  @Check('oauth2Kid', (v, args) => (v === undefined ? (args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_CLIENT_ID === undefined : isPrintable(v)))
  PLO_OAUTH2_KID?: string;

  /** The authentication key: a `.p12` keystore or a PEM private key file. */
  @Check('oauth2KeyFile', (v, args) =>
    v === undefined ? (args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_CLIENT_ID === undefined : readKeyFile(v) !== undefined,
  )
  PLO_OAUTH2_KEY_FILE?: string;

  /** Alias of the key inside the PKCS#12 keystore (required for a `.p12` `PLO_OAUTH2_KEY_FILE`). */
  @Check('oauth2KeyAlias', (v, args) => v !== undefined || !isPkcs12File((args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_KEY_FILE))
  PLO_OAUTH2_KEY_ALIAS?: string;

  /** Password of the `.p12` keystore (required for one), or of an encrypted PEM key. */
  @Check('oauth2KeyPassword', (v, args) => v !== undefined || !isPkcs12File((args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_KEY_FILE))
  PLO_OAUTH2_KEY_PASSWORD?: string;

  /** Space-separated scopes. */
  @Check('oauth2Scopes', (v, args) =>
    v === undefined
      ? (args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_CLIENT_ID === undefined
      : typeof v === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(v),
  )
  PLO_OAUTH2_SCOPES?: string;

  /** The token endpoint: an `https` URL (`http` only for loopback hosts); default `<origin of the base URL>/oauth/token`. */
  @IsOptional()
  @Matches(/^https:\/\/\S+$|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/\S*$/)
  PLO_OAUTH2_TOKEN_ENDPOINT?: string;

  /** The DPoP key: a PEM private key file (EC P-256 or RSA); default: a key made at start. */
  @Check('oauth2DpopKeyFile', (v) => v === undefined || readKeyFile(v) !== undefined)
  PLO_OAUTH2_DPOP_KEY_FILE?: string;

  /** Requests per second to Mastercard, for the whole fleet (above 0, at most 1000000, up to 3 decimals); required with the other PLO_RATE_LIMIT_*. */
  @Check('rateLimitRps', (v, args) => {
    const env = args.object as PersonalizedOffersEnvironment;
    if (v === undefined) return env.PLO_RATE_LIMIT_BURST === undefined && env.PLO_RATE_LIMIT_MAX_WAIT_MS === undefined;
    return typeof v === 'string' && /^(?:0|[1-9][0-9]{0,6})(?:\.[0-9]{1,3})?$/.test(v) && Number(v) > 0 && Number(v) <= 1_000_000;
  })
  PLO_RATE_LIMIT_RPS?: string;

  /** Requests that may go at once after a quiet spell (1 to 1000000). */
  @IsOptional()
  @Check('rateLimitBurst', (v) => typeof v === 'string' && /^[1-9][0-9]{0,6}$/.test(v) && Number(v) <= 1_000_000)
  PLO_RATE_LIMIT_BURST?: string;

  /** Longest wait for a permit, in milliseconds (0 to 3600000). */
  @IsOptional()
  @Check('rateLimitMaxWait', (v) => typeof v === 'string' && /^(?:0|[1-9][0-9]{0,6})$/.test(v) && Number(v) <= 3_600_000)
  PLO_RATE_LIMIT_MAX_WAIT_MS?: string;
}

const isPrintable = (v: unknown): boolean => typeof v === 'string' && /^[\x21-\x7e]+$/.test(v);

/** The Redis forms set: at most one of them may be. */
function redisForms(env: PersonalizedOffersEnvironment): string[] {
  return (['PLO_REDIS_URL', 'PLO_REDIS_SENTINELS', 'PLO_REDIS_CLUSTER_NODES'] as const).filter((name) => env[name] !== undefined);
}

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/**
 * `host:port,host:port` into addresses: a host name or IPv4 address, or an IPv6 address in
 * brackets (`[::1]:6379`, given to ioredis without them); ports 1 to 65535; spaces around the
 * commas are allowed. `undefined` when any entry is not one.
 */
export function parseRedisNodes(value: unknown): RedisNodeAddress[] | undefined {
  if (typeof value !== 'string') return undefined;
  const nodes: RedisNodeAddress[] = [];
  for (const entry of value.split(',')) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):([1-9][0-9]{0,4})$/.exec(entry.trim());
    if (!match) return undefined;
    // Exactly one of the two host groups takes part in the match; the other is undefined.
    const [, v6, name, port] = match as readonly (string | undefined)[];
    const host = v6 ?? name;
    if (host === undefined || (v6 !== undefined ? !isIPv6(v6) : !HOST_NAME.test(host) || host.length > 253)) return undefined;
    if (Number(port) > 65_535) return undefined;
    nodes.push({ host, port: Number(port) });
  }
  return nodes;
}

const OAUTH2_VARIABLES = ['PLO_OAUTH2_KID', 'PLO_OAUTH2_KEY_FILE', 'PLO_OAUTH2_SCOPES', 'PLO_OAUTH2_TOKEN_ENDPOINT', 'PLO_OAUTH2_DPOP_KEY_FILE'] as const;

/** OAuth 2.0 options from PLO_OAUTH2_*: the keys read and loaded now, errors naming the variables. */
function oauth2FromEnvironment(env: PersonalizedOffersEnvironment): OAuth2Options | undefined {
  if (!env.PLO_OAUTH2_CLIENT_ID) return undefined;
  const data = validated(readKeyFile(env.PLO_OAUTH2_KEY_FILE), 'PLO_OAUTH2_KEY_FILE');
  const key = data.includes('-----BEGIN')
    ? { clientKey: pemKey(data, env.PLO_OAUTH2_KEY_PASSWORD, 'PLO_OAUTH2_KEY_PASSWORD', 'PLO_OAUTH2_KEY_FILE') }
    : {
        pkcs12: {
          data,
          alias: validated(env.PLO_OAUTH2_KEY_ALIAS, 'PLO_OAUTH2_KEY_ALIAS'),
          password: validated(env.PLO_OAUTH2_KEY_PASSWORD, 'PLO_OAUTH2_KEY_PASSWORD'),
        },
      };
  return {
    clientId: env.PLO_OAUTH2_CLIENT_ID,
    kid: validated(env.PLO_OAUTH2_KID, 'PLO_OAUTH2_KID'),
    ...key,
    scopes: validated(env.PLO_OAUTH2_SCOPES, 'PLO_OAUTH2_SCOPES').split(' '),
    ...(env.PLO_OAUTH2_TOKEN_ENDPOINT ? { tokenEndpoint: env.PLO_OAUTH2_TOKEN_ENDPOINT } : {}),
    ...(env.PLO_OAUTH2_DPOP_KEY_FILE ? { dpopKey: validated(readKeyFile(env.PLO_OAUTH2_DPOP_KEY_FILE), 'PLO_OAUTH2_DPOP_KEY_FILE') } : {}),
  };
}

/**
 * A value the validation has already guaranteed (a variable required with another, a key file it
 * read); should it be gone since (a key file removed meanwhile), the variable is named.
 */
function validated<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new PersonalizedOffersConfigError(variable, `${variable} is missing or no longer readable.`);
  return value;
}

function readKeyFile(path: unknown): Buffer | undefined {
  if (typeof path !== 'string') return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function isPkcs12File(path: string | undefined): boolean {
  const data = path === undefined ? undefined : readKeyFile(path);
  return data !== undefined && !data.includes('-----BEGIN');
}

// Key-loading errors name option paths; for the environment, name the variables instead.
const OPTION_TO_ENV: Array<[string, string]> = [
  ['oauth.pkcs12.password', 'PLO_OAUTH_KEY_PASSWORD'],
  ['oauth.pkcs12.alias', 'PLO_OAUTH_KEY_ALIAS'],
  ['oauth.pkcs12.path', 'PLO_OAUTH_KEY_FILE'],
  ['oauth.pkcs12', 'PLO_OAUTH_KEY_FILE'],
  ['oauth.signingKey', 'PLO_OAUTH_KEY_FILE'],
];

/** Loads the signing key named by the environment once, at boot, into a `KeyObject`. */
function oauthFromEnvironment(env: PersonalizedOffersEnvironment): OAuthOptions | undefined {
  if (!env.PLO_OAUTH_CONSUMER_KEY || !env.PLO_OAUTH_KEY_FILE) return undefined;
  const data = validated(readKeyFile(env.PLO_OAUTH_KEY_FILE), 'PLO_OAUTH_KEY_FILE');
  const source: OAuthOptions = data.includes('-----BEGIN')
    ? { consumerKey: env.PLO_OAUTH_CONSUMER_KEY, signingKey: pemKey(data, env.PLO_OAUTH_KEY_PASSWORD) }
    : {
        consumerKey: env.PLO_OAUTH_CONSUMER_KEY,
        pkcs12: {
          data,
          alias: validated(env.PLO_OAUTH_KEY_ALIAS, 'PLO_OAUTH_KEY_ALIAS'),
          password: validated(env.PLO_OAUTH_KEY_PASSWORD, 'PLO_OAUTH_KEY_PASSWORD'),
        },
      };
  try {
    return { consumerKey: env.PLO_OAUTH_CONSUMER_KEY, signingKey: loadSigningKey(source) };
  } catch (error) {
    if (!(error instanceof PersonalizedOffersConfigError)) throw error;
    const rename = (text: string) => OPTION_TO_ENV.reduce((t, [from, to]) => t.split(from).join(to), text);
    throw new PersonalizedOffersConfigError([...new Set(error.settings.map(rename))], rename(error.message));
  }
}

function cacheFromEnvironment(env: PersonalizedOffersEnvironment): CacheOptions | false | undefined {
  if (env.PLO_CACHE === 'off') return false;
  const settings: CacheOptions = {
    ...(env.PLO_TOKEN_TTL_MS ? { ttlMs: Number(env.PLO_TOKEN_TTL_MS) } : {}),
    ...(env.PLO_CACHE_MAX_ENTRIES ? { maxEntries: Number(env.PLO_CACHE_MAX_ENTRIES) } : {}),
    ...(env.PLO_CACHE === 'redis' ? { store: { redis: redisFromEnvironment(env) } } : {}),
    ...(env.PLO_CACHE === 'redis' && env.PLO_CACHE_ENCRYPTION_KEY ? { encryptionKey: env.PLO_CACHE_ENCRYPTION_KEY } : {}),
  };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/** The Redis store's connection: by URL, through Sentinel, or a Cluster (validation allowed exactly one). */
function redisFromEnvironment(env: PersonalizedOffersEnvironment): { url: string } | RedisSentinelOptions | RedisClusterOptions {
  if (env.PLO_REDIS_URL) return { url: env.PLO_REDIS_URL };
  const auth = {
    ...(env.PLO_REDIS_USERNAME ? { username: env.PLO_REDIS_USERNAME } : {}),
    ...(env.PLO_REDIS_PASSWORD ? { password: env.PLO_REDIS_PASSWORD } : {}),
  };
  if (env.PLO_REDIS_SENTINELS) {
    return {
      sentinels: validated(parseRedisNodes(env.PLO_REDIS_SENTINELS), 'PLO_REDIS_SENTINELS'),
      name: validated(env.PLO_REDIS_SENTINEL_NAME, 'PLO_REDIS_SENTINEL_NAME'),
      ...auth,
      ...(env.PLO_REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.PLO_REDIS_SENTINEL_PASSWORD } : {}),
    };
  }
  return { cluster: validated(parseRedisNodes(env.PLO_REDIS_CLUSTER_NODES), 'PLO_REDIS_CLUSTER_NODES'), ...auth };
}

function rateLimitFromEnvironment(env: PersonalizedOffersEnvironment): RateLimitOptions | undefined {
  if (!env.PLO_RATE_LIMIT_RPS) return undefined;
  return {
    requestsPerSecond: Number(env.PLO_RATE_LIMIT_RPS),
    ...(env.PLO_RATE_LIMIT_BURST ? { burst: Number(env.PLO_RATE_LIMIT_BURST) } : {}),
    ...(env.PLO_RATE_LIMIT_MAX_WAIT_MS ? { maxWaitMs: Number(env.PLO_RATE_LIMIT_MAX_WAIT_MS) } : {}),
  };
}

/** A PEM key file's bytes, or the key decrypted with its passphrase; errors name the variables. */
function pemKey(
  data: Buffer,
  passphrase: string | undefined,
  passwordVariable = 'PLO_OAUTH_KEY_PASSWORD',
  fileVariable = 'PLO_OAUTH_KEY_FILE',
): Buffer | KeyObject {
  if (passphrase === undefined) return data;
  try {
    return createPrivateKey({ key: data, format: 'pem', passphrase });
  } catch {
    throw new PersonalizedOffersConfigError(passwordVariable, `${passwordVariable} does not decrypt the PEM key in ${fileVariable}.`);
  }
}

/** What each variable must be, for error messages (never the value itself). */
const REASONS: Partial<Record<string, string>> = {
  PLO_FID: 'a non-empty identifier without ":" or control characters',
  PLO_ENV: 'sandbox or production (lower case)',
  PLO_BASE_URL: 'an https URL (http only for loopback hosts) without credentials, query or fragment',
  PLO_AUTHINFO_KEY: 'an AES-128 key: 32 hex characters or the base64 of 16 bytes (required with any other PLO_AUTHINFO_* variable)',
  PLO_AUTHINFO_IV: 'a 16-byte IV (32 hex characters or base64) in mode cbc, and absent in the other modes',
  PLO_AUTHINFO_MODE: 'one of cbc, cbc-random-iv, ecb (lower case)',
  PLO_AUTHINFO_ENCODING: 'one of hex, base64, base64url',
  PLO_HTTP_TIMEOUT_MS: 'a whole number of milliseconds from 1 to 999999',
  PLO_HTTP_RETRIES: 'a whole number from 0 to 10',
  PLO_ACCESS_TOKEN_TTL_MS: 'a whole number of milliseconds, at least 1000',
  PLO_LEGACY_WRITES: 'v2 or v1',
  PLO_CACHE: 'one of memory, redis, off',
  PLO_REDIS_URL:
    'a redis:// or rediss:// URL (with PLO_CACHE=redis, exactly one of PLO_REDIS_URL, PLO_REDIS_SENTINELS with PLO_REDIS_SENTINEL_NAME, or PLO_REDIS_CLUSTER_NODES is required)',
  PLO_REDIS_SENTINELS:
    'comma-separated host:port of the sentinels (IPv6 in brackets: [::1]:26379; ports 1 to 65535), required with PLO_REDIS_SENTINEL_NAME or PLO_REDIS_SENTINEL_PASSWORD, and only one of PLO_REDIS_URL, PLO_REDIS_SENTINELS, PLO_REDIS_CLUSTER_NODES may be set',
  PLO_REDIS_SENTINEL_NAME: 'the printable master group name the sentinels monitor (required with PLO_REDIS_SENTINELS)',
  PLO_REDIS_SENTINEL_PASSWORD: "the sentinels' password",
  PLO_REDIS_CLUSTER_NODES:
    'comma-separated host:port of Redis Cluster seed nodes (IPv6 in brackets: [::1]:7000; ports 1 to 65535), and only one of PLO_REDIS_URL, PLO_REDIS_SENTINELS, PLO_REDIS_CLUSTER_NODES may be set',
  PLO_REDIS_USERNAME:
    'a printable ACL user name, for PLO_REDIS_SENTINELS or PLO_REDIS_CLUSTER_NODES (a PLO_REDIS_URL carries its own: redis://user:password@host)',
  PLO_REDIS_PASSWORD:
    "the data nodes' password, for PLO_REDIS_SENTINELS or PLO_REDIS_CLUSTER_NODES (a PLO_REDIS_URL carries its own: redis://user:password@host)",
  PLO_CACHE_ENCRYPTION_KEY: 'at least 16 bytes (required with PLO_CACHE=redis when PLO_AUTHINFO_KEY is not set)',
  PLO_TOKEN_TTL_MS: 'a whole number of milliseconds from 1',
  PLO_CACHE_MAX_ENTRIES: 'a whole number from 1',
  PLO_OAUTH_CONSUMER_KEY: 'a printable consumer key (required with PLO_OAUTH_KEY_FILE)',
  PLO_OAUTH_KEY_FILE: 'a readable .p12 keystore or PEM private key file (required with PLO_OAUTH_CONSUMER_KEY)',
  PLO_OAUTH_KEY_ALIAS: 'the key alias inside the .p12 (required for a .p12)',
  PLO_OAUTH_KEY_PASSWORD: 'the keystore password (required for a .p12)',
  PLO_OAUTH2_CLIENT_ID:
    'a printable client ID, with PLO_OAUTH2_KID, PLO_OAUTH2_KEY_FILE and PLO_OAUTH2_SCOPES, and without PLO_OAUTH_* (OAuth 1.0a and 2.0 do not mix)',
  PLO_OAUTH2_KID: 'the printable key ID of the authentication key (required with PLO_OAUTH2_CLIENT_ID)',
  PLO_OAUTH2_KEY_FILE: 'a readable .p12 keystore or PEM private key file (required with PLO_OAUTH2_CLIENT_ID)',
  PLO_OAUTH2_KEY_ALIAS: 'the key alias inside the .p12 (required for a .p12)',
  PLO_OAUTH2_KEY_PASSWORD: 'the keystore password (required for a .p12)',
  PLO_OAUTH2_SCOPES: 'space-separated scope names (required with PLO_OAUTH2_CLIENT_ID)',
  PLO_OAUTH2_TOKEN_ENDPOINT: 'an https URL (http only for loopback hosts)',
  PLO_OAUTH2_DPOP_KEY_FILE: 'a readable PEM private key file (EC P-256 or RSA ≥ 2048)',
  PLO_RATE_LIMIT_RPS:
    'requests per second above 0 and at most 1000000, with up to 3 decimals (required with PLO_RATE_LIMIT_BURST or PLO_RATE_LIMIT_MAX_WAIT_MS)',
  PLO_RATE_LIMIT_BURST: 'a whole number of requests from 1 to 1000000',
  PLO_RATE_LIMIT_MAX_WAIT_MS: 'a whole number of milliseconds from 0 to 3600000',
};

/** Names of the environment variables this module reads (`personalizedOffersConfigFor` reads them with `PLO_` replaced by its prefix). */
export const PERSONALIZED_OFFERS_ENV_VARIABLES = Object.freeze([
  'PLO_FID',
  'PLO_ENV',
  'PLO_BASE_URL',
  'PLO_AUTHINFO_KEY',
  'PLO_AUTHINFO_IV',
  'PLO_AUTHINFO_MODE',
  'PLO_AUTHINFO_ENCODING',
  'PLO_OAUTH_CONSUMER_KEY',
  'PLO_OAUTH_KEY_FILE',
  'PLO_OAUTH_KEY_ALIAS',
  'PLO_OAUTH_KEY_PASSWORD',
  'PLO_OAUTH2_CLIENT_ID',
  'PLO_OAUTH2_KID',
  'PLO_OAUTH2_KEY_FILE',
  'PLO_OAUTH2_KEY_ALIAS',
  'PLO_OAUTH2_KEY_PASSWORD',
  'PLO_OAUTH2_SCOPES',
  'PLO_OAUTH2_TOKEN_ENDPOINT',
  'PLO_OAUTH2_DPOP_KEY_FILE',
  'PLO_HTTP_TIMEOUT_MS',
  'PLO_HTTP_RETRIES',
  'PLO_LEGACY_WRITES',
  'PLO_ACCESS_TOKEN_TTL_MS',
  'PLO_CACHE',
  'PLO_REDIS_URL',
  'PLO_REDIS_SENTINELS',
  'PLO_REDIS_SENTINEL_NAME',
  'PLO_REDIS_SENTINEL_PASSWORD',
  'PLO_REDIS_CLUSTER_NODES',
  'PLO_REDIS_USERNAME',
  'PLO_REDIS_PASSWORD',
  'PLO_CACHE_ENCRYPTION_KEY',
  'PLO_TOKEN_TTL_MS',
  'PLO_CACHE_MAX_ENTRIES',
  'PLO_RATE_LIMIT_RPS',
  'PLO_RATE_LIMIT_BURST',
  'PLO_RATE_LIMIT_MAX_WAIT_MS',
] as const);

/** Options of {@link loadPersonalizedOffersConfig}. */
export interface LoadPersonalizedOffersConfigOptions {
  /** Where the unknown-variable warnings go. @default a Nest `Logger` with context `PersonalizedOffers` */
  logger?: Pick<LoggerService, 'warn'>;
  /**
   * Read the variables with `PLO_` replaced by this prefix (`PLO_BANK_A_` reads `PLO_BANK_A_FID`,
   * `PLO_BANK_A_AUTHINFO_KEY`, …): upper-case letters, digits and `_`, starting with a letter and
   * ending in `_`, at most 64 characters. Errors and warnings name the variables so prefixed. The
   * prefix is registered: from then on the default loader leaves the variables under it alone.
   * @default 'PLO_'
   */
  prefix?: string;
}

/** The default prefix: the variables `personalizedOffersConfig` reads. */
const DEFAULT_PREFIX = 'PLO_';
const PREFIX = /^[A-Z][A-Z0-9_]{0,62}_$/;

/** Prefixes registered by `personalizedOffersConfigFor` or a prefixed load, besides `PLO_`. */
const registeredPrefixes = new Set<string>();

/** The variable names read under `prefix`. */
const namesUnder = (prefix: string): string[] => PERSONALIZED_OFFERS_ENV_VARIABLES.map((name) => prefix + name.slice(DEFAULT_PREFIX.length));

/**
 * Throws `PersonalizedOffersConfigError` (setting `prefix`) unless `prefix` is usable: the form
 * above, and no variable of another prefix in use (`PLO_` included) lies under it, nor one of its
 * own under another (`PLO_CACHE_` would take `PLO_CACHE_ENCRYPTION_KEY` for its own).
 */
function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new PersonalizedOffersConfigError(
      'prefix',
      'prefix must be upper-case letters, digits and "_", start with a letter and end with "_", at most 64 characters (PLO_BANK_A_ reads PLO_BANK_A_FID, …).',
    );
  }
  if (prefix === DEFAULT_PREFIX) return;
  for (const other of [DEFAULT_PREFIX, ...registeredPrefixes]) {
    if (other === prefix) continue;
    const [short, long] = other.length < prefix.length ? [other, prefix] : [prefix, other];
    if (!long.startsWith(short)) continue;
    const clash = namesUnder(short).find((name) => name.startsWith(long));
    if (clash !== undefined) {
      throw new PersonalizedOffersConfigError(
        'prefix',
        `prefix ${prefix} cannot be used with ${other}: ${clash} would be read under both; choose a prefix that no variable of the other starts with (PLO_BANK_A_, …).`,
      );
    }
  }
}

/** Registers `prefix` (checked) so that other loaders leave its variables to it. */
function registerPrefix(prefix: unknown): asserts prefix is string {
  checkPrefix(prefix);
  if (prefix !== DEFAULT_PREFIX) registeredPrefixes.add(prefix);
}

/** `PLO_X` in a message or setting written for the default variables, as the variable under `prefix`. */
function renameFor(prefix: string): (text: string) => string {
  return prefix === DEFAULT_PREFIX ? (text) => text : (text) => text.replace(/\bPLO_(?=[A-Z0-9*])/g, prefix);
}

/**
 * Reads and validates the `PLO_*` variables (or those under `options.prefix`) into module
 * options. A bad environment throws a `PersonalizedOffersConfigError` that lists every invalid
 * variable by its real name, never its value. Every other variable set under the prefix is
 * reported at `warn` with the closest known name (a typo of `PLO_BASE_URL` must not silently leave
 * the module on the production host); variables under another registered prefix are left to the
 * loader of that prefix.
 */
export function loadPersonalizedOffersConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadPersonalizedOffersConfigOptions = {},
): PersonalizedOffersModuleOptions {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  registerPrefix(prefix);
  const real = renameFor(prefix);
  const others = [DEFAULT_PREFIX, ...registeredPrefixes].filter((p) => p !== prefix).map((p) => ({ prefix: p, known: namesUnder(p) }));
  const unknown = findUnknownVariables(env, namesUnder(prefix), { prefix, others });
  if (unknown.length > 0) {
    const logger = options.logger ?? new Logger(LOGGER_CONTEXT);
    for (const { message } of unknown) logger.warn(message);
  }
  const raw: Partial<Record<string, string>> = {};
  for (const name of PERSONALIZED_OFFERS_ENV_VARIABLES) {
    const set = env[real(name)];
    // Passwords are kept as set (a space may be part of one); an empty variable counts as unset.
    const value = name.endsWith('_PASSWORD') ? set : set?.trim();
    if (value) raw[name] = value;
  }
  const parsed = plainToInstance(PersonalizedOffersEnvironment, raw);
  const invalid = validateSync(parsed, { forbidUnknownValues: true }).map((e) => e.property);
  if (invalid.length > 0) {
    // A required variable reported missing next to a set variable one typo away: say so.
    const typo = (name: string) => {
      const near = unknown.filter((u) => u.suggestion === real(name)).map((u) => u.name);
      return near.length > 0 && raw[name] === undefined ? ` (${near.join(', ')} is set: a typo?)` : '';
    };
    throw new PersonalizedOffersConfigError(
      invalid.map(real),
      `Invalid Personalized Offers environment: ${invalid.map(real).join(', ')} (${invalid.map((name) => `${real(name)} must be ${real(REASONS[name] ?? 'valid')}${typo(name)}`).join('; ')}).`,
    );
  }
  try {
    return optionsFromEnvironment(parsed);
  } catch (error) {
    if (!(error instanceof PersonalizedOffersConfigError) || prefix === DEFAULT_PREFIX) throw error;
    throw new PersonalizedOffersConfigError(error.settings.map(real), real(error.message));
  }
}

function optionsFromEnvironment(parsed: PersonalizedOffersEnvironment): PersonalizedOffersModuleOptions {
  const baseUrl = baseUrlFromEnvironment(parsed);
  const oauth = oauthFromEnvironment(parsed);
  const oauth2 = oauth2FromEnvironment(parsed);
  const cache = cacheFromEnvironment(parsed);
  const rateLimit = rateLimitFromEnvironment(parsed);
  const http: HttpOptions = {
    ...(parsed.PLO_HTTP_TIMEOUT_MS ? { timeoutMs: Number(parsed.PLO_HTTP_TIMEOUT_MS) } : {}),
    ...(parsed.PLO_HTTP_RETRIES ? { retry: { retries: Number(parsed.PLO_HTTP_RETRIES) } } : {}),
  };
  return {
    ...(cache !== undefined ? { cache } : {}),
    ...(Object.keys(http).length > 0 ? { http } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    fId: parsed.PLO_FID,
    ...(parsed.PLO_LEGACY_WRITES ? { legacyWrites: parsed.PLO_LEGACY_WRITES } : {}),
    ...(parsed.PLO_ACCESS_TOKEN_TTL_MS ? { accessTokens: { ttlMs: Number(parsed.PLO_ACCESS_TOKEN_TTL_MS) } } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(oauth ? { oauth } : {}),
    ...(oauth2 ? { oauth2 } : {}),
    ...(parsed.PLO_AUTHINFO_KEY
      ? {
          authInfo: {
            key: parsed.PLO_AUTHINFO_KEY,
            ...(parsed.PLO_AUTHINFO_IV ? { iv: parsed.PLO_AUTHINFO_IV } : {}),
            mode: parsed.PLO_AUTHINFO_MODE ?? 'cbc',
            encoding: parsed.PLO_AUTHINFO_ENCODING ?? 'hex',
          },
        }
      : {}),
  };
}

/**
 * PLO_BASE_URL, else the host PLO_ENV names. Both set: they must name the same host (PLO_BASE_URL
 * is kept then, for a proxy prefix); otherwise which one wins would be a silent guess.
 */
function baseUrlFromEnvironment(env: PersonalizedOffersEnvironment): string | undefined {
  const named = env.PLO_ENV ? ENVIRONMENT_HOSTS[env.PLO_ENV] : undefined;
  if (!env.PLO_BASE_URL) return named;
  if (named !== undefined && resolveBaseUrl(env.PLO_BASE_URL).url.host !== new URL(named).host) {
    throw new PersonalizedOffersConfigError(
      ['PLO_ENV', 'PLO_BASE_URL'],
      `PLO_ENV=${env.PLO_ENV} names ${new URL(named).host} but PLO_BASE_URL points at another host; set only one of them, or make them agree.`,
    );
  }
  return env.PLO_BASE_URL;
}

/**
 * `@nestjs/config` namespace of this module, validated when `ConfigModule` loads it:
 * `forRootAsync({ imports: [ConfigModule.forFeature(personalizedOffersConfig)], inject: [personalizedOffersConfig.KEY], useFactory: (c) => c })`.
 */
export const personalizedOffersConfig = registerAs(PERSONALIZED_OFFERS_CONFIG_NAMESPACE, () => loadPersonalizedOffersConfig());

/** A config namespace made by {@link personalizedOffersConfigFor}. */
export type PersonalizedOffersConfigNamespace = ConfigFactory<PersonalizedOffersModuleOptions> & ConfigFactoryKeyHost<PersonalizedOffersModuleOptions>;

const namespaces = new Map<string, { prefix: string; namespace: PersonalizedOffersConfigNamespace }>();

/**
 * `@nestjs/config` namespace of one named registration, reading the variables of
 * `personalizedOffersConfig` with `PLO_` replaced by `prefix`, with the same validation and errors
 * naming the real variables: `personalizedOffersConfigFor('bankA', 'PLO_BANK_A_')` reads
 * `PLO_BANK_A_FID`, `PLO_BANK_A_AUTHINFO_KEY`, … into the namespace `personalizedOffers:bankA`
 * (`configService.get('personalizedOffers:bankA')`; a colon, not a dot, which `ConfigService`
 * would read as a path into the default `personalizedOffers`).
 *
 * The same `(name, prefix)` gives the same object, so its `.KEY` and `ConfigModule.forFeature`
 * agree wherever it is called; the prefix is registered at once, so that the default loader does
 * not report `PLO_BANK_A_FID` as an unknown variable:
 * `forRootAsync({ name: 'bankA', imports: [ConfigModule.forFeature(personalizedOffersConfigFor('bankA', 'PLO_BANK_A_'))], inject: [personalizedOffersConfigFor('bankA', 'PLO_BANK_A_').KEY], useFactory: (c) => c })`.
 *
 * @throws PersonalizedOffersConfigError (`name`) unless the name is 1 to 64 letters, digits, `_` or
 *   `-`, or it is already used with another prefix; (`prefix`) unless the prefix is upper-case
 *   letters, digits and `_`, starts with a letter and ends with `_`, and its variables do not
 *   overlap those of `PLO_` or of another prefix in use.
 */
export function personalizedOffersConfigFor(name: string, prefix: string): PersonalizedOffersConfigNamespace {
  checkRegistrationName(name);
  checkPrefix(prefix);
  const existing = namespaces.get(name);
  if (existing !== undefined) {
    if (existing.prefix === prefix) return existing.namespace;
    throw new PersonalizedOffersConfigError(
      'name',
      `personalizedOffersConfigFor: the name ${name} already reads the variables under ${existing.prefix}; one name, one prefix (its namespace personalizedOffers:${name} is one provider).`,
    );
  }
  registerPrefix(prefix);
  const namespace = registerAs(`${PERSONALIZED_OFFERS_CONFIG_NAMESPACE}:${name}`, () => loadPersonalizedOffersConfig(process.env, { prefix }));
  namespaces.set(name, { prefix, namespace });
  return namespace;
}
