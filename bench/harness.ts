import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The upstream child process. */
export class Upstream {
  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {}

  static async start(latencyMs = 0): Promise<Upstream> {
    const child = fork(fileURLToPath(new URL('./upstream.js', import.meta.url)), {
      env: { ...process.env, BENCH_UPSTREAM_LATENCY_MS: String(latencyMs) },
      stdio: 'inherit',
    });
    const { port } = await next<{ port: number }>(child, 'port');
    return new Upstream(child, `http://127.0.0.1:${port}/plo/v1`);
  }

  async served(): Promise<number> {
    this.child.send({ type: 'count' });
    return (await next<{ served: number }>(this.child, 'served')).served;
  }

  reset(): void {
    this.child.send({ type: 'reset' });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}

function next<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: any) => {
      if (m && field in m) {
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
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
}

/** Alternating rounds: contender order rotates each round; returns each contender's median. */
export async function alternate<K extends string>(
  rounds: number,
  contenders: Record<K, (round: number) => Promise<number>>,
): Promise<Record<K, number>> {
  const names = Object.keys(contenders) as K[];
  const results = Object.fromEntries(names.map((n) => [n, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(round + j) % names.length]!;
      results[name].push(await contenders[name](round));
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(results[n])])) as Record<K, number>;
}
