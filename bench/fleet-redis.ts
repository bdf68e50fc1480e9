/**
 * `npm run bench:fleet-redis`: the figures of the README's "Redis for a fleet" section, on real
 * servers this script starts itself (redis-server master + replica + 3 sentinels, free ports, temp
 * dirs, no persistence) and the simulator as the upstream (its request count is the measure).
 * - tokens fetched per user: 3 module instances sharing the Sentinel store, each asking for every
 *   one of 200 users at once (600 concurrent calls), then again: upstream requests ÷ users (1 is
 *   the goal: the fleet fetches each token once);
 * - a failover under load: 3 instances, `--rate` calls/s in all for `--seconds` s (half to 50 hot,
 *   already cached users, half to new users that each instance asks for in turn); run once as is,
 *   once with the master SIGKILLed in the middle (the sentinels promote the replica). Extra
 *   upstream calls = requests − new users; failed calls and the promotion time are printed too.
 * `--smoke` runs tiny counts (proves the script runs; asserts nothing).
 */
import 'reflect-metadata';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { PERSONALIZED_OFFERS_TOKEN_STORE, PersonalizedOffersModule, type RedisTokenStore, UserTokenService } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';

const run = promisify(execFile);
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const smoke = process.argv.includes('--smoke');
const USERS = smoke ? 20 : 200;
const RATE = arg('rate', smoke ? 60 : 300);
const SECONDS = arg('seconds', smoke ? 3 : 10);
const FID = '999999';
const NAME = 'benchmaster';

const dir = mkdtempSync(join(tmpdir(), 'plo-bench-fleet-'));
const procs: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 })).stdout;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not in time`);
    await sleep(100);
  }
}

/** Master, replica, 3 sentinels; answers the sentinel ports and a function to read the master's port. */
async function startSentinelSetup() {
  const data = [await freePort(), await freePort()];
  const processes = new Map<number, ChildProcess>();
  const startData = (port: number, replicaOf?: number) => {
    const d = join(dir, `data-${port}`);
    mkdirSync(d, { recursive: true });
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', d];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    procs.push(p);
    processes.set(port, p);
  };
  startData(data[0]);
  startData(data[1], data[0]);
  const sentinels: { host: string; port: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const d = join(dir, `sentinel-${i}`);
    mkdirSync(d);
    const conf = join(d, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${d}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${data[0]} 2`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel failover-timeout ${NAME} 3000`,
        '',
      ].join('\n'),
    );
    procs.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
    sentinels.push({ host: '127.0.0.1', port });
  }
  const masterPort = async () => Number((await cli(sentinels[0].port, 'sentinel', 'get-master-addr-by-name', NAME)).trim().split('\n')[1]);
  const replicated = () =>
    until('replication', async () => {
      const info = await cli(await masterPort(), 'info', 'replication');
      const seen = await Promise.all(sentinels.map(async (s) => !(await cli(s.port, 'sentinel', 'replicas', NAME)).includes('s_down')));
      return /slave0:.*state=online/.test(info) && seen.every(Boolean);
    });
  await replicated();
  return {
    sentinels,
    masterPort,
    async killMaster(): Promise<number> {
      const port = await masterPort();
      const p = processes.get(port);
      if (!p) throw new Error(`the master on port ${port} is not a redis-server this script started`);
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      });
      processes.delete(port);
      return port;
    },
    /** Starts the killed node again as a replica of the current master. */
    async heal(): Promise<void> {
      const master = await masterPort();
      for (const port of data) if (!processes.has(port)) startData(port, master);
      await replicated();
    },
  };
}

async function instance(simulator: PersonalizedOffersSimulator, baseUrl: string, sentinels: { host: string; port: number }[], prefix: string) {
  // Module metadata as the entry: Nest wraps it in a root module class of its own.
  const app = await NestFactory.createApplicationContext(
    {
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: FID,
          baseUrl,
          authInfo: simulator.authInfo,
          cache: { store: { redis: { sentinels, name: NAME, keyPrefix: prefix, commandTimeoutMs: 1_000 } }, lockWaitMs: 5_000 },
        }),
      ],
    },

    { logger: false },
  );
  const store = app.get<RedisTokenStore>(PERSONALIZED_OFFERS_TOKEN_STORE);
  await until('instance connected', () => Promise.resolve(store.client.status === 'ready'), 20_000);
  return { users: app.get(UserTokenService), store, close: () => app.close() };
}

async function main(): Promise<void> {
  const setup = await startSentinelSetup();
  const simulator = new PersonalizedOffersSimulator();
  const { baseUrl } = await simulator.start();
  const fleetOf = (prefix: string) => Promise.all([0, 1, 2].map(() => instance(simulator, baseUrl, setup.sentinels, prefix)));

  // 1. Tokens fetched per user across the fleet.
  const fleet = await fleetOf('bench1:');
  simulator.resetRequestCount();
  const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  for (let round = 0; round < 2; round++) await Promise.all(fleet.flatMap((f) => users.map((u) => f.users.getUserToken(u))));
  const perUser = simulator.requestCount / USERS;
  console.log(
    `fleet of 3 on a shared Redis (Sentinel): ${USERS} users × 3 instances × 2 rounds → ${simulator.requestCount} upstream requests = ${perUser.toFixed(2)} tokens fetched per user`,
  );
  await Promise.all(fleet.map((f) => f.close()));

  // 2. Extra upstream calls caused by a failover under load.
  const results: Record<string, { calls: number; failed: number; newUsers: number; requests: number; promotionMs?: number; backMs?: number }> = {};
  for (const scenario of ['steady', 'failover'] as const) {
    const prefix = `bench-${scenario}:`;
    const f = await fleetOf(prefix);
    const hot = Array.from({ length: 50 }, (_, i) => `hot-${i}`);
    for (const x of f) for (const u of hot) await x.users.getUserToken(u);
    simulator.resetRequestCount();
    const total = RATE * SECONDS;
    const fresh = new Set<string>();
    let failed = 0;
    let promotionMs: number | undefined;
    let backMs: number | undefined;
    const pending: Promise<unknown>[] = [];
    const start = performance.now();
    let failover: Promise<void> | undefined;
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1_000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (scenario === 'failover' && !failover && i >= total / 2) {
        failover = (async () => {
          const t0 = performance.now();
          const old = await setup.killMaster();
          await until(
            'promotion',
            async () => (await setup.masterPort()) !== old && (await cli(await setup.masterPort(), 'info', 'replication')).includes('role:master'),
          );
          promotionMs = performance.now() - t0;
          // Then until every instance's connection is on the new master again.
          await until('instances back', () => Promise.resolve(f.every((x) => x.store.client.status === 'ready')), 30_000).catch(() => undefined);
          backMs = performance.now() - t0;
          if (process.env.FLEET_DEBUG) console.log(f.map((x) => x.store.client.status));
        })();
        if (process.env.FLEET_DEBUG) {
          const t0 = performance.now();
          const timer = setInterval(() => console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`, f.map((x) => x.store.client.status).join(',')), 250);
          void failover.finally(() => setTimeout(() => clearInterval(timer), 3_000));
        }
      }
      const who = f[i % 3];
      // Every other call: a new user, asked for by each instance in turn (6 calls apart).
      const user = i % 2 === 0 ? `new-${Math.floor(i / 6)}` : hot[i % hot.length];
      if (user.startsWith('new-')) fresh.add(user);
      pending.push(
        who.users.getUserToken(user).then(
          (token) => {
            if (token !== simulator.tokenFor(FID, user)) failed++;
          },
          () => failed++,
        ),
      );
    }
    await Promise.all(pending);
    await failover;
    results[scenario] = { calls: total, failed, newUsers: fresh.size, requests: simulator.requestCount, promotionMs, backMs };
    await Promise.all(f.map((x) => x.close()));
    if (scenario === 'failover') await setup.heal();
  }
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(8)}: ${r.calls} calls in ${SECONDS} s (${RATE}/s) from 3 instances, ${r.failed} failed or wrong, ${r.newUsers} new users, ` +
        `${r.requests} upstream requests → ${r.requests - r.newUsers} extra` +
        (r.promotionMs !== undefined
          ? `; master killed at ${SECONDS / 2} s, replica promoted after ${(r.promotionMs / 1000).toFixed(1)} s, every instance on it after ${((r.backMs ?? NaN) / 1000).toFixed(1)} s`
          : ''),
    );
  }
  const extra = results.failover.requests - results.failover.newUsers - (results.steady.requests - results.steady.newUsers);
  console.log(`extra upstream calls caused by the Sentinel failover: ${extra}`);
  await simulator.stop();
}

try {
  await main();
} finally {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
