import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidUserIdError } from '../errors/invalid-user-id.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { PersonalizedOffersOverloadedError } from '../errors/personalized-offers-overloaded.error.js';
import { PersonalizedOffersResponseTooLargeError } from '../errors/personalized-offers-response-too-large.error.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';

/**
 * The HTTP status your app should answer with for one of this module's errors: 400 for a bad
 * user id or argument, 503 when Mastercard asks to slow down or is unavailable or the module's
 * own queue is full (overloaded), 504 for a
 * timeout (also of a write whose outcome is unknown), 502 for any other upstream failure
 * (including a refused AuthInfo: that is the app's fault, not the caller's), 500 for a
 * configuration error.
 */
export function toHttpStatus(error: PersonalizedOffersError): number {
  if (error instanceof InvalidUserIdError || error instanceof InvalidArgumentError) return HttpStatus.BAD_REQUEST;
  if (error instanceof PersonalizedOffersNetworkError || error instanceof PersonalizedOffersOutcomeUnknownError) {
    return error.timedOut ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY;
  }
  if (error instanceof PersonalizedOffersApiError) {
    return error.status === 429 || error.status === 503 ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY;
  }
  if (error instanceof PersonalizedOffersUnavailableError || error instanceof PersonalizedOffersOverloadedError) return HttpStatus.SERVICE_UNAVAILABLE;
  if (error instanceof PersonalizedOffersResponseTooLargeError) return HttpStatus.BAD_GATEWAY;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

const PUBLIC_MESSAGES: Record<number, string> = {
  400: 'The request cannot be used for Personalized Offers: a user id or parameter is invalid.',
  502: 'The Personalized Offers service returned an error.',
  503: 'The Personalized Offers service is temporarily unavailable.',
  504: 'The Personalized Offers service did not answer in time.',
  500: 'Personalized Offers is not configured correctly.',
};

/**
 * Opt-in exception filter turning this module's errors into HTTP responses without upstream
 * details: `{ statusCode, code, message }`. Register it with `APP_FILTER` or `useGlobalFilters`.
 * A `Retry-After` from Mastercard is passed on with 503.
 */
@Catch(PersonalizedOffersError)
export class PersonalizedOffersExceptionFilter implements ExceptionFilter<PersonalizedOffersError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: PersonalizedOffersError, host: ArgumentsHost): void {
    const status = toHttpStatus(error);
    const response = host.switchToHttp().getResponse();
    const adapter = this.adapterHost.httpAdapter;
    const retryAfterMs = (error as PersonalizedOffersApiError).retryAfterMs;
    if (status === HttpStatus.SERVICE_UNAVAILABLE && retryAfterMs !== undefined) {
      adapter.setHeader(response, 'Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    }
    adapter.reply(response, { statusCode: status, code: error.code, message: PUBLIC_MESSAGES[status] }, status);
  }
}
