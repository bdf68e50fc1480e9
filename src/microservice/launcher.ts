import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { redactUrl } from './redact-url.js';
import { freePort } from './free-port.js';
import { answersPing } from './redis-ping.js';

/**
 * `npm run start:microservice`: a small fleet on one machine.
 *
 * 1. Redis: `REDIS_URL` when set; otherwise a local `redis-server` on a free port (no persistence),
 *    stopped on exit.
 * 2. The upstream: the Personalized Offers API from the `PLO_*` variables when any is set;
 *    otherwise ONE simulator, in this process, that every instance talks to (a simulator mints
 *    tokens with its own secret, so a shared token is only meaningful against the same one).
 * 3. Two instances of the offers microservice (`main.js`), on the TCP ports of
 *    `MICROSERVICE_PORTS` (default `3001,3002`), sharing the Redis token cache.
 *
 * SIGINT/SIGTERM stop the instances (their Nest shutdown hooks), then the simulator and Redis.
 */

const INSTANCE_NAMES = 'ABCDEFGHIJ';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

const log = (line: string): void => void process.stdout.write(`[launcher] ${line}\n`);

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

let stopping = false;
const instances: Instance[] = [];
let simulator: PersonalizedOffersSimulator | undefined;
let redis: { child: ChildProcess; dir: string; exited: Promise<void> } | undefined;

function ports(env: NodeJS.ProcessEnv): number[] {
  const list = (env.MICROSERVICE_PORTS ?? '3001,3002').split(',').map((p) => Number(p.trim()));
  if (list.length < 1 || list.length > INSTANCE_NAMES.length || list.some((p) => !Number.isInteger(p) || p < 1 || p > 65_535)) {
    throw new Error(`MICROSERVICE_PORTS must be a comma list of 1 to ${INSTANCE_NAMES.length} TCP ports, e.g. 3001,3002.`);
  }
  if (new Set(list).size !== list.length) throw new Error('MICROSERVICE_PORTS lists a port twice.');
  return list;
}

/** A local redis-server on a free loopback port, without persistence. */
async function startRedis(): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'plo-microservice-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const failed = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ENOENT'
          ? new Error('redis-server is not installed: install it (e.g. apt-get install redis-server) or set REDIS_URL to a running Redis.')
          : error,
      ),
    );
    child.once('exit', (code) => resolve(new Error(`redis-server exited at start-up (code ${code}).`)));
  });
  redis = { child, dir, exited: new Promise((resolve) => child.once('close', () => resolve())) };
  const deadline = Date.now() + 5_000;
  for (;;) {
    const outcome = await Promise.race([failed, answersPing(port)]);
    if (outcome instanceof Error) throw outcome;
    if (outcome) return `redis://127.0.0.1:${port}/0`;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 5 s.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Environment of the instances: the upstream in `PLO_*` (the shared simulator unless the caller set them) and the Redis URL. */
async function upstreamEnv(env: NodeJS.ProcessEnv): Promise<{ env: NodeJS.ProcessEnv; description: string }> {
  if (Object.keys(env).some((name) => name.startsWith('PLO_') && env[name])) {
    return { env: {}, description: `the Personalized Offers API from the PLO_* variables (${env.PLO_BASE_URL ?? 'production URL'})` };
  }
  simulator = new PersonalizedOffersSimulator({ fIds: ['999999'] });
  const { baseUrl } = await simulator.start();
  const { key, iv, mode, encoding } = simulator.authInfo;
  return {
    // Freshly generated development key material, handed to the children in their environment only (never logged).
    env: {
      PLO_FID: '999999',
      PLO_BASE_URL: baseUrl,
      PLO_AUTHINFO_KEY: String(key),
      ...(iv !== undefined ? { PLO_AUTHINFO_IV: String(iv) } : {}),
      ...(mode ? { PLO_AUTHINFO_MODE: mode } : {}),
      ...(encoding ? { PLO_AUTHINFO_ENCODING: encoding } : {}),
    },
    description: `one Personalized Offers simulator at ${baseUrl} for every instance (development key material; tokens are not real)`,
  };
}

/** Starts one instance and resolves when it listens (its `ready` message). */
function startInstance(name: string, port: number, env: NodeJS.ProcessEnv): Promise<Instance> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: { ...env, PORT: String(port), INSTANCE: name },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const instance: Instance = { name, port, child, exited };
  instances.push(instance);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    log(`instance ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
    void shutdown(1);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start within ${READY_TIMEOUT_MS / 1000} s.`)), READY_TIMEOUT_MS);
    child.on('message', (message: { type?: unknown } | null) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve(instance);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited before it listened.`));
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Stops the instances first (they close their Redis connections), then the simulator and Redis. */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(instances.map((i) => stopChild(i.child, i.exited)));
  await simulator?.stop();
  if (redis) {
    await stopChild(redis.child, redis.exited);
    rmSync(redis.dir, { recursive: true, force: true });
  }
  log(code === 0 ? 'stopped.' : 'stopped after an error.');
  process.exit(code);
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  // Last resort if the launcher dies on an error: no orphaned instances or redis-server.
  process.once('exit', () => {
    for (const child of [...instances.map((i) => i.child), redis?.child]) if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  const list = ports(process.env);
  const host = process.env.HOST ?? '127.0.0.1';
  const redisUrl = process.env.REDIS_URL ?? (await startRedis());
  log(`token cache: Redis at ${redactUrl(redisUrl)}${process.env.REDIS_URL ? ' (REDIS_URL)' : ' (a local redis-server started for this run)'}.`);
  const upstream = await upstreamEnv(process.env);
  log(`upstream: ${upstream.description}.`);
  const env = { ...process.env, ...upstream.env, REDIS_URL: redisUrl };
  const started = await Promise.all(list.map((port, i) => startInstance(INSTANCE_NAMES[i], port, env)));
  log(
    `ready: ${started.map((i) => `instance ${i.name} on tcp://${host}:${i.port}`).join(', ')}; ` +
      `patterns offers.matched, offers.details, offers.activate, user-token. Ctrl-C stops everything.`,
  );
}

main().catch((error: unknown) => {
  log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
