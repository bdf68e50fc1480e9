import { type KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';

/** A throw-away consumer key and RSA key pair for a test: the gateway gets `consumerKey` + `publicKey`, the module `consumerKey` + `signingKey`. */
export interface SimulatorGatewayCredentials {
  /** Shaped like a Mastercard consumer key: 48 URL-safe characters, `!`, 48 hex characters. */
  readonly consumerKey: string;
  /** RSA-2048 private key, for the module's `oauth.signingKey`. */
  readonly signingKey: KeyObject;
  /** Its public half, for the simulator's `gateway.publicKey`. */
  readonly publicKey: KeyObject;
}

/**
 * Fresh test credentials for gateway mode (nothing to commit, nothing secret):
 *
 * ```ts
 * const credentials = simulatorGatewayCredentials();
 * const simulator = new PersonalizedOffersSimulator({ gateway: { consumerKey: credentials.consumerKey, publicKey: credentials.publicKey } });
 * PersonalizedOffersModule.forRoot({ …, oauth: { consumerKey: credentials.consumerKey, signingKey: credentials.signingKey } });
 * ```
 */
export function simulatorGatewayCredentials(): SimulatorGatewayCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const consumerKey = `${randomBytes(36).toString('base64url')}!${randomBytes(24).toString('hex')}`;
  return Object.freeze({ consumerKey, signingKey: privateKey, publicKey });
}
