import { PersonalizedOffersError } from './personalized-offers.error.js';

/** One item of Mastercard's `{"Errors":{"Error":[…]}}` body. */
export interface ApiErrorItem {
  reasonCode?: string;
  source?: string;
  description?: string;
  details?: string;
  recoverable?: boolean;
}

/** The `Response.Status` of a 200 that was not a success. */
export interface ApiStatus {
  code: string;
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
  override name = 'PersonalizedOffersApiError';
  readonly status: number;
  readonly errors: ApiErrorItem[];
  readonly apiStatus?: ApiStatus;
  readonly retryAfterMs?: number;
  readonly bodyExcerpt?: string;
  declare readonly clockSkewSeconds?: number;
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
