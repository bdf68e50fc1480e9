import { check } from './param-checks.js';

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

/**
 * The credential of a call made for `user`: a user id goes to `byId` (a cached, renewable
 * credential); an object is a credential the caller holds under `held` (checked, sent as is,
 * never replaced).
 */
export function callerCredential<K extends string>(
  user: string | { readonly [key in K]: string },
  held: K,
  byId: (userId: string) => CredentialSource,
): CredentialSource {
  if (typeof user === 'string') return byId(user);
  check.object('user', user, true);
  const value = (user as Record<string, unknown>)[held];
  check.text(`user.${held}`, value, true);
  return fixedCredential(value as string);
}
