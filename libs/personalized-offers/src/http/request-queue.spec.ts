import { jest } from '@jest/globals';
import { PersonalizedOffersOverloadedError } from '../errors/personalized-offers-overloaded.error.js';
import { RequestQueue } from './request-queue.js';

const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('RequestQueue', () => {
  it('hands out free slots at once, without a promise, up to its size', async () => {
    const queue = new RequestQueue(2, 1_000, 10);
    expect(queue.acquire()).toBeUndefined();
    expect(queue.acquire()).toBeUndefined();
    expect(queue.inFlight).toBe(2);
    const third = queue.acquire();
    expect(third).toBeInstanceOf(Promise);
    expect(queue.waiting).toBe(1);
    queue.release();
    await third;
  });

  it('passes a released slot to the longest waiting caller, in arrival order', async () => {
    const queue = new RequestQueue(1, 1_000, 10);
    await queue.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => queue.acquire()!.then(() => order.push(n)));
    queue.release();
    await waits[0];
    expect(order).toEqual([1]);
    expect(queue.inFlight).toBe(1);
    queue.release();
    queue.release();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
    queue.release();
    expect(queue.inFlight).toBe(0);
    expect(queue.waiting).toBe(0);
  });

  it('a caller that arrives while others wait queues behind them even when a slot is free for a moment', async () => {
    const queue = new RequestQueue(1, 1_000, 10);
    await queue.acquire();
    const first = queue.acquire()!;
    queue.release(); // the slot goes to `first`, not to whoever asks next
    const next = queue.acquire();
    expect(next).toBeInstanceOf(Promise);
    await first;
    queue.release();
    await next;
  });

  it('rejects a caller that waited past timeoutMs with a queue-timeout OverloadedError naming the limit, and skips it later', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const queue = new RequestQueue(1, 50, 10);
      await queue.acquire();
      const late = queue.acquire()!;
      const caught = late.catch((e: unknown) => e);
      jest.advanceTimersByTime(49);
      expect(await settled(late)).toBe('pending');
      jest.advanceTimersByTime(1);
      const error = await caught;
      expect(error).toBeInstanceOf(PersonalizedOffersOverloadedError);
      expect(error).toMatchObject({ reason: 'queue-timeout', limit: 50, code: 'OVERLOADED' });
      expect(queue.waiting).toBe(0);
      const next = queue.acquire()!;
      queue.release(); // must go to `next`, not to the expired waiter
      expect(await settled(next)).toBe('resolved');
      expect(queue.inFlight).toBe(1);
      expect(queue.waiting).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a caller with queue-full when maxLength callers already wait', async () => {
    const queue = new RequestQueue(1, 1_000, 2);
    await queue.acquire();
    const a = queue.acquire()!;
    const b = queue.acquire()!;
    const error = await queue.acquire()!.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersOverloadedError);
    expect(error).toMatchObject({ reason: 'queue-full', limit: 2 });
    expect(queue.waiting).toBe(2);
    queue.release();
    queue.release();
    await Promise.all([a, b]);
  });

  it('with maxLength 0 nobody waits: a busy queue refuses at once', async () => {
    const queue = new RequestQueue(1, 1_000, 0);
    await queue.acquire();
    await expect(queue.acquire()).rejects.toMatchObject({ reason: 'queue-full', limit: 0 });
  });

  it('keeps its array bounded while thousands pass through', async () => {
    const queue = new RequestQueue(1, 10_000, 100_000);
    await queue.acquire();
    const waits = Array.from({ length: 5_000 }, () => queue.acquire()!);
    for (let i = 0; i < 5_000; i++) queue.release();
    await Promise.all(waits);
    expect(queue.waiting).toBe(0);
    expect((queue as unknown as { waiters: unknown[] }).waiters.length).toBe(0);
    queue.release();
    expect(queue.inFlight).toBe(0);
  });
});

describe('RequestQueue on shutdown', () => {
  it('close() refuses every waiting caller and every later one with a closed OverloadedError', async () => {
    const queue = new RequestQueue(1, 60_000, 10);
    await queue.acquire();
    const waiting = [queue.acquire()!, queue.acquire()!].map((p) => p.catch((e: unknown) => e));
    queue.close();
    for (const error of await Promise.all(waiting)) {
      expect(error).toBeInstanceOf(PersonalizedOffersOverloadedError);
      expect(error).toMatchObject({ reason: 'closed', code: 'OVERLOADED' });
    }
    expect(queue.waiting).toBe(0);
    await expect(queue.acquire()).rejects.toMatchObject({ reason: 'closed' });
    queue.release(); // the attempt in flight ends: nothing left to hand the slot to
    expect(queue.inFlight).toBe(0);
  });
});
