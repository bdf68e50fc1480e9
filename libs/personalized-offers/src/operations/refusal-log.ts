import type { LoggerService } from '@nestjs/common';
import type { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { skewSentence } from '../http/response-parser.js';

/** Gateway reason codes that mean the request's credentials or signature were refused. */
const AUTH_REASON_CODES = new Set([
  'AUTHENTICATION_FAILED',
  'INVALID_AUTH_HEADER',
  'INVALID_BODY_HASH',
  'INVALID_SIGNATURE',
  'DECLINED',
  'INVALID_CLIENT_CERT',
  'MALFORMED_OAUTH_REQ',
]);
/** OAuth 2.0 refusals of the request's token or proof (RFC 6750 §3.1, RFC 9449 §7.1). */
const OAUTH2_REFUSALS = new Set(['invalid_token', 'insufficient_scope', 'invalid_dpop_proof', 'use_dpop_nonce']);

/** How often one kind of refusal is logged: once, then at most once a minute with a count. */
const INTERVAL_MS = 60_000;

/**
 * Whether an API error means the request's credentials or signature were refused: any 401; a
 * 403 from the gateway or without an error body (a terse gateway; a 403 with a service's error
 * items may be about the offer); a 4xx from the gateway with an authentication reason code.
 */
export function isCredentialRefusal(error: PersonalizedOffersApiError): boolean {
  const { status } = error;
  if (status < 400 || status >= 500) return false;
  const gateway = error.errors.some((e) => e.source?.toLowerCase() === 'gateway');
  if (status === 401) return true;
  if (error.errors.some((e) => e.source === 'OAuth2' && e.reasonCode !== undefined && OAUTH2_REFUSALS.has(e.reasonCode))) return true;
  if (status === 403) return gateway || error.errors.length === 0;
  return gateway && error.errors.some((e) => e.reasonCode !== undefined && AUTH_REASON_CODES.has(e.reasonCode));
}

/** What to do about a refusal, in a sentence, from its reason code, description and clock. */
export function refusalAdvice(error: PersonalizedOffersApiError): string {
  const first = error.errors.at(0);
  const reason = first?.reasonCode ?? '';
  // Not the echoed base string: its parameter names (oauth_timestamp …) say nothing of the cause.
  const text = `${first?.description ?? ''} ${first?.details ?? ''}`.toLowerCase().split('acceptable signature base string')[0];
  const gateway = first?.source?.toLowerCase() === 'gateway';
  if (error.clockSkewSeconds !== undefined) return skewSentence(error.clockSkewSeconds).trim();
  if (reason === 'insufficient_scope')
    return "The OAuth 2.0 token's scopes do not cover this operation: check oauth2.scopes (PLO_OAUTH2_SCOPES) and the scopes the project was granted.";
  if (reason === 'invalid_token' || reason === 'invalid_dpop_proof')
    return 'The OAuth 2.0 token or its DPoP proof was refused even after a new token: check oauth2.clientId, oauth2.kid, the keys and the clock.';
  if (/timestamp|clock/.test(text)) {
    return "Check this host's clock (NTP): Mastercard refuses OAuth timestamps more than 300 s off.";
  }
  if (reason === 'INVALID_BODY_HASH' || text.includes('body hash') || text.includes('body_hash')) {
    return 'The body that arrived is not the one signed: something in between (a proxy re-serializing JSON?) changed it.';
  }
  if (text.includes('nonce')) return 'A nonce was used twice: every request and every retry must be signed afresh (is something replaying requests?).';
  if (reason === 'INVALID_AUTH_HEADER')
    return 'The Authorization header was missing or malformed when it arrived: check oauth is configured and no proxy strips or rewrites it.';
  if (reason === 'DECLINED' || text.includes('access not granted')) {
    return 'The credentials are valid but the project is not entitled to this API in this environment: request access on Mastercard Developers.';
  }
  if (text.includes('consumer key'))
    return 'Check oauth.consumerKey: it must be the consumer key of this environment (sandbox keys against production are refused).';
  if (reason === 'AUTHENTICATION_FAILED' || reason === 'INVALID_SIGNATURE' || text.includes('signature')) {
    return 'The signature did not verify: the signing key must be the one whose certificate is in the Mastercard Developers project of oauth.consumerKey; at debug level the module logs the base string it signed, to compare with the one echoed.';
  }
  if (!gateway && error.errors.length > 0) return "The service refused the user's credential even after it was renewed once.";
  return 'Check oauth.consumerKey, the signing key and that the base URL is the environment (sandbox or production) of these credentials.';
}

/**
 * Refusals of the request's credentials or signature, at `warn`: the operation, status, reason
 * code, the gateway's description (redacted as errors are), the correlation id and what to do.
 * Identical refusals (same operation, status, reason and source) are logged once, then at most
 * once a minute with the count of those not logged since.
 */
export class RefusalLog {
  private readonly seen = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  record(operation: string, error: PersonalizedOffersApiError): void {
    const first = error.errors.at(0);
    const key = `${operation}|${error.status}|${first?.reasonCode ?? ''}|${first?.source ?? ''}`;
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.loggedAt < INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    const more = entry && entry.suppressed > 0 ? ` (${entry.suppressed} more like it in the last minute)` : '';
    if (this.seen.size >= 1_000 && !entry) this.seen.clear(); // bounded: a key per kind of refusal
    this.seen.set(key, { loggedAt: now, suppressed: 0 });
    const what = [
      error.status,
      first?.reasonCode,
      first?.source ? `from the ${first.source.toLowerCase() === 'gateway' ? 'gateway' : `service (${first.source})`}` : undefined,
    ]
      .filter((part) => part !== undefined && part !== '')
      .join(' ');
    const description = first?.description ? `: ${first.description.replace(/\.+$/, '')}` : '';
    const correlation = error.correlationId ? ` Correlation id ${error.correlationId}.` : '';
    this.logger.warn(`${operation}: Mastercard refused the request's credentials (${what})${description}. ${refusalAdvice(error)}${correlation}${more}`);
  }
}
