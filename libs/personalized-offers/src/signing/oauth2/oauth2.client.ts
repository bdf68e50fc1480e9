import type { KeyObject } from 'node:crypto';
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { PersonalizedOffersApiError } from '../../errors/personalized-offers-api.error.js';
import { PersonalizedOffersInvalidResponseError } from '../../errors/personalized-offers-invalid-response.error.js';
import { isUsableToken } from '../../operations/credential.js';
import { type JwsAlgorithm, accessTokenHash, jwkThumbprint, publicJwk, randomJti, signJws } from './jose.js';

/** What the module knows of the operation a request is for (set by the HTTP client on the axios config). */
export interface OAuth2OperationRef {
  id: string;
  method: string;
  path: string;
}

/** OAuth 2.0 settings after validation (see `OAuth2Options`). */
/** How the token cache lends its shared store: `get(key, fetch, refresh)` of an OAuth 2.0 namespace. */
export type SharedTokens = (key: string, fetch: () => Promise<string>, refresh: boolean) => Promise<string>;

export interface ResolvedOAuth2 {
  clientId: string;
  kid: string;
  clientKey: KeyObject;
  clientAlg: JwsAlgorithm;
  dpopKey: KeyObject;
  dpopAlg: JwsAlgorithm;
  scopes: readonly string[] | ((operation: OAuth2OperationRef) => readonly string[]);
  tokenEndpoint: string;
  issuer: string;
  clockSkewToleranceSeconds: number;
  /** True when `dpopKey` was given (so every instance of a fleet holds the same one). */
  dpopKeyConfigured?: boolean;
}

/** Marks the axios config of a request: its operation (for the scopes), and the module's own token requests. */
export const OAUTH2_OPERATION: unique symbol = Symbol('personalized-offers.oauth2-operation');
const TOKEN_REQUEST: unique symbol = Symbol('personalized-offers.oauth2-token-request');
const RESENT: unique symbol = Symbol('personalized-offers.oauth2-resent');

/** Tokens are served until this long before they expire (Mastercard's own clients use 60 s)… */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;
/** …or a tenth of a shorter lifetime (a 30 s token is not re-minted on every call). */
const marginFor = (lifetimeMs: number) => Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 10);

interface CachedToken {
  value: string;
  expiresAt: number;
  /** When to mint a new one: `expiresAt` minus the margin. */
  refreshAt: number;
}

type Config = InternalAxiosRequestConfig & { [OAUTH2_OPERATION]?: OAuth2OperationRef; [TOKEN_REQUEST]?: boolean; [RESENT]?: boolean };

/** An OAuth 2.0 error answer: `{error, error_description}` in the body or a `WWW-Authenticate` header. */
function oauth2ErrorOf(response: { headers: Record<string, unknown>; data: unknown }): string | undefined {
  const value = response.headers['www-authenticate'];
  const header = typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : '';
  const fromHeader = /error\s*[=:]\s*"?([a-z_]+)"?/i.exec(header)?.[1];
  if (fromHeader) return fromHeader;
  try {
    const body: unknown = typeof response.data === 'string' ? JSON.parse(response.data) : response.data;
    // Any JSON value: `null`, a number… carry no `error`.
    const error = (body as { error?: unknown } | null | undefined)?.error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Mastercard OAuth 2.0 under FAPI 2.0 for every request of the module's axios instance:
 * client-credentials tokens minted with a `private_key_jwt` assertion and bound to a DPoP key
 * (RFC 9449), a fresh DPoP proof per request and per attempt, the server's `DPoP-Nonce` kept from
 * every answer and one repeat after `use_dpop_nonce`, one re-mint and repeat after
 * `invalid_token`. Tokens are cached per scope set (and DPoP key), served until 60 s before they
 * expire, minted one at a time per scope set.
 */
export class OAuth2Client {
  private readonly jwk: Record<string, string>;
  private readonly jkt: string;
  private nonce: string | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly minting = new Map<string, Promise<string>>();
  /** Token requests sent (for tests and the health view). */
  tokenRequests = 0;
  /** The error code of the last mint when it failed (cleared by a success). */
  private lastFailure: string | undefined;
  /** A fleet's token store (see `shareThrough`). */
  private shared: SharedTokens | undefined;
  /** Keys whose shared token the gateway refused (`invalid_token`): re-minted on the next read. */
  private readonly refusedShared = new Set<string>();

  constructor(
    private readonly options: ResolvedOAuth2,
    private readonly now: () => number = Date.now,
  ) {
    this.jwk = publicJwk(options.dpopKey);
    this.jkt = jwkThumbprint(this.jwk);
  }

  /**
   * The token state, read without calling Mastercard (for the health indicator): `failing` when
   * the last mint failed, `valid` while every cached token has more than the margin left,
   * `expiring` when one is within it (the next call mints), `none` before the first token.
   */
  state(): { state: 'none' | 'valid' | 'expiring' | 'failing'; tokens: number; expiresInMs?: number; reason?: string } {
    if (this.lastFailure !== undefined) return { state: 'failing', tokens: this.tokens.size, reason: this.lastFailure };
    if (this.tokens.size === 0) return { state: 'none', tokens: 0 };
    const now = this.now();
    const values = [...this.tokens.values()];
    const soonest = Math.min(...values.map((t) => t.expiresAt)) - now;
    const refreshDue = values.some((t) => t.refreshAt <= now);
    return { state: refreshDue ? 'expiring' : 'valid', tokens: this.tokens.size, expiresInMs: Math.max(0, soonest) };
  }

  /** True when the DPoP key is configuration (the same on every instance), not made at start. */
  get dpopKeyConfigured(): boolean {
    return this.options.dpopKeyConfigured === true;
  }

  /**
   * Shares tokens through the module's token store (a fleet mints once per scope set): called by
   * the token cache when the store is shared and the DPoP key is configured. The store holds the
   * token and its times as JSON, never a key.
   */
  shareThrough(shared: SharedTokens): void {
    this.shared = shared;
  }

  /** For the start-up line: the algorithms and the client ID's last 4 characters. */
  get describe(): string {
    return `client …${this.options.clientId.slice(-4)}, assertion ${this.options.clientAlg}, proofs ${this.options.dpopAlg}`;
  }

  /** The values an upstream echo must never carry into an error: the cached access tokens. */
  get secretValues(): readonly string[] {
    return [...this.tokens.values()].map((t) => t.value);
  }

  /** Installs the request and response interceptors on `instance` (first: they run last). */
  install(instance: AxiosInstance): void {
    instance.interceptors.request.use(async (config: Config) => {
      if (config[TOKEN_REQUEST]) return config;
      const method = (config.method ?? 'get').toUpperCase();
      const operation = config[OAUTH2_OPERATION] ?? { id: '', method, path: '' };
      const headers = await this.authorize(operation, method, new URL(config.url ?? '', config.baseURL), instance);
      config.headers.set('Authorization', headers.Authorization);
      config.headers.set('DPoP', headers.DPoP);
      return config;
    });
    instance.interceptors.response.use(async (response: AxiosResponse) => {
      const config = response.config as Config;
      if (config[TOKEN_REQUEST] || config[RESENT]) {
        this.answered(0, response.headers['dpop-nonce'], undefined);
        return response;
      }
      if (this.answered(response.status, response.headers['dpop-nonce'], () => oauth2ErrorOf(response))) {
        return instance.request({ ...config, [RESENT]: true } as AxiosRequestConfig);
      }
      return response;
    });
  }

  /**
   * The `Authorization` and `DPoP` headers of one request (a token for the operation's scopes,
   * minted through `instance` when none is cached, and a fresh proof over `method` and `url`):
   * what the request interceptor sets, and what the HTTP client's direct path sends.
   */
  async authorize(operation: OAuth2OperationRef, method: string, url: URL, instance: AxiosInstance): Promise<{ Authorization: string; DPoP: string }> {
    const token = await this.token(this.scopesFor(operation), instance);
    return { Authorization: `DPoP ${token}`, DPoP: await this.proof(method, url, token) };
  }

  /**
   * Reads an answer of the API (never of a token request): keeps its `DPoP-Nonce`, and returns
   * true when the request must be sent once more with fresh headers (a 401 `use_dpop_nonce`, or
   * `invalid_token`, which also drops the cached tokens). `errorOf` reads the OAuth 2.0 error
   * only for a 401. Status 0: only the nonce is kept.
   */
  answered(status: number, nonce: unknown, errorOf: (() => string | undefined) | undefined): boolean {
    if (typeof nonce === 'string' && nonce.length > 0) this.nonce = nonce;
    if (status !== 401 || errorOf === undefined) return false;
    const error = errorOf();
    // A refusal before the API looked at the request: nothing was processed, one repeat is safe.
    if (error === 'use_dpop_nonce') return true;
    if (error === 'invalid_token') {
      // The fleet's copy in the shared store is refused too: the next read mints anew.
      for (const key of this.tokens.keys()) this.refusedShared.add(key);
      this.tokens.clear();
      return true;
    }
    return false;
  }

  /** The OAuth 2.0 error of an answer's `WWW-Authenticate` header or body text. */
  static errorOf(headers: Record<string, unknown>, body: string): string | undefined {
    return oauth2ErrorOf({ headers, data: body });
  }

  private scopesFor(operation: OAuth2OperationRef): readonly string[] {
    const scopes = typeof this.options.scopes === 'function' ? this.options.scopes(operation) : this.options.scopes;
    return [...new Set(scopes)].sort();
  }

  /** A DPoP proof for one request (RFC 9449 §4.2): new `jti`, `htu` without query and fragment. */
  async proof(method: string, url: URL, accessToken?: string): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = { jti: randomJti(), htm: method, htu: `${url.origin}${url.pathname}`, iat };
    if (accessToken !== undefined) claims.ath = accessTokenHash(accessToken);
    if (this.nonce !== undefined) claims.nonce = this.nonce;
    return signJws({ typ: 'dpop+jwt', alg: this.options.dpopAlg, jwk: this.jwk }, claims, this.options.dpopKey, this.options.dpopAlg);
  }

  /** The cached token of a scope set, or one minted now (one mint per scope set at a time). */
  token(scopes: readonly string[], instance: AxiosInstance): Promise<string> {
    const key = `${this.jkt} ${scopes.join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached && cached.refreshAt > this.now()) return Promise.resolve(cached.value);
    let flight = this.minting.get(key);
    if (!flight) {
      flight = (this.shared ? this.fromShared(this.shared, key, scopes, instance) : this.mint(scopes, instance)).then(
        (token) => {
          this.tokens.set(key, token);
          this.minting.delete(key);
          this.lastFailure = undefined;
          return token.value;
        },
        (error: unknown) => {
          this.minting.delete(key);
          this.lastFailure = (error as { code?: string }).code ?? 'error';
          throw error;
        },
      );
      this.minting.set(key, flight);
    }
    return flight;
  }

  /** The fleet's token from the shared store, minted (once across the fleet) when absent or due. */
  private async fromShared(shared: SharedTokens, key: string, scopes: readonly string[], instance: AxiosInstance): Promise<CachedToken> {
    const mint = async () => JSON.stringify(await this.mint(scopes, instance));
    const read = (text: string): CachedToken | undefined => {
      try {
        const t = JSON.parse(text) as CachedToken;
        return typeof t.value === 'string' && typeof t.refreshAt === 'number' && typeof t.expiresAt === 'number' ? t : undefined;
      } catch {
        return undefined;
      }
    };
    if (!this.refusedShared.delete(key)) {
      const stored = read(await shared(key, mint, false));
      if (stored && stored.refreshAt > this.now()) return stored;
    }
    const fresh = read(await shared(key, mint, true));
    if (!fresh) throw new PersonalizedOffersInvalidResponseError('Personalized Offers OAuth 2.0 token from the shared store is unreadable.', { status: 200 });
    return fresh;
  }

  /** `POST {tokenEndpoint}` with the client assertion and a DPoP proof; once more after `use_dpop_nonce`. */
  private async mint(scopes: readonly string[], instance: AxiosInstance): Promise<CachedToken> {
    for (let attempt = 1; ; attempt++) {
      this.tokenRequests++;
      const endpoint = new URL(this.options.tokenEndpoint);
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.options.clientId });
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', await this.assertion());
      const response = await instance.request<string>({
        method: 'POST',
        url: this.options.tokenEndpoint,
        data: form.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', DPoP: await this.proof('POST', endpoint) },
        responseType: 'text',
        transformRequest: (d: unknown) => d,
        transformResponse: (d: unknown) => d,
        validateStatus: () => true,
        [TOKEN_REQUEST]: true,
      } as AxiosRequestConfig);
      const error = oauth2ErrorOf(response);
      if ((response.status === 400 || response.status === 401) && error === 'use_dpop_nonce' && attempt === 1) continue;
      if (response.status !== 200) {
        throw new PersonalizedOffersApiError(
          `Personalized Offers OAuth 2.0 token request refused (${response.status}${error ? ` ${error}` : ''}): check oauth2.clientId, oauth2.kid, the client key and oauth2.scopes.`,
          { status: response.status, errors: error ? [{ reasonCode: error, source: 'OAuth2' }] : [] },
          'OAUTH2_TOKEN_REFUSED',
        );
      }
      return this.parse(response.data);
    }
  }

  private parse(body: unknown): CachedToken {
    // Any JSON value (`null` included) until its fields are checked.
    let json: { access_token?: unknown; token_type?: unknown; expires_in?: unknown } | null | undefined;
    try {
      json = (typeof body === 'string' ? JSON.parse(body) : body) as typeof json;
    } catch {
      json = undefined;
    }
    const token = json?.access_token;
    const expiresIn = json?.expires_in;
    if (!isUsableToken(token) || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new PersonalizedOffersInvalidResponseError('Personalized Offers OAuth 2.0 token response is not a usable token.', { status: 200 });
    }
    // RFC 9449 §5: a token that is not DPoP-bound is refused (its protection is the point).
    if (typeof json?.token_type !== 'string' || json.token_type.toLowerCase() !== 'dpop') {
      throw new PersonalizedOffersInvalidResponseError('Personalized Offers OAuth 2.0 token response is not a DPoP-bound token (token_type).', { status: 200 });
    }
    const now = this.now();
    return { value: token, expiresAt: now + expiresIn * 1000, refreshAt: now + expiresIn * 1000 - marginFor(expiresIn * 1000) };
  }

  /** The `private_key_jwt` client assertion: fresh `jti`, `exp` 90 s (plus the skew tolerance) ahead. */
  private assertion(): Promise<string> {
    const { clientId, kid, issuer, clockSkewToleranceSeconds: skew, clientKey, clientAlg } = this.options;
    const iat = Math.floor(this.now() / 1000);
    const claims = { iss: clientId, sub: clientId, aud: issuer, jti: randomJti(), iat, nbf: iat - skew, exp: iat + 90 + skew };
    return signJws({ alg: clientAlg, typ: 'JWT', kid }, claims, clientKey, clientAlg);
  }
}
