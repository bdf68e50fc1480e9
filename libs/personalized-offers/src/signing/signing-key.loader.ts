import { KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { OAuthOptions } from '../interfaces/index.js';

/** Shortest RSA modulus accepted for signing; Mastercard issues 2048-bit keys. */
export const MIN_RSA_BITS = 2048;

/**
 * Loads the OAuth signing key once, at start-up, into a `KeyObject`. Every failure is a
 * `PersonalizedOffersConfigError` that says what to fix (wrong password, unknown alias with the
 * aliases the file holds, not a key, key too short) without echoing a secret.
 */
export function loadSigningKey(oauth: OAuthOptions, setting = 'oauth'): KeyObject {
  const { signingKey, pkcs12 } = oauth;
  const hasKey = isGiven(signingKey);
  if (hasKey && !pkcs12) return checkRsa(fromPem(signingKey, `${setting}.signingKey`), `${setting}.signingKey`);
  if (!hasKey && pkcs12) return checkRsa(fromPkcs12(pkcs12, `${setting}.pkcs12`), `${setting}.pkcs12`);
  throw new PersonalizedOffersConfigError([`${setting}.signingKey`, `${setting}.pkcs12`], `Give exactly one of ${setting}.signingKey and ${setting}.pkcs12.`);
}

/**
 * Whether a key setting holds a value. Options come from JS callers and the environment too, so
 * `null` counts as not given, like `undefined` and `''`.
 */
export function isGiven<T>(value: T | null | undefined): value is NonNullable<T> {
  return value !== undefined && value !== null && value !== '';
}

function fromPem(value: string | Buffer | KeyObject, setting: string): KeyObject {
  if (value instanceof KeyObject) {
    if (value.type !== 'private') throw new PersonalizedOffersConfigError(setting, `${setting} must be a private key, not a ${value.type} key.`);
    return value;
  }
  try {
    return createPrivateKey({ key: value, format: 'pem' });
  } catch (error) {
    const encrypted = /ENCRYPTED|passphrase/i.test(String((error as { message?: unknown }).message));
    throw new PersonalizedOffersConfigError(
      setting,
      encrypted
        ? `${setting} is an encrypted PEM key: decrypt it first or pass a KeyObject made with its passphrase.`
        : `${setting} is not a PEM private key (PKCS#1 or PKCS#8).`,
    );
  }
}

function fromPkcs12(p12: NonNullable<OAuthOptions['pkcs12']>, setting: string): KeyObject {
  if (!p12.alias) throw new PersonalizedOffersConfigError(`${setting}.alias`, `${setting}.alias is required.`);
  if (typeof p12.password !== 'string') throw new PersonalizedOffersConfigError(`${setting}.password`, `${setting}.password is required.`);
  let data: Buffer;
  if (p12.data) {
    data = p12.data;
  } else if (p12.path) {
    try {
      data = readFileSync(p12.path);
    } catch (error) {
      throw new PersonalizedOffersConfigError(`${setting}.path`, `${setting}.path cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  } else {
    throw new PersonalizedOffersConfigError(setting, `${setting} needs a path or data.`);
  }

  let store: forge.pkcs12.Pkcs12Pfx;
  try {
    store = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary'))), false, p12.password);
  } catch (error) {
    const message = String((error as { message?: unknown }).message);
    if (/MAC could not be verified|Invalid password/i.test(message)) {
      throw new PersonalizedOffersConfigError(`${setting}.password`, `${setting}.password does not open the PKCS#12 keystore.`);
    }
    throw new PersonalizedOffersConfigError(setting, `${setting} is not a PKCS#12 keystore (.p12).`);
  }

  const keyBags = [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag].flatMap((bagType) => store.getBags({ bagType })[bagType] ?? []);
  const aliases = [...new Set(store.safeContents.flatMap((c) => c.safeBags).flatMap(friendlyNames))];
  const bag = keyBags.find((b) => friendlyNames(b).includes(p12.alias));
  if (!bag?.key) {
    throw new PersonalizedOffersConfigError(
      `${setting}.alias`,
      keyBags.length === 0
        ? `${setting} holds no private key.`
        : `${setting}.alias "${p12.alias}" is not in the keystore; it holds: ${aliases.map((a) => `"${a}"`).join(', ') || 'no named entries'}.`,
    );
  }
  try {
    return createPrivateKey(forge.pki.privateKeyToPem(bag.key));
  } catch {
    throw new PersonalizedOffersConfigError(setting, `${setting} entry "${p12.alias}" is not an RSA private key.`);
  }
}

/** The `friendlyName` attribute of a bag (its aliases): forge types the attributes as `any`. */
function friendlyNames(bag: forge.pkcs12.Bag): string[] {
  const names: unknown = (bag.attributes as { friendlyName?: unknown } | undefined)?.friendlyName;
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
}

function checkRsa(key: KeyObject, setting: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PersonalizedOffersConfigError(setting, `${setting} must be an RSA key (Mastercard signs with RSA-SHA256), not ${key.asymmetricKeyType}.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new PersonalizedOffersConfigError(setting, `${setting} is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required.`);
  }
  return key;
}
