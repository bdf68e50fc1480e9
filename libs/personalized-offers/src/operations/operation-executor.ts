import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { PersonalizedOffersResponseTooLargeError } from '../errors/personalized-offers-response-too-large.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { HttpRequest } from '../http/http-request.js';
import type { HttpResult } from '../http/http-result.js';
import { PersonalizedOffersHttpClient } from '../http/personalized-offers-http.client.js';
import { isGatewayRefusal, parseModel, toApiError } from '../http/response-parser.js';
import type { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { redactSignatureBaseString } from '../signing/base-string-redaction.js';
import { provablyNotSent } from '../http/retry-policy.js';
import { isLogLevelEnabled } from '../log-level.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { type CredentialSource, isSendableCredential } from './credential.js';
import { scrubError } from './secret-scrubber.js';
import { RefusalLog, isCredentialRefusal } from './refusal-log.js';
import type { Operation, OperationContext } from './operation.js';
import { encodeQuery, rfc3986, serializeBody } from './request-encoding.js';
import { type CallTelemetry, NOOP_TELEMETRY, PERSONALIZED_OFFERS_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';

const JSON_ACCEPT: Readonly<Record<string, string>> = Object.freeze({ Accept: 'application/json' });
const JSON_BODY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ Accept: 'application/json', 'Content-Type': 'application/json' });
/** Statuses that mean a credential was refused, unless the credential says otherwise. */
const REFUSED: readonly number[] = [401, 403];

/**
 * Runs every operation the same way: validate params → credential → build the request →
 * send (signed by the HTTP layer's interceptor; timeout, breaker, retries per the operation's
 * retry class) → map errors → parse and validate → envelope check → result. A refused
 * credential (401/403) that can be renewed is renewed once and the call repeated once: a refused
 * credential means nothing was processed. Every error carries the operation's id.
 */
@Injectable()
export class OperationExecutor {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly baseUrl: string;
  private readonly context: OperationContext;
  /** Values of the module's own that an upstream echo must never carry into an error. */
  private readonly moduleSecrets: readonly string[];
  /** The OAuth 2.0 client, whose access tokens are secrets too. */
  private readonly oauth2?: ResolvedPersonalizedOffersOptions['oauth2'];

  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    private readonly http: PersonalizedOffersHttpClient,
    @Optional() @Inject(PERSONALIZED_OFFERS_TELEMETRY) private readonly telemetry: Telemetry = NOOP_TELEMETRY,
  ) {
    this.baseUrl = options.baseUrl;
    this.context = { fId: options.fId };
    this.moduleSecrets = options.signer ? options.signer.secretValues : [];
    this.oauth2 = options.oauth2;
  }

  /**
   * Runs `operation` and returns its result (the envelope opened). `call.userId` is the user the
   * call is for when the params do not say (a token mint): scrubbed from any error like a secret.
   */
  execute<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential?: CredentialSource, call?: CallOptions): Promise<R> {
    // A span per call (and the duration histogram); `undefined` without an SDK: the plain path.
    const recorded = this.telemetry.startCall(operation);
    return recorded
      ? recorded.run(() => this.run(operation, params, credential, call, true, recorded) as Promise<R>)
      : (this.run(operation, params, credential, call, true) as Promise<R>);
  }

  /** Runs `operation` and returns the validated body model, without the envelope check. */
  executeRaw<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential?: CredentialSource, call?: CallOptions): Promise<B> {
    const recorded = this.telemetry.startCall(operation);
    return recorded
      ? recorded.run(() => this.run(operation, params, credential, call, false, recorded) as Promise<B>)
      : (this.run(operation, params, credential, call, false) as Promise<B>);
  }

  /**
   * validate (params, path) → credential (checked sendable) → send (renewing a refused
   * credential once) → map errors → parse → envelope (when `open`). Every error leaves tagged
   * with the operation's id and scrubbed of every value the module sent.
   */
  private async run<P, B extends object, R>(
    operation: Operation<P, B, R>,
    params: P,
    credential: CredentialSource | undefined,
    call: CallOptions | undefined,
    open: boolean,
    recorded?: CallTelemetry,
  ): Promise<B | R> {
    let value: string | undefined;
    // Only on the failure paths: what the module sent, to scrub from any echo of it.
    const secrets = () => this.secretsOf(operation, params, value, credential?.userId ?? call?.userId);
    try {
      operation.validate?.(params);
      // Path segments are the caller's input too: refused before any I/O, whatever the operation.
      const path = operation.pathParams ? fillPath(operation.path, operation.pathParams(params)) : operation.path;
      value = credential && sendable(await credential.get(), credential);
      let result = await this.send(operation, params, path, value);
      recorded?.response(result.status);
      // A gateway refusal (the signature, not the credential) is not cured by a new credential.
      if (credential?.renew && (credential.renewOn ?? REFUSED).includes(result.status) && !isGatewayRefusal(result)) {
        recorded?.credentialRenewed();
        value = sendable(await credential.renew(), credential);
        result = await this.send(operation, params, path, value);
        recorded?.response(result.status);
      }
      // Only 2xx is a success: a redirect (never followed) or an error status is an error.
      if (result.status < 200 || result.status >= 300) {
        const error = toApiError(result, secrets());
        // Refused credentials must show in production logs (once a minute per kind, with a count).
        if (isCredentialRefusal(error)) this.refusals.record(operation.id, error);
        if (result.signatureBaseString !== undefined && isLogLevelEnabled('debug') && error.errors.some((e) => e.source?.toLowerCase() === 'gateway')) {
          this.logSignatureRefusal(operation.id, error, redactSignatureBaseString(result.signatureBaseString, secrets()));
        }
        // A 5xx or a redirect may come after the write was applied: never-repeated writes cannot say.
        if (operation.retry === 'never' && (result.status >= 500 || result.status < 400)) {
          throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: false, cause: error });
        }
        throw error;
      }
      let body: B;
      try {
        if (operation.parse) body = operation.parse(result.body, result.status);
        else if (operation.model) body = parseModel(result, operation.model, operation.build, secrets);
        else throw new TypeError(`Operation ${operation.id} has neither a model nor parse.`);
      } catch (error) {
        // A success status with an unreadable body: a `never` write may well have been applied.
        if (operation.retry === 'never' && error instanceof PersonalizedOffersInvalidResponseError) {
          throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: false, cause: error });
        }
        throw error;
      }
      if (!open) return body;
      const opened = operation.envelope ? operation.envelope(body, operation.id, secrets) : (body as unknown as R);
      if (operation.confirms && !operation.confirms(opened)) throw unconfirmed(operation);
      return opened;
    } catch (error) {
      if (error instanceof PersonalizedOffersError) scrubError(error, secrets());
      throw tagged(error, operation.id);
    }
  }

  /** Refused credentials, at warn (a clock skew among them: every refusal that carries one is a 401/403). */
  private readonly refusals = new RefusalLog(this.logger);

  /**
   * One debug line when the gateway refuses a signed request: its reason code and the base string
   * the module signed, redacted like the gateway's echo in the error's description, so the two
   * can be compared (a proxy that rewrote the URL, a re-serialized body, clock skew).
   */
  private logSignatureRefusal(operation: string, error: PersonalizedOffersApiError, baseString: string): void {
    const reason =
      error.errors
        .map((e) => e.reasonCode)
        .filter(Boolean)
        .join(', ') || 'no reason code';
    this.logger.debug(`${operation}: the gateway refused the request (${error.status} ${reason}); the module signed this base string: ${baseString}`);
  }

  /** The credential, the user id, the operation's secret query values and the module's own secrets. */
  private secretsOf<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential: string | undefined, userId: string | undefined): string[] {
    const out = [...this.moduleSecrets, ...(this.oauth2?.secretValues ?? [])];
    if (credential) out.push(credential);
    if (userId) out.push(userId);
    // A user id in the params (an access-token mint sends it in its body) is personal data too.
    const paramUser = (params as { userId?: unknown } | undefined)?.userId;
    if (typeof paramUser === 'string' && paramUser !== userId) out.push(paramUser);
    if (operation.secretQuery && operation.query) {
      let query: Record<string, unknown>;
      try {
        query = operation.query(params, this.context);
      } catch {
        return out; // params that do not even build a query sent nothing of theirs
      }
      for (const name of operation.secretQuery) {
        const value = query[name];
        if (typeof value === 'string') out.push(value);
      }
    }
    return out;
  }

  private async send<P, B extends object, R>(operation: Operation<P, B, R>, params: P, path: string, credential: string | undefined): Promise<HttpResult> {
    const request = this.build(operation, params, path, credential);
    try {
      return await this.http.send(request, operation.retry);
    } catch (error) {
      if (operation.retry === 'never') {
        if (error instanceof PersonalizedOffersNetworkError && !provablyNotSent(error)) {
          throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: error.timedOut, cause: error });
        }
        // An answer arrived (too large to read): the write may have been applied.
        if (error instanceof PersonalizedOffersResponseTooLargeError) {
          throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: false, cause: error });
        }
      }
      throw error;
    }
  }

  /** The wire request: query and body by wire names, the credential in its place, encoded once. */
  private build<P, B extends object, R>(operation: Operation<P, B, R>, params: P, path: string, credential: string | undefined): HttpRequest {
    const query = operation.query ? operation.query(params, this.context) : {};
    let body = operation.body?.(params, this.context);
    const extra = operation.headers?.(params);
    // Built per request only when this request has headers of its own; else one shared, frozen object per shape.
    let headers: Record<string, string> | undefined = extra ? { ...JSON_ACCEPT, ...extra } : undefined;
    const place = operation.credential;
    if (place && credential !== undefined) {
      if (place.in === 'query') query[place.name] = credential;
      else if (place.in === 'header') (headers ??= { ...JSON_ACCEPT })[place.name] = credential;
      else body = { ...body, [place.name]: credential };
    }
    let text: string | undefined;
    if (body !== undefined) {
      text = serializeBody(body);
      headers = headers ? { ...headers, 'Content-Type': 'application/json' } : JSON_BODY_HEADERS;
    }
    headers ??= JSON_ACCEPT;
    return {
      method: operation.method,
      url: `${this.baseUrl}${path}${encodeQuery(query)}`,
      path: operation.path,
      operation: operation.id,
      headers,
      ...(text !== undefined ? { body: text } : {}),
    };
  }
}

/**
 * The path with its `{name}` segments replaced by their RFC 3986-encoded values. A value that is
 * not a non-empty string, or is `.` or `..` (which URL normalization would resolve: `getOffer(user,
 * '..')` would reach the parent resource, validly signed) is refused with `InvalidArgumentError` naming the caller's parameter (`offer_id` → `offerId`).
 */
export function fillPath(template: string, values: Record<string, unknown>): string {
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    const argument = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(argument, 'must be a non-empty string');
    if (value === '.' || value === '..') throw new InvalidArgumentError(argument, 'must not be "." or ".." (it would change the request path)');
    // RFC 3986 encoding leaves only unreserved characters unescaped, so `/`, `%`, `?` and `#`
    // cannot reach the path: `.` and `..` (refused above) are the only values that change it.
    return rfc3986(value);
  });
  return path;
}

/** `value`, when it can be sent as it is; else a typed error before any I/O (see `CredentialSource.argument`). */
function sendable(value: string, source: CredentialSource): string {
  if (typeof value === 'string' && isSendableCredential(value)) return value;
  if (source.argument) throw new InvalidArgumentError(source.argument, 'must be printable ASCII without spaces (a token as Mastercard issued it)');
  throw new PersonalizedOffersInvalidResponseError('Personalized Offers API issued a credential that cannot be sent (not printable ASCII).', { status: 200 });
}

/** Who a call is for, when its params do not say (see `OperationExecutor.execute`). */
export interface CallOptions {
  userId?: string;
}

/** The error for a write whose success answer does not confirm it (see `Operation.confirms`). */
function unconfirmed(operation: Pick<Operation<unknown, object, unknown>, 'id' | 'retry'>): Error {
  const invalid = new PersonalizedOffersInvalidResponseError(
    `Personalized Offers API answered ${operation.id} with a success that does not confirm the write.`,
    { status: 200 },
  );
  return operation.retry === 'never' ? new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: false, cause: invalid }) : invalid;
}

/** Sets the failing operation's id on the module's own errors (never a value). */
function tagged(error: unknown, operation: string): unknown {
  if (error instanceof PersonalizedOffersError && error.operation === undefined) error.operation = operation;
  return error;
}
