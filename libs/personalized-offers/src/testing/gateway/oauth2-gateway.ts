import { KeyObject, X509Certificate, createPublicKey, randomBytes } from 'node:crypto';
import {
  type CompactJws,
  type ImportedJwk,
  JWS_ALGORITHMS,
  type JwsAlgorithm,
  accessTokenHash,
  algorithmOf,
  importPublicJwk,
  normalizeHtu,
  parseCompactJws,
  verifyJws,
} from './jose-verify.js';
import { type ReceivedTarget, baseUriOf } from './signature-base-string.js';

/** How the gateway writes `WWW-Authenticate`: RFC 9449 (`DPoP error="…"`) or the colon form Mastercard's own fakes use (`Dpop error:"…"`). */
export type SimulatorWwwAuthenticateStyle = 'rfc' | 'colon';

/**
 * The `gateway.oauth2` option of `PersonalizedOffersSimulator`: play Mastercard's OAuth 2.0
 * authorization server (`POST /oauth/token`: FAPI 2.0 client credentials, `private_key_jwt`,
 * DPoP) and check every API request as its gateway does (DPoP-bound access tokens, RFC 9449).
 */
export interface SimulatorOAuth2Options {
  /** The OAuth 2.0 client ID: `client_id`, and the assertion's `iss` and `sub`. */
  clientId: string;
  /** The key ID of the client's authentication key: the assertion header's `kid`. */
  kid: string;
  /**
   * The public half of the client's authentication key: a PEM public key, an X.509 certificate
   * (PEM, or DER in a Buffer), or a `KeyObject` (a private one is reduced to its public half).
   * RSA (≥ 2048 bits) → assertions signed PS256; EC P-256 → ES256.
   */
  publicKey: string | Buffer | KeyObject;
  /** The scopes the client may be granted; a token request asking for another one gets `invalid_scope`. @default any scope requested */
  scopes?: string[];
  /** `expires_in` of the access tokens, in seconds of the simulator clock. @default 900 */
  tokenTtlSeconds?: number;
  /** Refuse a DPoP proof without a current server nonce (`use_dpop_nonce`), at the token endpoint and the gateway. @default true */
  requireNonce?: boolean;
  /** Form of the gateway's `WWW-Authenticate` header. @default 'rfc' */
  wwwAuthenticate?: SimulatorWwwAuthenticateStyle;
  /**
   * The scope an operation needs (Mastercard does not publish one per operation): the access
   * token must have been granted it, else 403 `insufficient_scope`. Return `undefined` (or
   * `''`) for none. @default none: any token accepted at the token endpoint passes
   */
  scopeFor?: (operationId: string) => string | undefined;
  /** Seconds of the simulator clock after which the server nonce changes by itself (the previous one stays valid one more period). `Infinity`: only `rotateDpopNonce()`. @default 300 */
  nonceRotationSeconds?: number;
}

/** The `gateway` option in OAuth 2.0 mode. */
export interface SimulatorOAuth2GatewayOptions {
  /** The OAuth 2.0 client the simulator accepts, and how its authorization server behaves. */
  oauth2: SimulatorOAuth2Options;
}

/** What the simulator answers when the authorization server or the gateway speaks instead of an operation. */
export interface OAuth2Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /** Present for a refusal: what the request log records as `gatewayRefusal`. */
  readonly refusal?: { readonly status: number; readonly reasonCode: string; readonly description: string };
}

/** The token endpoint's path, on the simulator's origin (as at Mastercard: `https://api.mastercard.com/oauth/token`). */
export const TOKEN_ENDPOINT_PATH = '/oauth/token';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Proof `iat` window (RFC 9449 §11.1; FAPI 2.0's JWT rule): this far in the past, and in the future. */
const PROOF_MAX_AGE_S = 60;
const PROOF_MAX_FUTURE_S = 10;
/** Client assertion: `iat`/`nbf` at most this far ahead; `exp` at most this far ahead. */
const ASSERTION_MAX_FUTURE_S = 60;
const ASSERTION_MAX_LIFETIME_S = 300;
/** Bounded memories: the oldest go first past these sizes. */
const MAX_REMEMBERED = 100_000;
const MAX_JWKS = 256;
/** RFC 6749 scope-token characters (NQCHAR without space). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const ALGS = JWS_ALGORITHMS.slice().sort().join(' ');

const NONCE_REQUIRED_AS = 'Authorization server requires nonce in DPoP proof';
const NONCE_REQUIRED_RS = 'Resource server requires nonce in DPoP proof';
const TOKEN_INVALID = 'The access token is invalid or expired';
const KEY_BINDING = 'Invalid DPoP key binding';
const SCOPE_REFUSED = 'requested scope is not permitted';

interface IssuedToken {
  readonly jkt: string;
  readonly scopes: ReadonlySet<string>;
  expiresAt: number;
}

/** A request at the token endpoint, as it arrived. */
export interface OAuth2TokenRequest extends ReceivedTarget {
  readonly contentType: string | undefined;
  /** Every `DPoP` header line. */
  readonly dpop: readonly string[];
  readonly body: Buffer;
}

/** An API request, as it arrived. */
export interface OAuth2ResourceRequest extends ReceivedTarget {
  /** Every `Authorization` header line. */
  readonly authorization: readonly string[];
  /** Every `DPoP` header line. */
  readonly dpop: readonly string[];
  /** The operation it routes to; undefined for an unknown path or method. */
  readonly operationId: string | undefined;
}

type ProofCheck = { ok: true; jkt: string; jti: string; iat: number } | { ok: false; nonce?: true; description: string };

/**
 * Mastercard's OAuth 2.0 authorization server and gateway, as far as OAUTH2.md knows them
 * (FAPI 2.0 "private key + DPoP": client credentials, `private_key_jwt`, DPoP-bound opaque
 * access tokens, server nonces shared by both ends). Verifies with Node's `crypto` only.
 */
export class OAuth2Gateway {
  readonly clientId: string;
  readonly kid: string;
  private readonly publicKey: KeyObject;
  private readonly assertionAlg: JwsAlgorithm;
  private readonly allowedScopes: ReadonlySet<string> | undefined;
  private readonly ttlSeconds: number;
  private readonly requireNonce: boolean;
  private readonly style: SimulatorWwwAuthenticateStyle;
  private readonly scopeFor: ((operationId: string) => string | undefined) | undefined;
  private readonly rotationMs: number;
  private nonce: string;
  private previousNonce: string | undefined;
  private nonceIssuedAt: number;
  private readonly tokens = new Map<string, IssuedToken>();
  /** `jti` of admitted assertions → when their `exp` passes (ms). */
  private readonly assertionJtis = new Map<string, number>();
  /** `jkt jti` of admitted proofs → when their `iat` leaves the window (ms). */
  private readonly proofJtis = new Map<string, number>();
  /** Imported proof keys by `alg` and JWK text (bounded). */
  private readonly jwks = new Map<string, ImportedJwk>();
  /** Requests at the token endpoint, whatever their outcome. */
  tokenRequests = 0;
  /** Access tokens issued. */
  tokensIssued = 0;

  constructor(
    /** From the simulator's options: JavaScript callers may give anything (`gateway: { oauth2: undefined }`). */
    options: SimulatorOAuth2Options | undefined,
    private readonly now: () => number,
    /** The simulator's own origin (`http://127.0.0.1:PORT`): the issuer, the assertion's `aud`. */
    private readonly issuer: () => string | undefined,
  ) {
    if (typeof options?.clientId !== 'string' || options.clientId === '') throw new TypeError('gateway.oauth2.clientId must be a non-empty string.');
    if (typeof options.kid !== 'string' || options.kid === '') throw new TypeError('gateway.oauth2.kid must be a non-empty string.');
    this.clientId = options.clientId;
    this.kid = options.kid;
    this.publicKey = toPublicKey(options.publicKey);
    const alg = algorithmOf(this.publicKey);
    if (!alg) throw new TypeError('gateway.oauth2.publicKey must be an RSA key of at least 2048 bits (PS256) or an EC P-256 key (ES256).');
    this.assertionAlg = alg;
    if (options.scopes !== undefined) {
      if (!Array.isArray(options.scopes) || options.scopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
        throw new TypeError('gateway.oauth2.scopes must be a list of scope names (no spaces, quotes or backslashes).');
      }
      this.allowedScopes = new Set(options.scopes);
    }
    this.ttlSeconds = options.tokenTtlSeconds ?? 900;
    if (!(Number.isInteger(this.ttlSeconds) && this.ttlSeconds > 0))
      throw new RangeError('gateway.oauth2.tokenTtlSeconds must be a positive whole number of seconds.');
    this.requireNonce = options.requireNonce ?? true;
    const style: unknown = options.wwwAuthenticate ?? 'rfc';
    if (style !== 'rfc' && style !== 'colon') throw new RangeError("gateway.oauth2.wwwAuthenticate must be 'rfc' or 'colon'.");
    this.style = style;
    if (options.scopeFor !== undefined && typeof options.scopeFor !== 'function')
      throw new TypeError('gateway.oauth2.scopeFor must be a function of the operationId.');
    this.scopeFor = options.scopeFor;
    const rotation = options.nonceRotationSeconds ?? 300;
    if (!(rotation > 0)) throw new RangeError('gateway.oauth2.nonceRotationSeconds must be a positive number of seconds (or Infinity).');
    this.rotationMs = rotation * 1000;
    this.nonce = newNonce();
    this.nonceIssuedAt = this.now();
  }

  /** The nonce to send in `DPoP-Nonce` now (rotated when its period is over). */
  currentNonce(): string {
    const now = this.now();
    const periods = Number.isFinite(this.rotationMs) ? Math.floor((now - this.nonceIssuedAt) / this.rotationMs) : 0;
    if (periods >= 1) {
      // Two periods or more: the last one issued is stale too.
      this.previousNonce = periods === 1 ? this.nonce : undefined;
      this.nonce = newNonce();
      this.nonceIssuedAt = now;
    }
    return this.nonce;
  }

  /** A new server nonce now; the one before is refused from now on, unless `keepPrevious` (then it stays valid until the next rotation, as after a timed one). */
  rotateNonce(keepPrevious = false): string {
    this.previousNonce = keepPrevious ? this.nonce : undefined;
    this.nonce = newNonce();
    this.nonceIssuedAt = this.now();
    return this.nonce;
  }

  /** Forgets every access token issued: each now gets 401 `invalid_token`. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Makes every access token issued so far expired on the simulator clock. */
  expireTokens(): void {
    const now = this.now();
    for (const token of this.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now - 1);
  }

  /** `POST /oauth/token` (any method reaches here: only POST is served). */
  token(request: OAuth2TokenRequest): OAuth2Answer {
    this.tokenRequests += 1;
    if (request.method !== 'POST') {
      return { ...asError(405, 'invalid_request', 'The token endpoint accepts POST only'), headers: { ...NO_STORE, Allow: 'POST' } };
    }
    const type = (request.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return asError(400, 'invalid_request', 'The token request must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const params = new Map<string, string>();
    for (const [name, value] of form) {
      if (params.has(name)) return asError(400, 'invalid_request', `The parameter ${name} is given more than once`);
      params.set(name, value);
    }
    const grantType = params.get('grant_type');
    if (grantType === undefined) return asError(400, 'invalid_request', 'grant_type is missing');
    if (grantType !== 'client_credentials') return asError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported; use client_credentials`);

    // The DPoP proof: without a valid one no token is bound, and the nonce comes first.
    if (request.dpop.length !== 1) {
      return asError(400, 'invalid_dpop_proof', request.dpop.length === 0 ? 'A DPoP proof is required' : 'Exactly one DPoP header is allowed');
    }
    const proof = this.checkProof(request.dpop[0], request, undefined, NONCE_REQUIRED_AS);
    if (!proof.ok) return proof.nonce ? asError(400, 'use_dpop_nonce', proof.description) : asError(400, 'invalid_dpop_proof', proof.description);
    if (!this.rememberProof(proof)) return asError(400, 'invalid_dpop_proof', 'DPoP proof jti was already used');

    // Client authentication (private_key_jwt).
    const clientId = params.get('client_id');
    if (clientId === undefined) return asError(400, 'invalid_request', 'client_id is missing');
    if (clientId !== this.clientId) return asError(401, 'invalid_client', 'Unknown client_id');
    const assertionType = params.get('client_assertion_type');
    const assertion = params.get('client_assertion');
    if (assertionType === undefined || assertion === undefined)
      return asError(401, 'invalid_client', 'Client authentication (client_assertion and client_assertion_type) is required');
    if (assertionType !== ASSERTION_TYPE) return asError(401, 'invalid_client', `client_assertion_type must be ${ASSERTION_TYPE}`);
    const problem = this.checkAssertion(assertion, request);
    if (problem) return asError(401, 'invalid_client', problem);

    // Scopes.
    const scope = params.get('scope');
    const requested = scope === undefined ? [] : [...new Set(scope.split(' ').filter((s) => s !== ''))];
    if (requested.some((s) => !SCOPE_TOKEN.test(s))) return asError(400, 'invalid_scope', 'The scope parameter is malformed');
    let granted: string[];
    if (requested.length === 0) {
      if (!this.allowedScopes || this.allowedScopes.size === 0) return asError(400, 'invalid_scope', 'No scope requested, and the client has no default scope');
      granted = [...this.allowedScopes];
    } else {
      const refused = requested.filter((s) => this.allowedScopes && !this.allowedScopes.has(s));
      if (refused.length > 0) return asError(400, 'invalid_scope', `Scope not allowed for this client: ${refused.join(' ')}`);
      granted = requested;
    }

    const accessToken = randomBytes(32).toString('base64url');
    this.remember(this.tokens, accessToken, { jkt: proof.jkt, scopes: new Set(granted), expiresAt: this.now() + this.ttlSeconds * 1000 });
    this.tokensIssued += 1;
    return {
      status: 200,
      headers: { ...NO_STORE },
      body: { access_token: accessToken, token_type: 'DPoP', expires_in: this.ttlSeconds, scope: granted.join(' ') },
    };
  }

  /** The gateway's answer to an API request it refuses, or undefined when the request may go on to its operation. */
  check(request: OAuth2ResourceRequest): OAuth2Answer | undefined {
    if (request.authorization.length === 0) return gatewayRefusal(400, 'INVALID_AUTH_HEADER', 'Bad Request - No Authorization header set.');
    if (request.authorization.length > 1) return gatewayRefusal(400, 'INVALID_AUTH_HEADER', 'Bad Request - More than one Authorization header set.');
    const authorization = request.authorization[0];
    const scheme = /^[ \t]*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:[ \t]+|$)/.exec(authorization);
    const schemeName = scheme?.[1]?.toLowerCase();
    if (schemeName === 'oauth') {
      return gatewayRefusal(
        400,
        'INVALID_AUTH_HEADER',
        'Bad Request - OAuth 1.0a is not accepted for this client: send Authorization: DPoP <access token> and a DPoP proof.',
      );
    }
    if (scheme === null || schemeName !== 'dpop')
      return gatewayRefusal(400, 'INVALID_AUTH_HEADER', 'Bad Request - The Authorization header must use the DPoP scheme.');
    const token = authorization.slice(scheme[0].length).trim();
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
      return gatewayRefusal(400, 'INVALID_AUTH_HEADER', 'Bad Request - The Authorization header carries no access token.');
    if (request.dpop.length === 0) return gatewayRefusal(400, 'MALFORMED_OAUTH_REQ', 'Invalid Request');
    if (request.dpop.length > 1) return this.challenge(401, 'invalid_dpop_proof', 'Exactly one DPoP header is allowed');

    const proof = this.checkProof(request.dpop[0], request, token, NONCE_REQUIRED_RS);
    if (!proof.ok) return proof.nonce ? this.challenge(401, 'use_dpop_nonce', proof.description) : this.challenge(401, 'invalid_dpop_proof', proof.description);
    if (!this.rememberProof(proof)) return this.challenge(401, 'invalid_dpop_proof', 'DPoP proof jti was already used');

    const issued = this.tokens.get(token);
    if (!issued || issued.expiresAt <= this.now()) return this.challenge(401, 'invalid_token', TOKEN_INVALID);
    if (issued.jkt !== proof.jkt) return this.challenge(401, 'invalid_token', KEY_BINDING);
    const needed = request.operationId !== undefined ? this.scopeFor?.(request.operationId) : undefined;
    if (needed && !issued.scopes.has(needed)) return this.challenge(403, 'insufficient_scope', SCOPE_REFUSED);
    return undefined;
  }

  /** RFC 9449 §4.3 checks of one proof (no replay bookkeeping): for the token endpoint (`accessToken` undefined) or an API request. */
  private checkProof(text: string, request: ReceivedTarget, accessToken: string | undefined, nonceRequired: string): ProofCheck {
    const jws: CompactJws | undefined = parseCompactJws(text.trim());
    if (!jws) return { ok: false, description: 'DPoP proof is not a well-formed JWT' };
    const { header, payload } = jws;
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') return { ok: false, description: 'DPoP proof typ must be dpop+jwt' };
    const alg = header.alg;
    if (typeof alg !== 'string' || !(JWS_ALGORITHMS as readonly string[]).includes(alg))
      return { ok: false, description: `DPoP proof alg must be one of ${ALGS}` };
    const jwk = this.importJwk(alg as JwsAlgorithm, header.jwk);
    if (!jwk.ok) return { ok: false, description: `DPoP proof jwk is not acceptable: ${jwk.problem}` };
    if (!verifyJws(alg as JwsAlgorithm, jwk.key, jws.signingInput, jws.signature))
      return { ok: false, description: 'DPoP proof signature does not verify with its jwk' };

    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) return { ok: false, description: 'DPoP proof jti is missing' };
    if (typeof htm !== 'string') return { ok: false, description: 'DPoP proof htm is missing' };
    if (typeof htu !== 'string') return { ok: false, description: 'DPoP proof htu is missing' };
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return { ok: false, description: 'DPoP proof iat is missing' };
    if (htm !== request.method) return { ok: false, description: `DPoP proof htm does not match the request method ${request.method}` };
    const expected = normalizeHtu(baseUriOf(request).baseUri);
    // RFC 9449 §4.2: the URI "without query and fragment parts"; a proof carrying them is refused, not quietly trimmed.
    if (/[?#]/.test(htu)) return { ok: false, description: 'DPoP proof htu must not carry a query or fragment' };
    if (normalizeHtu(htu) === undefined || normalizeHtu(htu) !== expected)
      return { ok: false, description: `DPoP proof htu does not match the request URI ${expected}` };
    const nowSeconds = this.now() / 1000;
    if (iat < nowSeconds - PROOF_MAX_AGE_S) return { ok: false, description: 'DPoP proof iat is too old' };
    if (iat > nowSeconds + PROOF_MAX_FUTURE_S) return { ok: false, description: 'DPoP proof iat is in the future' };
    if (accessToken === undefined) {
      if (ath !== undefined) return { ok: false, description: 'DPoP proof at the token endpoint must not carry ath' };
    } else {
      if (typeof ath !== 'string') return { ok: false, description: 'DPoP proof ath is missing' };
      if (ath !== accessTokenHash(accessToken)) return { ok: false, description: 'DPoP proof ath does not match the access token' };
    }
    const current = this.currentNonce();
    if (nonce !== undefined || this.requireNonce) {
      if (typeof nonce !== 'string' || (nonce !== current && nonce !== this.previousNonce)) return { ok: false, nonce: true, description: nonceRequired };
    }
    return { ok: true, jkt: jwk.thumbprint, jti, iat };
  }

  /** {@link importPublicJwk}, the last keys seen kept imported (a client proves with one key for many requests). */
  private importJwk(alg: JwsAlgorithm, jwk: unknown): ImportedJwk {
    const cacheKey = `${alg} ${JSON.stringify(jwk)}`;
    const cached = this.jwks.get(cacheKey);
    if (cached) return cached;
    const imported = importPublicJwk(alg, jwk);
    if (imported.ok) {
      this.jwks.set(cacheKey, imported);
      if (this.jwks.size > MAX_JWKS) {
        const oldest = this.jwks.keys().next();
        if (!oldest.done) this.jwks.delete(oldest.value);
      }
    }
    return imported;
  }

  /** Records an admitted proof's `jti` (per key); false when it was already used. */
  private rememberProof(proof: { jkt: string; jti: string; iat: number }): boolean {
    const key = `${proof.jkt} ${proof.jti}`;
    const known = this.proofJtis.get(key);
    if (known !== undefined && known > this.now()) return false;
    this.remember(this.proofJtis, key, (proof.iat + PROOF_MAX_AGE_S + 1) * 1000);
    return true;
  }

  /** Why the client assertion is refused (`invalid_client`), or undefined when it authenticates the client (its `jti` then remembered). */
  private checkAssertion(text: string, request: ReceivedTarget): string | undefined {
    const jws = parseCompactJws(text);
    if (!jws) return 'client_assertion is not a well-formed JWT';
    const { header, payload } = jws;
    if (header.typ !== 'JWT') return 'client_assertion header typ must be JWT';
    if (header.alg !== this.assertionAlg) return `client_assertion alg must be ${this.assertionAlg} for this client's key`;
    if (header.kid !== this.kid) return 'client_assertion kid is not a key of this client';
    if (!verifyJws(this.assertionAlg, this.publicKey, jws.signingInput, jws.signature)) return "client_assertion signature couldn't be verified";

    const { iss, sub, aud, jti, exp, iat, nbf } = payload;
    if (iss !== this.clientId) return 'client_assertion iss must be the client_id';
    if (sub !== this.clientId) return 'client_assertion sub must be the client_id';
    const issuers = this.issuers(request);
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audiences.some((a) => typeof a === 'string' && issuers.includes(a))) return `client_assertion aud must be the issuer ${issuers[0]}`;
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) return 'client_assertion jti is missing';
    const nowSeconds = this.now() / 1000;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'client_assertion exp is missing';
    if (exp <= nowSeconds) return 'client_assertion has expired';
    if (exp > nowSeconds + ASSERTION_MAX_LIFETIME_S) return `client_assertion exp is more than ${ASSERTION_MAX_LIFETIME_S} seconds away`;
    for (const [name, value] of [
      ['iat', iat],
      ['nbf', nbf],
    ] as const) {
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) return `client_assertion ${name} must be a number`;
      if (value > nowSeconds + ASSERTION_MAX_FUTURE_S) return `client_assertion ${name} is more than ${ASSERTION_MAX_FUTURE_S} seconds in the future`;
    }
    const seen = this.assertionJtis.get(jti);
    if (seen !== undefined && seen > this.now()) return 'client_assertion jti was already used';
    this.remember(this.assertionJtis, jti, exp * 1000);
    return undefined;
  }

  /** The issuer identifiers an assertion may name: the simulator's origin, and its origin as this client addressed it. */
  private issuers(request: ReceivedTarget): string[] {
    const own = this.issuer();
    const seen = new URL(baseUriOf(request).baseUri).origin;
    return own !== undefined && own !== seen ? [own, seen] : [seen];
  }

  /** An RS refusal with `WWW-Authenticate` in the configured form and the OAuth JSON body. */
  private challenge(status: number, error: string, description: string): OAuth2Answer {
    const algs = error === 'use_dpop_nonce' ? [] : [['algs', ALGS]];
    const params = [['error', error], ['error_description', description], ...algs] as const;
    const header =
      this.style === 'rfc' ? `DPoP ${params.map(([n, v]) => `${n}="${v}"`).join(', ')}` : `Dpop ${params.map(([n, v]) => `${n}:"${v}"`).join(', ')}`;
    return {
      status,
      headers: { 'WWW-Authenticate': header, ...NO_STORE },
      body: { error, error_description: description },
      refusal: { status, reasonCode: error, description },
    };
  }

  /** Sets `key` in a bounded map: past the bound, expired entries go first, then the oldest. */
  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    if (map.size <= MAX_REMEMBERED) return;
    const now = this.now();
    const expiry = (v: V) => (typeof v === 'number' ? v : (v as unknown as IssuedToken).expiresAt);
    for (const [k, v] of map) if (expiry(v) <= now) map.delete(k);
    for (const k of map.keys()) {
      if (map.size <= MAX_REMEMBERED) break;
      map.delete(k);
    }
  }
}

const NO_STORE = Object.freeze({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

/** An authorization-server error (RFC 6749 §5.2): `{"error","error_description"}`. */
function asError(status: number, error: string, description: string): OAuth2Answer {
  return { status, headers: { ...NO_STORE }, body: { error, error_description: description }, refusal: { status, reasonCode: error, description } };
}

/** A refusal in the gateway's own format (`{"Errors":{"Error":[{Source:"Gateway",…}]}}`), before any OAuth 2.0 processing. */
function gatewayRefusal(status: number, reasonCode: 'INVALID_AUTH_HEADER' | 'MALFORMED_OAUTH_REQ', description: string): OAuth2Answer {
  return {
    status,
    headers: {},
    body: { Errors: { Error: [{ Source: 'Gateway', ReasonCode: reasonCode, Description: description, Recoverable: false, Details: null }] } },
    refusal: { status, reasonCode, description },
  };
}

/** A server nonce: 128 random bits, base64url (RFC 9449 §8.1 NQCHAR). */
function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** A public key from a PEM public key, a PEM or DER certificate, or a KeyObject. */
function toPublicKey(input: string | Buffer | KeyObject): KeyObject {
  try {
    if (input instanceof KeyObject) {
      if (input.type === 'secret') throw new Error('secret key');
      return input.type === 'private' ? createPublicKey(input) : input;
    }
    if (typeof input === 'string' || Buffer.isBuffer(input)) {
      const text = typeof input === 'string' ? input : input.toString('latin1');
      const certificate = /-----BEGIN CERTIFICATE-----/.test(text) || (Buffer.isBuffer(input) && !/-----BEGIN /.test(text));
      return certificate ? new X509Certificate(input).publicKey : createPublicKey(input);
    }
  } catch {
    // fall through to the error below
  }
  throw new TypeError('gateway.oauth2.publicKey must be a PEM public key, an X.509 certificate (PEM or DER) or a KeyObject.');
}
