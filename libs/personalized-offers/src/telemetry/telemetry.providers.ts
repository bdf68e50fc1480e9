import type { Provider } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { type OpenTelemetryApi, OpenTelemetryTelemetry, type ServerTarget } from './open-telemetry.js';
import { NOOP_TELEMETRY, PERSONALIZED_OFFERS_TELEMETRY, type Telemetry } from './telemetry.js';

/** Imports `@opentelemetry/api` (an optional peer). */
const importApi = (): Promise<unknown> => import('@opentelemetry/api');

/**
 * The module's telemetry: over `@opentelemetry/api` when it can be imported, no-op otherwise.
 * Loaded lazily, from an async provider: no static import of the optional peer and no top-level
 * await, so the package still loads with `require()` and without the peer installed.
 */
export async function loadTelemetry(baseUrl: string, load: () => Promise<unknown> = importApi, registration?: string): Promise<Telemetry> {
  let loaded: unknown;
  try {
    loaded = await load();
  } catch {
    return NOOP_TELEMETRY;
  }
  const api = usableApi(loaded) ?? usableApi((loaded as { default?: unknown } | undefined)?.default);
  return api ? new OpenTelemetryTelemetry(api, registration === undefined ? serverOf(baseUrl) : { ...serverOf(baseUrl), registration }) : NOOP_TELEMETRY;
}

/** The API when `value` has what this module uses (1.3+: metrics and the no-op meter). */
function usableApi(value: unknown): OpenTelemetryApi | undefined {
  const api = value as Partial<OpenTelemetryApi> | undefined;
  return typeof api?.trace?.getTracerProvider === 'function' &&
    typeof api.metrics?.getMeterProvider === 'function' &&
    typeof api.context?.with === 'function' &&
    typeof api.createNoopMeter === 'function' &&
    typeof api.ProxyTracerProvider === 'function'
    ? (api as OpenTelemetryApi)
    : undefined;
}

/** `server.address` and `server.port` of the base URL: host and port only, never a path or credentials. */
export function serverOf(baseUrl: string): ServerTarget {
  const url = new URL(baseUrl);
  const address = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  return { address, port };
}

/** The `PERSONALIZED_OFFERS_TELEMETRY` provider. */
export const telemetryProviders: Provider[] = [
  {
    provide: PERSONALIZED_OFFERS_TELEMETRY,
    useFactory: (resolved: ResolvedPersonalizedOffersOptions) => loadTelemetry(resolved.baseUrl, importApi, resolved.registration),
    inject: [PERSONALIZED_OFFERS_RESOLVED_OPTIONS],
  },
];
