import type { AxiosInstance } from 'axios';
import { requestUrl } from '../http/request-url.js';
import type { OAuthSigner } from './oauth-signer.js';

/**
 * Where the interceptor leaves the signature base string of the attempt on axios's request
 * config (which comes back as `response.config`): a symbol, so it is never serialized with the
 * config and never sent.
 */
export const SIGNATURE_BASE_STRING: unique symbol = Symbol('personalized-offers.signature-base-string');

/**
 * Signs every request of the module's axios instance, present and future endpoints alike, over
 * the URL axios will send (base URL, path and serialized query, as the WHATWG parser leaves
 * it) and the exact body text. Registered first, so it runs last: users' request interceptors
 * cannot change the URL after it is signed. Runs again on each retry: fresh nonce and timestamp
 * per attempt. Asynchronous: the RSA step runs on the thread pool, not on the event loop.
 */
export function installOAuthSigning(instance: AxiosInstance, signer: OAuthSigner): void {
  instance.interceptors.request.use(async (config) => {
    const url = new URL(requestUrl(config)).href;
    const body = typeof config.data === 'string' ? config.data : config.data === undefined ? undefined : JSON.stringify(config.data);
    const signed = await signer.signRequest(config.method ?? 'get', url, body);
    config.headers.set('Authorization', signed.header);
    (config as { [SIGNATURE_BASE_STRING]?: string })[SIGNATURE_BASE_STRING] = signed.baseString;
    return config;
  });
}
