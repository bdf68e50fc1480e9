import { registerAs } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  type ValidationArguments,
  ValidateBy,
  type ValidationOptions,
  validateSync,
} from 'class-validator';
import { AUTHINFO_ENCODINGS, AUTHINFO_MODES, isAes128Secret } from '../crypto/auth-info-key-material.js';
import { findIdentifierProblem } from '../crypto/identifier.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { AuthInfoEncoding, AuthInfoMode, PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { resolveBaseUrl } from './base-url.js';

/** Name of the `@nestjs/config` namespace: `configService.get('personalizedOffers')`. */
export const PERSONALIZED_OFFERS_CONFIG_NAMESPACE = 'personalizedOffers';

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

  /** Base URL; https, or http on loopback only. @default PRODUCTION_BASE_URL */
  @IsOptional()
  @Check('isBaseUrl', isValidBaseUrl)
  PLO_BASE_URL?: string;

  /** AES-128 key: 32 hex characters or base64. */
  @IsString()
  @Check('isAes128Secret', isAes128Secret)
  PLO_AUTHINFO_KEY!: string;

  /** AES IV (required in mode `cbc`, refused in the others). */
  @Check('ivMatchesMode', (v, args) => {
    const mode = (args.object as PersonalizedOffersEnvironment).PLO_AUTHINFO_MODE ?? 'cbc';
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
}

/** Names of the environment variables this module reads. */
export const PERSONALIZED_OFFERS_ENV_VARIABLES = Object.freeze([
  'PLO_FID',
  'PLO_BASE_URL',
  'PLO_AUTHINFO_KEY',
  'PLO_AUTHINFO_IV',
  'PLO_AUTHINFO_MODE',
  'PLO_AUTHINFO_ENCODING',
] as const);

/**
 * Reads and validates the `PLO_*` variables into module options. A bad environment throws a
 * `PersonalizedOffersConfigError` that lists every invalid variable by name, never its value.
 */
export function loadPersonalizedOffersConfig(
  env: Record<string, string | undefined> = process.env,
): PersonalizedOffersModuleOptions {
  const raw: Record<string, string> = {};
  for (const name of PERSONALIZED_OFFERS_ENV_VARIABLES) {
    const value = env[name]?.trim();
    if (value) raw[name] = value; // an empty variable counts as unset
  }
  const parsed = plainToInstance(PersonalizedOffersEnvironment, raw);
  const invalid = validateSync(parsed, { forbidUnknownValues: true }).map((e) => e.property);
  if (invalid.length > 0) {
    throw new PersonalizedOffersConfigError(
      invalid,
      `Invalid Personalized Offers environment: ${invalid.join(', ')} (see the README for the expected forms).`,
    );
  }
  return {
    fId: parsed.PLO_FID,
    ...(parsed.PLO_BASE_URL ? { baseUrl: parsed.PLO_BASE_URL } : {}),
    authInfo: {
      key: parsed.PLO_AUTHINFO_KEY,
      ...(parsed.PLO_AUTHINFO_IV ? { iv: parsed.PLO_AUTHINFO_IV } : {}),
      mode: parsed.PLO_AUTHINFO_MODE ?? 'cbc',
      encoding: parsed.PLO_AUTHINFO_ENCODING ?? 'hex',
    },
  };
}

/**
 * `@nestjs/config` namespace of this module, validated when `ConfigModule` loads it:
 * `forRootAsync({ imports: [ConfigModule.forFeature(personalizedOffersConfig)], inject: [personalizedOffersConfig.KEY], useFactory: (c) => c })`.
 */
export const personalizedOffersConfig = registerAs(PERSONALIZED_OFFERS_CONFIG_NAMESPACE, () => loadPersonalizedOffersConfig());
