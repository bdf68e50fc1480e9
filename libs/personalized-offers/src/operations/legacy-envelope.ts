import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { redactedExcerpt } from '../http/response-parser.js';
import type { ResponseStatus } from '../user-token/user-token.response.js';

/** `Response.Status.Code` of a successful legacy (`/plo`) call. */
export const SUCCESS_STATUS_CODE = '600';

/** `Response.Status` before any validation. */
interface UncheckedStatus {
  Code?: unknown;
  Message?: unknown;
}

/** A legacy body: everything is wrapped in `{"Response":{"Status":{…},…}}`. */
export interface LegacyBody<R> {
  Response: R & { Status?: ResponseStatus };
}

/**
 * The legacy envelope check: a 200 is a success only when `Response.Status.Code` is the string
 * `'600'` (an already-active offer answers 200 with another status). Returns the `Response`
 * payload; anything else is a `PersonalizedOffersApiError` carrying `apiStatus`.
 */
export function openLegacyEnvelope<R>(body: LegacyBody<R>, operation: string, secrets: () => readonly string[] = () => []): LegacyBody<R>['Response'] {
  // Checked as it may really be: the check runs on bodies no model has validated (no `Response`,
  // a numeric `Code`), so nothing of the envelope is taken for granted.
  const payload = body.Response as LegacyBody<R>['Response'] | undefined;
  if (payload?.Status?.Code === SUCCESS_STATUS_CODE) return payload;
  const status = payload?.Status as UncheckedStatus | undefined;
  // Upstream text goes through the excerpt redactor with the exact values the module sent: it
  // is not ours to trust, and may echo the token, the AuthInfo or the user id.
  const sent = secrets();
  const code = status ? redactedExcerpt(String(status.Code), sent) : 'missing';
  const text = status?.Message;
  const message = (typeof text === 'string' || typeof text === 'number') && text ? redactedExcerpt(String(text), sent) : undefined;
  // The executor sets `operation` on the error.
  throw new PersonalizedOffersApiError(
    `Personalized Offers API returned status ${code}${message ? ` (${message})` : ''} instead of ${SUCCESS_STATUS_CODE} for ${operation}.`,
    { status: 200, apiStatus: { code, ...(message ? { message } : {}) } },
  );
}
