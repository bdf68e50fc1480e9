import { KeyObject, X509Certificate, constants, createHash, createPublicKey, verify } from 'node:crypto';
import { type OAuthHeaderValue, parseOAuthHeader } from './authorization-header.js';
import { type GatewayRefusal, invalidAuthHeader, invalidBodyHash, signatureFailed, unauthorized } from './gateway-refusal.js';
import { type ReceivedTarget, signatureBaseStrings } from './signature-base-string.js';

/** OAuth signature methods the gateway verifies. */
export type GatewaySignatureMethod = 'RSA-SHA256' | 'RSA-PSS';

/**
 * The `gateway` option of `PersonalizedOffersSimulator`: check every request the way
 * Mastercard's API gateway does (OAuth 1.0a, RSA) before it reaches any operation.
 */
export interface SimulatorGatewayOptions {
  /** The consumer key requests must carry (your project's, or any non-empty string in a test). */
  consumerKey: string;
  /**
   * The public half of the signing key: a PEM public key (SPKI or PKCS#1), an X.509 certificate
   * (PEM, or DER in a Buffer: what the Mastercard Developers portal shows for a key), or a
   * `KeyObject` (a private one is reduced to its public half). RSA only.
   */
  publicKey: string | Buffer | KeyObject;
  /**
   * Largest distance between `oauth_timestamp` and the simulator clock, in seconds, either way;
   * `Infinity` turns the check off. Mastercard does not publish its window: 300 is an assumption.
   * @default 300
   */
  timestampWindowSeconds?: number;
  /** Refuse a request whose `oauth_nonce` an admitted request already used (within the timestamp window). @default true */
  rejectReplayedNonces?: boolean;
  /** Signature methods accepted. @default ['RSA-SHA256', 'RSA-PSS'] */
  signatureMethods?: GatewaySignatureMethod[];
}

/** A request as it arrived: the target, `Host`, `Authorization` and the exact body bytes. */
export interface GatewayRequest extends ReceivedTarget {
  readonly authorization: string | undefined;
  readonly body: Buffer;
}

/** Parameters every Mastercard signer sends, hence every request must carry. */
const REQUIRED = [
  'oauth_consumer_key',
  'oauth_nonce',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_version',
  'oauth_body_hash',
  'oauth_signature',
] as const;
const METHODS: readonly GatewaySignatureMethod[] = ['RSA-SHA256', 'RSA-PSS'];
const TIMESTAMP = /^\d{1,12}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Nonces kept at most (the oldest go first): memory stays bounded however long a run lasts. */
const MAX_NONCES = 100_000;

/**
 * Verifies requests the way Mastercard's gateway does (GATEWAY-ERRORS.md), in this order:
 * header present and well-formed, every parameter there, `oauth_version` 1.0 and a supported
 * method (400 `INVALID_AUTH_HEADER`) → consumer key (401) → timestamp window (401) → nonce not
 * replayed (401) → `oauth_body_hash` over the exact body bytes (400 `INVALID_BODY_HASH`) → RSA
 * signature over the base string rebuilt from the request as received (403
 * `AUTHENTICATION_FAILED`, echoing that base string). Only an admitted request's nonce is remembered.
 */
export class SimulatorGateway {
  readonly consumerKey: string;
  private readonly publicKey: KeyObject;
  private readonly windowSeconds: number;
  private readonly rejectReplays: boolean;
  private readonly methods: ReadonlySet<string>;
  /** `nonce` → the simulator time (seconds) after which a replay fails the timestamp check anyway. */
  private readonly nonces = new Map<string, number>();

  constructor(
    /** From the simulator's options: JavaScript callers may give anything. */
    options: SimulatorGatewayOptions | undefined,
    private readonly now: () => number,
  ) {
    if (typeof options?.consumerKey !== 'string' || options.consumerKey === '') throw new TypeError('gateway.consumerKey must be a non-empty string.');
    this.consumerKey = options.consumerKey;
    this.publicKey = toPublicKey(options.publicKey);
    this.windowSeconds = options.timestampWindowSeconds ?? 300;
    if (!(this.windowSeconds > 0)) throw new RangeError('gateway.timestampWindowSeconds must be a positive number of seconds (or Infinity).');
    this.rejectReplays = options.rejectReplayedNonces ?? true;
    const methods = options.signatureMethods ?? METHODS;
    if (methods.length === 0 || methods.some((m) => !METHODS.includes(m))) {
      throw new RangeError(`gateway.signatureMethods must be a non-empty list of ${METHODS.join(', ')}.`);
    }
    this.methods = new Set(methods);
  }

  /** The refusal the gateway answers, or undefined when the request may go on to its operation. */
  check(request: GatewayRequest): GatewayRefusal | undefined {
    const header = parseOAuthHeader(request.authorization);
    if (!header.ok) return invalidAuthHeader(header.problem);
    const params = header.params;
    const missing = REQUIRED.filter((name) => !params.get(name)?.value);
    if (missing.length > 0) return invalidAuthHeader(`The Authorization header lacks ${missing.join(', ')}.`);
    // Every REQUIRED parameter is there (checked just above).
    const entry = (name: (typeof REQUIRED)[number]) => params.get(name) as OAuthHeaderValue;
    const value = (name: (typeof REQUIRED)[number]) => entry(name).value;

    if (value('oauth_version') !== '1.0') return invalidAuthHeader(`oauth_version must be 1.0, not ${value('oauth_version')}.`);
    const method = value('oauth_signature_method');
    if (!this.methods.has(method)) return invalidAuthHeader(`oauth_signature_method ${method} is not supported; use ${[...this.methods].join(' or ')}.`);
    if (!TIMESTAMP.test(value('oauth_timestamp'))) return invalidAuthHeader('oauth_timestamp must be a Unix time in whole seconds.');

    if (value('oauth_consumer_key') !== this.consumerKey) return unauthorized('The consumer key is not known to this gateway.');

    const nowSeconds = Math.floor(this.now() / 1000);
    const timestamp = Number(value('oauth_timestamp'));
    if (Math.abs(nowSeconds - timestamp) > this.windowSeconds) {
      return unauthorized(
        `oauth_timestamp is more than ${this.windowSeconds} seconds away from the gateway's clock: check the system clock, and sign each request when it is sent.`,
      );
    }
    const nonce = value('oauth_nonce');
    if (this.rejectReplays && this.nonces.has(nonce)) return unauthorized('oauth_nonce was already used: sign every request, and every retry, afresh.');

    const calculated = createHash('sha256').update(request.body).digest('base64');
    const bodyHash = entry('oauth_body_hash');
    if (bodyHash.value !== calculated && bodyHash.raw !== calculated) return invalidBodyHash(calculated, bodyHash.raw);

    const candidates = signatureBaseStrings(request, params);
    const signature = value('oauth_signature');
    const bytes = BASE64.test(signature) ? Buffer.from(signature, 'base64') : undefined;
    if (!bytes || !candidates.some((sbs) => this.verifies(method as GatewaySignatureMethod, sbs, bytes))) return signatureFailed(candidates[0]);

    if (this.rejectReplays) this.remember(nonce, timestamp + this.windowSeconds, nowSeconds);
    return undefined;
  }

  private verifies(method: GatewaySignatureMethod, baseString: string, signature: Buffer): boolean {
    const key =
      method === 'RSA-PSS'
        ? { key: this.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } // SHA-256, MGF1-SHA-256, 32-byte salt
        : this.publicKey;
    try {
      return verify('sha256', Buffer.from(baseString, 'utf8'), key, signature);
    } catch {
      return false;
    }
  }

  private remember(nonce: string, expiresAt: number, nowSeconds: number): void {
    this.nonces.set(nonce, expiresAt);
    if (this.nonces.size <= MAX_NONCES) return;
    for (const [n, expiry] of this.nonces) if (expiry < nowSeconds) this.nonces.delete(n);
    for (const n of this.nonces.keys()) {
      if (this.nonces.size <= MAX_NONCES) break;
      this.nonces.delete(n);
    }
  }
}

/** A public RSA key from a PEM public key, a PEM or DER certificate, or a KeyObject. */
function toPublicKey(input: string | Buffer | KeyObject): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) {
      if (input.type === 'secret') throw new Error('secret key');
      key = input.type === 'private' ? createPublicKey(input) : input;
    } else if (typeof input === 'string' || Buffer.isBuffer(input)) {
      const text = typeof input === 'string' ? input : input.toString('latin1');
      const certificate = /-----BEGIN CERTIFICATE-----/.test(text) || (Buffer.isBuffer(input) && !/-----BEGIN /.test(text));
      key = certificate ? new X509Certificate(input).publicKey : createPublicKey(input);
    } else {
      throw new Error('unsupported type');
    }
  } catch {
    throw new TypeError('gateway.publicKey must be a PEM public key, an X.509 certificate (PEM or DER) or a KeyObject.');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`gateway.publicKey must be an RSA key, not ${key.asymmetricKeyType}.`);
  return key;
}
