import { type KeyObject, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

/** A throw-away OAuth 2.0 client for a test: the simulator gets `clientId` + `kid` + `publicKey`, the module `clientId` + `kid` + `clientKey`. */
export interface SimulatorOAuth2Credentials {
  /** Shaped like a Mastercard OAuth 2.0 client ID (URL-safe, 48 characters). */
  readonly clientId: string;
  /** Shaped like a Mastercard key ID: 48 hex characters, the last 16 zeros. */
  readonly kid: string;
  /** RSA-2048 private key (client assertions signed PS256), for the module's `oauth2.clientKey`. */
  readonly clientKey: KeyObject;
  /** Its public half, for the simulator's `gateway.oauth2.publicKey`. */
  readonly publicKey: KeyObject;
}

/**
 * Fresh OAuth 2.0 test credentials (nothing to commit, nothing secret):
 *
 * ```ts
 * const credentials = simulatorOAuth2Credentials();
 * const simulator = new PersonalizedOffersSimulator({ gateway: { oauth2: { clientId: credentials.clientId, kid: credentials.kid, publicKey: credentials.publicKey } } });
 * PersonalizedOffersModule.forRoot({ …, oauth2: { clientId: credentials.clientId, kid: credentials.kid, clientKey: credentials.clientKey, scopes: [...] } });
 * ```
 */
export function simulatorOAuth2Credentials(): SimulatorOAuth2Credentials {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = randomBytes(36).toString('base64url');
  const kid = `${randomBytes(16).toString('hex')}${'0'.repeat(16)}`;
  return Object.freeze({ clientId, kid, clientKey: privateKey, publicKey: createPublicKey(privateKey) });
}
