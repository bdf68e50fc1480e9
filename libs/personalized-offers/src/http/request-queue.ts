import { PersonalizedOffersOverloadedError } from '../errors/personalized-offers-overloaded.error.js';

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

/**
 * The module's own queue in front of the connection pool: at most `slots` attempts in flight
 * (the pool's size, so a request that has a slot has a connection and never waits inside the
 * pool), the rest wait here in arrival order, each at most `timeoutMs`, at most `maxLength` of
 * them. The attempt timeout starts only once a slot is held: time spent here is the module's own
 * load, not the API's, so it never counts as an upstream failure (no breaker, no retry).
 */
export class RequestQueue {
  private active = 0;
  private readonly waiters: Waiter[] = [];
  private head = 0;

  constructor(
    readonly slots: number,
    private readonly timeoutMs: number,
    private readonly maxLength: number,
  ) {}

  /**
   * Takes a slot: `undefined` when one was free (the common case, no allocation), else a promise
   * that resolves when one frees up, or rejects with `PersonalizedOffersOverloadedError`. Every
   * slot taken must be given back with `release()`.
   */
  acquire(): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new PersonalizedOffersOverloadedError('closed', 0));
    // A free slot means nobody waits: `release` hands a slot straight to a live waiter.
    if (this.active < this.slots) {
      this.active++;
      return undefined;
    }
    if (this.waiting >= this.maxLength) return Promise.reject(new PersonalizedOffersOverloadedError('queue-full', this.maxLength));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        settled: false,
        timer: setTimeout(() => {
          waiter.settled = true; // left in the array; skipped (and dropped) when its turn comes
          this.expired++;
          reject(new PersonalizedOffersOverloadedError('queue-timeout', this.timeoutMs));
        }, this.timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the longest-waiting caller when there is one. */
  release(): void {
    while (this.head < this.waiters.length) {
      const next = this.waiters[this.head];
      this.waiters[this.head++] = undefined as unknown as Waiter;
      this.compact();
      if (next.settled) {
        this.expired--;
        continue;
      }
      next.settled = true;
      clearTimeout(next.timer);
      next.resolve(); // the slot passes straight to it: `active` is unchanged
      return;
    }
    this.active--;
  }

  /** Calls waiting for a slot (expired ones not counted). */
  get waiting(): number {
    return this.waiters.length - this.head - this.expired;
  }

  /** Attempts holding a slot. */
  get inFlight(): number {
    return this.active;
  }

  private expired = 0;
  private closed = false;

  /**
   * Refuses every caller still waiting, and every later one, with a `closed` OverloadedError
   * (module shutdown): nothing queued outlives the application. Attempts in flight finish or are
   * aborted by the pool closing.
   */
  close(): void {
    this.closed = true;
    for (let i = this.head; i < this.waiters.length; i++) {
      const waiter = this.waiters[i];
      if (waiter.settled) continue;
      waiter.settled = true;
      clearTimeout(waiter.timer);
      waiter.reject(new PersonalizedOffersOverloadedError('closed', 0));
    }
    this.waiters.length = 0;
    this.head = 0;
    this.expired = 0;
  }

  /** Drops the consumed front of the array once it is at least half of it. */
  private compact(): void {
    if (this.head === this.waiters.length) {
      this.waiters.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
  }
}
