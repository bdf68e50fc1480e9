import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Inject, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersNotFoundError } from '../errors/personalized-offers-not-found.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { PersonalizedOffersOverloadedError } from '../errors/personalized-offers-overloaded.error.js';
import { PersonalizedOffersRateLimitedError } from '../errors/personalized-offers-rate-limited.error.js';
import { PersonalizedOffersResponseTooLargeError } from '../errors/personalized-offers-response-too-large.error.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { isAlreadyActivatedError } from '../operations/activation-resolution.js';
import { LOGGER_CONTEXT } from '../personalized-offers.constants.js';

/** The operations whose upstream 404 means "no such offer or activation" (they address one by id). */
const ADDRESSES_OFFER_OR_ACTIVATION: ReadonlySet<string> = new Set([
  'getOfferDetails',
  'getStatementCreditActivationDetail',
  'activateStatementCreditOffer',
  'sendUserFeedback',
  'getOffer',
  'processActivations',
  'getOfferRating',
  'createOfferRating',
]);

/** An upstream 404 about the offer or activation a call named, not about the route (a gateway's 404 is a setup problem: 502). */
function isUpstreamNotFound(error: PersonalizedOffersApiError): boolean {
  return (
    error.status === 404 &&
    error.operation !== undefined &&
    ADDRESSES_OFFER_OR_ACTIVATION.has(error.operation) &&
    !error.errors.some((e) => e.source?.toLowerCase() === 'gateway')
  );
}

/**
 * The HTTP status your app should answer with for one of this module's errors: 400 for a bad
 * user id or argument; 404 when Mastercard answered 404 for the offer or activation a call named
 * (or `getActivationStatus` did not find the offer); 409 when an activation met an offer that is
 * already active ({@link isAlreadyActivatedError}); 202 for an activation whose outcome is unknown
 * (it may be in progress: the client must check the status, not repeat blindly); 503 when
 * Mastercard asks to slow down or is unavailable, the module's own queue is full (overloaded) or
 * its rate limit had no permit in time (rate-limited, with `Retry-After`);
 * 504 for a timeout; 502 for any other upstream failure (including a refused AuthInfo: that is
 * the app's fault, not the caller's); 500 for a configuration error.
 */
export function toHttpStatus(error: PersonalizedOffersError): number {
  if (error instanceof InvalidUserIdError || error instanceof InvalidArgumentError) return HttpStatus.BAD_REQUEST;
  if (error instanceof PersonalizedOffersOutcomeUnknownError) return HttpStatus.ACCEPTED;
  if (error instanceof PersonalizedOffersNotFoundError) return HttpStatus.NOT_FOUND;
  if (error instanceof PersonalizedOffersNetworkError) return error.timedOut ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY;
  if (error instanceof PersonalizedOffersApiError) {
    if (isAlreadyActivatedError(error)) return HttpStatus.CONFLICT;
    if (isUpstreamNotFound(error)) return HttpStatus.NOT_FOUND;
    return error.status === 429 || error.status === 503 ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY;
  }
  if (
    error instanceof PersonalizedOffersUnavailableError ||
    error instanceof PersonalizedOffersOverloadedError ||
    error instanceof PersonalizedOffersRateLimitedError
  ) {
    return HttpStatus.SERVICE_UNAVAILABLE;
  }
  if (error instanceof PersonalizedOffersResponseTooLargeError) return HttpStatus.BAD_GATEWAY;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/**
 * The response's `code`: the error's own, except for the two answers an activation can get that
 * are not failures of the module — `ALREADY_ACTIVATED` (409) and `NOT_FOUND` (404).
 */
export function toResponseCode(error: PersonalizedOffersError, status = toHttpStatus(error)): string {
  if (status === 409) return 'ALREADY_ACTIVATED';
  if (status === 404) return 'NOT_FOUND';
  return error.code;
}

const PUBLIC_MESSAGES: Record<number, string> = {
  202: "The activation may or may not have taken effect (Mastercard may still be processing it). Check the offer's activation status before trying again; do not repeat the request blindly.",
  400: 'The request cannot be used for Personalized Offers: a user id or parameter is invalid.',
  404: 'The offer or activation was not found.',
  409: 'The offer is already activated.',
  502: 'The Personalized Offers service returned an error.',
  503: 'The Personalized Offers service is temporarily unavailable.',
  504: 'The Personalized Offers service did not answer in time.',
  500: 'Personalized Offers is not configured correctly.',
};

/** Options of {@link PersonalizedOffersExceptionFilter}. */
export interface PersonalizedOffersExceptionFilterOptions {
  /**
   * Log each error the filter answers with a 5xx, at `error` (and an outcome-unknown 202 at
   * `warn`), through Nest's `Logger` (context `PersonalizedOffers`): status, code, operation and
   * the error's message (already free of secrets), never the request or a stack. @default true
   */
  logErrors?: boolean;
}

/** Optional provider token of the filter's options when Nest instantiates it (`APP_FILTER` + `useClass`). */
export const PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS = Symbol('PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS');

/**
 * Opt-in exception filter turning this module's errors into HTTP responses without upstream
 * details: `{ statusCode, code, message }`. Register it with `APP_FILTER` + `useClass` (options
 * from the optional `PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS` provider), or
 * `app.useGlobalFilters(new PersonalizedOffersExceptionFilter({ logErrors: false }))`.
 * A `Retry-After` from Mastercard, or the rate limit's wait, is passed on with 503.
 */
@Catch(PersonalizedOffersError)
export class PersonalizedOffersExceptionFilter implements ExceptionFilter<PersonalizedOffersError> {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly logErrors: boolean;
  private readonly adapterHost: HttpAdapterHost | undefined;

  /**
   * @param options `{ logErrors }`; an `HttpAdapterHost` here is accepted as well (the earlier
   *   `new PersonalizedOffersExceptionFilter(app.get(HttpAdapterHost))`).
   * @param adapterHost injected by Nest; without it, the reply is written on the Express or
   *   Fastify response object directly.
   */
  constructor(
    @Optional() @Inject(PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS) options?: PersonalizedOffersExceptionFilterOptions | HttpAdapterHost,
    @Optional() adapterHost?: HttpAdapterHost,
  ) {
    const host = options instanceof HttpAdapterHost ? options : adapterHost;
    this.adapterHost = host;
    this.logErrors = options instanceof HttpAdapterHost ? true : options?.logErrors !== false;
  }

  catch(error: PersonalizedOffersError, host: ArgumentsHost): void {
    const status = toHttpStatus(error);
    const code = toResponseCode(error, status);
    if (this.logErrors) this.log(error, status);
    const response = host.switchToHttp().getResponse<Record<string, unknown>>();
    // Mastercard's Retry-After (an API error) or the rate limit's wait (rate-limited).
    const retryAfterMs = 'retryAfterMs' in error && typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined;
    const retryAfter = status === 503 && retryAfterMs !== undefined ? String(Math.ceil(retryAfterMs / 1000)) : undefined;
    const body = { statusCode: status, code, message: PUBLIC_MESSAGES[status] };
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) {
      if (retryAfter !== undefined) adapter.setHeader(response, 'Retry-After', retryAfter);
      adapter.reply(response, body, status);
      return;
    }
    reply(response, status, body, retryAfter);
  }

  private log(error: PersonalizedOffersError, status: number): void {
    const line = () => `${status} ${error.code}${error.operation ? ` (${error.operation})` : ''}: ${error.message}`;
    if (status >= 500) this.logger.error(line());
    else if (status === 202) this.logger.warn(line());
  }
}

/** Writes the JSON reply on an Express (`status().json()`) or Fastify (`code().send()`) response. */
function reply(response: Record<string, unknown>, status: number, body: object, retryAfter: string | undefined): void {
  const call = (name: string, ...args: unknown[]) => (response[name] as (...a: unknown[]) => unknown).apply(response, args);
  const has = (name: string) => typeof response[name] === 'function';
  if (retryAfter !== undefined) {
    if (has('setHeader')) call('setHeader', 'Retry-After', retryAfter);
    else if (has('header')) call('header', 'Retry-After', retryAfter);
  }
  if (has('json') && has('status')) {
    call('status', status);
    call('json', body);
  } else if (has('code') && has('send')) {
    if (has('type')) call('type', 'application/json; charset=utf-8');
    call('code', status);
    call('send', body);
  } else {
    throw new TypeError(
      'PersonalizedOffersExceptionFilter: unknown response object (neither Express nor Fastify); register the filter with APP_FILTER so Nest injects its HttpAdapterHost.',
    );
  }
}
