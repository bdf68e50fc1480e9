import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import type { HttpRequest } from '../http/http-request.js';
import type { HttpResult } from '../http/http-result.js';
import { PersonalizedOffersHttpClient } from '../http/personalized-offers-http.client.js';
import { isGatewayRefusal, parseModel, toApiError } from '../http/response-parser.js';
import type { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { redactSignatureBaseString } from '../signing/base-string-redaction.js';
import { provablyNotSent } from '../http/retry-policy.js';
import { isLogLevelEnabled } from '../log-level.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import type { CredentialSource } from './credential.js';
import type { Operation, OperationContext } from './operation.js';
import { encodeQuery, rfc3986, serializeBody } from './request-encoding.js';
import { type CallTelemetry, NOOP_TELEMETRY, PERSONALIZED_OFFERS_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';

const JSON_ACCEPT = { Accept: 'application/json' } as const;
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

  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    private readonly http: PersonalizedOffersHttpClient,
    @Optional() @Inject(PERSONALIZED_OFFERS_TELEMETRY) private readonly telemetry: Telemetry = NOOP_TELEMETRY,
  ) {
    this.baseUrl = options.baseUrl;
    this.context = { fId: options.fId };
    this.moduleSecrets = options.signer ? options.signer.secretValues : [];
  }

  /** Runs `operation` and returns its result (the envelope opened). */
  execute<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential?: CredentialSource): Promise<R> {
    // A span per call (and the duration histogram); `undefined` without an SDK: the plain path.
    const call = this.telemetry.startCall(operation);
    return call ? call.run(() => this.runOpened(operation, params, credential, call)) : this.runOpened(operation, params, credential);
  }

  /** Runs `operation` and returns the validated body model, without the envelope check. */
  executeRaw<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential?: CredentialSource): Promise<B> {
    const call = this.telemetry.startCall(operation);
    return call ? call.run(() => this.run(operation, params, credential, call)) : this.run(operation, params, credential);
  }

  /** `run`, then the envelope check. */
  private async runOpened<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential?: CredentialSource, call?: CallTelemetry): Promise<R> {
    const body = await this.run(operation, params, credential, call);
    try {
      const result = operation.envelope ? operation.envelope(body, operation.id) : (body as unknown as R);
      if (operation.confirms && !operation.confirms(result)) throw unconfirmed(operation);
      return result;
    } catch (error) {
      throw tagged(error, operation.id);
    }
  }

  /** validate → credential → send (renewing a refused credential once) → map errors → parse. */
  private async run<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential?: CredentialSource, call?: CallTelemetry): Promise<B> {
    try {
      operation.validate?.(params);
      let value = credential && (await credential.get());
      let result = await this.send(operation, params, value);
      call?.response(result.status);
      // A gateway refusal (the signature, not the credential) is not cured by a new credential.
      if (credential?.renew && (credential.renewOn ?? REFUSED).includes(result.status) && !isGatewayRefusal(result)) {
        call?.credentialRenewed();
        value = await credential.renew();
        result = await this.send(operation, params, value);
        call?.response(result.status);
      }
      // Only on the failure paths: what the module sent, to scrub from any echo of it.
      const secrets = () => this.secretsOf(operation, params, value);
      if (result.status >= 400) {
        const error = toApiError(result, secrets());
        if (result.signatureBaseString !== undefined && isLogLevelEnabled('debug') && error.errors.some((e) => e.source?.toLowerCase() === 'gateway')) {
          this.logSignatureRefusal(operation.id, error, redactSignatureBaseString(result.signatureBaseString, secrets()));
        }
        if (operation.retry === 'never' && result.status >= 500) {
          throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: false, cause: error });
        }
        throw error;
      }
      try {
        if (operation.parse) return operation.parse(result.body, result.status);
        return parseModel(result, operation.model!, operation.build, secrets);
      } catch (error) {
        // A success status with an unreadable body: a `never` write may well have been applied.
        if (operation.retry === 'never' && error instanceof PersonalizedOffersInvalidResponseError) {
          throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: false, cause: error });
        }
        throw error;
      }
    } catch (error) {
      throw tagged(error, operation.id);
    }
  }

  /**
   * One debug line when the gateway refuses a signed request: its reason code and the base string
   * the module signed, redacted like the gateway's echo in the error's description, so the two
   * can be compared (a proxy that rewrote the URL, a re-serialized body, clock skew).
   */
  private logSignatureRefusal(operation: string, error: PersonalizedOffersApiError, baseString: string): void {
    const reason = error.errors.map((e) => e.reasonCode).filter(Boolean).join(', ') || 'no reason code';
    this.logger.debug(`${operation}: the gateway refused the request (${error.status} ${reason}); the module signed this base string: ${baseString}`);
  }

  /** The credential, the operation's secret query values and the module's own secrets. */
  private secretsOf<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential: string | undefined): string[] {
    const out = [...this.moduleSecrets];
    if (credential) out.push(credential);
    if (operation.secretQuery && operation.query) {
      const query = operation.query(params, this.context);
      for (const name of operation.secretQuery) {
        const value = query[name];
        if (typeof value === 'string') out.push(value);
      }
    }
    return out;
  }

  private async send<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential: string | undefined): Promise<HttpResult> {
    const request = this.build(operation, params, credential);
    try {
      return await this.http.send(request, operation.retry);
    } catch (error) {
      if (operation.retry === 'never' && error instanceof PersonalizedOffersNetworkError && !provablyNotSent(error)) {
        throw new PersonalizedOffersOutcomeUnknownError(operation.id, { timedOut: error.timedOut, cause: error });
      }
      throw error;
    }
  }

  /** The wire request: query and body by wire names, the credential in its place, encoded once. */
  private build<P, B extends object, R>(operation: Operation<P, B, R>, params: P, credential: string | undefined): HttpRequest {
    const query = operation.query ? operation.query(params, this.context) : {};
    let body = operation.body?.(params, this.context);
    const extra = operation.headers?.(params);
    let headers: Record<string, string> = extra ? { ...JSON_ACCEPT, ...extra } : { ...JSON_ACCEPT };
    const place = operation.credential;
    if (place && credential !== undefined) {
      if (place.in === 'query') query[place.name] = credential;
      else if (place.in === 'header') headers[place.name] = credential;
      else body = { ...body, [place.name]: credential };
    }
    let text: string | undefined;
    if (body !== undefined) {
      text = serializeBody(body);
      headers = { ...headers, 'Content-Type': 'application/json' };
    }
    const path = operation.pathParams ? fillPath(operation.path, operation.pathParams(params)) : operation.path;
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

/** The path with its `{name}` segments replaced by their RFC 3986-encoded values. */
function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => rfc3986(values[name] ?? ''));
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
