import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ClientProxy, ClientProxyFactory, type MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import {
  AuthInfoCryptoService,
  type MatchedOffersResult,
  type OfferDetailsResult,
  type PersonalizedOffersModuleOptions,
  type StatementCreditActivationResult,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { firstValueFrom, timeout } from 'rxjs';
import { OffersMicroserviceModule, withRedisTokenCache } from '../src/microservice/offers-microservice.module.js';
import { OFFERS_PATTERNS, type OffersRpcError, type UserTokenStatus } from '../src/microservice/offers-rpc.contract.js';
import { captureLogger } from './support/capture-logger.js';
import { freePort } from '../src/microservice/free-port.js';
import { RedisServer } from './support/redis-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FID = '999999';
const DB = 4;
const KEY_PREFIX = 'mstest:';

type Outcome<T> = { ok: true; value: T } | { ok: false; error: OffersRpcError };

function tcpClient(port: number): ClientProxy {
  return ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
}

/** True when something accepts a TCP connection on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The offers microservice (src/microservice) on the TCP transport: two instances in this process
 * (each its own Nest microservice, PersonalizedOffersModule and process-memory cache), one
 * redis-server as their shared token cache, one simulator as their upstream, and a ClientProxy
 * to each instance.
 */
describe('offers microservice over TCP: two instances sharing the Redis token cache', () => {
  const redis = new RedisServer();
  const simulator = new PersonalizedOffersSimulator({ fIds: [FID] });
  const { logger, lines } = captureLogger();
  const instances: INestMicroservice[] = [];
  const clients: ClientProxy[] = [];
  /** Every RPC answer and error payload received, checked for secrets at the end. */
  const received: unknown[] = [];
  let admin: Redis;
  let clientA: ClientProxy;
  let clientB: ClientProxy;

  async function startInstance(options: PersonalizedOffersModuleOptions): Promise<number> {
    const port = await freePort();
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(OffersMicroserviceModule.register({ personalizedOffers: options }), {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger,
    });
    await app.listen();
    instances.push(app);
    return port;
  }

  async function send<T>(client: ClientProxy, pattern: object, data: unknown): Promise<Outcome<T>> {
    try {
      const value = await firstValueFrom(client.send<T>(pattern, data).pipe(timeout(15_000)));
      received.push(value);
      return { ok: true, value };
    } catch (error) {
      received.push(error);
      return { ok: false, error: error as OffersRpcError };
    }
  }

  /** The users the simulator's usertoken requests were for (AuthInfo decrypted with the simulator's key). */
  function userTokenRequestsFor(userId: string): number {
    const crypto = instances[0].get(AuthInfoCryptoService, { strict: false });
    return simulator.requests.filter((r) => r.operationId === 'getUserToken' && crypto.decrypt(r.query.AuthInfo[0]).userId === userId).length;
  }

  beforeAll(async () => {
    await redis.start();
    await simulator.start();
    admin = redis.admin(DB);
    // Configured as the example's main.ts does it (upstream + withRedisTokenCache), with a generous Redis
    // command timeout: under a loaded CI a 250 ms stall would (correctly) bypass Redis.
    const options = withRedisTokenCache({ fId: FID, baseUrl: simulator.baseUrl, authInfo: simulator.authInfo }, redis.url(DB), KEY_PREFIX);
    const cache = options.cache as { store: { redis: { commandTimeoutMs?: number } } };
    cache.store.redis.commandTimeoutMs = 1_000;
    const ports = [await startInstance(options), await startInstance(options)];
    [clientA, clientB] = ports.map(tcpClient);
    clients.push(clientA!, clientB!);
    await Promise.all(clients.map((c) => c.connect()));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(instances.map((app) => app.close()));
    (admin as Redis | undefined)?.disconnect(); // unassigned when beforeAll failed early
    await simulator.stop();
    await redis.stop();
  });

  beforeEach(() => {
    simulator.clearFaults();
    simulator.clearRequests();
  });

  it('offers.matched through instance A answers a page of the user’s matched offers', async () => {
    const outcome = await send<MatchedOffersResult>(clientA, OFFERS_PATTERNS.matched, { userId: 'ms-alice', itemsPerPage: 3, offerType: 'POSTPAIDCREDIT' });
    expect(outcome.ok).toBe(true);
    const page = (outcome as { value: MatchedOffersResult }).value;
    expect(page.Status).toEqual({ Code: '600', Message: expect.any(String) });
    expect(page.Items!.MatchedOffer).toHaveLength(3);
    expect(page.Items!.MatchedOffer!.every((o) => o.OfferType === 'POSTPAIDCREDIT')).toBe(true);
    const upstream = simulator.requests.find((r) => r.operationId === 'matchedOffers')!;
    expect(upstream.query.ItemsPerPage).toEqual(['3']);
    expect(upstream.query.OfferType).toEqual(['POSTPAIDCREDIT']);
  });

  it('the same user through instance B reuses the token instance A stored in Redis: one usertoken request in all', async () => {
    const userId = 'ms-fleet-user';
    const storedBefore = await admin.keys(`${KEY_PREFIX}ut:*`);
    const first = await send<UserTokenStatus>(clientA, OFFERS_PATTERNS.userToken, { userId });
    expect(first).toEqual({ ok: true, value: { userId, ready: true, cached: false, sharedCache: true } });

    const viaB = await send<MatchedOffersResult>(clientB, OFFERS_PATTERNS.matched, { userId, itemsPerPage: 2 });
    expect(viaB.ok).toBe(true);
    const second = await send<UserTokenStatus>(clientB, OFFERS_PATTERNS.userToken, { userId });
    expect(second).toEqual({ ok: true, value: { userId, ready: true, cached: true, sharedCache: true } });
    const viaA = await send<MatchedOffersResult>(clientA, OFFERS_PATTERNS.matched, { userId, itemsPerPage: 2 });
    expect(viaA.ok).toBe(true);

    expect(userTokenRequestsFor(userId)).toBe(1);
    // Both instances called matchedoffers with that one token.
    const tokens = simulator.requests.filter((r) => r.operationId === 'matchedOffers').map((r) => r.query.UserToken[0]);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens)).toEqual(new Set([simulator.tokenFor(FID, userId)]));
    // …stored once in Redis, under a keyed hash (no user id in clear).
    const added = (await admin.keys(`${KEY_PREFIX}ut:*`)).filter((k) => !storedBefore.includes(k));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(new RegExp(`^${KEY_PREFIX}ut:[A-Za-z0-9_-]{43}$`));
  });

  it('offers.details and offers.activate work across instances; activating again through the other instance is OFFER_NOT_ACTIVATABLE (409)', async () => {
    const userId = 'ms-activator';
    const page = await send<MatchedOffersResult>(clientA, OFFERS_PATTERNS.matched, { userId, offerType: 'POSTPAIDCREDIT', itemsPerPage: 25 });
    const offer = (page as { value: MatchedOffersResult }).value.Items!.MatchedOffer!.find((o) => o.ActiveSc === 'AVAILABLE');
    expect(offer).toBeDefined();
    const offerId = offer!.OfferId!;

    const details = await send<OfferDetailsResult>(clientB, OFFERS_PATTERNS.details, { userId, offerId, lang: 'en_US' });
    expect(details.ok).toBe(true);
    expect(JSON.stringify((details as { value: unknown }).value)).toContain(offerId);

    const activated = await send<StatementCreditActivationResult>(clientA, OFFERS_PATTERNS.activate, { userId, offerId });
    expect(activated.ok).toBe(true);
    expect((activated as { value: StatementCreditActivationResult }).value.Status.Code).toBe('600');

    const again = await send<StatementCreditActivationResult>(clientB, OFFERS_PATTERNS.activate, { userId, offerId });
    expect(again).toEqual({
      ok: false,
      error: { status: 'error', code: 'OFFER_NOT_ACTIVATABLE', statusCode: 409, message: expect.any(String), operation: 'activateStatementCreditOffer' },
    });
    expect(userTokenRequestsFor(userId)).toBe(1);
  });

  it('a bad user id comes back as a typed INVALID_USER_ID error (400), not an internal error, without echoing the id and with no upstream call', async () => {
    const outcome = await send(clientB, OFFERS_PATTERNS.matched, { userId: 'victim:999999' });
    expect(outcome).toEqual({
      ok: false,
      error: { status: 'error', code: 'INVALID_USER_ID', statusCode: 400, message: expect.any(String), operation: 'matchedOffers' },
    });
    expect(JSON.stringify(outcome)).not.toContain('victim');
    expect(simulator.requests).toHaveLength(0);
  });

  it('a payload without a string userId is INVALID_REQUEST (400): an object is never taken as a caller-held user token', async () => {
    for (const data of [{}, { userId: 42 }, { userId: { userToken: 'forged-token' } }]) {
      const outcome = await send(clientA, OFFERS_PATTERNS.matched, data);
      expect(outcome).toEqual({
        ok: false,
        error: { status: 'error', code: 'INVALID_REQUEST', statusCode: 400, message: 'The request needs a string userId.' },
      });
    }
    const noOffer = await send(clientA, OFFERS_PATTERNS.details, { userId: 'ms-alice' });
    expect(noOffer).toEqual({ ok: false, error: expect.objectContaining({ code: 'INVALID_REQUEST', statusCode: 400 }) });
    expect(simulator.requests).toHaveLength(0);
  });

  it('an upstream failure (the simulator answers 503) maps to its error code: API_ERROR, 503, the failed operation, no upstream text', async () => {
    await send(clientA, OFFERS_PATTERNS.userToken, { userId: 'ms-unlucky' });
    // Every attempt (the first and both retries) fails.
    simulator.setFault({ type: 'http-error', status: 503 }, { operation: 'matchedOffers', times: 3 });
    const outcome = await send(clientB, OFFERS_PATTERNS.matched, { userId: 'ms-unlucky' });
    expect(outcome).toEqual({
      ok: false,
      error: {
        status: 'error',
        code: 'API_ERROR',
        statusCode: 503,
        message: 'The Personalized Offers service is temporarily unavailable.',
        operation: 'matchedOffers',
      },
    });
    expect(simulator.faultsApplied['http-error']).toBe(3);
    expect(JSON.stringify(outcome)).not.toContain('Simulated failure');
  });

  it('a malformed upstream answer maps to INVALID_RESPONSE (502)', async () => {
    await send(clientA, OFFERS_PATTERNS.userToken, { userId: 'ms-garbled' });
    simulator.setFault({ type: 'malformed-json' }, { operation: 'getOfferDetails', times: 1 });
    const outcome = await send(clientA, OFFERS_PATTERNS.details, { userId: 'ms-garbled', offerId: 'any-offer' });
    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ status: 'error', code: 'INVALID_RESPONSE', statusCode: 502, operation: 'getOfferDetails' }),
    });
  });

  // Runs last: it checks everything the tests above received and logged.
  it('no RPC payload nor log line carries a user token, an AuthInfo or key material', async () => {
    const users = ['ms-alice', 'ms-fleet-user', 'ms-activator', 'ms-unlucky', 'ms-garbled'];
    const secrets = [...users.map((u) => simulator.tokenFor(FID, u)), String(simulator.authInfo.key), String(simulator.authInfo.iv)];
    // AuthInfo values the instances sent (these requests are this test's own: the log was cleared before it).
    await send(clientA, OFFERS_PATTERNS.userToken, { userId: 'ms-last' });
    const authInfos = simulator.requests.filter((r) => r.operationId === 'getUserToken').map((r) => r.query.AuthInfo[0]);
    expect(authInfos).toHaveLength(1);
    secrets.push(...authInfos, simulator.tokenFor(FID, 'ms-last'));

    expect(received.length).toBeGreaterThan(15);
    const wire = JSON.stringify(received);
    const logged = lines.join('\n');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(24);
      expect(wire).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
    // Every error that came back is a typed OffersRpcError, none an internal error.
    const errors = received.filter((p): p is OffersRpcError => (p as OffersRpcError | null | undefined)?.status === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(8);
    for (const e of errors) expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['code', 'message', 'status', 'statusCode']));
    expect(errors.map((e) => e.code)).not.toContain('INTERNAL_ERROR');
  });
});

/**
 * The launcher behind `npm run start:microservice` (what it runs after its build step): its own
 * redis-server, one simulator, two instance processes; a ClientProxy request to each; SIGTERM
 * stops everything. Uses the build of `npm run build` (dist/app), which `npm test` runs first.
 */
describe('npm run start:microservice: the launcher', () => {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:microservice'];
  let proc: ChildProcess | undefined;
  const clients: ClientProxy[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
  });

  it('builds, then starts the launcher of dist/app', () => {
    expect(script).toMatch(/^npm run build && node (dist\/app\/microservice\/launcher\.js)$/);
  });

  it('starts Redis, the simulator and two instances sharing the token cache, answers through ClientProxy, and stops everything on SIGTERM', async () => {
    const launcher = join(ROOT, /node (\S+)$/.exec(script)![1]);
    if (!existsSync(launcher)) throw new Error(`${launcher} is missing: build the example app first (npm run build, or npm run build:app).`);
    const ports = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env, MICROSERVICE_PORTS: ports.join(','), NO_COLOR: '1' };
    for (const name of Object.keys(env)) if (name.startsWith('PLO_') || name === 'REDIS_URL' || name === 'NODE_OPTIONS') Reflect.deleteProperty(env, name);

    const child = spawn(process.execPath, [launcher], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc = child;
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('[launcher] ready:')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`launcher exited (code ${code}) before ready:\n${output}`)));
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await ready;
    expect(output).toContain(`instance A on tcp://127.0.0.1:${ports[0]}`);
    expect(output).toContain(`instance B on tcp://127.0.0.1:${ports[1]}`);
    const redisPort = Number(/token cache: Redis at redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(redisPort).toBeGreaterThan(0);
    expect(await listening(redisPort)).toBe(true);

    const [a, b] = ports.map(tcpClient);
    clients.push(a, b);
    const ask = (client: ClientProxy, userId: string) =>
      firstValueFrom(client.send<UserTokenStatus>(OFFERS_PATTERNS.userToken, { userId }).pipe(timeout(15_000)));
    expect(await ask(a, 'launcher-user')).toEqual({ userId: 'launcher-user', ready: true, cached: false, sharedCache: true });
    // Another process, same Redis and same simulator: the token instance A stored.
    expect(await ask(b, 'launcher-user')).toEqual({ userId: 'launcher-user', ready: true, cached: true, sharedCache: true });
    const page = await firstValueFrom(b.send(OFFERS_PATTERNS.matched, { userId: 'launcher-user', itemsPerPage: 1 }).pipe(timeout(15_000)));
    expect(page.Items.MatchedOffer).toHaveLength(1);
    // No secret in what the processes printed.
    expect(output).not.toMatch(/PLO_AUTHINFO_KEY|AuthInfo=|UserToken=/);

    await Promise.all(clients.splice(0).map((c) => c.close()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toContain('[launcher] stopped.');
    for (const port of [...ports, redisPort]) expect(await listening(port)).toBe(false);
  }, 60_000);
});
