/**
 * The caller's credential for one operation call (a user token, an access token). The executor
 * asks for it after validating params, and asks once for a new one when the API refuses it.
 */
export interface CredentialSource {
  /** The credential value to send. */
  get(): Promise<string>;
  /**
   * A replacement after the API refused the current value (401/403); absent when the value
   * cannot be replaced (the caller passed it in).
   */
  renew?(): Promise<string>;
  /** HTTP statuses that mean "this credential was refused". @default [401, 403] */
  readonly renewOn?: readonly number[];
}

/** A credential the caller already holds: sent as is, never replaced. */
export function fixedCredential(value: string): CredentialSource {
  return { get: () => Promise.resolve(value) };
}
