import { createHmac } from 'node:crypto';
import { uuidFrom } from './catalogue.js';

/** Who an access token (`X-Auth-Token`) belongs to, and the time zone it was minted for. */
export interface AccessTokenOwner {
  readonly fId: string;
  readonly userId: string;
  readonly utcOffset: string;
}

/** What {@link AccessTokenRegistry.lookup} finds: the owner, or why the token is refused. */
export type AccessTokenLookup = { owner: AccessTokenOwner } | { owner?: undefined; reason: 'unknown' | 'expired' };

interface Issued {
  readonly owner: AccessTokenOwner;
  readonly expiresAt: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Above this many remembered tokens, minting first forgets the ones expired for a whole TTL. */
const SWEEP_ABOVE = 10_000;

/**
 * The access tokens one simulator minted, each with its expiry on the simulator clock. Tokens
 * look like Mastercard's (§6.2 of the catalogue): `base64url(header).base64url(payload).sig`
 * with payload `{fiId, userRef, utcOffset, iat}` (`iat` in epoch milliseconds, no `exp`), and a
 * third segment that is, as in Mastercard's own example, the base64url of the *padded standard
 * base64* of an HMAC-SHA256. A per-mint serial is part of the HMAC input, so two mints in the
 * same millisecond still differ.
 */
export class AccessTokenRegistry {
  private readonly tokens = new Map<string, Issued>();
  private serial = 0;

  constructor(
    private readonly secret: string,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  /** Mints a new token for the owner, valid for the TTL from now on the simulator clock. */
  mint(owner: AccessTokenOwner): string {
    const now = this.now();
    if (this.tokens.size > SWEEP_ABOVE) this.sweep(now);
    const claims = { fiId: owner.fId, userRef: userRefOf(owner.fId, owner.userId), utcOffset: owner.utcOffset, iat: now };
    const unsigned = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    this.serial += 1;
    const mac = createHmac('sha256', this.secret).update(`${this.serial}:${unsigned}`).digest('base64');
    const token = `${unsigned}.${Buffer.from(mac).toString('base64url')}`;
    this.tokens.set(token, { owner: Object.freeze({ ...owner }), expiresAt: now + this.ttlMs });
    return token;
  }

  /** The owner of `token` if it was minted here, is not revoked and has not expired (the expiry instant itself is expired). */
  lookup(token: string): AccessTokenLookup {
    const issued = this.tokens.get(token);
    if (!issued) return { reason: 'unknown' };
    return this.now() >= issued.expiresAt ? { reason: 'expired' } : { owner: issued.owner };
  }

  /** Forgets every token: each one now gets 401 as unknown. */
  revokeAll(): void {
    this.tokens.clear();
  }

  private sweep(now: number): void {
    for (const [token, issued] of this.tokens) if (now >= issued.expiresAt + this.ttlMs) this.tokens.delete(token);
  }
}

/** Mastercard's own user reference for (fId, userId) in token payloads: a UUID, not the BCN, stable across simulators. */
export function userRefOf(fId: string, userId: string): string {
  return uuidFrom(`user-ref:${fId}:${userId}`);
}
