import { type AxiosAdapter, AxiosError, type AxiosResponse, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import type { Dispatcher } from 'undici';
import { requestUrl } from './request-url.js';

/**
 * An axios adapter that sends through an undici dispatcher (keep-alive pool) instead of
 * `node:http`. Everything above the adapter stays axios: `HttpService`, config merging, request
 * and response interceptors, transforms, `validateStatus`. It exists for throughput: axios's
 * `node:http` adapter costs several times more CPU per request (see README "Performance").
 * Redirects are not followed; cancellation works through `signal` and `cancelToken`.
 */
export function undiciAdapter(dispatcher: Dispatcher): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = new URL(requestUrl(config));
    const method = (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod;
    const body = requestBody(config);

    let cancelled = false;
    const controller = new AbortController();
    const onCancel = () => {
      cancelled = true;
      controller.abort();
    };
    const external = config.signal as AbortSignal | undefined;
    if (external?.aborted) throw new CanceledError(undefined, undefined, config);
    external?.addEventListener?.('abort', onCancel, { once: true });
    config.cancelToken?.subscribe(onCancel);

    try {
      const res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: config.headers.toJSON(true) as Record<string, string>,
        body,
        signal: controller.signal,
      });
      const data =
        config.responseType === 'stream'
          ? res.body
          : config.responseType === 'arraybuffer'
            ? Buffer.from(await res.body.arrayBuffer())
            : await res.body.text();
      const response: AxiosResponse = {
        data,
        status: res.statusCode,
        statusText: '',
        headers: res.headers as AxiosResponse['headers'],
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
      if (cancelled) throw new CanceledError(undefined, undefined, config);
      throw AxiosError.from(error, (error as { code?: string }).code, config);
    } finally {
      external?.removeEventListener?.('abort', onCancel);
      config.cancelToken?.unsubscribe(onCancel);
    }
  };
}

function requestBody(config: InternalAxiosRequestConfig): string | Buffer | Uint8Array | undefined {
  const data = config.data as unknown;
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string' || Buffer.isBuffer(data) || data instanceof Uint8Array) return data;
  throw new AxiosError('The undici adapter sends only string or byte bodies.', AxiosError.ERR_BAD_REQUEST, config);
}
