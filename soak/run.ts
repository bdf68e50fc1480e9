/**
 * `npm run soak [-- --duration <seconds>]`: the example app under autocannon load against the
 * simulator with ~5 % injected faults (seeded, so a run replays). Passes when every 200 carries the
 * token the simulator issued to the requested user, no request gets an unmapped 500, every
 * failure is one of the mapped errors, and the app's heap after a forced GC
 * grows by less than 10 % between the end of the warm-up and the end of the run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { PersonalizedOffersSimulator, type SimulatorFaultRule } from 'nestjs-personalized-offers/testing';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const duration = arg('duration', 60);
const warmup = Math.max(2, Math.min(10, Math.round(duration / 6)));
const connections = arg('connections', 32);
const USERS = 20_000;
const MAPPED = new Set(['INVALID_USER_ID', 'INVALID_ARGUMENT', 'API_ERROR', 'INVALID_RESPONSE', 'NETWORK_ERROR', 'NETWORK_TIMEOUT', 'OUTCOME_UNKNOWN', 'UNAVAILABLE']);

// ~5 % of requests get a fault; each kind on its own seeded generator.
const mix: Array<[SimulatorFaultRule['fault'], number]> = [
  [{ type: 'http-error', status: 500 }, 0.01],
  [{ type: 'http-error', status: 503, retryAfter: '0' }, 0.005],
  [{ type: 'http-error', status: 429, retryAfter: '0' }, 0.005],
  [{ type: 'latency', ms: 300 }, 0.005],
  [{ type: 'hang' }, 0.0025],
  [{ type: 'reset-mid-body' }, 0.005],
  [{ type: 'malformed-json' }, 0.005],
  [{ type: 'html-error' }, 0.005],
  [{ type: 'status-code', code: '601' }, 0.0025],
  [{ type: 'empty-body' }, 0.005],
];
const faults: SimulatorFaultRule[] = mix.map(([fault, probability], i) => ({ fault, schedule: { probability, seed: 1000 + i } }));

function message<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: any) => {
      if (m && field in m) {
        child.off('message', on);
        resolve(m[field] as T);
      }
    };
    child.on('message', on);
  });
}

/** The token the simulator issues to `userId` (what a 200 must carry), computed once per user. */
const expectedTokens = new Map<string, string>();
function expectedToken(userId: string): string {
  let token = expectedTokens.get(userId);
  if (token === undefined) expectedTokens.set(userId, (token = simulator.tokenFor('999999', userId)));
  return token;
}

/**
 * What a 200 from `GET /user-token` is worth: `ok` only when its body is `{ token }` with the
 * token the simulator issues to the user the request was made for; a 200 is not a success by
 * its status alone.
 */
function checkToken(body: string, userId: string | undefined): string {
  let token: unknown;
  try {
    token = (JSON.parse(body) as { token?: unknown } | null)?.token;
  } catch {
    return 'unparsable';
  }
  if (typeof token !== 'string' || token === '') return 'no-token';
  if (userId === undefined) return 'unknown-user';
  return token === expectedToken(userId) ? 'ok' : 'wrong-token';
}

async function load(port: number, seconds: number, tally: Map<string, number>) {
  let serial = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: '/user-token',
        // The context is the connection's (one request in flight on it): its response is checked against this user.
        setupRequest: (req: any, context: { userId?: string }) => {
          context.userId = `soak-user-${serial++ % USERS}`;
          return { ...req, headers: { ...req.headers, 'x-demo-user-id': context.userId } };
        },
        onResponse: (status: number, body: string, context: { userId?: string }) => {
          let code: string;
          if (status === 200) {
            code = checkToken(body, context.userId);
          } else {
            try {
              code = String(JSON.parse(body).code ?? 'no-code');
            } catch {
              code = 'unparsable';
            }
          }
          const key = `${status} ${code}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
        },
      },
    ],
  } as autocannon.Options);
}

const simulator = new PersonalizedOffersSimulator({ faults, maxClockSkewSeconds: 300 });
const { baseUrl } = await simulator.start();
const { key, iv } = simulator.authInfo as { key: string; iv: string };
const child = fork(fileURLToPath(new URL('./app-process.js', import.meta.url)), {
  execArgv: ['--expose-gc'],
  env: {
    ...process.env,
    PLO_FID: '999999',
    PLO_BASE_URL: baseUrl,
    PLO_AUTHINFO_KEY: key,
    PLO_AUTHINFO_IV: iv,
    PLO_HTTP_TIMEOUT_MS: '1000',
    // A bounded user pool larger than the cache keeps most requests on the upstream path.
    PLO_CACHE_MAX_ENTRIES: '2000',
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await message<number>(child, 'port');

const warmTally = new Map<string, number>();
await load(port, warmup, warmTally);
child.send({ type: 'heap' });
const heapBefore = await message<number>(child, 'heapUsed');

const tally = new Map<string, number>();
simulator.resetRequestCount();
const result = await load(port, duration, tally);
child.send({ type: 'heap' });
const heapAfter = await message<number>(child, 'heapUsed');
child.send({ type: 'stop' });
await new Promise((r) => child.once('exit', r));
await simulator.stop();

const served = [...tally.values()].reduce((a, b) => a + b, 0);
const withToken = tally.get('200 ok') ?? 0;
// A 200 without the user's own token (none, unparsable, another user's) is a failure, and an unmapped one.
const failures = [...tally].filter(([k]) => k !== '200 ok');
const unmapped = failures.filter(([k]) => {
  const [status, code] = k.split(' ');
  return status === '500' || !MAPPED.has(code!) || !['400', '502', '503', '504'].includes(status!);
});
const growth = (heapAfter - heapBefore) / heapBefore;
const pass = served > 0 && withToken > 0 && unmapped.length === 0 && growth < 0.1 && result.errors === 0;

const lines = [
  `Soak: ${duration} s (after ${warmup} s warm-up), ${connections} connections, ~5 % injected faults, Node ${process.version}`,
  '',
  '| figure | value |',
  '| --- | --- |',
  `| requests answered by the app | ${served} (${Math.round(served / duration)} req/s) |`,
  `| 200s carrying the requested user's token | ${withToken} |`,
  `| latency p50 / p90 / p99 / max | ${result.latency.p50} / ${result.latency.p90} / ${result.latency.p99} / ${result.latency.max} ms |`,
  ...[...tally].sort().map(([k, n]) => `| responses ${k} | ${n} |`),
  `| faults injected by the simulator | ${Object.entries(simulator.faultsApplied).map(([t, n]) => `${t} ${n}`).join(', ')} |`,
  `| client errors / timeouts (autocannon) | ${result.errors} / ${result.timeouts} |`,
  `| heap after GC: before → after | ${(heapBefore / 1048576).toFixed(1)} MiB → ${(heapAfter / 1048576).toFixed(1)} MiB (${(growth * 100).toFixed(1)} %) |`,
  `| unmapped failures | ${unmapped.length ? unmapped.map(([k, n]) => `${k}×${n}`).join(', ') : 'none'} |`,
  '',
  pass ? 'PASS' : 'FAIL',
];
console.log(lines.join('\n'));
process.exit(pass ? 0 : 1);
