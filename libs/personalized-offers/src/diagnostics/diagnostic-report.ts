/** Names of the checks `PersonalizedOffersDiagnostics.verifyCredentials()` runs, in order. */
export type DiagnosticCheckName = 'configuration' | 'signing-key' | 'authinfo' | 'reach' | 'clock' | 'signed-call';

/** One check's verdict: one line, safe to log (no key, AuthInfo, token, user id or full consumer key). */
export interface DiagnosticCheck {
  /** Which check this is. */
  name: DiagnosticCheckName;
  /** True when the check passed (or did not apply: see `skipped`). */
  ok: boolean;
  /** What was checked and found, in words. */
  detail: string;
  /** On failure: what to do about it. */
  remedy?: string;
  /** True when the check did not apply (AuthInfo not configured) or could not run (host not reached). */
  skipped?: boolean;
}

/** What `verifyCredentials()` returns: every check, and `ok` when every one passed. */
export interface DiagnosticReport {
  /** True when every check passed (or was skipped). */
  ok: boolean;
  /** The API host checked (`api.mastercard.com`, `127.0.0.1:4010`…). */
  host: string;
  /** Every check's verdict, in the order they ran. */
  checks: DiagnosticCheck[];
}

/** `{ ok, host, checks }` from the checks. */
export function diagnosticReport(host: string, checks: DiagnosticCheck[]): DiagnosticReport {
  return { ok: checks.every((c) => c.ok), host, checks };
}
