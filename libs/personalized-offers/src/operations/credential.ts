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
  /**
   * The caller's name for a credential the caller passed in (`user.accessToken`): one that cannot
   * be sent is refused as `InvalidArgumentError` naming it. Absent for credentials the module
   * minted.
   */
  readonly argument?: string;
  /** The user id the credential is for: personal data, scrubbed from every error like a secret. */
  readonly userId?: string;
}

/** A credential the caller already holds: sent as is, never replaced. */
export function fixedCredential(value: string, argument?: string): CredentialSource {
  return argument === undefined ? { get: () => Promise.resolve(value) } : { get: () => Promise.resolve(value), argument };
}

// Tokens are printable ASCII without spaces: anything else cannot go into a header as sent.
const SENDABLE = /^[\x21-\x7e]+$/;

/** The longest token accepted from the API: a real one is far shorter (a JWT access token ~1 KB). */
export const MAX_TOKEN_LENGTH = 8192;

/** Whether a token the API issued can be cached and sent: printable ASCII, at most `MAX_TOKEN_LENGTH`. */
export function isUsableToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && SENDABLE.test(value);
}

/** Whether a credential value can be sent as it is (in a header, a query or a body). */
export function isSendableCredential(value: string): boolean {
  return SENDABLE.test(value);
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
  const argument = `user.${held}`;
  check.text(argument, value, true);
  if (!isSendableCredential(value as string)) check.fail(argument, 'must be printable ASCII without spaces (a token as Mastercard issued it)');
  return fixedCredential(value as string, argument);
}
