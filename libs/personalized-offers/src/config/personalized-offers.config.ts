import { type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger, type LoggerService } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  type ValidationArguments,
  ValidateBy,
  type ValidationOptions,
  validateSync,
} from 'class-validator';
import { AUTHINFO_ENCODINGS, AUTHINFO_MODES, isAes128Secret } from '../crypto/auth-info-key-material.js';
import { findIdentifierProblem } from '../crypto/identifier.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { AuthInfoEncoding, AuthInfoMode, CacheOptions, HttpOptions, OAuth2Options, OAuthOptions, PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { LOGGER_CONTEXT, PRODUCTION_BASE_URL, SANDBOX_BASE_URL } from '../personalized-offers.constants.js';
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

/** The `PLO_*` environment variables this module reads, as validated at boot. */
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

  /** Redis URL, required with `PLO_CACHE=redis`. */
  @Check('redisUrl', (v, args) =>
    (args.object as PersonalizedOffersEnvironment).PLO_CACHE === 'redis' ? typeof v === 'string' && /^rediss?:\/\/./.test(v) : v === undefined || /^rediss?:\/\/./.test(String(v)),
  )
  PLO_REDIS_URL?: string;

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
  @Check('oauth2Kid', (v, args) => (v === undefined ? (args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_CLIENT_ID === undefined : /^[\x21-\x7e]+$/.test(String(v))))
  PLO_OAUTH2_KID?: string;

  /** The authentication key: a `.p12` keystore or a PEM private key file. */
  @Check('oauth2KeyFile', (v, args) => (v === undefined ? (args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_CLIENT_ID === undefined : readKeyFile(v) !== undefined))
  PLO_OAUTH2_KEY_FILE?: string;

  @Check('oauth2KeyAlias', (v, args) => v !== undefined || !isPkcs12File((args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_KEY_FILE))
  PLO_OAUTH2_KEY_ALIAS?: string;

  @Check('oauth2KeyPassword', (v, args) => v !== undefined || !isPkcs12File((args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_KEY_FILE))
  PLO_OAUTH2_KEY_PASSWORD?: string;

  /** Space-separated scopes. */
  @Check('oauth2Scopes', (v, args) => (v === undefined ? (args.object as PersonalizedOffersEnvironment).PLO_OAUTH2_CLIENT_ID === undefined : /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(String(v))))
  PLO_OAUTH2_SCOPES?: string;

  @IsOptional()
  @Matches(/^https:\/\/\S+$|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/\S*$/)
  PLO_OAUTH2_TOKEN_ENDPOINT?: string;

  /** The DPoP key: a PEM private key file (EC P-256 or RSA); default: a key made at start. */
  @Check('oauth2DpopKeyFile', (v) => v === undefined || readKeyFile(v) !== undefined)
  PLO_OAUTH2_DPOP_KEY_FILE?: string;
}

const OAUTH2_VARIABLES = ['PLO_OAUTH2_KID', 'PLO_OAUTH2_KEY_FILE', 'PLO_OAUTH2_SCOPES', 'PLO_OAUTH2_TOKEN_ENDPOINT', 'PLO_OAUTH2_DPOP_KEY_FILE'] as const;

/** OAuth 2.0 options from PLO_OAUTH2_*: the keys read and loaded now, errors naming the variables. */
function oauth2FromEnvironment(env: PersonalizedOffersEnvironment): OAuth2Options | undefined {
  if (!env.PLO_OAUTH2_CLIENT_ID) return undefined;
  const data = readKeyFile(env.PLO_OAUTH2_KEY_FILE)!;
  const key = data.includes('-----BEGIN')
    ? { clientKey: pemKey(data, env.PLO_OAUTH2_KEY_PASSWORD, 'PLO_OAUTH2_KEY_PASSWORD', 'PLO_OAUTH2_KEY_FILE') }
    : { pkcs12: { data, alias: env.PLO_OAUTH2_KEY_ALIAS!, password: env.PLO_OAUTH2_KEY_PASSWORD! } };
  return {
    clientId: env.PLO_OAUTH2_CLIENT_ID,
    kid: env.PLO_OAUTH2_KID!,
    ...key,
    scopes: env.PLO_OAUTH2_SCOPES!.split(' '),
    ...(env.PLO_OAUTH2_TOKEN_ENDPOINT ? { tokenEndpoint: env.PLO_OAUTH2_TOKEN_ENDPOINT } : {}),
    ...(env.PLO_OAUTH2_DPOP_KEY_FILE ? { dpopKey: readKeyFile(env.PLO_OAUTH2_DPOP_KEY_FILE)! } : {}),
  };
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
  const data = readKeyFile(env.PLO_OAUTH_KEY_FILE)!;
  const source: OAuthOptions = data.includes('-----BEGIN')
    ? { consumerKey: env.PLO_OAUTH_CONSUMER_KEY, signingKey: pemKey(data, env.PLO_OAUTH_KEY_PASSWORD) }
    : {
        consumerKey: env.PLO_OAUTH_CONSUMER_KEY,
        pkcs12: { data, alias: env.PLO_OAUTH_KEY_ALIAS!, password: env.PLO_OAUTH_KEY_PASSWORD! },
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
    ...(env.PLO_CACHE === 'redis' ? { store: { redis: { url: env.PLO_REDIS_URL! } } } : {}),
    ...(env.PLO_CACHE === 'redis' && env.PLO_CACHE_ENCRYPTION_KEY ? { encryptionKey: env.PLO_CACHE_ENCRYPTION_KEY } : {}),
  };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/** A PEM key file's bytes, or the key decrypted with its passphrase; errors name the variables. */
function pemKey(data: Buffer, passphrase: string | undefined, passwordVariable = 'PLO_OAUTH_KEY_PASSWORD', fileVariable = 'PLO_OAUTH_KEY_FILE'): Buffer | KeyObject {
  if (passphrase === undefined) return data;
  try {
    return createPrivateKey({ key: data, format: 'pem', passphrase });
  } catch {
    throw new PersonalizedOffersConfigError(passwordVariable, `${passwordVariable} does not decrypt the PEM key in ${fileVariable}.`);
  }
}

/** What each variable must be, for error messages (never the value itself). */
const REASONS: Record<string, string> = {
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
  PLO_REDIS_URL: 'a redis:// or rediss:// URL (required with PLO_CACHE=redis)',
  PLO_CACHE_ENCRYPTION_KEY: 'at least 16 bytes (required with PLO_CACHE=redis when PLO_AUTHINFO_KEY is not set)',
  PLO_TOKEN_TTL_MS: 'a whole number of milliseconds from 1',
  PLO_CACHE_MAX_ENTRIES: 'a whole number from 1',
  PLO_OAUTH_CONSUMER_KEY: 'a printable consumer key (required with PLO_OAUTH_KEY_FILE)',
  PLO_OAUTH_KEY_FILE: 'a readable .p12 keystore or PEM private key file (required with PLO_OAUTH_CONSUMER_KEY)',
  PLO_OAUTH_KEY_ALIAS: 'the key alias inside the .p12 (required for a .p12)',
  PLO_OAUTH_KEY_PASSWORD: 'the keystore password (required for a .p12)',
  PLO_OAUTH2_CLIENT_ID: 'a printable client ID, with PLO_OAUTH2_KID, PLO_OAUTH2_KEY_FILE and PLO_OAUTH2_SCOPES, and without PLO_OAUTH_* (OAuth 1.0a and 2.0 do not mix)',
  PLO_OAUTH2_KID: 'the printable key ID of the authentication key (required with PLO_OAUTH2_CLIENT_ID)',
  PLO_OAUTH2_KEY_FILE: 'a readable .p12 keystore or PEM private key file (required with PLO_OAUTH2_CLIENT_ID)',
  PLO_OAUTH2_KEY_ALIAS: 'the key alias inside the .p12 (required for a .p12)',
  PLO_OAUTH2_KEY_PASSWORD: 'the keystore password (required for a .p12)',
  PLO_OAUTH2_SCOPES: 'space-separated scope names (required with PLO_OAUTH2_CLIENT_ID)',
  PLO_OAUTH2_TOKEN_ENDPOINT: 'an https URL (http only for loopback hosts)',
  PLO_OAUTH2_DPOP_KEY_FILE: 'a readable PEM private key file (EC P-256 or RSA ≥ 2048)',
};

/** Names of the environment variables this module reads. */
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
  'PLO_CACHE_ENCRYPTION_KEY',
  'PLO_TOKEN_TTL_MS',
  'PLO_CACHE_MAX_ENTRIES',
] as const);

/** Options of {@link loadPersonalizedOffersConfig}. */
export interface LoadPersonalizedOffersConfigOptions {
  /** Where the unknown-variable warnings go. @default a Nest `Logger` with context `PersonalizedOffers` */
  logger?: Pick<LoggerService, 'warn'>;
}

/**
 * Reads and validates the `PLO_*` variables into module options. A bad environment throws a
 * `PersonalizedOffersConfigError` that lists every invalid variable by name, never its value.
 * Every other `PLO_*` variable set is reported at `warn` with the closest known name (a typo of
 * `PLO_BASE_URL` must not silently leave the module on the production host).
 */
export function loadPersonalizedOffersConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadPersonalizedOffersConfigOptions = {},
): PersonalizedOffersModuleOptions {
  const unknown = findUnknownVariables(env, PERSONALIZED_OFFERS_ENV_VARIABLES);
  if (unknown.length > 0) {
    const logger = options.logger ?? new Logger(LOGGER_CONTEXT);
    for (const { message } of unknown) logger.warn(message);
  }
  const raw: Record<string, string> = {};
  for (const name of PERSONALIZED_OFFERS_ENV_VARIABLES) {
    const value = name === 'PLO_OAUTH_KEY_PASSWORD' || name === 'PLO_OAUTH2_KEY_PASSWORD' ? env[name] : env[name]?.trim();
    if (value) raw[name] = value; // an empty variable counts as unset
  }
  const parsed = plainToInstance(PersonalizedOffersEnvironment, raw);
  const invalid = validateSync(parsed, { forbidUnknownValues: true }).map((e) => e.property);
  if (invalid.length > 0) {
    // A required variable reported missing next to a set variable one typo away: say so.
    const typo = (name: string) => {
      const near = unknown.filter((u) => u.suggestion === name).map((u) => u.name);
      return near.length > 0 && raw[name] === undefined ? ` (${near.join(', ')} is set: a typo?)` : '';
    };
    throw new PersonalizedOffersConfigError(
      invalid,
      `Invalid Personalized Offers environment: ${invalid.join(', ')} (${invalid.map((name) => `${name} must be ${REASONS[name] ?? 'valid'}${typo(name)}`).join('; ')}).`,
    );
  }
  const baseUrl = baseUrlFromEnvironment(parsed);
  const oauth = oauthFromEnvironment(parsed);
  const oauth2 = oauth2FromEnvironment(parsed);
  const cache = cacheFromEnvironment(parsed);
  const http: HttpOptions = {
    ...(parsed.PLO_HTTP_TIMEOUT_MS ? { timeoutMs: Number(parsed.PLO_HTTP_TIMEOUT_MS) } : {}),
    ...(parsed.PLO_HTTP_RETRIES ? { retry: { retries: Number(parsed.PLO_HTTP_RETRIES) } } : {}),
  };
  return {
    ...(cache !== undefined ? { cache } : {}),
    ...(Object.keys(http).length > 0 ? { http } : {}),
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
