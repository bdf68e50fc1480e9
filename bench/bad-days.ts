/**
 * `npm run bench:bad-days`: the figures of the README's "Bad days" table. Each scenario runs the
 * module (built package, default options) in a child process of its own, so its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own; the upstream runs in this process.
 * - burst: N concurrent `getUserToken` calls for distinct users, every answer after 100 ms;
 * - oversized answers: one `getUserToken` answered by a 300 MB body (with a Content-Length,
 *   chunked without one, and, on the `node` transport, a ~300 KB gzip body inflating to 300 MB),
 *   which the module must refuse (`PersonalizedOffersResponseTooLargeError`) without holding it.
 * `--smoke` runs tiny counts and sizes (proves the script runs; asserts nothing).
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const smoke = process.argv.includes('--smoke');
const BURST = smoke ? 200 : 10_000;
const HUGE = smoke ? 8 * 2 ** 20 : 300 * 10 ** 6;
const LATENCY_MS = 100;
const TOKEN = JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: 'mh3WonUm5xmE' } } });

type Mode = 'slow-ok' | 'huge-length' | 'huge-chunked' | 'gzip-bomb';
interface ChildResult {
  calls: number;
  ok: number;
  failures: Record<string, number>;
  wallMs: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
}

if (process.argv[2] === '--child') await child();
else await parent();

async function parent(): Promise<void> {
  let mode: Mode = 'slow-ok';
  let received = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const bomb = gzipSync(Buffer.alloc(HUGE, 0), { level: 9 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    received++;
    req.resume();
    if (mode === 'slow-ok') {
      setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end(TOKEN), LATENCY_MS);
      return;
    }
    if (mode === 'gzip-bomb') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bomb.length }).end(bomb);
      return;
    }
    // 300 MB streamed lazily (never held here either), with or without a declared length.
    res.writeHead(200, { 'Content-Type': 'application/json', ...(mode === 'huge-length' ? { 'Content-Length': HUGE } : {}) });
    let sent = 0;
    const pump = () => {
      while (sent < HUGE) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (sent = HUGE));
    pump();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const run = (scenario: string, transport: string, calls: number) =>
    new Promise<ChildResult>((resolve, reject) => {
      const proc = fork(fileURLToPath(import.meta.url), ['--child', baseUrl, transport, String(calls)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      proc.once('message', (m) => resolve(m as ChildResult));
      proc.once('exit', (code) => code !== 0 && reject(new Error(`${scenario} exited with ${code}`)));
    });

  const rows: string[] = [];
  const mib = (n: number) => `${n.toFixed(0)} MiB`;
  mode = 'slow-ok';
  received = 0;
  const burst = await run('burst', 'undici', BURST);
  rows.push(
    `| burst: ${BURST} concurrent getUserToken, distinct users, ${LATENCY_MS} ms upstream (undici) | ${burst.ok}/${burst.calls} succeeded${failureText(burst)}, upstream got ${received} | ${(burst.wallMs / 1000).toFixed(1)} s | ${mib(burst.peakRssMiB)} (${mib(burst.rssBeforeMiB)} before) |`,
  );
  for (const [scenario, transport] of [
    ['huge-length', 'undici'],
    ['huge-length', 'node'],
    ['huge-chunked', 'undici'],
    ['huge-chunked', 'node'],
    ['gzip-bomb', 'node'],
  ] as const) {
    mode = scenario;
    const r = await run(scenario, transport, 1);
    const what =
      scenario === 'gzip-bomb'
        ? `${(bomb.length / 1024).toFixed(0)} KB gzip inflating to ${(HUGE / 1e6).toFixed(0)} MB`
        : `${(HUGE / 1e6).toFixed(0)} MB ${scenario === 'huge-length' ? 'with Content-Length' : 'chunked'}`;
    rows.push(
      `| refusing a ${what} (${transport}) | ${Object.keys(r.failures).join(', ') || 'accepted!'} | ${r.wallMs.toFixed(0)} ms | ${mib(r.peakRssMiB)} (+${mib(r.peakRssMiB - r.rssBeforeMiB)}) |`,
    );
  }
  server.close();
  console.log('| scenario | outcome | wall time | peak RSS of the module process |\n| --- | --- | ---: | ---: |');
  for (const row of rows) console.log(row);
}

function failureText(r: ChildResult): string {
  const kinds = Object.entries(r.failures).map(([k, n]) => `${n} ${k}`);
  return kinds.length ? ` (${kinds.join(', ')})` : '';
}

async function child(): Promise<void> {
  const [, , , baseUrl, transport, count] = process.argv;
  const { Test } = await import('@nestjs/testing');
  const { PersonalizedOffersModule, UserTokenService } = await import('nestjs-personalized-offers');
  const moduleRef = await Test.createTestingModule({
    imports: [
      PersonalizedOffersModule.forRoot({
        fId: '999999',
        baseUrl: baseUrl,
        authInfo: { key: '000102030405060708090a0b0c0d0e0f', iv: '0f0e0d0c0b0a09080706050403020100' },
        http: { transport: transport as 'undici' | 'node' },
      }),
    ],
  }).compile();
  moduleRef.useLogger(false);
  const users = moduleRef.get(UserTokenService);
  const calls = Number(count);
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: calls }, (_, i) => users.getUserToken(`burst-user-${i}`)));
  const wallMs = performance.now() - started;
  const failures: Record<string, number> = {};
  for (const o of outcomes) if (o.status === 'rejected') failures[(o.reason as Error).name] = (failures[(o.reason as Error).name] ?? 0) + 1;
  const result: ChildResult = {
    calls,
    ok: outcomes.filter((o) => o.status === 'fulfilled').length,
    failures,
    wallMs,
    rssBeforeMiB: rssBefore / 2 ** 20,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  };
  await moduleRef.close();
  if (!process.send) throw new Error('bad-days child: run by the parent (a forked process with IPC)');
  process.send(result, undefined, {}, () => process.exit(0));
}
