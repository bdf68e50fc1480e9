import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The upstream child process. */
export class Upstream {
  private constructor(
    private readonly child: ChildProcess,
    /** Host only (`http://127.0.0.1:PORT`): callers append full paths such as `/plo/v1/usertoken`. */
    readonly baseUrl: string,
    /** Size of the matched-offers page the upstream serves. */
    readonly matchedOffersBytes: number,
  ) {}

  static async start(latencyMs = 0): Promise<Upstream> {
    const child = fork(fileURLToPath(new URL('./upstream.js', import.meta.url)), {
      env: { ...process.env, BENCH_UPSTREAM_LATENCY_MS: String(latencyMs) },
      stdio: 'inherit',
    });
    const { port, matchedOffersBytes } = await next<{ port: number; matchedOffersBytes: number }>(child, 'port');
    return new Upstream(child, `http://127.0.0.1:${port}`, matchedOffersBytes);
  }

  async served(): Promise<number> {
    this.child.send({ type: 'count' });
    return (await next<{ served: number }>(this.child, 'served')).served;
  }

  /** Zeroes the request count; resolves once the upstream has done it. */
  async reset(): Promise<void> {
    this.child.send({ type: 'reset' });
    await next(this.child, 'reset');
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}

function next<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (typeof m === 'object' && m !== null && field in m) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
  });
}

/** Runs `task(i)` for i in [0, total) with `concurrency` workers; returns the wall time in ms. */
export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let nextIndex = 0;
  const started = performance.now();
  const worker = async () => {
    while (nextIndex < total) {
      const i = nextIndex++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return performance.now() - started;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
}

/** Alternating rounds: contender order rotates each round; returns each contender's median. */
export async function alternate<K extends string>(rounds: number, contenders: Record<K, (round: number) => Promise<number>>): Promise<Record<K, number>> {
  const names = Object.keys(contenders) as K[];
  const results = Object.fromEntries(names.map((n) => [n, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(round + j) % names.length];
      results[name].push(await contenders[name](round));
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(results[n])])) as Record<K, number>;
}

export interface OpenLoopResult {
  /** Requests scheduled (rate × seconds). */
  requests: number;
  /** Latency percentiles in ms, from each request's scheduled send time to its completion. */
  p50: number;
  p99: number;
  max: number;
  /** The latest a request was actually issued after its scheduled time, in ms (the loop's own lag). */
  maxIssueLagMs: number;
}

/**
 * Open loop: `rate` requests per second for `seconds`, each issued at its scheduled time whether
 * or not earlier ones have completed; a request's latency runs from its scheduled send time, so
 * time spent queued (behind a busy event loop, a full pool, the thread pool) counts.
 */
export function openLoop(rate: number, seconds: number, task: (i: number) => Promise<unknown>): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  return new Promise((resolve, reject) => {
    let issued = 0;
    let done = 0;
    let maxIssueLagMs = 0;
    let failed = false;
    const start = performance.now() + 2;
    const finish = () => {
      const sorted = Array.from(latencies).sort((a, b) => a - b);
      resolve({ requests: total, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], maxIssueLagMs });
    };
    const tick = () => {
      if (failed) return;
      const now = performance.now();
      while (issued < total && start + issued * interval <= now) {
        const i = issued++;
        const scheduled = start + i * interval;
        maxIssueLagMs = Math.max(maxIssueLagMs, now - scheduled);
        task(i).then(
          () => {
            latencies[i] = performance.now() - scheduled;
            if (++done === total) finish();
          },
          (error: unknown) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
      if (issued < total) setTimeout(tick, Math.max(0, start + issued * interval - performance.now()));
    };
    setTimeout(tick, 2);
  });
}
