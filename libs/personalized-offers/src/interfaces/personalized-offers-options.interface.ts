/** How AuthInfo is encrypted. @see README "AuthInfo formats" */
export type AuthInfoMode = 'cbc' | 'cbc-random-iv' | 'ecb';

/** How AuthInfo ciphertext bytes are written. */
export type AuthInfoEncoding = 'hex' | 'base64' | 'base64url';

/** The AuthInfo key material and format agreed with Mastercard for your FI. */
export interface AuthInfoOptions {
  /** AES-128 key: 16 bytes as a `Buffer`, 32 hex characters, or base64. */
  key: string | Buffer;
  /** AES IV for mode `cbc` (required there, refused elsewhere): 16 bytes, same forms as `key`. */
  iv?: string | Buffer;
  /** Cipher mode. @default 'cbc' */
  mode?: AuthInfoMode;
  /** Text encoding of the ciphertext. @default 'hex' */
  encoding?: AuthInfoEncoding;
}

/** Options of {@link PersonalizedOffersModule.forRoot} / `forRootAsync`. */
export interface PersonalizedOffersModuleOptions {
  /** Financial Institution id issued by Mastercard (the `FId` query parameter). */
  fId: string;
  /**
   * API base URL, up to and including `/plo/v1`.
   * @default PRODUCTION_BASE_URL (`https://api.mastercard.com/plo/v1`)
   * @see SANDBOX_BASE_URL
   */
  baseUrl?: string;
  /** AuthInfo key material and format. */
  authInfo: AuthInfoOptions;
}
