/**
 * The fleet-wide rate limit in figures (`npm run bench:rate-limit`):
 * 1. accuracy: 3 instances (3 processes) sharing one real `redis-server`, limit 50/s burst 5,
 *    900 calls fired at once (300 per instance), against an upstream in its own process that
 *    records every arrival: the most requests in any 1 s window ÷ the limit (≤ (50 + 5) / 50 =
 *    1.10 is the promise), and the calls' throughput;
 * 2. cost: µs per call of `usertokenGet` (c = 64, 10 000 calls) without `rateLimit`, with the
 *    memory limiter and with the Redis limiter (a limit far above what is reached, so only the
 *    permit's cost shows), and the limiters alone (ns per memory permit, µs per Redis permit).
 * Needs `redis-server` on the PATH. RATE_LIMIT_RUNS=n (default 3) accuracy runs; RATE_LIMIT_DEBUG=1
 * prints the worst window's arrivals per 100 ms; RATE_LIMIT_SKIP_COST=1 skips part 2.
 */
import 'reflect-metadata';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { FID, bareAuthInfo, moduleContender } from './contenders.js';
import { Upstream, alternate, runConcurrent } from './harness.js';

const LIMIT = 50;
const BURST = 5;
const PER_INSTANCE = 300;
const self = fileURLToPath(import.meta.url);
const role = process.argv[2];

/** Messages to the parent over IPC (the upstream and the instances are forked by `main`). */
function report(message: Record<string, unknown>): void {
  if (!process.send) throw new Error(`rate-limit ${role}: run it through the parent (a forked process with IPC)`);
  process.send(message);
}

if (role === 'upstream') await upstream();
else if (role === 'instance') await instance(process.argv[3], process.argv[4]);
else await main();

/** Answers every request with a user token and records its arrival time. */
async function upstream(): Promise<void> {
  const body = Buffer.from(JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: 'benchTok3n' } } }));
  let arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'arrivals') report({ arrivals });
    if (m.type === 'reset') {
      arrivals = [];
      report({ reset: true });
    }
    if (m.type === 'stop') server.close(() => process.exit(0));
  });
  report({ port: (server.address() as AddressInfo).port });
}

/** What `accuracy` sends an instance. */
type InstanceMessage = { type: 'go'; calls: number; tag: string } | { type: 'stop' };

/** One instance of the fleet: the module with the Redis store and the limit; fires its calls on `go`. */
async function instance(baseUrl: string, redisUrl: string): Promise<void> {
  const mod = await moduleContender({
    baseUrl,
    http: { maxSockets: 64 },
    cache: { store: { redis: { url: redisUrl, keyPrefix: 'bench:', commandTimeoutMs: 2_000 } } },
    rateLimit: { requestsPerSecond: LIMIT, burst: BURST, maxWaitMs: 60_000 },
  });
  const onMessage = async (m: InstanceMessage): Promise<void> => {
    if (m.type === 'go') {
      const started = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: m.calls }, (_, i) =>
          mod.users.usertokenGet(FID, bareAuthInfo(`${m.tag}-${i}`)).then(
            () => 'ok',
            (e: unknown) => (e instanceof Error ? e.name : String(e)),
          ),
        ),
      );
      const counts: Record<string, number> = {};
      for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
      report({ counts, ms: performance.now() - started });
    }
    if (m.type === 'stop') {
      await mod.close();
      process.exit(0);
    }
  };
  process.on('message', (m: InstanceMessage) => {
    // A failure ends the instance as an unhandled rejection would: the error printed, exit code 1.
    onMessage(m).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  report({ ready: true });
}

function next<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (typeof m === 'object' && m !== null && field in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
  });
}

function maxInWindow(times: number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** Where the first window holding the most arrivals starts. */
function worstWindow(times: number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let at = sorted[0];
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    if (i - j + 1 > max) {
      max = i - j + 1;
      at = sorted[j];
    }
  }
  return at;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => s.write('PING\r\n'));
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.once('error', () => resolve(false));
    });
    if (up) return { url: `redis://127.0.0.1:${port}/0`, stop: () => proc.kill('SIGKILL') };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

async function accuracy(redisUrl: string, runs: number): Promise<void> {
  const up = fork(self, ['upstream'], { stdio: 'inherit' });
  const { port } = await next<{ port: number }>(up, 'port');
  const fleet = [0, 1, 2].map(() => fork(self, ['instance', `http://127.0.0.1:${port}`, redisUrl], { stdio: 'inherit' }));
  await Promise.all(fleet.map((c) => next(c, 'ready')));
  console.log(`\n1. Accuracy: 3 instances (processes), one Redis, limit ${LIMIT}/s burst ${BURST}, ${PER_INSTANCE * 3} calls fired at once`);
  const redis = new Redis(redisUrl);
  for (let run = 1; run <= runs; run++) {
    await redis.flushall();
    up.send({ type: 'reset' });
    await next(up, 'reset');
    for (const c of fleet) c.send({ type: 'go', calls: PER_INSTANCE, tag: `r${run}-${fleet.indexOf(c)}` });
    const results = await Promise.all(fleet.map((c) => next<{ counts: Record<string, number>; ms: number }>(c, 'counts')));
    up.send({ type: 'arrivals' });
    const { arrivals } = await next<{ arrivals: number[] }>(up, 'arrivals');
    const max = maxInWindow(arrivals);
    const t0 = Math.min(...arrivals);
    const worst = worstWindow(arrivals);
    const buckets = Array.from({ length: 12 }, (_, k) => arrivals.filter((a) => a >= worst + (k - 1) * 100 && a < worst + k * 100).length);
    if (process.env.RATE_LIMIT_DEBUG)
      console.log(`   worst window starts ${Math.round(worst - t0)} ms after the first arrival; per 100 ms from 100 ms before it: ${buckets.join(' ')}`);
    const span = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const counts = results.map((r) => r.counts);
    console.log(
      `   run ${run}: ${arrivals.length} requests in ${span.toFixed(1)} s (${(arrivals.length / span).toFixed(1)}/s), max in any 1 s window ${max}: accuracy ${(max / LIMIT).toFixed(2)} (bound ${((LIMIT + BURST) / LIMIT).toFixed(2)}); outcomes ${JSON.stringify(counts)}`,
    );
  }
  redis.disconnect();
  for (const c of [...fleet, up]) c.send({ type: 'stop' });
  await Promise.all([...fleet, up].map((c) => new Promise((r) => c.once('exit', r))));
}

/** What `cost` uses of the build's http/rate-limiter.js (internal to the library, so not importable by name). */
interface RateLimiterModule {
  MemoryRateLimiter: new (options: RateLimitOptions) => { take(): unknown };
  RedisRateLimiter: new (client: Redis, key: string, options: RateLimitOptions, warn: (message: string) => void) => { take(): Promise<unknown> };
}
interface RateLimitOptions {
  requestsPerSecond: number;
  burst: number;
  maxWaitMs: number;
}

async function cost(redisUrl: string): Promise<void> {
  const total = 10_000;
  const concurrency = 64;
  const upstream = await Upstream.start(0);
  const unlimited = { requestsPerSecond: 1_000_000, burst: 1_000_000, maxWaitMs: 60_000 };
  const none = await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: concurrency }, cache: false });
  const memory = await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: concurrency }, cache: false, rateLimit: unlimited });
  const shared = await moduleContender({
    baseUrl: upstream.baseUrl,
    http: { maxSockets: concurrency },
    cache: { store: { redis: { url: redisUrl, keyPrefix: 'cost:', commandTimeoutMs: 2_000 } } },
    rateLimit: unlimited,
  });
  let serial = 0;
  const run = (mod: typeof none) => async () => runConcurrent(total, concurrency, () => mod.users.usertokenGet(FID, bareAuthInfo(`c${serial++}`)));
  for (const mod of [none, memory, shared]) await run(mod)(); // warm-up
  const ms = await alternate(5, { none: run(none), memory: run(memory), redis: run(shared) });
  const us = (v: number) => (v * 1000) / total;
  console.log(`\n2. Cost per call: usertokenGet, ${total} calls at concurrency ${concurrency}, median of 5 alternating rounds (µs of wall time per call)`);
  console.log(
    `   without rateLimit ${us(ms.none).toFixed(1)} µs; memory limiter ${us(ms.memory).toFixed(1)} µs (${(us(ms.memory) - us(ms.none)).toFixed(1)}); Redis limiter ${us(ms.redis).toFixed(1)} µs (${(us(ms.redis) - us(ms.none)).toFixed(1)})`,
  );
  for (const mod of [none, memory, shared]) await mod.close();
  await upstream.stop();

  // The limiters alone, loaded from the build (they are internal).
  const { MemoryRateLimiter, RedisRateLimiter } = (await import(
    new URL('../personalized-offers/http/rate-limiter.js', import.meta.url).href
  )) as RateLimiterModule;
  const gcra = new MemoryRateLimiter(unlimited);
  const n = 1_000_000;
  for (let i = 0; i < n; i++) gcra.take();
  let t = performance.now();
  for (let i = 0; i < n; i++) gcra.take();
  const memoryNs = ((performance.now() - t) * 1e6) / n;
  const client = new Redis(redisUrl, { lazyConnect: true });
  await client.connect();
  const limiter = new RedisRateLimiter(client, 'micro:rl:{default}', unlimited, (m: string) => console.log(m));
  for (let i = 0; i < 1_000; i++) await limiter.take();
  const sequential = 5_000;
  t = performance.now();
  for (let i = 0; i < sequential; i++) await limiter.take();
  const rtt = ((performance.now() - t) * 1000) / sequential;
  t = performance.now();
  await runConcurrent(50_000, 64, () => limiter.take());
  const throughput = ((performance.now() - t) * 1000) / 50_000;
  console.log(
    `   the limiters alone: memory ${memoryNs.toFixed(0)} ns per permit; Redis ${rtt.toFixed(0)} µs per permit one at a time (a round trip), ${throughput.toFixed(1)} µs per permit at concurrency 64`,
  );
  client.disconnect();
}

async function main(): Promise<void> {
  const redis = await startRedis();
  try {
    await accuracy(redis.url, Number(process.env.RATE_LIMIT_RUNS ?? 3));
    if (!process.env.RATE_LIMIT_SKIP_COST) await cost(redis.url);
  } finally {
    redis.stop();
  }
}
