import 'reflect-metadata';
import { afterEach, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { IsString } from 'class-validator';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersOutcomeUnknownError } from '../errors/personalized-offers-outcome-unknown.error.js';
import type { HttpRequest } from '../http/http-request.js';
import type { HttpResult } from '../http/http-result.js';
import type { PersonalizedOffersHttpClient } from '../http/personalized-offers-http.client.js';
import { NOOP_TELEMETRY, type Telemetry } from '../telemetry/telemetry.js';
import type { CredentialSource } from './credential.js';
import { OperationExecutor } from './operation-executor.js';
import type { Operation, RetryClass } from './operation.js';

class Thing {
  @IsString() name!: string;
}

type Params = { id?: string; q?: string; secret?: string };

const operation = (overrides: Partial<Operation<Params, Thing, Thing>> = {}): Operation<Params, Thing, Thing> => ({
  id: 'getThing',
  method: 'GET',
  path: '/things/{id}',
  pathParams: (p) => ({ id: p.id! }),
  retry: 'safe',
  query: (p, context) => ({ FId: context.fId, q: p.q }),
  model: Thing,
  ...overrides,
});

const ok = (body: unknown = { name: 'n' }, status = 200): HttpResult => ({ status, headers: {}, body: JSON.stringify(body) });
const failed = (status: number, errors: unknown = { ReasonCode: 'NOPE' }): HttpResult => ({
  status,
  headers: {},
  body: JSON.stringify({ Errors: { Error: errors } }),
});

function fakeHttp(...results: (HttpResult | Error)[]) {
  const requests: HttpRequest[] = [];
  const classes: RetryClass[] = [];
  const send = jest.fn((request: HttpRequest, retry: RetryClass) => {
    requests.push(request);
    classes.push(retry);
    const next = results.length > 1 ? results.shift()! : results[0];
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(next);
  });
  return { requests, classes, send, http: { send } as unknown as PersonalizedOffersHttpClient };
}

const resolved = (signer?: { secretValues: readonly string[] }) =>
  ({ baseUrl: 'https://api.example.com/prefix', fId: '999', ...(signer ? { signer } : {}) }) as unknown as ResolvedPersonalizedOffersOptions;

function executor(http: PersonalizedOffersHttpClient, telemetry?: Telemetry, signer?: { secretValues: readonly string[] }) {
  return new OperationExecutor(resolved(signer), http, telemetry);
}

function recordingTelemetry() {
  const events: string[] = [];
  const telemetry: Telemetry = {
    ...NOOP_TELEMETRY,
    startCall: (op) => {
      events.push(`start ${op.id}`);
      return {
        run: async (fn) => {
          events.push('run');
          return fn();
        },
        response: (status) => void events.push(`response ${status}`),
        credentialRenewed: () => void events.push('renewed'),
      };
    },
  };
  return { events, telemetry };
}

afterEach(() => {
  jest.restoreAllMocks();
  Logger.overrideLogger(['error', 'warn', 'log', 'debug', 'verbose', 'fatal']);
});

describe('OperationExecutor: the request it builds', () => {
  it('joins base URL, filled path and encoded query; sends the path template, the operation id and the retry class', async () => {
    const { requests, classes, http } = fakeHttp(ok());
    await executor(http).execute(operation({ retry: 'upsert' }), { id: 'a b/c', q: 'x y!' });
    expect(requests[0]).toEqual({
      method: 'GET',
      url: 'https://api.example.com/prefix/things/a%20b%2Fc?FId=999&q=x%20y%21',
      path: '/things/{id}',
      operation: 'getThing',
      headers: { Accept: 'application/json' },
    });
    expect(classes).toEqual(['upsert']);
  });

  it('fills every {name} segment RFC 3986-encoded, and takes a path without parameters as is', async () => {
    const { requests, http } = fakeHttp(ok());
    const run = executor(http);
    await run.execute(operation({ path: '/a/{x}/b/{y}/{z}', pathParams: () => ({ x: '1', y: '(2)', z: '../%2e' }) }), {});
    await run.execute(operation({ path: '/plain/{x}', pathParams: undefined, query: undefined }), {});
    expect(requests.map((r) => r.url)).toEqual(['https://api.example.com/prefix/a/1/b/%282%29/..%2F%252e?FId=999', 'https://api.example.com/prefix/plain/{x}']);
  });

  it.each([
    ['missing', undefined, 'must be a non-empty string'],
    ['empty', '', 'must be a non-empty string'],
    ['"."', '.', 'must not be "." or ".."'],
    ['".."', '..', 'must not be "." or ".."'],
  ])('refuses a %s path segment before any I/O, naming the camelCase parameter', async (_what, value, requirement) => {
    const { requests, http } = fakeHttp(ok());
    const error = await executor(http)
      .execute(
        operation({ path: '/offers/{offer_id}', pathParams: () => ({ offer_id: value }) as Record<string, string> }),
        {},
        { get: () => Promise.reject(new Error('credential fetched')) },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument: 'offerId', operation: 'getThing' });
    expect((error as Error).message).toContain(requirement);
    expect(requests).toHaveLength(0);
  });

  it('serializes a body once with its Content-Type, and adds extra headers after Accept', async () => {
    const { requests, http } = fakeHttp(ok());
    await executor(http).execute(
      operation({ method: 'POST', body: (p, context) => ({ fid: context.fId, q: p.q, none: undefined }), headers: () => ({ 'Accept-Language': 'en-US' }) }),
      { id: 'i', q: 'v' },
    );
    expect(requests[0].body).toBe('{"fid":"999","q":"v"}');
    expect(requests[0].headers).toEqual({ Accept: 'application/json', 'Accept-Language': 'en-US', 'Content-Type': 'application/json' });
    expect(Object.keys(requests[0].headers)).toEqual(['Accept', 'Accept-Language', 'Content-Type']);
  });

  it('an operation whose headers hook answers nothing sends only Accept', async () => {
    const { requests, http } = fakeHttp(ok());
    await executor(http).execute(operation({ headers: () => undefined }), { id: 'i' });
    expect(requests[0].headers).toEqual({ Accept: 'application/json' });
    expect('body' in requests[0]).toBe(false);
  });

  it.each([
    ['query', (r: HttpRequest) => new URL(r.url).searchParams.get('access_token')],
    ['header', (r: HttpRequest) => r.headers['access_token']],
    ['body', (r: HttpRequest) => JSON.parse(r.body!).access_token],
  ] as const)('puts the credential in the %s under its wire name', async (place, read) => {
    const { requests, http } = fakeHttp(ok());
    const credential: CredentialSource = { get: () => Promise.resolve('cred-1') };
    await executor(http).execute(operation({ credential: { in: place, name: 'access_token' } }), { id: 'i' }, credential);
    expect(read(requests[0])).toBe('cred-1');
    if (place !== 'body') expect(requests[0].body).toBeUndefined();
    if (place !== 'header') expect(requests[0].headers['access_token']).toBeUndefined();
  });

  it('merges a body credential into the operation body', async () => {
    const { requests, http } = fakeHttp(ok());
    await executor(http).execute(
      operation({ method: 'POST', body: () => ({ a: 1 }), credential: { in: 'body', name: 'token' } }),
      { id: 'i' },
      { get: () => Promise.resolve('cred') },
    );
    expect(requests[0].body).toBe('{"a":1,"token":"cred"}');
  });

  it('sends no credential when the operation has no place for it, or none is given', async () => {
    const { requests, http } = fakeHttp(ok());
    const run = executor(http);
    await run.execute(operation(), { id: 'i' }, { get: () => Promise.resolve('cred') });
    await run.execute(operation({ credential: { in: 'query', name: 't' } }), { id: 'i' });
    await run.execute(operation({ credential: { in: 'header', name: 't' } }), { id: 'i' });
    for (const r of requests) expect(JSON.stringify(r)).not.toContain('cred');
    expect(requests[1].url).not.toContain('t=');
    expect(requests[2].headers).toEqual({ Accept: 'application/json' });
  });
});

describe('OperationExecutor: results', () => {
  it('parses and validates the body into the model, or refuses it naming the model', async () => {
    const { http } = fakeHttp(ok({ name: 'n' }), ok({ name: 5 }));
    const run = executor(http);
    const thing = await run.execute(operation(), { id: 'i' });
    expect(thing).toBeInstanceOf(Thing);
    expect(thing).toEqual({ name: 'n' });
    const error = await run.execute(operation(), { id: 'i' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersInvalidResponseError);
    expect((error as PersonalizedOffersInvalidResponseError).operation).toBe('getThing');
  });

  it("uses the operation's build, or its parse for bodies that are not objects", async () => {
    const { http } = fakeHttp({ status: 201, headers: {}, body: '"bare"' });
    const parse = jest.fn((body: string, status: number) => Object.assign(new Thing(), { name: `${JSON.parse(body)}/${status}` }));
    expect(await executor(http).execute(operation({ parse }), { id: 'i' })).toEqual({ name: 'bare/201' });

    const built = fakeHttp(ok({ other: 'x' }));
    const build = (json: object) => Object.assign(new Thing(), { name: (json as { other: string }).other });
    expect(await executor(built.http).execute(operation({ build }), { id: 'i' })).toEqual({ name: 'x' });
  });

  it('execute opens the envelope with the operation id; executeRaw returns the body as validated', async () => {
    const { http } = fakeHttp(ok({ name: 'n' }));
    const envelope = jest.fn((body: Thing, id: string): Thing => Object.assign(new Thing(), body, { opened: id }));
    const run = executor(http);
    expect(await run.execute(operation({ envelope }), { id: 'i' })).toEqual({ name: 'n', opened: 'getThing' });
    expect(await run.executeRaw(operation({ envelope }), { id: 'i' })).toEqual({ name: 'n' });
    expect(envelope).toHaveBeenCalledTimes(1);
  });

  it('tags an envelope error with the operation id, keeping an id already set', async () => {
    const { http } = fakeHttp(ok());
    const run = executor(http);
    const refused = new PersonalizedOffersApiError('in-body failure', { status: 200 });
    const e1 = await run
      .execute(
        operation({
          envelope: () => {
            throw refused;
          },
        }),
        { id: 'i' },
      )
      .catch((e: unknown) => e);
    expect(e1).toBe(refused);
    expect(refused.operation).toBe('getThing');
    const preset = new PersonalizedOffersApiError('x', { status: 200 });
    preset.operation = 'elsewhere';
    const e2 = await run
      .execute(
        operation({
          envelope: () => {
            throw preset;
          },
        }),
        { id: 'i' },
      )
      .catch((e: unknown) => e);
    expect((e2 as PersonalizedOffersApiError).operation).toBe('elsewhere');
    const foreign = new Error('not ours');
    await expect(
      run.execute(
        operation({
          envelope: () => {
            throw foreign;
          },
        }),
        { id: 'i' },
      ),
    ).rejects.toBe(foreign);
    expect((foreign as { operation?: string }).operation).toBeUndefined();
  });

  it('validates params before anything else, tagging the error', async () => {
    const { send, http } = fakeHttp(ok());
    const credential = { get: jest.fn(() => Promise.resolve('c')) };
    const validate = () => {
      throw new InvalidArgumentError('id', 'must be given');
    };
    const error = await executor(http)
      .execute(operation({ validate }), {}, credential)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).operation).toBe('getThing');
    expect(send).not.toHaveBeenCalled();
    expect(credential.get).not.toHaveBeenCalled();
  });
});

describe('OperationExecutor: error answers', () => {
  it('maps a status of 400 or more to an API error tagged with the operation; 299 is parsed as a success', async () => {
    const { http } = fakeHttp(failed(400), ok({ name: 'n' }, 299));
    const run = executor(http);
    const error = await run.execute(operation(), { id: 'i' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(error).toMatchObject({ status: 400, operation: 'getThing', errors: [{ reasonCode: 'NOPE' }] });
    expect(await run.execute(operation(), { id: 'i' })).toEqual({ name: 'n' });
  });

  it.each([300, 301, 302, 303, 307, 308, 399])('takes a %i (a redirect, never followed) for an UNEXPECTED_REDIRECT API error, not a result', async (status) => {
    const { http } = fakeHttp(ok({ name: 'n' }, status));
    const error = await executor(http)
      .execute(operation(), { id: 'i' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersApiError);
    expect(error).toMatchObject({ status, code: 'UNEXPECTED_REDIRECT', operation: 'getThing' });
  });

  it('takes a 199 for an error too: only 2xx is a success', async () => {
    const { http } = fakeHttp(ok({ name: 'n' }, 199));
    await expect(executor(http).execute(operation(), { id: 'i' })).rejects.toBeInstanceOf(PersonalizedOffersApiError);
  });

  it('scrubs the credential, the secret query values and the module secrets from the error', async () => {
    const echo = failed(400, { ReasonCode: 'BAD', Description: 'got cred-value and authinfo-value and consumer-key-value and q-value' });
    const { http } = fakeHttp(echo);
    const error = (await executor(http, undefined, { secretValues: ['consumer-key-value'] })
      .execute(
        operation({ query: (p) => ({ AuthInfo: p.secret, q: p.q, n: 5 }), secretQuery: ['AuthInfo', 'n', 'absent'] }),
        { id: 'i', secret: 'authinfo-value', q: 'q-value' },
        { get: () => Promise.resolve('cred-value') },
      )
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;
    expect(error.errors[0].description).toBe('got [redacted] and [redacted] and [redacted] and q-value');
  });

  it('secret query names without a query hook add nothing', async () => {
    const { http } = fakeHttp(failed(400, { Description: 'echo cred-value' }));
    const error = (await executor(http)
      .execute(operation({ query: undefined, secretQuery: ['AuthInfo'] }), { id: 'i' })
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;
    expect(error.errors[0].description).toBe('echo cred-value');
  });

  it('scrubs the secrets from an invalid 2xx body too', async () => {
    const { http } = fakeHttp(ok({ name: 7, echo: 'cred-value' }));
    const error = (await executor(http)
      .execute(operation(), { id: 'i' }, { get: () => Promise.resolve('cred-value') })
      .catch((e: unknown) => e)) as PersonalizedOffersInvalidResponseError;
    expect(error.bodyExcerpt).toBe('{"name":7,"echo":"[redacted]"}');
  });

  it('a 5xx of a never-retried operation has an unknown outcome; a 4xx does not', async () => {
    const { http } = fakeHttp(failed(500), failed(499), failed(503));
    const run = executor(http);
    const unknown = await run.execute(operation({ retry: 'never' }), { id: 'i' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
    expect(unknown).toMatchObject({ operation: 'getThing', timedOut: false });
    expect((unknown as Error).cause).toBeInstanceOf(PersonalizedOffersApiError);
    expect((unknown as Error).cause).toMatchObject({ status: 500 });
    expect(await run.execute(operation({ retry: 'never' }), { id: 'i' }).catch((e: unknown) => e)).not.toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
    expect(await run.execute(operation({ retry: 'safe' }), { id: 'i' }).catch((e: unknown) => e)).not.toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
  });
});

describe('OperationExecutor: transport failures', () => {
  const network = (code: string, timedOut = false) =>
    new PersonalizedOffersNetworkError('failed', { timedOut, cause: Object.assign(new Error(code), { code }) });

  it('a never-retried operation whose request may have left has an unknown outcome, timed out or not', async () => {
    for (const timedOut of [false, true]) {
      const cause = network('ECONNRESET', timedOut);
      const { http } = fakeHttp(cause);
      const error = await executor(http)
        .execute(operation({ retry: 'never' }), { id: 'i' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersonalizedOffersOutcomeUnknownError);
      expect(error).toMatchObject({ operation: 'getThing', timedOut });
      expect((error as Error).cause).toBe(cause);
    }
  });

  it('passes the network error on when the request provably never left, or the operation may be retried', async () => {
    const refused = network('ECONNREFUSED');
    const r1 = await executor(fakeHttp(refused).http)
      .execute(operation({ retry: 'never' }), { id: 'i' })
      .catch((e: unknown) => e);
    expect(r1).toBe(refused);
    expect(refused.operation).toBe('getThing');
    const reset = network('ECONNRESET');
    expect(
      await executor(fakeHttp(reset).http)
        .execute(operation({ retry: 'upsert' }), { id: 'i' })
        .catch((e: unknown) => e),
    ).toBe(reset);
    const bug = new TypeError('bug');
    expect(
      await executor(fakeHttp(bug).http)
        .execute(operation({ retry: 'never' }), { id: 'i' })
        .catch((e: unknown) => e),
    ).toBe(bug);
  });
});

describe('OperationExecutor: refused credentials', () => {
  const renewable = (renewOn?: readonly number[]) => {
    const source = {
      get: jest.fn(() => Promise.resolve('old-cred')),
      renew: jest.fn(() => Promise.resolve('new-cred')),
      ...(renewOn ? { renewOn } : {}),
    };
    return source;
  };

  it.each([401, 403])('renews a credential refused with %i once and repeats the call with the new one', async (status) => {
    const { requests, http } = fakeHttp(failed(status), ok());
    const credential = renewable();
    const { events, telemetry } = recordingTelemetry();
    expect(await executor(http, telemetry).execute(operation({ credential: { in: 'header', name: 'tok' } }), { id: 'i' }, credential)).toEqual({ name: 'n' });
    expect(requests.map((r) => r.headers['tok'])).toEqual(['old-cred', 'new-cred']);
    expect(credential.renew).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['start getThing', 'run', `response ${status}`, 'renewed', 'response 200']);
  });

  it('renews only once: a second refusal is the error', async () => {
    const { requests, http } = fakeHttp(failed(401));
    const error = await executor(http)
      .execute(operation({ credential: { in: 'header', name: 'tok' } }), { id: 'i' }, renewable())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, operation: 'getThing' });
    expect(requests).toHaveLength(2);
  });

  it('does not renew for other statuses, for a gateway refusal, or a credential that cannot be renewed', async () => {
    for (const [result, credential] of [
      [failed(404), renewable()],
      [failed(500), renewable()],
      [failed(401, { Source: 'Gateway', ReasonCode: 'AUTHENTICATION_FAILED' }), renewable()],
      [failed(401), { get: () => Promise.resolve('held') }],
    ] as const) {
      const { requests, http } = fakeHttp(result);
      await executor(http)
        .execute(operation(), { id: 'i' }, credential)
        .catch(() => undefined);
      expect(requests).toHaveLength(1);
      if ('renew' in credential) expect(credential.renew).not.toHaveBeenCalled();
    }
  });

  it("follows the credential's own renewOn statuses", async () => {
    const { requests, http } = fakeHttp(failed(419), ok());
    const credential = renewable([419]);
    await executor(http).execute(operation(), { id: 'i' }, credential);
    expect(requests).toHaveLength(2);
    const other = fakeHttp(failed(401));
    await executor(other.http)
      .execute(operation(), { id: 'i' }, renewable([419]))
      .catch(() => undefined);
    expect(other.requests).toHaveLength(1);
  });
});

describe('OperationExecutor: telemetry and the signature refusal debug line', () => {
  it('runs the call inside the call telemetry for execute and executeRaw, and works without it', async () => {
    const { events, telemetry } = recordingTelemetry();
    const { http } = fakeHttp(ok());
    const run = executor(http, telemetry);
    await run.execute(operation(), { id: 'i' });
    await run.executeRaw(operation({ id: 'raw' }), { id: 'i' });
    expect(events).toEqual(['start getThing', 'run', 'response 200', 'start raw', 'run', 'response 200']);
    expect(await executor(http).executeRaw(operation(), { id: 'i' })).toEqual({ name: 'n' });
  });

  it('logs the redacted base string it signed when the gateway refuses, at debug level only', async () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => {});
    Logger.overrideLogger(['error', 'warn', 'log', 'debug']);
    const sbs = 'GET&https%3A%2F%2Fapi.example.com%2Fthings&AuthInfo%3Dsecret-authinfo-1%26FId%3D999';
    const refusal: HttpResult = {
      ...failed(401, [{ Source: 'Gateway', ReasonCode: 'AUTHENTICATION_FAILED' }, { Source: 'Gateway' }, { Source: 'Gateway', ReasonCode: 'SECOND' }]),
      signatureBaseString: sbs,
    };
    const run = executor(fakeHttp(refusal).http);
    await run
      .execute(operation({ query: (p) => ({ AuthInfo: p.secret }), secretQuery: ['AuthInfo'] }), { id: 'i', secret: 'secret-authinfo-1' })
      .catch(() => undefined);
    expect(debug).toHaveBeenCalledTimes(1);
    expect(debug.mock.calls[0][0]).toBe(
      'getThing: the gateway refused the request (401 AUTHENTICATION_FAILED, SECOND); the module signed this base string: GET&https%3A%2F%2Fapi.example.com%2Fthings&AuthInfo%3D[redacted]%26FId%3D999',
    );

    // No reason code at all.
    await executor(fakeHttp({ ...failed(401, { Source: 'Gateway' }), signatureBaseString: sbs }).http)
      .execute(operation(), { id: 'i' })
      .catch(() => undefined);
    expect(debug.mock.calls[1][0]).toContain('(401 no reason code)');

    // Not a gateway refusal, no base string, or debug off: no line.
    await executor(fakeHttp({ ...failed(401), signatureBaseString: sbs }).http)
      .execute(operation(), { id: 'i' })
      .catch(() => undefined);
    await executor(fakeHttp(failed(401, { Source: 'Gateway' })).http)
      .execute(operation(), { id: 'i' })
      .catch(() => undefined);
    Logger.overrideLogger(['error', 'warn', 'log']);
    await executor(fakeHttp({ ...failed(401, { Source: 'Gateway' }), signatureBaseString: sbs }).http)
      .execute(operation(), { id: 'i' })
      .catch(() => undefined);
    expect(debug).toHaveBeenCalledTimes(2);
  });
});
