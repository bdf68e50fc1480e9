import { isIP } from 'node:net';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';

/** True for `localhost`, `127.0.0.0/8` and `::1`: hosts where clear-text HTTP never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** The v1.3-style base path that older configurations end in. */
const LEGACY_BASE_PATH = /\/plo\/v1$/i;

/**
 * Validates and normalizes the base URL (no trailing slash). A base URL in the v1.3 style,
 * ending in `/plo/v1`, is taken as its host part (operations carry full paths); a path prefix
 * before it (a proxy) is kept. `legacyPath` tells the caller to warn about it. Clear-text `http://` is refused
 * unless the host is loopback, so only the simulator and local stand-ins get it.
 */
export function resolveBaseUrl(value: unknown, setting = 'baseUrl'): { url: URL; legacyPath: boolean } {
  let url: URL;
  try {
    if (typeof value !== 'string') throw new TypeError();
    url = new URL(value);
  } catch {
    throw new PersonalizedOffersConfigError(setting, `${setting} must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PersonalizedOffersConfigError(setting, `${setting} must use https.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new PersonalizedOffersConfigError(
      setting,
      `${setting} must use https: clear-text http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1).`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new PersonalizedOffersConfigError(setting, `${setting} must not contain credentials, a query or a fragment.`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  const legacyPath = LEGACY_BASE_PATH.test(path);
  if (legacyPath) path = path.replace(LEGACY_BASE_PATH, '');
  url.pathname = path;
  return { url, legacyPath };
}
