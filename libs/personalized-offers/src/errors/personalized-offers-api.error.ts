import { PersonalizedOffersError } from './personalized-offers.error.js';

/** One item of Mastercard's `{"Errors":{"Error":[…]}}` body. */
export interface ApiErrorItem {
  /** `ReasonCode`, the machine-readable reason (e.g. `"400"`); for an OAuth 2.0 refusal, its `error` (`invalid_token`). */
  reasonCode?: string;
  /** `Source`: the field or component in error when identifiable (`System` otherwise); `OAuth2` for an OAuth 2.0 refusal. */
  source?: string;
  /** `Description`: a human-readable description, e.g. `FId is not provided or Value provided is invalid`. */
  description?: string;
  /** `Details`: other details of the error (`Bad Request`). */
  details?: string;
  /** `Recoverable`: true when the same request might succeed if tried again. */
  recoverable?: boolean;
}

/** The `Response.Status` of a 200 that was not a success. */
export interface ApiStatus {
  /** `Status.Code`: anything but the success code `"600"`. */
  code: string;
  /** `Status.Message`, when sent. */
  message?: string;
}

/** Fields of a {@link PersonalizedOffersApiError}. */
export interface PersonalizedOffersApiErrorFields {
  /** HTTP status of the response. */
  status: number;
  /** Parsed error items, when the body had Mastercard's error shape. */
  errors?: ApiErrorItem[];
  /** The non-`600` `Response.Status` of a 200 response. */
  apiStatus?: ApiStatus;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs?: number;
  /** A short excerpt of an unexpected body, with anything secret-looking removed. */
  bodyExcerpt?: string;
  /**
   * On a refusal (401/403) whose `Date` header is more than a minute off this machine's clock:
   * the server's clock minus this machine's, in whole seconds (positive: the server is ahead).
   */
  clockSkewSeconds?: number;
  /** Mastercard's `X-MC-Correlation-ID` of the answer: the id its support asks for. */
  correlationId?: string;
}

/** The Personalized Offers API answered, but with an error status or a non-success `Status.Code`. */
export class PersonalizedOffersApiError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersApiError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersApiError';
  /** HTTP status of the response (200 for a non-success `Response.Status`). */
  readonly status: number;
  /** Parsed error items, when the body had Mastercard's error shape; otherwise empty. */
  readonly errors: ApiErrorItem[];
  /** The non-`600` `Response.Status` of a 200 response. */
  readonly apiStatus?: ApiStatus;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;
  /** A short excerpt of an unexpected body, with anything secret-looking removed. */
  readonly bodyExcerpt?: string;
  /** On a 401/403 with a `Date` header more than a minute off: server clock minus local clock, in whole seconds. */
  declare readonly clockSkewSeconds?: number;
  /** Mastercard's `X-MC-Correlation-ID` of the answer: the id its support asks for. */
  declare readonly correlationId?: string;

  constructor(message: string, fields: PersonalizedOffersApiErrorFields, code = 'API_ERROR') {
    super(code, message);
    this.status = fields.status;
    this.errors = fields.errors ?? [];
    if (fields.apiStatus) this.apiStatus = fields.apiStatus;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    if (fields.bodyExcerpt !== undefined) this.bodyExcerpt = fields.bodyExcerpt;
    if (fields.clockSkewSeconds !== undefined) this.clockSkewSeconds = fields.clockSkewSeconds;
    if (fields.correlationId !== undefined) this.correlationId = fields.correlationId;
  }
}
