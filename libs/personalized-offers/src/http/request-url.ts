import axios, { type AxiosRequestConfig } from 'axios';

/**
 * The full URL axios sends for `config`. An absolute `url` without `params` is used as is;
 * anything else goes through `axios.getUri` (which re-merges the whole config: costly per request).
 */
export function requestUrl(config: AxiosRequestConfig): string {
  const { url, baseURL } = config;
  const params: unknown = config.params;
  if (url && !params && (!baseURL || /^https?:\/\//i.test(url))) return url;
  return axios.getUri(config);
}
