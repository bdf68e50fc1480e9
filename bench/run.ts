/**
 * `npm run bench`: this module against the generated client's way (superagent) and the raw-HTTP
 * limit (undici Pool, with the same RSA signer used synchronously where requests are signed), on
 * one machine in one run, reported as ratios. Every row prints its target and whether it is met;
 * rows without a target say "(reference)". `--smoke` runs every scenario with tiny counts to prove
 * the harness works and asserts no timings.
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FID, type SyncSigner, bareAuthInfo, moduleContender, superagentContender, undiciContender } from './contenders.js';
import { type OpenLoopResult, Upstream, alternate, gc, median, openLoop, percentile, runConcurrent } from './harness.js';

const smoke = process.argv.includes('--smoke');
// `--only <name>` runs one scenario (see `main`); a partial run never writes bench/results.json.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const N = smoke
  ? {
      crypto: 2_000,
      cold: 200,
      signedCold: 50,
      signedPost: 50,
      signedWan: 128,
      openLoopSeconds: 0.3,
      matched: 50,
      warmUp: 32,
      warmUsers: 1_000,
      warmOps: 20_000,
      stampede: 200,
      stampedeRuns: 3,
      memory: 10_000,
      wan: 100,
      rounds: 1,
    }
  : {
      crypto: 100_000,
      cold: 10_000,
      signedCold: 3_000,
      signedPost: 3_000,
      signedWan: 1_280,
      openLoopSeconds: 5,
      matched: 1_500,
      warmUp: 200,
      warmUsers: 100_000,
      warmOps: 1_000_000,
      stampede: 10_000,
      stampedeRuns: 15,
      memory: 1_000_000,
      wan: 5_000,
      rounds: 3,
    };
const CONCURRENCY = 64;
const WAN_CONCURRENCY = 256;
const WAN_LATENCY_MS = 50;
const OPEN_LOOP_RATE = 1_000;
const CONSUMER_KEY = 'BenchConsumerKey_abcdefgh!0123456789abcdef0123456789abcdef0123456789abcdef';
/** The module's access-token namespace: `at:` + `fId:userId:utcOffset`, served for ttlMs − refreshBeforeMs (defaults). */
const ACCESS_TOKEN_PREFIX = 'at:';
const ACCESS_TOKEN_TTL_MS = 3_600_000 - 300_000;

interface Row {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  /** What the figure is held to, or `(reference)`. */
  target: string;
  /** `null` for reference rows. */
  met: boolean | null;
  /** Printed after the figure, in parentheses: the absolute numbers behind a ratio. */
  note?: string;
}
const rows: Row[] = [];
const details: Record<string, unknown> = {};
const started = performance.now();
const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
let userSerial = 0;
const freshUsers = (n: number, tag: string) => Array.from({ length: n }, () => `${tag}-${(userSerial++).toString(36)}-1PCLOSANDBOX`);
const reqs = (v: number) => `${Math.round(v).toLocaleString('en-US')} req/s`;
const ms = (v: number) => `${v.toFixed(2)} ms`;
const REFERENCE = '(reference)';

/** A throughput round: `n` calls with `CONCURRENCY` workers, in req/s. */
const rate =
  (n: number, call: (i: number) => Promise<unknown>, concurrency = CONCURRENCY) =>
  async () => {
    gc();
    const wall = await runConcurrent(n, concurrency, call);
    return n / (wall / 1000);
  };

function ratioRow(scenario: string, figure: string, value: number, min: number, note?: string): Row {
  return {
    scenario,
    figure,
    value,
    unit: '×',
    target: `≥ ${Number.isInteger(min) ? min.toFixed(1) : String(min)}`,
    met: value >= min,
    ...(note ? { note } : {}),
  };
}

async function cryptoScenario(): Promise<void> {
  log('AuthInfo encryption');
  const mod = await moduleContender({ baseUrl: 'http://127.0.0.1:9' });
  const users = freshUsers(1_000, 'c');
  // Synchronous work: the promise `alternate` takes is made after the clock stops.
  const measure = (fn: (u: string) => string) => () => {
    const t = performance.now();
    for (let i = 0; i < N.crypto; i++) fn(users[i % users.length]);
    return Promise.resolve(N.crypto / ((performance.now() - t) / 1000));
  };
  await measure((u) => mod.crypto.encrypt(u))();
  await measure(bareAuthInfo)();
  const r = await alternate(N.rounds + 2, { module: measure((u) => mod.crypto.encrypt(u)), bare: measure(bareAuthInfo) });
  details.crypto = r;
  rows.push({
    scenario: 'AuthInfo encryption',
    figure: 'module ops/s ÷ bare node:crypto',
    value: r.module / r.bare,
    unit: '×',
    target: '≥ 0.8',
    met: r.module / r.bare >= 0.8,
  });
  await mod.close();
}

async function signedColdScenario(upstream: Upstream, signer: SyncSigner): Promise<void> {
  log(`signed cold tokens (RSA-2048): ${N.signedCold} users, concurrency ${CONCURRENCY}`);
  const mod = await moduleContender({
    baseUrl: upstream.baseUrl,
    oauth: { consumerKey: signer.consumerKey, signingKey: signer.key },
    http: { maxSockets: CONCURRENCY },
  });
  const ud = undiciContender(upstream.baseUrl, CONCURRENCY, signer);
  const round = (call: (u: string) => Promise<unknown>, n = N.signedCold) => {
    const users = freshUsers(n, 'oauth');
    return rate(n, (i) => call(users[i]));
  };
  await round((u) => mod.users.getUserToken(u), N.warmUp)();
  await round(ud.call, N.warmUp)();
  const r = await alternate(N.rounds, {
    module: () => round((u) => mod.users.getUserToken(u))(),
    undici: () => round(ud.call)(),
  });
  details.signedCold = { reqPerSecond: r };
  rows.push(
    ratioRow(
      `signed cold tokens (RSA-2048, ${N.signedCold} users, c=${CONCURRENCY})`,
      'module req/s ÷ undici + the same signer used synchronously',
      r.module / r.undici,
      1.3,
      `${reqs(r.module)} vs ${reqs(r.undici)}`,
    ),
  );
  await mod.close();
  await ud.close();
}

/**
 * The same signed cold-token load, OAuth 2.0 (a DPoP ES256 proof per request, the token minted
 * once) against OAuth 1.0a (an RSA-SHA256 signature per request): both through the module, same
 * upstream. Target ≥ 1.0 (issue 19).
 */
async function oauth2Scenario(upstream: Upstream, signer: SyncSigner): Promise<void> {
  log(`OAuth 2.0 (DPoP ES256) vs OAuth 1.0a (RSA-SHA256): ${N.signedCold} users, concurrency ${CONCURRENCY}`);
  const oauth1 = await moduleContender({
    baseUrl: upstream.baseUrl,
    oauth: { consumerKey: signer.consumerKey, signingKey: signer.key },
    http: { maxSockets: CONCURRENCY },
  });
  const oauth2 = await moduleContender({
    baseUrl: upstream.baseUrl,
    oauth2: { clientId: 'bench-client', kid: 'bench-kid', clientKey: signer.key, scopes: ['bench:all'] },
    http: { maxSockets: CONCURRENCY },
  });
  const round = (call: (u: string) => Promise<unknown>, n = N.signedCold) => {
    const users = freshUsers(n, 'oauth2');
    return rate(n, (i) => call(users[i]));
  };
  await round((u) => oauth1.users.getUserToken(u), N.warmUp)();
  await round((u) => oauth2.users.getUserToken(u), N.warmUp)();
  const r = await alternate(N.rounds, {
    oauth2: () => round((u) => oauth2.users.getUserToken(u))(),
    oauth1: () => round((u) => oauth1.users.getUserToken(u))(),
  });
  details.oauth2 = { reqPerSecond: r };
  rows.push(
    ratioRow(
      `signed cold tokens, OAuth 2.0 DPoP ES256 (${N.signedCold} users, c=${CONCURRENCY})`,
      'module OAuth 2.0 req/s ÷ module OAuth 1.0a req/s',
      r.oauth2 / r.oauth1,
      1,
      `${reqs(r.oauth2)} vs ${reqs(r.oauth1)}`,
    ),
  );
  await oauth1.close();
  await oauth2.close();
}

async function signedWanScenario(signer: SyncSigner): Promise<void> {
  log(`signed, upstream +${WAN_LATENCY_MS} ms: ${N.signedWan} users, concurrency ${CONCURRENCY}`);
  const slow = await Upstream.start(WAN_LATENCY_MS);
  const mod = await moduleContender({
    baseUrl: slow.baseUrl,
    oauth: { consumerKey: signer.consumerKey, signingKey: signer.key },
    http: { maxSockets: CONCURRENCY },
  });
  const ud = undiciContender(slow.baseUrl, CONCURRENCY, signer);
  const time = (call: (u: string) => Promise<unknown>) => async () => {
    const users = freshUsers(N.signedWan, 'swan');
    gc();
    return runConcurrent(N.signedWan, CONCURRENCY, (i) => call(users[i]));
  };
  await runConcurrent(N.warmUp, CONCURRENCY, (i) => mod.users.getUserToken(`swan-warm-m${i}`));
  await runConcurrent(N.warmUp, CONCURRENCY, (i) => ud.call(`swan-warm-u${i}`));
  const r = await alternate(N.rounds, { module: time((u) => mod.users.getUserToken(u)), undici: time(ud.call) });
  const ideal = Math.ceil(N.signedWan / CONCURRENCY) * WAN_LATENCY_MS;
  details.signedWan = { idealMs: ideal, measuredMs: r.module, undiciMeasuredMs: r.undici };
  rows.push(
    ratioRow(
      `signed, upstream +${WAN_LATENCY_MS} ms (RSA-2048, ${N.signedWan} users, c=${CONCURRENCY})`,
      'ideal ÷ measured time',
      ideal / r.module,
      0.9,
      `${ms(ideal)} ÷ ${ms(r.module)}`,
    ),
  );
  rows.push({
    scenario: 'same, for reference',
    figure: 'ideal ÷ measured, undici + sync signer',
    value: ideal / r.undici,
    unit: '×',
    target: REFERENCE,
    met: null,
    note: `${ms(ideal)} ÷ ${ms(r.undici)}`,
  });
  await mod.close();
  await ud.close();
  await slow.stop();
}

async function openLoopScenario(upstream: Upstream, signer: SyncSigner): Promise<void> {
  log(`p99 at ${OPEN_LOOP_RATE} signed req/s, open loop, ${N.openLoopSeconds} s per round`);
  const mod = await moduleContender({
    baseUrl: upstream.baseUrl,
    oauth: { consumerKey: signer.consumerKey, signingKey: signer.key },
    http: { maxSockets: CONCURRENCY },
  });
  const ud = undiciContender(upstream.baseUrl, CONCURRENCY, signer);
  const runs: Record<'module' | 'undici', OpenLoopResult[]> = { module: [], undici: [] };
  const loop = (name: 'module' | 'undici', call: (u: string) => Promise<unknown>) => async () => {
    const users = freshUsers(Math.round(OPEN_LOOP_RATE * N.openLoopSeconds), 'open');
    gc();
    const result = await openLoop(OPEN_LOOP_RATE, N.openLoopSeconds, (i) => call(users[i]));
    runs[name].push(result);
    return result.p99;
  };
  // Warm both: JIT and a full pool of connections.
  await runConcurrent(N.warmUp * 2, CONCURRENCY, (i) => mod.users.getUserToken(`open-warm-m${i}`));
  await runConcurrent(N.warmUp * 2, CONCURRENCY, (i) => ud.call(`open-warm-u${i}`));
  const r = await alternate(N.rounds, { module: loop('module', (u) => mod.users.getUserToken(u)), undici: loop('undici', ud.call) });
  details.openLoop = { rate: OPEN_LOOP_RATE, seconds: N.openLoopSeconds, p99ms: r, runs };
  const value = r.module / r.undici;
  rows.push({
    scenario: `p99 latency at a fixed signed load of ${OPEN_LOOP_RATE.toLocaleString('en-US').replace(',', ' ')} req/s (open loop, ${N.openLoopSeconds} s, cold users)`,
    figure: 'module p99 ÷ undici + the same signer used synchronously',
    value,
    unit: '×',
    target: '≤ 1.0',
    met: value <= 1,
    note: `${ms(r.module)} vs ${ms(r.undici)}`,
  });
  await mod.close();
  await ud.close();
}

async function signedPostScenario(upstream: Upstream, signer: SyncSigner): Promise<void> {
  log(`signed POST (activation): ${N.signedPost} calls, concurrency ${CONCURRENCY}`);
  const mod = await moduleContender({
    baseUrl: upstream.baseUrl,
    oauth: { consumerKey: signer.consumerKey, signingKey: signer.key },
    http: { maxSockets: CONCURRENCY },
  });
  const ud = undiciContender(upstream.baseUrl, CONCURRENCY, signer);
  let serial = 0;
  const moduleCall = async () => {
    const offerId = `o-${serial++}`;
    const result = await mod.legacy.activateStatementCreditOffer({ userToken: 'tok' }, { offerId });
    if (result.ScActivation?.OfferId !== offerId) throw new Error('activation answered for another offer');
  };
  const undiciCall = () => ud.activate(`o-${serial++}`, 'tok');
  await rate(N.warmUp, moduleCall)();
  await rate(N.warmUp, undiciCall)();
  const r = await alternate(N.rounds, { module: rate(N.signedPost, moduleCall), undici: rate(N.signedPost, undiciCall) });
  details.signedPost = { reqPerSecond: r };
  rows.push(
    ratioRow(
      `signed POST (activation body, RSA-2048, ${N.signedPost} calls, c=${CONCURRENCY})`,
      'module req/s ÷ undici + signer',
      r.module / r.undici,
      1,
      `${reqs(r.module)} vs ${reqs(r.undici)}`,
    ),
  );
  await mod.close();
  await ud.close();
}

async function coldScenario(upstream: Upstream): Promise<void> {
  log(`unsigned cold tokens: ${N.cold} distinct users, concurrency ${CONCURRENCY}`);
  const mod = await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: CONCURRENCY } });
  const sa = superagentContender(upstream.baseUrl);
  const ud = undiciContender(upstream.baseUrl, CONCURRENCY);
  const round = (call: (u: string) => Promise<unknown>, n = N.cold) => {
    const users = freshUsers(n, 'cold');
    return rate(n, (i) => call(users[i]));
  };
  for (const warm of [round((u) => mod.users.getUserToken(u), N.warmUp * 2), round(sa, N.warmUp * 2), round(ud.call, N.warmUp * 2)]) await warm();
  await upstream.reset();
  const r = await alternate(N.rounds, {
    module: () => round((u) => mod.users.getUserToken(u))(),
    generated: () => round(sa)(),
    undici: () => round(ud.call)(),
  });
  details.cold = { reqPerSecond: r, upstreamRequests: await upstream.served() };
  const scenario = `unsigned cold tokens (${N.cold} users, c=${CONCURRENCY})`;
  rows.push(ratioRow(scenario, 'module req/s ÷ generated client’s way (superagent)', r.module / r.generated, 2.5, `${reqs(r.module)} vs ${reqs(r.generated)}`));
  rows.push(ratioRow('same', 'module req/s ÷ undici', r.module / r.undici, 0.6, `${reqs(r.module)} vs ${reqs(r.undici)}`));
  await mod.close();
  await ud.close();
}

async function matchedOffersScenario(upstream: Upstream): Promise<void> {
  log(`matched offers: 50-offer page (${upstream.matchedOffersBytes} bytes), ${N.matched} calls, concurrency ${CONCURRENCY}`);
  const mod = await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: CONCURRENCY } });
  const ud = undiciContender(upstream.baseUrl, CONCURRENCY);
  const first = await mod.legacy.matchedOffers({ userToken: 'tok' }, { itemsPerPage: 50 });
  if (first.Items?.MatchedOffer?.length !== 50 || first.TotalCount !== 500) throw new Error('matched offers: the module did not read the 50-offer page');
  const moduleCall = () => mod.legacy.matchedOffers({ userToken: 'tok' }, { itemsPerPage: 50 });
  const undiciCall = () => ud.matchedOffers('tok');
  await rate(N.warmUp, moduleCall)();
  await rate(N.warmUp, undiciCall)();
  const r = await alternate(N.rounds, { module: rate(N.matched, moduleCall), undici: rate(N.matched, undiciCall) });
  details.matchedOffers = { pageBytes: upstream.matchedOffersBytes, reqPerSecond: r };
  rows.push(
    ratioRow(
      `matched offers (50-offer page, ${Math.round(upstream.matchedOffersBytes / 1024)} KiB, unsigned, ${N.matched} calls, c=${CONCURRENCY})`,
      'module req/s ÷ undici + `JSON.parse` alone',
      r.module / r.undici,
      0.6,
      `${reqs(r.module)} vs ${reqs(r.undici)}`,
    ),
  );
  await mod.close();
  await ud.close();
}

/** Throughput and per-call latency of `call` over cached users; no upstream request may happen. */
async function warmRows(upstream: Upstream, label: string, users: string[], call: (u: string) => Promise<string>): Promise<Record<string, number>> {
  await upstream.reset();
  const throughput = async () => {
    gc();
    const t = performance.now();
    for (let i = 0; i < N.warmOps; i++) await call(users[i % users.length]);
    return N.warmOps / ((performance.now() - t) / 1000);
  };
  await throughput();
  const opsPerSecond = median([await throughput(), await throughput(), await throughput()]);
  const samples = new Float64Array(Math.min(N.warmOps, 200_000));
  gc();
  for (let i = 0; i < samples.length; i++) {
    const t = process.hrtime.bigint();
    await call(users[i % users.length]);
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const requests = await upstream.served();
  if (requests !== 0) throw new Error(`${label}: ${requests} upstream requests while every token should have been cached (key format changed?)`);
  rows.push({
    scenario: `${label} (${N.warmUsers} cached)`,
    figure: 'ops/s',
    value: opsPerSecond,
    unit: 'ops/s',
    target: '≥ 1 000 000',
    met: opsPerSecond >= 1_000_000,
  });
  rows.push({ scenario: 'same', figure: 'p99 per call', value: p99, unit: 'µs', target: '≤ 20 µs', met: p99 <= 20, note: `p50 ${p50.toFixed(2)} µs` });
  return { opsPerSecond, p50us: p50, p99us: p99, upstreamRequests: requests };
}

async function warmScenario(upstream: Upstream): Promise<void> {
  log(`warm user and access tokens: ${N.warmUsers} users cached, ${N.warmOps} calls`);
  const mod = await moduleContender({ baseUrl: upstream.baseUrl });
  const users = freshUsers(N.warmUsers, 'warm');
  // Fill through the store with the module's own key format; the calls measured are real hits.
  for (const u of users) await mod.store.set(`${FID}:${u}`, randomBytes(18).toString('base64url'));
  const userTokens = await warmRows(upstream, 'warm user tokens', users, (u) => mod.users.getUserToken(u));
  // Access tokens: the first users through real mints (getAccessToken fills the cache), the rest
  // through the store with the module's key (`at:` + `fId:userId:utcOffset`) and lifetime.
  const minted = Math.min(1_000, users.length / 10);
  await runConcurrent(minted, CONCURRENCY, (i) => mod.accessTokens.getAccessToken(users[i]));
  for (const u of users.slice(minted))
    await mod.store.set(`${ACCESS_TOKEN_PREFIX}${FID}:${u}:+00:00`, `eyJhbGciOiJSUzI1NiJ9.${randomBytes(96).toString('base64url')}.sig`, ACCESS_TOKEN_TTL_MS);
  const accessTokens = await warmRows(upstream, 'warm access tokens', users, (u) => mod.accessTokens.getAccessToken(u));
  details.warm = { userTokens, accessTokens, mintedThroughTheModule: minted };
  await mod.close();
}

/**
 * Paired runs: one call for an uncached user, and `N.stampede` concurrent callers for another
 * uncached user, in alternating order, each pair after a collection and a warm call.
 * Per-caller cost = (median stampede wall − median single-call wall) ÷ callers.
 */
async function stampede(upstream: Upstream, runs: number): Promise<{ requests: number[]; wallsMs: number[]; singlesMs: number[]; perCallerUs: number }> {
  const mod = await moduleContender({ baseUrl: upstream.baseUrl });
  const warmUsers = freshUsers(N.warmUp, 'stampede-warm');
  await runConcurrent(warmUsers.length, CONCURRENCY, (i) => mod.users.getUserToken(warmUsers[i]));
  const [warm] = freshUsers(1, 'stampede-warm');
  await Promise.all(Array.from({ length: N.stampede }, () => mod.users.getUserToken(warm)));
  const requests: number[] = [];
  const wallsMs: number[] = [];
  const singlesMs: number[] = [];
  const single = async () => {
    const [user] = freshUsers(1, 'stampede-single');
    await upstream.reset(); // as before the crowd: the same IPC round trip just before the clock starts
    const t = performance.now();
    await mod.users.getUserToken(user);
    singlesMs.push(performance.now() - t);
  };
  const crowd = async () => {
    const [user] = freshUsers(1, 'stampede');
    await upstream.reset();
    const t = performance.now();
    const callers = new Array<Promise<string>>(N.stampede);
    for (let i = 0; i < N.stampede; i++) callers[i] = mod.users.getUserToken(user);
    await Promise.all(callers);
    wallsMs.push(performance.now() - t);
    requests.push(await upstream.served());
  };
  for (let r = 0; r < runs; r++) {
    gc();
    await mod.users.getUserToken(freshUsers(1, 'stampede-warm')[0]);
    for (const step of r % 2 ? [crowd, single] : [single, crowd]) await step();
  }
  await mod.close();
  return { requests, wallsMs, singlesMs, perCallerUs: ((median(wallsMs) - median(singlesMs)) / N.stampede) * 1000 };
}

async function stampedeScenario(upstream: Upstream): Promise<void> {
  log(`stampede: ${N.stampede} concurrent callers for one user, ${N.stampedeRuns} runs`);
  const local = await stampede(upstream, N.stampedeRuns);
  const slow = await Upstream.start(WAN_LATENCY_MS);
  const wan = await stampede(slow, 3);
  await slow.stop();
  details.stampede = { loopback: local, wan };
  const most = Math.max(...local.requests);
  rows.push({
    scenario: `stampede (${N.stampede} callers, 1 user)`,
    figure: 'upstream requests (most in any run)',
    value: most,
    unit: 'requests',
    target: '1',
    met: most === 1,
  });
  rows.push({
    scenario: 'same',
    figure: `added cost per caller: (wall − one call’s) ÷ ${N.stampede}, medians of ${N.stampedeRuns} runs`,
    value: local.perCallerUs,
    unit: 'µs',
    target: '≤ 1 µs',
    met: local.perCallerUs <= 1,
    note: `${ms(median(local.wallsMs))} − ${ms(median(local.singlesMs))}`,
  });
  const wanRatio = median(wan.wallsMs) / median(wan.singlesMs);
  rows.push({
    scenario: `same, upstream +${WAN_LATENCY_MS} ms`,
    figure: 'wall time ÷ one call’s; upstream requests',
    value: wanRatio,
    unit: '×',
    target: REFERENCE,
    met: null,
    note: `${Math.max(...wan.requests)} request`,
  });
}

async function memoryScenario(upstream: Upstream): Promise<void> {
  log(`memory: ${N.memory} cached tokens`);
  const mod = await moduleContender({ baseUrl: upstream.baseUrl, cache: { maxEntries: N.memory } });
  // Users and tokens are made first, so only what the cache adds is counted.
  const users = freshUsers(N.memory, 'm');
  const tokens = users.map(() => randomBytes(18).toString('base64url'));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < users.length; i++) await mod.store.set(`${FID}:${users[i]}`, tokens[i]);
  gc();
  const after = process.memoryUsage().heapUsed;
  // Keys are built by the module; tokens would be fresh strings from JSON.parse in real use.
  const perToken = (after - before) / N.memory;
  details.memory = { heapBefore: before, heapAfter: after, bytesPerToken: perToken, note: 'key strings counted, token strings pre-made (counted below)' };
  const tokenBytes = (() => {
    gc();
    const b = process.memoryUsage().heapUsed;
    const fresh = Array.from({ length: 100_000 }, () => randomBytes(18).toString('base64url'));
    gc();
    const a = process.memoryUsage().heapUsed;
    // Read after the measure, so `fresh` (100 000 strings) is alive through it.
    return (a - b) / fresh.length - 8; // minus the array slot
  })();
  const total = perToken + tokenBytes;
  details.memory = { ...(details.memory as object), tokenStringBytes: tokenBytes, bytesPerCachedToken: total };
  rows.push({
    scenario: `memory (${N.memory} cached tokens)`,
    figure: 'heap bytes per cached token',
    value: total,
    unit: 'bytes',
    target: '≤ 300',
    met: total <= 300,
  });
  await mod.close();
}

async function wanScenario(): Promise<void> {
  log(`unsigned WAN: +${WAN_LATENCY_MS} ms upstream, ${N.wan} users, concurrency ${WAN_CONCURRENCY}`);
  const slow = await Upstream.start(WAN_LATENCY_MS);
  const mod = await moduleContender({ baseUrl: slow.baseUrl, http: { maxSockets: WAN_CONCURRENCY } });
  const ud = undiciContender(slow.baseUrl, WAN_CONCURRENCY);
  await runConcurrent(WAN_CONCURRENCY, WAN_CONCURRENCY, (i) => mod.users.getUserToken(`wan-warm-${i}`));
  await runConcurrent(WAN_CONCURRENCY, WAN_CONCURRENCY, (i) => ud.call(`wan-warm-${i}`));
  const time = (call: (u: string) => Promise<unknown>) => async () => {
    const users = freshUsers(N.wan, 'wan');
    gc();
    return runConcurrent(N.wan, WAN_CONCURRENCY, (i) => call(users[i]));
  };
  const r = await alternate(N.rounds, { module: time((u) => mod.users.getUserToken(u)), undici: time(ud.call) });
  const ideal = Math.ceil(N.wan / WAN_CONCURRENCY) * WAN_LATENCY_MS;
  details.wan = { idealMs: ideal, measuredMs: r.module, undiciMeasuredMs: r.undici };
  rows.push({
    scenario: `unsigned WAN (+${WAN_LATENCY_MS} ms, ${N.wan} users, c=${WAN_CONCURRENCY})`,
    figure: 'ideal ÷ measured time',
    value: ideal / r.module,
    unit: '×',
    target: REFERENCE,
    met: null,
    note: `${ms(ideal)} ÷ ${ms(r.module)}`,
  });
  rows.push({
    scenario: 'same',
    figure: 'ideal ÷ measured, undici',
    value: ideal / r.undici,
    unit: '×',
    target: REFERENCE,
    met: null,
    note: `${ms(ideal)} ÷ ${ms(r.undici)}`,
  });
  await mod.close();
  await ud.close();
  await slow.stop();
}

function measured(r: Row): string {
  const value =
    r.unit === 'ops/s'
      ? `${Math.round(r.value).toLocaleString('en-US')} ops/s`
      : r.unit === 'requests'
        ? `${r.value} request${r.value === 1 ? '' : 's'}`
        : `${r.value.toFixed(2)} ${r.unit}`;
  return r.note ? `${value} (${r.note})` : value;
}

function table(): string {
  const lines = ['| scenario | figure | measured | target | met |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.scenario} | ${r.figure} | ${measured(r)} | ${r.target} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer: SyncSigner = { consumerKey: CONSUMER_KEY, key: privateKey };
  const upstream = await Upstream.start();
  // `--only <name>`: one scenario (e.g. `npm run bench -- --only oauth2`); the table then has its row only.
  const scenarios: Array<[string, () => Promise<void>]> = [
    ['crypto', () => cryptoScenario()],
    ['signed-cold', () => signedColdScenario(upstream, signer)],
    ['oauth2', () => oauth2Scenario(upstream, signer)],
    ['signed-wan', () => signedWanScenario(signer)],
    ['open-loop', () => openLoopScenario(upstream, signer)],
    ['signed-post', () => signedPostScenario(upstream, signer)],
    ['cold', () => coldScenario(upstream)],
    ['matched-offers', () => matchedOffersScenario(upstream)],
    ['warm', () => warmScenario(upstream)],
    ['stampede', () => stampedeScenario(upstream)],
    ['memory', () => memoryScenario(upstream)],
    ['wan', () => wanScenario()],
  ];
  if (only !== undefined && !scenarios.some(([name]) => name === only)) throw new Error(`--only takes one of ${scenarios.map(([n]) => n).join(', ')}`);
  try {
    for (const [name, run] of scenarios) if (only === undefined || only === name) await run();
  } finally {
    await upstream.stop();
  }
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    date: new Date().toISOString(),
    smoke,
  };
  const markdown = table();
  process.stdout.write(
    `\n${markdown}\n\nNode ${machine.node}, ${machine.cores} × ${machine.cpu}, UV_THREADPOOL_SIZE ${machine.uvThreadpoolSize}, ${machine.date}${smoke ? ' (smoke run: tiny counts, figures meaningless)' : ''}\n`,
  );
  // A partial run (--only) never overwrites the full results.
  if (!smoke && only === undefined) {
    writeFileSync(fileURLToPath(new URL('../../bench/results.json', import.meta.url)), `${JSON.stringify({ machine, rows, details }, null, 2)}\n`);
  }
  log('done');
}

await main();
