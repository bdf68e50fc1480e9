import { PersonalizedOffersApiError, type ApiErrorItem } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersResponseTooLargeError } from '../errors/personalized-offers-response-too-large.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { PersonalizedOffersRateLimitedError } from '../errors/personalized-offers-rate-limited.error.js';
import { causeCode, describeNetworkFailure } from './network-failure.js';

/** Where the failed call went, for the advice. */
export interface CallFailureContext {
  /** The API host (`api.mastercard.com`). */
  host: string;
  /** How requests leave: `direct`, the proxy's host, or `HTTPS_PROXY`. */
  proxy: string;
  /** The consumer key as it may be shown (`…abcd`), when requests are signed. */
  maskedConsumerKey?: string;
}

/** A failed call in words: what the gateway or the API said, and what to do. */
export interface CallFailureAdvice {
  detail: string;
  remedy: string;
}

/** Cuts the parts of a gateway description that echo request data (the base string, hashes). */
export function shortDescription(description: string | undefined): string {
  if (!description) return '';
  let text = description.split(/\s*Acceptable signature base string\b/i)[0];
  text = text.split(/\s*Calculated:/i)[0];
  text = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.,:;]$/, '');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function isGatewayItem(item: ApiErrorItem): boolean {
  return typeof item.source === 'string' && item.source.toLowerCase() === 'gateway';
}

/**
 * A gateway refusal (`Source: Gateway`) decoded into what it means, per GATEWAY-ERRORS.md:
 * - 401 `DECLINED` ("Access Not Granted"): the credentials are fine, the project is not entitled;
 * - 400 `INVALID_AUTH_HEADER`: no, or a malformed, `Authorization` header;
 * - 400 `INVALID_BODY_HASH`: the body bytes that arrived are not the ones hashed;
 * - 401 naming the consumer key: the gateway does not know the key (or it is another environment's);
 * - 401 naming the timestamp or clock: this machine's clock is off;
 * - 401 naming the nonce: a replayed signature;
 * - 403 `AUTHENTICATION_FAILED` / `INVALID_SIGNATURE`: the signature does not verify with the
 *   consumer key's certificate (a wrong signing key), or the request was changed on its way;
 * - any other 401/403: refused credentials.
 */
export function describeGatewayRefusal(status: number, item: ApiErrorItem, context: CallFailureContext, clockSkewSeconds?: number): CallFailureAdvice {
  const code = (item.reasonCode ?? '').toUpperCase();
  // Matched without the echoed base string, whose `oauth_consumer_key`, `oauth_body_hash`… would match anything.
  const description = shortDescription(item.description);
  const said = `${status} ${code || 'no reason code'}${description ? `: "${description}"` : ''}`;
  const key = context.maskedConsumerKey ? ` ${context.maskedConsumerKey}` : '';
  const skew =
    clockSkewSeconds === undefined
      ? ''
      : `; the gateway's clock is ${Math.abs(clockSkewSeconds)} s ${clockSkewSeconds > 0 ? 'ahead of' : 'behind'} this machine's`;

  if (code === 'DECLINED' || /access not granted/i.test(description)) {
    return {
      detail: `the gateway accepted the consumer key and the signature, but this project is not entitled to the API called (${said})`,
      remedy: 'request access to Personalized Offers for this project and environment on Mastercard Developers; nothing is wrong with the keys',
    };
  }
  if (code === 'INVALID_AUTH_HEADER') {
    return {
      detail: `the gateway found no valid OAuth Authorization header (${said})`,
      remedy: context.maskedConsumerKey
        ? 'a proxy between this machine and the host strips or rewrites the Authorization header: let it through unchanged'
        : 'configure request signing: PLO_OAUTH_CONSUMER_KEY and PLO_OAUTH_KEY_FILE (oauth.consumerKey and oauth.signingKey / oauth.pkcs12)',
    };
  }
  if (code === 'INVALID_BODY_HASH' || /body.?hash/i.test(description)) {
    return {
      detail: `body hash refused: the request body that reached the gateway is not the one the module hashed and signed (${said})`,
      remedy:
        'something between this machine and the gateway re-encodes request bodies (a proxy or API gateway rewriting JSON or charsets): let requests to the host pass unchanged',
    };
  }
  if (/consumer.?key/i.test(description)) {
    return {
      detail: `consumer key${key} refused: the gateway does not know it (${said})`,
      remedy:
        'set PLO_OAUTH_CONSUMER_KEY (oauth.consumerKey) to the consumer key shown for this project on Mastercard Developers, for this environment: sandbox keys work only on sandbox.api.mastercard.com, production keys only on api.mastercard.com',
    };
  }
  if (/timestamp|clock/i.test(description)) {
    return {
      detail: `clock: the gateway refused the request's oauth_timestamp as too far from its own time (${said}${skew})`,
      remedy:
        "synchronize this machine's clock (NTP; in a container, the host's clock), or set oauth.clockSkewCorrection: true to sign with the gateway's time",
    };
  }
  if (/nonce/i.test(description)) {
    return {
      detail: `the gateway saw this request's oauth_nonce before (${said})`,
      remedy:
        'something replays signed requests (a retrying proxy or a cached Authorization header): every attempt must be signed afresh, and pass through unchanged',
    };
  }
  if (code === 'INVALID_SIGNATURE' || status === 403 || /signature/i.test(description)) {
    return {
      detail: `signature refused: the gateway knows consumer key${key} but the signature does not verify with its certificate (${said})`,
      remedy:
        "the signing key is not the one registered for this consumer key: use the .p12 (PLO_OAUTH_KEY_FILE, PLO_OAUTH_KEY_ALIAS) downloaded for this consumer key and environment. If the key is right, a proxy rewrote the request's URL or Host: send requests to the host unchanged",
    };
  }
  return {
    detail: `the gateway refused the credentials (${said}${skew})`,
    remedy:
      'check PLO_OAUTH_CONSUMER_KEY and PLO_OAUTH_KEY_FILE belong to the same project and to this environment (sandbox keys against production, or the reverse, are refused)',
  };
}

/** Any failure of the doctor's signed call, in words (never a secret: the module's errors carry none). */
export function describeCallFailure(error: unknown, context: CallFailureContext): CallFailureAdvice {
  if (error instanceof PersonalizedOffersInvalidResponseError || error instanceof PersonalizedOffersResponseTooLargeError) {
    return {
      detail: `the host answered, but not as the Personalized Offers API does (${error.message})`,
      remedy: 'check the host (PLO_BASE_URL / PLO_ENV) and any proxy or captive portal answering in its place',
    };
  }
  if (error instanceof PersonalizedOffersApiError) {
    const correlation = error.correlationId ? ` [correlation id ${error.correlationId}]` : '';
    const gateway = error.errors.find(isGatewayItem);
    if (gateway) {
      const advice = describeGatewayRefusal(error.status, gateway, context, error.clockSkewSeconds);
      return { ...advice, detail: `${advice.detail}${correlation}` };
    }
    const item = error.errors.at(0);
    const said = item
      ? `${error.status}${item.reasonCode && item.reasonCode !== String(error.status) ? ` ${item.reasonCode}` : ''}${shortDescription(item.description) ? `: "${shortDescription(item.description)}"` : ''}`
      : error.apiStatus
        ? `status ${error.apiStatus.code}${error.apiStatus.message ? ` "${shortDescription(error.apiStatus.message)}"` : ''}`
        : `${error.status}`;
    if (error.status === 401 || error.status === 403) {
      return {
        detail: `refused (${said.trim()}) without the gateway's reason${correlation}`,
        remedy:
          "check that PLO_OAUTH_CONSUMER_KEY and PLO_OAUTH_KEY_FILE are this project's, for this environment; if they are, give Mastercard support the correlation id",
      };
    }
    if (error.status >= 500) {
      return {
        detail: `the gateway passed the request on, but the API failed (${said.trim()})${correlation}`,
        remedy: 'the credentials got through; run the doctor again later, and if it persists give Mastercard support the correlation id',
      };
    }
    return {
      detail: `the gateway accepted the consumer key and the signature, but the API refused the call (${said.trim()})${correlation}`,
      remedy: /\bf_?id\b/i.test(item?.description ?? '')
        ? 'check PLO_FID: the Financial Institution id Mastercard gave this project, for this environment'
        : 'check PLO_FID (the Financial Institution id for this environment) and that the host is the Personalized Offers API',
    };
  }
  if (error instanceof PersonalizedOffersNetworkError) {
    const code = causeCode(error.cause) ?? (error.timedOut ? 'ETIMEDOUT' : 'UNKNOWN');
    const advice = describeNetworkFailure(code, context.host, context.proxy);
    return { detail: advice.what, remedy: advice.remedy };
  }
  if (error instanceof PersonalizedOffersError) {
    if (error instanceof PersonalizedOffersUnavailableError) {
      return { detail: 'not sent: the circuit breaker is open after repeated failures', remedy: 'fix the failures above (reach, clock), then run again' };
    }
    if (error instanceof PersonalizedOffersRateLimitedError) {
      return {
        detail: `not sent: the rate limit (rateLimit) had no permit within ${error.maxWaitMs} ms (the next in ${error.retryAfterMs} ms)`,
        remedy:
          'the fleet sharing this limit is sending at rateLimit.requestsPerSecond, or Mastercard asked it to pause (429): run again later, or raise rateLimit.requestsPerSecond if the project allows more',
      };
    }
    return { detail: `${error.name} (${error.code}): ${error.message}`, remedy: "see the message; run with --verbose for the module's log" };
  }
  return { detail: `unexpected ${error instanceof Error ? error.name : typeof error}`, remedy: "run with --verbose for the module's log" };
}
