import { KeyObject, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { PersonalizedOffersConfigError } from '../../errors/personalized-offers-config.error.js';
import type { OAuth2Options } from '../../interfaces/index.js';
import { isGiven, loadSigningKey } from '../signing-key.loader.js';
import { algorithmOf } from './jose.js';
import { OAuth2Client, type ResolvedOAuth2 } from './oauth2.client.js';

const fail = (setting: string, message: string): never => {
  throw new PersonalizedOffersConfigError(setting, message);
};

function privateKey(value: string | Buffer | KeyObject, setting: string): KeyObject {
  if (value instanceof KeyObject) return value.type === 'private' ? value : fail(setting, `${setting} must be a private key.`);
  try {
    return createPrivateKey({ key: value, format: 'pem' });
  } catch {
    return fail(setting, `${setting} is not a PEM private key (PKCS#1, PKCS#8 or SEC1).`);
  }
}

function keyWithAlg(key: KeyObject, setting: string) {
  const alg = algorithmOf(key);
  return alg ? { key, alg } : fail(setting, `${setting} must be an RSA key of at least 2048 bits (PS256) or an EC P-256 key (ES256).`);
}

/**
 * Validates `oauth2` at start-up (values never echoed) and builds the module's OAuth 2.0 client.
 * `baseOrigin` is the origin of the base URL: the default token endpoint and issuer.
 */
export function resolveOAuth2(options: OAuth2Options, baseOrigin: string): OAuth2Client {
  const { clientId, kid } = options;
  if (typeof clientId !== 'string' || !/^[\x21-\x7e]+$/.test(clientId)) fail('oauth2.clientId', 'oauth2.clientId must be a non-empty printable string.');
  if (typeof kid !== 'string' || !/^[\x21-\x7e]+$/.test(kid)) fail('oauth2.kid', 'oauth2.kid must be a non-empty printable string.');
  const { clientKey, pkcs12 } = options;
  const hasKey = isGiven(clientKey);
  const client =
    hasKey && !pkcs12
      ? keyWithAlg(privateKey(clientKey, 'oauth2.clientKey'), 'oauth2.clientKey')
      : !hasKey && pkcs12
        ? keyWithAlg(loadSigningKey({ consumerKey: clientId, pkcs12 }, 'oauth2'), 'oauth2.pkcs12')
        : fail('oauth2.clientKey', 'Give exactly one of oauth2.clientKey and oauth2.pkcs12.');
  const dpop =
    options.dpopKey !== undefined
      ? keyWithAlg(privateKey(options.dpopKey, 'oauth2.dpopKey'), 'oauth2.dpopKey')
      : { key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, alg: 'ES256' as const };
  const scopes = options.scopes;
  const scopesOk =
    typeof scopes === 'function' || (Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)));
  if (!scopesOk) fail('oauth2.scopes', 'oauth2.scopes must be a list of scope names (no spaces or quotes) or a function of the operation.');
  const url = (value: string | undefined, fallback: string, setting: string): string => {
    if (value === undefined) return fallback;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'https:' || parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    return fail(setting, `${setting} must be an https URL.`);
  };
  const skew = options.clockSkewToleranceSeconds ?? 0;
  if (!Number.isInteger(skew) || skew < 0 || skew > 300)
    fail('oauth2.clockSkewToleranceSeconds', 'oauth2.clockSkewToleranceSeconds must be a whole number from 0 to 300.');
  const resolved: ResolvedOAuth2 = {
    clientId,
    kid,
    clientKey: client.key,
    clientAlg: client.alg,
    dpopKey: dpop.key,
    dpopAlg: dpop.alg,
    scopes: scopes,
    tokenEndpoint: url(options.tokenEndpoint, `${baseOrigin}/oauth/token`, 'oauth2.tokenEndpoint'),
    issuer: url(options.issuer, baseOrigin, 'oauth2.issuer'),
    clockSkewToleranceSeconds: skew,
    dpopKeyConfigured: options.dpopKey !== undefined,
  };
  return new OAuth2Client(resolved);
}
