import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { AxiosError, type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { InjectPersonalizedOffersHttp } from '../personalized-offers.decorators.js';
import type { HttpResult } from './http-result.js';

/**
 * Sends requests through the module's own `HttpService` (so users' axios interceptors apply)
 * and returns the raw status, headers and body. Any status is a result; only a missing
 * response is an error, and it never carries axios's request config, URL or headers.
 */
@Injectable()
export class PersonalizedOffersHttpClient {
  constructor(@InjectPersonalizedOffersHttp() private readonly http: HttpService) {}

  /** GET `url` (fully built, query included) with `Accept: application/json`. */
  async get(url: string): Promise<HttpResult> {
    let response: AxiosResponse<string>;
    try {
      response = await firstValueFrom(
        this.http.get<string>(url, {
          headers: { Accept: 'application/json' },
          responseType: 'text',
          transformResponse: (data: unknown) => data,
          validateStatus: () => true,
        }),
      );
    } catch (error) {
      throw toNetworkError(error);
    }
    return {
      status: response.status,
      headers: flattenHeaders(response.headers),
      body: typeof response.data === 'string' ? response.data : '',
    };
  }
}

function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value == null ? undefined : String(value);
  }
  return out;
}

/** Copies only the low-level code and message of a transport failure, dropping the request. */
export function toNetworkError(error: unknown): PersonalizedOffersNetworkError {
  const code = error instanceof AxiosError ? error.code : (error as { code?: string } | undefined)?.code;
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === AxiosError.ETIMEDOUT;
  const low = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const causeCode = low?.code ?? code ?? 'UNKNOWN';
  const cause = new Error(`${causeCode}${low?.message && !low.message.includes('?') ? `: ${low.message}` : ''}`);
  (cause as Error & { code?: string }).code = causeCode;
  return new PersonalizedOffersNetworkError(
    timedOut
      ? 'Personalized Offers API request timed out.'
      : `Personalized Offers API request failed before a response (${causeCode}).`,
    { timedOut, cause },
  );
}
