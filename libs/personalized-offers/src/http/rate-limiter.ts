import { createHash } from 'node:crypto';
import type { ResolvedRateLimitOptions } from '../config/resolve-options.js';

/**
 * A permit, or a refusal. `waitMs`: how long the caller must sleep before sending (≥ 0), or, when
 * `refused`, how long until a permit would come (more than `maxWaitMs`; nothing was taken).
 * `shift`: the limiter's pause shift when the permit was taken (see {@link RateLimiter.shift}).
 */
export interface RateLimitGrant {
  readonly refused: boolean;
  readonly waitMs: number;
  readonly shift: number;
  /** True when the grant came from the shared (Redis) state, false from this process's. */
  readonly shared: boolean;
  /** When to send, on this process's clock (`performance.now()`, or the clock the limiter was given). */
  readonly dueAt: number;
}

/**
 * A GCRA ("generic cell rate algorithm", a virtual-scheduling token bucket) with reservations:
 * each permit is a send time; callers sleep until theirs. Emission interval T = 1000 / rps ms,
 * tolerance tau = (burst − 1) · T; the state is the theoretical arrival time `tat`:
 * - take at `now`: earliest = max(now, tat − tau); wait = earliest − now; past `maxWaitMs` the
 *   take is refused and nothing changes; else tat = max(tat, now) + T.
 * - pause until `E = now + retryAfter` (a 429): when E is past the current pause end P, every
 *   reserved send time moves by `shift = E − max(now, P)` (the cumulative `shift` counter grows by
 *   it; callers sleeping on a permit read it again when they wake and sleep the difference), and
 *   tat = max(max(tat, now) + shift, E + tau): no new permit before E, spacing kept after it.
 * So any window of length W holds at most W / T + 1 + tau / T send times.
 */
export interface RateLimiter {
  /** Takes a permit (synchronous in memory). */
  take(): RateLimitGrant | Promise<RateLimitGrant>;
  /** The cumulative pause shift (ms) now, where `grant` came from; a caller that slept on `grant` sleeps `shiftNow(grant) − grant.shift` more. */
  shiftNow(grant: RateLimitGrant): number | Promise<number>;
  /** Pauses every sender (the fleet's, with Redis) for `ms` from now. Never rejects. */
  pause(ms: number): void | Promise<void>;
  /** Module shutdown: no more Redis commands. */
  close(): void;
  /** `memory` or `redis` (the shared limiter; it falls back to memory while Redis fails). */
  readonly kind: 'memory' | 'redis';
}

/**
 * The GCRA's figures for `options`. The burst is a bound, kept from the upstream's side: no
 * window of one second holds more than requestsPerSecond + burst requests. Of its tolerance
 * ((burst − 1) · T) a quarter lets permits go at once (the GCRA's tau), a quarter is how late a
 * permit may still be used (`lateSlackMs`: a caller woken late by a busy event loop), and the
 * rest, with one interval, is the margin for what delays requests after their permit (the
 * connection queue, signing, the OS scheduler, the network): a window holds at most
 * floor((1000 + tau + slack) / T) + 1 permits' send times. A later permit is not used (see the
 * client). At least 5 ms of lateness is always allowed (a Redis round trip, timer lag).
 */
export function rateLimitTiming(options: ResolvedRateLimitOptions): { interval: number; tau: number; lateSlackMs: number } {
  const interval = 1000 / options.requestsPerSecond;
  const tolerance = (options.burst - 1) * interval;
  return { interval, tau: tolerance / 4, lateSlackMs: Math.max(5, tolerance / 4) };
}

/** The GCRA's state and arithmetic, on a clock in milliseconds (monotonic in process). */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory';
  private readonly interval: number;
  private readonly tau: number;
  private readonly maxWaitMs: number;
  private tat = -Infinity;
  private pauseEnd = -Infinity;
  private shiftMs = 0;

  constructor(
    options: ResolvedRateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    ({ interval: this.interval, tau: this.tau } = rateLimitTiming(options));
    this.maxWaitMs = options.maxWaitMs;
  }

  take(): RateLimitGrant {
    const now = this.now();
    const wait = Math.max(now, this.tat - this.tau) - now;
    if (wait > this.maxWaitMs) return { refused: true, waitMs: wait, shift: this.shiftMs, shared: false, dueAt: now + wait };
    this.tat = Math.max(this.tat, now) + this.interval;
    return { refused: false, waitMs: wait, shift: this.shiftMs, shared: false, dueAt: now + wait };
  }

  shiftNow(): number {
    return this.shiftMs;
  }

  pause(ms: number): void {
    if (!(ms > 0)) return;
    const now = this.now();
    const end = now + ms;
    if (end <= this.pauseEnd) return;
    const shift = end - Math.max(now, this.pauseEnd);
    this.pauseEnd = end;
    this.shiftMs += shift;
    this.tat = Math.max(Math.max(this.tat, now) + shift, end + this.tau);
  }

  close(): void {}
}

/**
 * The same GCRA in one Redis hash (`tat`, `p` = pause end, `d` = cumulative shift, all in ms of
 * Redis's own clock, `TIME`, so every instance shares one clock), run atomically by a Lua script.
 * One key: works on Redis Cluster. The key expires a minute after its last reservation.
 * ARGV: mode ('t' take | 'p' pause), T, tau, maxWaitMs (take) or pause ms (pause).
 * Returns { granted (1) or refused (0), wait ms, shift ms, Redis's now ms } (numbers as strings: Lua integers would truncate).
 */
export const GCRA_SCRIPT = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', key, 'tat', 'p', 'd')
local tat = tonumber(s[1]) or 0
local p = tonumber(s[2]) or 0
local d = tonumber(s[3]) or 0
local T = tonumber(ARGV[2])
local tau = tonumber(ARGV[3])
local wait = 0
if ARGV[1] == 't' then
  wait = math.max(now, tat - tau) - now
  if wait > tonumber(ARGV[4]) then return {0, string.format('%.3f', wait), string.format('%.3f', d), string.format('%.3f', now)} end
  tat = math.max(tat, now) + T
else
  local e = now + tonumber(ARGV[4])
  if e <= p then return {1, '0', string.format('%.3f', d), string.format('%.3f', now)} end
  local shift = e - math.max(now, p)
  p = e
  d = d + shift
  tat = math.max(math.max(tat, now) + shift, e + tau)
end
redis.call('HSET', key, 'tat', string.format('%.3f', tat), 'p', string.format('%.3f', p), 'd', string.format('%.3f', d))
redis.call('PEXPIRE', key, math.ceil(math.max(tat, p) - now) + 60000)
return {1, string.format('%.3f', wait), string.format('%.3f', d), string.format('%.3f', now)}
`;
const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

/** What the limiter needs of an ioredis `Redis` or `Cluster`. */
export interface RateLimitRedisClient {
  readonly status: string;
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  hget(key: string, field: string): Promise<string | null>;
}

const FALLBACK_WARN_INTERVAL_MS = 30_000;

/**
 * The GCRA shared through Redis. While Redis fails (not connected, an error, a command timeout)
 * every call falls back to a per-process {@link MemoryRateLimiter} with the same, undivided
 * limit (this process cannot know how many others are running), warned at most every 30 s;
 * pauses always reach both.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  private readonly interval: string;
  private readonly tau: string;
  private readonly maxWaitMs: string;
  private readonly fallback: MemoryRateLimiter;
  private lastWarning = -Infinity;
  private closed = false;
  /**
   * Redis's clock minus this process's, from the reply with the shortest round trip lately (NTP's
   * way): a send time in Redis time becomes a local one within half that round trip, however long
   * a given reply took (a batch of takes, a busy event loop).
   */
  private offset = { ms: 0, rtt: Infinity, at: -Infinity };
  private readonly now: () => number;

  constructor(
    private readonly client: RateLimitRedisClient,
    /** The hash's key (one per registration, with a hash tag). */
    readonly key: string,
    private readonly options: ResolvedRateLimitOptions,
    private readonly warn: (message: string) => void,
    now?: () => number,
  ) {
    const { interval, tau } = rateLimitTiming(options);
    this.interval = String(interval);
    this.tau = String(tau);
    this.maxWaitMs = String(options.maxWaitMs);
    this.now = now ?? (() => performance.now());
    this.fallback = new MemoryRateLimiter(options, this.now);
  }

  async take(): Promise<RateLimitGrant> {
    if (this.closed || this.client.status !== 'ready') return this.fellBack(this.closed ? undefined : this.client.status);
    try {
      const requestedAt = this.now();
      const reply = (await this.script('t', this.maxWaitMs)) as [number, string, string, string];
      const waitMs = Number(reply[1]);
      const redisNow = Number(reply[3]);
      const repliedAt = this.now();
      const rtt = repliedAt - requestedAt;
      // A closer sample, or a stale one (clocks drift): Redis ran the script at about mid-trip.
      if (rtt <= this.offset.rtt || repliedAt - this.offset.at > 10_000) this.offset = { ms: redisNow - (requestedAt + repliedAt) / 2, rtt, at: repliedAt };
      // Never before requestedAt + wait (the earliest the script can have run).
      const dueAt = Math.max(redisNow + waitMs - this.offset.ms, requestedAt + waitMs);
      return { refused: reply[0] === 0, waitMs, shift: Number(reply[2]), shared: true, dueAt };
    } catch (error) {
      return this.fellBack(error);
    }
  }

  async shiftNow(grant: RateLimitGrant): Promise<number> {
    if (!grant.shared) return this.fallback.shiftNow();
    if (this.closed || this.client.status !== 'ready') return grant.shift;
    try {
      return Number((await this.client.hget(this.key, 'd')) ?? 0);
    } catch {
      return grant.shift; // Redis failed meanwhile: go as planned
    }
  }

  async pause(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    this.fallback.pause(ms);
    if (this.closed || this.client.status !== 'ready') return;
    try {
      await this.script('p', String(Math.ceil(ms)));
    } catch (error) {
      this.warnFallback(error);
    }
  }

  close(): void {
    this.closed = true;
  }

  private async script(mode: 't' | 'p', last: string): Promise<unknown> {
    try {
      return await this.client.evalsha(GCRA_SHA, 1, this.key, mode, this.interval, this.tau, last);
    } catch (error) {
      if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error;
      return this.client.eval(GCRA_SCRIPT, 1, this.key, mode, this.interval, this.tau, last);
    }
  }

  /** A grant of the per-process fallback. */
  private fellBack(error: unknown): RateLimitGrant {
    if (error !== undefined) this.warnFallback(error);
    return this.fallback.take();
  }

  private warnFallback(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < FALLBACK_WARN_INTERVAL_MS) return;
    this.lastWarning = now;
    const e = error as { code?: unknown; message?: unknown } | string | undefined;
    const why =
      typeof e === 'string' ? `connection ${e}` : typeof e?.code === 'string' ? e.code : e?.message === 'Command timed out' ? 'command timed out' : 'error';
    this.warn(
      `Rate limit: Redis did not answer (${why}); until it does, this instance limits itself alone to rateLimit.requestsPerSecond ` +
        `(${this.options.requestsPerSecond}/s), so the fleet together may exceed it. Check that Redis (cache.store.redis) is up and reachable; ` +
        'Mastercard answers the excess with 429, which the module retries and pauses on.',
    );
  }
}
