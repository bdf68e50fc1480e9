import { type FactoryProvider, Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { MemoryTokenStore } from '../cache/memory-token.store.js';
import { RedisTokenStore } from '../cache/redis-token.store.js';
import type { TokenStore } from '../cache/token-store.interface.js';
import { PersonalizedOffersHttpClient } from '../http/personalized-offers-http.client.js';
import { PERSONALIZED_OFFERS_TOKEN_STORE } from '../personalized-offers.constants.js';
import { checkRegistrationName, getPersonalizedOffersToken } from '../personalized-offers.registration.js';

/** Longest wait for the token store's answer by default (Redis's own command timeout, 250 ms by default, usually ends it first). */
const DEFAULT_TIMEOUT_MS = 1_000;

/** What the indicator reports under its key, beside terminus' `status`. */
export interface PersonalizedOffersHealthDetails {
  /** The module's circuit breaker in front of Mastercard. `retryInMs`: while open, time left before a probe may go through. */
  circuitBreaker: {
    /** The breaker's state; `disabled` with `http.circuitBreaker: false`. */
    state: 'closed' | 'open' | 'half-open' | 'disabled';
    /** While open: milliseconds left before a probe may go through. */
    retryInMs?: number;
  };
  /**
   * The token store: `none` with `cache: false`. `reachable` for the stores that can be probed
   * (Redis, or your own store with a `ping()`); `reason` when it is not: an error code, `timeout`,
   * or the Redis client's connection state (`reconnecting`, `connecting`, …).
   */
  tokenStore: {
    /** Which store: the built-in `memory` or `redis` one, your own (`custom`), or `none` (`cache: false`). */
    kind: 'memory' | 'redis' | 'custom' | 'none';
    /** For a store that can be probed: whether it answered the PING in time. */
    reachable?: boolean;
    /** When not reachable: an error code, `timeout`, or the Redis client's connection state. */
    reason?: string;
  };
  /**
   * With `oauth2`: the OAuth 2.0 token state, read without calling Mastercard: `none` before the
   * first token, `valid`, `expiring` (the next call mints a new one), `failing` (the last token
   * request was refused or failed: `reason` is its error code; down).
   */
  oauth2?: {
    /** The token state: `none`, `valid`, `expiring` or `failing` (see above). */
    state: 'none' | 'valid' | 'expiring' | 'failing';
    /** How many access tokens (one per scope set) the registration holds. */
    tokens: number;
    /** While `valid` or `expiring`: milliseconds until the soonest of them expires. */
    expiresInMs?: number;
    /** While `failing`: the last token request's error code. */
    reason?: string;
  };
  /** Why the indicator is down. */
  message?: string;
}

/** Options of {@link PersonalizedOffersHealthIndicator.isHealthy}. */
export interface PersonalizedOffersHealthOptions {
  /** Longest wait for the token store's PING, in milliseconds. @default 1000 */
  timeoutMs?: number;
}

/**
 * Terminus health indicator of a `PersonalizedOffersModule` registration: its circuit breaker
 * and its token store. It never calls Mastercard (the breaker state is read, not probed) and
 * reports no URL, key, password or token.
 *
 * - **down** while the circuit breaker is open (calls fail fast), or while the token store does
 *   not answer a PING (Redis stopped, unreachable, or slower than `timeoutMs` or its command
 *   timeout);
 * - **up** otherwise, including half-open: the breaker is letting a probe through, and an open
 *   breaker whose pause is over reads half-open, since the next call will be that probe (a
 *   readiness probe that kept the instance out of traffic would otherwise keep it open).
 *
 * Add it to the providers of a module that imports `TerminusModule` and sees the
 * `PersonalizedOffersModule` registration (the same module, or `isGlobal: true`). That is the
 * default registration's; for a named one (`forRoot({ name: 'bankA' })`), add
 * `PersonalizedOffersHealthIndicator.forRegistration('bankA')` and inject it with
 * `@InjectPersonalizedOffers(PersonalizedOffersHealthIndicator, 'bankA')`.
 */
@Injectable()
export class PersonalizedOffersHealthIndicator {
  /**
   * The indicator of the named registration `name`, as a provider for the same module (one that
   * imports `TerminusModule` and sees that registration's exports):
   *
   * ```ts
   * providers: [PersonalizedOffersHealthIndicator.forRegistration('bankA'), PersonalizedOffersHealthIndicator.forRegistration('bankB')],
   * // …
   * constructor(@InjectPersonalizedOffers(PersonalizedOffersHealthIndicator, 'bankA') private readonly bankA: PersonalizedOffersHealthIndicator) {}
   * ```
   *
   * Its token is `getPersonalizedOffersToken(PersonalizedOffersHealthIndicator, name)`; it reads
   * that registration's circuit breaker and token store only. Throws
   * `PersonalizedOffersConfigError` (setting `name`) for a name no registration can have.
   */
  static forRegistration(name: string): FactoryProvider<PersonalizedOffersHealthIndicator> {
    checkRegistrationName(name);
    return {
      provide: getPersonalizedOffersToken(PersonalizedOffersHealthIndicator, name),
      useFactory: (health: HealthIndicatorService, client: PersonalizedOffersHttpClient, store: TokenStore | null) =>
        new PersonalizedOffersHealthIndicator(health, client, store),
      inject: [
        HealthIndicatorService,
        getPersonalizedOffersToken(PersonalizedOffersHttpClient, name),
        getPersonalizedOffersToken(PERSONALIZED_OFFERS_TOKEN_STORE, name),
      ],
    };
  }

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly client: PersonalizedOffersHttpClient,
    @Inject(PERSONALIZED_OFFERS_TOKEN_STORE) private readonly store: TokenStore | null,
  ) {}

  /** `{ [key]: { status: 'up' | 'down', circuitBreaker, tokenStore, message? } }`. */
  async isHealthy<const Key extends string = 'personalizedOffers'>(
    key: Key = 'personalizedOffers' as Key,
    options: PersonalizedOffersHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.health.check(key);
    const circuitBreaker = this.client.breaker.snapshot();
    const tokenStore = await this.probeStore(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    const problems: string[] = [];
    if (circuitBreaker.state === 'open') {
      problems.push(`Circuit breaker open after repeated upstream failures; next probe in ${circuitBreaker.retryInMs} ms.`);
    }
    if (tokenStore.reachable === false) problems.push(`Token store (${tokenStore.kind}) unreachable: ${tokenStore.reason}.`);
    const oauth2 = this.client.oauth2?.state();
    if (oauth2?.state === 'failing')
      problems.push(`OAuth 2.0 token requests are failing (${oauth2.reason}): check oauth2.clientId, oauth2.kid, the key and the scopes.`);
    const details: PersonalizedOffersHealthDetails = { circuitBreaker, tokenStore, ...(oauth2 ? { oauth2 } : {}) };
    if (problems.length === 0) return session.up({ ...details });
    return session.down({ ...details, message: problems.join(' ') });
  }

  private async probeStore(timeoutMs: number): Promise<PersonalizedOffersHealthDetails['tokenStore']> {
    const store = this.store;
    if (!store) return { kind: 'none' };
    const kind = store instanceof MemoryTokenStore ? 'memory' : store instanceof RedisTokenStore ? 'redis' : 'custom';
    if (typeof store.ping !== 'function') return { kind };
    const ping = store.ping.bind(store);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => ping()),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'timeout' })), timeoutMs);
        }),
      ]);
      return { kind, reachable: true };
    } catch (error) {
      return { kind, reachable: false, reason: reasonOf(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A short, safe reason: an error code (`ECONNREFUSED`, a Redis connection state) or `timeout`,
 * never the message (it can carry hosts, or whatever a custom store put there).
 */
function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.message === 'Command timed out') return 'timeout'; // ioredis's command timeout
  return typeof e?.code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(e.code) ? e.code : 'error';
}
