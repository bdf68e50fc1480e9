import { AuthInfoKeyMaterial } from '../crypto/auth-info-key-material.js';
import { findIdentifierProblem } from '../crypto/identifier.js';
import { describeIdentifierProblem } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { PRODUCTION_BASE_URL } from '../personalized-offers.constants.js';
import { resolveBaseUrl } from './base-url.js';

/** Module options after validation: what the providers are built from. */
export interface ResolvedPersonalizedOffersOptions {
  fId: string;
  /** Base URL without a trailing slash, e.g. `https://api.mastercard.com/plo/v1`. */
  baseUrl: string;
  /** Parsed AuthInfo key material and format. */
  keyMaterial: AuthInfoKeyMaterial;
}

/**
 * Validates module options once, at start-up, and throws a `PersonalizedOffersConfigError`
 * naming the first bad setting. Values are never echoed.
 */
export function resolveOptions(options: PersonalizedOffersModuleOptions | undefined): ResolvedPersonalizedOffersOptions {
  if (!options || typeof options !== 'object') {
    throw new PersonalizedOffersConfigError('options', 'PersonalizedOffersModule options are required: { fId, authInfo, … }.');
  }
  const fIdProblem = findIdentifierProblem(options.fId);
  if (fIdProblem) {
    throw new PersonalizedOffersConfigError('fId', `fId ${describeIdentifierProblem(fIdProblem)}.`);
  }
  const baseUrl = resolveBaseUrl(options.baseUrl ?? PRODUCTION_BASE_URL);
  const keyMaterial = AuthInfoKeyMaterial.from(options.authInfo);
  return { fId: options.fId, baseUrl: baseUrl.href.replace(/\/+$/, ''), keyMaterial };
}
