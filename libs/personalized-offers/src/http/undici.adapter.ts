import { type AxiosAdapter, AxiosError, type AxiosResponse, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import type { Dispatcher } from 'undici';
import { BODY_TOO_LARGE, readBoundedBody } from './bounded-body.js';
import { NEVER_CANCELLED } from './never-cancelled.js';
import { requestUrl } from './request-url.js';

/**
 * An axios adapter that sends through an undici dispatcher (keep-alive pool) instead of
 * `node:http`. Everything above the adapter stays axios: `HttpService`, config merging, request
 * and response interceptors, transforms, `validateStatus`. It exists for throughput: axios's
 * `node:http` adapter costs several times more CPU per request (see README "Performance").
 * Redirects are not followed; cancellation works through `signal` and `cancelToken`;
 * `maxContentLength` is enforced while reading (undici does not decompress: the bytes read are
 * the bytes held), as axios's own adapter does, with axios's error.
 */
export function undiciAdapter(dispatcher: Dispatcher): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = new URL(requestUrl(config));
    const method = (config.method ?? 'get').toUpperCase();
    const body = requestBody(config);

    // axios's `GenericAbortSignal`: `addEventListener` / `removeEventListener` are optional there.
    const external = config.signal;
    if (external?.aborted) throw new CanceledError(undefined, undefined, config);
    // A real cancel token is linked to the signal through a controller of our own; the module's
    // own no-op token and a plain signal go to undici as they are (no listeners per request).
    let signal = external as AbortSignal | undefined;
    let unlink = (): void => undefined;
    const token = config.cancelToken;
    if (token && token !== NEVER_CANCELLED) {
      const controller = new AbortController();
      const onCancel = () => controller.abort();
      external?.addEventListener?.('abort', onCancel, { once: true });
      token.subscribe(onCancel);
      signal = controller.signal;
      unlink = () => {
        external?.removeEventListener?.('abort', onCancel);
        token.unsubscribe(onCancel);
      };
    }

    try {
      const res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: config.headers.toJSON(true),
        body,
        signal,
      });
      const limit = typeof config.maxContentLength === 'number' && config.maxContentLength > -1 ? config.maxContentLength : undefined;
      let data: unknown;
      try {
        data =
          config.responseType === 'stream'
            ? res.body
            : limit !== undefined
              ? await readBounded(res, limit, config)
              : config.responseType === 'arraybuffer'
                ? Buffer.from(await res.body.arrayBuffer())
                : await res.body.text();
      } catch (error) {
        if (error instanceof AxiosError) throw error;
        if (signal?.aborted) throw new CanceledError(undefined, undefined, config);
        // The answer had started: its status and headers (a correlation id) go with the error.
        const started = {
          data: undefined,
          status: res.statusCode,
          statusText: '',
          headers: res.headers as AxiosResponse['headers'],
          config,
          request: undefined,
        };
        throw AxiosError.from(error, (error as { code?: string }).code, config, undefined, started);
      }
      const response: AxiosResponse = {
        data,
        status: res.statusCode,
        statusText: '',
        headers: res.headers,
        config,
        request: { method, path: url.pathname },
      };
      if (config.validateStatus && !config.validateStatus(res.statusCode)) {
        throw new AxiosError(
          `Request failed with status code ${res.statusCode}`,
          res.statusCode >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
          config,
          response.request,
          response,
        );
      }
      return response;
    } catch (error) {
      if (error instanceof AxiosError) throw error;
      if (signal?.aborted) throw new CanceledError(undefined, undefined, config);
      throw AxiosError.from(error, (error as { code?: string }).code, config);
    } finally {
      unlink();
    }
  };
}

/** The body within `maxContentLength`; past it, axios's own `maxContentLength` error (the socket destroyed). */
async function readBounded(res: Dispatcher.ResponseData, limit: number, config: InternalAxiosRequestConfig): Promise<string | Buffer> {
  try {
    return await readBoundedBody(res, limit, config.responseType === 'arraybuffer' ? 'bytes' : 'text');
  } catch (error) {
    if (error === BODY_TOO_LARGE) throw new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config);
    throw error;
  }
}

function requestBody(config: InternalAxiosRequestConfig): string | Buffer | Uint8Array | undefined {
  const data = config.data as unknown;
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string' || Buffer.isBuffer(data) || data instanceof Uint8Array) return data;
  throw new AxiosError('The undici adapter sends only string or byte bodies.', AxiosError.ERR_BAD_REQUEST, config);
}
