import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { PersonalizedOffersError, toHttpStatus } from 'nestjs-personalized-offers';
import { type Observable, throwError } from 'rxjs';
import { type OffersRpcError, isOffersRpcError } from './offers-rpc.contract.js';

/** Generic messages by status: upstream text (which may quote a parameter) never reaches callers. */
const PUBLIC_MESSAGES: Record<number, string> = {
  202: "The activation may or may not have taken effect: check the offer's activation status before trying again; do not repeat it blindly.",
  400: 'The request cannot be used for Personalized Offers: a user id or parameter is invalid.',
  404: 'The offer or activation was not found.',
  409: 'The offer is already active or cannot be activated.',
  500: 'The offers service failed; see its logs.',
  502: 'The Personalized Offers service returned an error.',
  503: 'The Personalized Offers service is temporarily unavailable.',
  504: 'The Personalized Offers service did not answer in time.',
};

/** A typed RPC error payload. */
export function rpcError(code: string, statusCode: number, message = PUBLIC_MESSAGES[statusCode] ?? PUBLIC_MESSAGES[500]): OffersRpcError {
  return { status: 'error', code, statusCode, message };
}

/** The payload for one of the module's errors: its code, the HTTP-equivalent status, a generic message. */
export function toOffersRpcError(error: PersonalizedOffersError): OffersRpcError {
  const payload = rpcError(error.code, toHttpStatus(error));
  if (error.operation) payload.operation = error.operation;
  // Mastercard's Retry-After (an API error) or the rate limit's wait (rate-limited).
  const retryAfterMs = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
  if (payload.statusCode === 503 && typeof retryAfterMs === 'number') payload.retryAfterMs = retryAfterMs;
  return payload;
}

/**
 * Turns every failure of a message handler into an {@link OffersRpcError}: the module's errors by
 * their code, this service's own `RpcException(OffersRpcError)` as they are, and anything else as
 * `INTERNAL_ERROR` (logged here by name and code only: no payload, no stack with values).
 */
@Catch()
export class OffersRpcExceptionFilter implements RpcExceptionFilter<unknown, OffersRpcError> {
  private readonly logger = new Logger('OffersMicroservice');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const pattern = host.getType() === 'rpc' ? safePattern(host.switchToRpc().getContext()) : undefined;
    let payload: OffersRpcError;
    if (exception instanceof PersonalizedOffersError) {
      payload = toOffersRpcError(exception);
      // The module's errors are safe to describe (no key material, AuthInfo or token); the message is kept out all the same.
      const log = payload.statusCode >= 500 ? 'warn' : 'debug';
      this.logger[log](
        `${pattern ?? 'message'} failed: ${exception.name} ${exception.code}${exception.operation ? ` (${exception.operation})` : ''} → ${payload.statusCode}`,
      );
    } else if (exception instanceof RpcException && isOffersRpcError(exception.getError())) {
      payload = exception.getError() as OffersRpcError;
    } else {
      payload = rpcError('INTERNAL_ERROR', 500);
      const name = exception instanceof Error ? exception.name : typeof exception;
      this.logger.error(`${pattern ?? 'message'} failed with an unexpected ${name}.`);
    }
    return throwError(() => payload);
  }
}

/** The `cmd` of a TCP context's pattern, for log lines (never the data). */
function safePattern(context: unknown): string | undefined {
  const getPattern = (context as { getPattern?: () => unknown } | undefined)?.getPattern;
  if (typeof getPattern !== 'function') return undefined;
  try {
    const pattern = getPattern.call(context);
    const parsed = typeof pattern === 'string' ? (JSON.parse(pattern) as unknown) : pattern;
    const cmd = (parsed as { cmd?: unknown } | null)?.cmd;
    return typeof cmd === 'string' ? cmd.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
