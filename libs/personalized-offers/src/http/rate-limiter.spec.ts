import { describe, expect, it } from '@jest/globals';
import { MemoryRateLimiter, rateLimitTiming, type RateLimitGrant, type RateLimitRedisClient, RedisRateLimiter } from './rate-limiter.js';

/** A limiter on a fake clock (ms) that the test moves by hand. */
function limiter(requestsPerSecond: number, burst: number, maxWaitMs: number) {
  const clock = { now: 1_000_000 };
  const gcra = new MemoryRateLimiter({ requestsPerSecond, burst, maxWaitMs }, () => clock.now);
  return { gcra, clock };
}

/** The send time of each of `n` permits taken at once (now + wait). */
function sendTimes(gcra: MemoryRateLimiter, clock: { now: number }, n: number): number[] {
  return Array.from({ length: n }, () => {
    const grant = gcra.take();
    expect(grant.refused).toBe(false);
    return clock.now + grant.waitMs;
  });
}

describe('MemoryRateLimiter (GCRA with reservations)', () => {
  it('spacing: 10/s, burst 1, permits taken together go every 100 ms', () => {
    const { gcra, clock } = limiter(10, 1, 60_000);
    const start = clock.now;
    expect(sendTimes(gcra, clock, 5).map((t) => t - start)).toEqual([0, 100, 200, 300, 400]);
  });

  it("burst: 10/s, burst 9, after a quiet spell a quarter of the burst's tolerance goes at once (3), then one every 100 ms", () => {
    const { gcra, clock } = limiter(10, 9, 60_000);
    const start = clock.now;
    expect(sendTimes(gcra, clock, 6).map((t) => Math.round(t - start))).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('the burst refills at the steady rate: after a quiet spell as long as the queue, 3 go at once again', () => {
    const { gcra, clock } = limiter(10, 9, 60_000);
    sendTimes(gcra, clock, 4); // 0, 0, 0, 100: tat = start + 400
    clock.now += 350;
    expect(gcra.take().waitMs).toBe(0);
    expect(gcra.take().waitMs).toBe(0);
    expect(gcra.take().waitMs).toBe(50); // 2 of 3 refilled so far
    clock.now += 1_000;
    const start = clock.now;
    expect(sendTimes(gcra, clock, 4).map((t) => Math.round(t - start))).toEqual([0, 0, 0, 100]);
  });

  it('any 1 s window of send times holds at most rps + burst permits (1000 takes at random moments)', () => {
    const { gcra, clock } = limiter(50, 5, 60_000);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sends: number[] = [];
    for (let i = 0; i < 1000; i++) {
      clock.now += random() * 30;
      const grant = gcra.take();
      if (!grant.refused) sends.push(clock.now + grant.waitMs);
    }
    expect(maxInWindow(sends, 1000)).toBeLessThanOrEqual(55);
    expect(maxInWindow(sends, 1000)).toBeGreaterThanOrEqual(50); // and the limit is used, not starved
  });

  it('sent up to lateSlackMs late (a stall as a burst begins: all due in it go together at its end), any 1 s window still holds at most rps + burst', () => {
    for (const [rps, burst] of [
      [50, 5],
      [50, 1],
      [10, 3],
      [100, 10],
      [20, 21],
    ] as const) {
      const { gcra, clock } = limiter(rps, burst, 600_000);
      const { lateSlackMs } = rateLimitTiming({ requestsPerSecond: rps, burst, maxWaitMs: 0 });
      const sends: number[] = [];
      for (let episode = 0; episode < 5; episode++) {
        clock.now += 5_000; // a quiet spell refills the burst
        const stallEnds = clock.now + lateSlackMs;
        for (let i = 0; i < rps * 3; i++) sends.push(Math.max(stallEnds, clock.now + gcra.take().waitMs));
      }
      expect({ rps, burst, max: maxInWindow(sends, 1000) }).toEqual({ rps, burst, max: expect.any(Number) });
      expect(maxInWindow(sends, 1000)).toBeLessThanOrEqual(rps + burst);
    }
  });

  it('refusal past maxWaitMs: refused with the wait it would need, and the state does not change', () => {
    const { gcra, clock } = limiter(10, 1, 250);
    sendTimes(gcra, clock, 3); // next at +300
    const refused = gcra.take();
    expect(refused).toEqual({ refused: true, waitMs: 300, shift: 0, shared: false, dueAt: clock.now + 300 });
    expect(gcra.take()).toEqual(refused); // the refusal took nothing
    clock.now += 50;
    expect(gcra.take()).toMatchObject({ refused: false, waitMs: 250 });
  });

  it('maxWaitMs 0: only an immediate permit is granted', () => {
    const { gcra } = limiter(10, 5, 0);
    expect(gcra.take()).toMatchObject({ refused: false, waitMs: 0 });
    expect(gcra.take()).toMatchObject({ refused: false, waitMs: 0 });
    expect(gcra.take()).toMatchObject({ refused: true });
  });

  it('pause on 429 (idle): no permit before now + Retry-After, then one at a time at the steady rate', () => {
    const { gcra, clock } = limiter(10, 9, 60_000);
    const start = clock.now;
    gcra.pause(1_000);
    expect(gcra.shiftNow()).toBe(1_000);
    expect(sendTimes(gcra, clock, 3).map((t) => Math.round(t - start))).toEqual([1_000, 1_100, 1_200]);
  });

  it('pause on 429 (busy): every reserved send time moves by the pause, so a sleeper that rereads the shift lands after it', () => {
    const { gcra, clock } = limiter(10, 1, 60_000);
    const start = clock.now;
    const grants: RateLimitGrant[] = Array.from({ length: 5 }, () => gcra.take()); // at +0, +100 … +400
    clock.now += 150; // +0 and +100 went; +200, +300, +400 sleep
    gcra.pause(1_000); // until +1150
    const moved = grants.slice(2).map((g) => Math.round(start + g.waitMs + (gcra.shiftNow() - g.shift) - start));
    expect(moved).toEqual([1_200, 1_300, 1_400]);
    expect(moved.every((t) => t >= 1_150)).toBe(true);
    expect(Math.round(clock.now + gcra.take().waitMs - start)).toBe(1_500); // a new one queues behind them
  });

  it('pauses overlap, not add: a second 429 inside the first pause extends it only by the difference', () => {
    const { gcra, clock } = limiter(10, 1, 60_000);
    gcra.pause(1_000);
    clock.now += 200;
    gcra.pause(1_000); // ends 200 ms after the first
    expect(gcra.shiftNow()).toBe(1_200);
    gcra.pause(500); // inside: nothing
    expect(gcra.shiftNow()).toBe(1_200);
    expect(gcra.take().waitMs).toBe(1_000);
  });

  it('a pause longer than maxWaitMs refuses takes until it has passed', () => {
    const { gcra, clock } = limiter(10, 1, 500);
    gcra.pause(2_000);
    expect(gcra.take()).toMatchObject({ refused: true, waitMs: 2_000 });
    clock.now += 1_600;
    expect(gcra.take()).toMatchObject({ refused: false, waitMs: 400 });
  });
});

describe('RedisRateLimiter without Redis', () => {
  const notReady: RateLimitRedisClient = {
    status: 'reconnecting',
    evalsha: () => Promise.reject(new Error('not called')),
    eval: () => Promise.reject(new Error('not called')),
    hget: () => Promise.reject(new Error('not called')),
  };

  it('falls back to the per-process GCRA with the same limit, and warns once per 30 s with what to do', async () => {
    const warnings: string[] = [];
    const clock = { now: 0 };
    const redis = new RedisRateLimiter(
      notReady,
      'plo:rl:{default}',
      { requestsPerSecond: 10, burst: 1, maxWaitMs: 60_000 },
      (m) => warnings.push(m),
      () => clock.now,
    );
    const waits = [];
    for (let i = 0; i < 3; i++) waits.push((await redis.take()).waitMs);
    expect(waits).toEqual([0, 100, 200]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /Redis did not answer \(connection reconnecting\).*limits itself alone to rateLimit.requestsPerSecond \(10\/s\).*Check that Redis/,
    );
  });

  it('a pause while Redis is down still pauses this process', async () => {
    const clock = { now: 0 };
    const redis = new RedisRateLimiter(
      notReady,
      'k',
      { requestsPerSecond: 10, burst: 1, maxWaitMs: 60_000 },
      () => {},
      () => clock.now,
    );
    await redis.pause(1_000);
    expect((await redis.take()).waitMs).toBe(1_000);
  });

  it('a Redis error (timeout) is a fallback too, not a failed call', async () => {
    const warnings: string[] = [];
    const slow: RateLimitRedisClient = { ...notReady, status: 'ready', evalsha: () => Promise.reject(new Error('Command timed out')) };
    const redis = new RedisRateLimiter(
      slow,
      'k',
      { requestsPerSecond: 10, burst: 1, maxWaitMs: 60_000 },
      (m) => warnings.push(m),
      () => 0,
    );
    expect(await redis.take()).toEqual({ refused: false, waitMs: 0, shift: 0, shared: false, dueAt: 0 });
    expect(warnings[0]).toMatch(/command timed out/);
  });
});

describe('RedisRateLimiter send times', () => {
  it("turns Redis time into this process's by the closest round trip: a slow reply does not move the send time", async () => {
    const clock = { now: 1_000 };
    const replies: Array<{ rtt: number; wait: number }> = [
      { rtt: 2, wait: 0 }, // sets the offset: Redis is 5 000 ms ahead
      { rtt: 80, wait: 500 }, // a batch: the reply took 80 ms
    ];
    let redisNow = 0;
    const client: RateLimitRedisClient = {
      status: 'ready',
      evalsha: () => {
        const reply = replies.shift()!;
        redisNow = clock.now + 5_000 + reply.rtt / 2; // the script runs mid-trip
        clock.now += reply.rtt;
        return Promise.resolve([1, String(reply.wait), '0', String(redisNow)]);
      },
      eval: () => Promise.reject(new Error('not called')),
      hget: () => Promise.reject(new Error('not called')),
    };
    const redis = new RedisRateLimiter(
      client,
      'k',
      { requestsPerSecond: 10, burst: 1, maxWaitMs: 60_000 },
      () => {},
      () => clock.now,
    );
    const first = await redis.take();
    expect(first.dueAt).toBe(1_001); // sent at 1 000, run at 1 001, due at once
    const startedAt = clock.now;
    const second = await redis.take();
    // Ran at startedAt + 40 (Redis time startedAt + 5 040): due at startedAt + 540, not at its reply (+ 80) + 500.
    expect(second.dueAt).toBe(startedAt + 540);
  });
});

function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}
