/**
 * Garbage per call: `npm run bench:alloc` measures the JS heap bytes allocated per signed cold
 * user-token request (OAuth 1.0a, RSA-2048) and per 50-offer matched-offers page, through the
 * module as users run it. Run with a young generation big enough that no GC happens inside a
 * measured batch (`--min/max-semi-space-size`); a batch that saw a GC is repeated. The figure is
 * the heap growth over the batch ÷ calls (the upstream is another process: not counted), plus
 * the growth of `ArrayBuffer` memory (socket reads, `Buffer`s) shown apart. Median of 5 batches.
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { moduleContender, undiciContender } from './contenders.js';
import { Upstream, runConcurrent } from './harness.js';

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (!exposedGc) throw new Error('run with --expose-gc');
const gc: () => void = exposedGc;
let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });

async function perCall(n: number, call: (i: number) => Promise<unknown>): Promise<{ heap: number; arrayBuffers: number }> {
  const heap: number[] = [];
  const buffers: number[] = [];
  for (let tries = 0; heap.length < 5 && tries < 20; tries++) {
    gc();
    await new Promise((r) => setTimeout(r, 20)); // GC entries reach the observer asynchronously
    const seen = gcs;
    const before = process.memoryUsage();
    await runConcurrent(n, 16, call);
    const after = process.memoryUsage();
    await new Promise((r) => setTimeout(r, 20));
    if (gcs !== seen) continue; // a GC inside the batch: the difference is not what was allocated
    heap.push((after.heapUsed - before.heapUsed) / n);
    buffers.push((after.arrayBuffers - before.arrayBuffers) / n);
  }
  const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
  return { heap: median(heap), arrayBuffers: median(buffers) };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const upstream = await Upstream.start();
const signed = await moduleContender({
  baseUrl: upstream.baseUrl,
  oauth: { consumerKey: 'bench-consumer-key-0123456789', signingKey: privateKey },
  http: { maxSockets: 16 },
});
const plain = await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: 16 } });
let serial = 0;
const signedCall = () => signed.users.getUserToken(`alloc-${serial++}`);
const pageCall = () => plain.legacy.matchedOffers({ userToken: 'tok' }, { itemsPerPage: 50 });
await runConcurrent(2_000, 16, signedCall);
await runConcurrent(500, 16, pageCall);
const s = await perCall(500, signedCall);
const p = await perCall(100, pageCall);
// The same page through the bare limit (undici Pool + JSON.parse): what the page itself costs.
const bare = undiciContender(upstream.baseUrl, 16);
const barePageCall = () => bare.matchedOffers('tok');
await runConcurrent(500, 16, barePageCall);
const b = await perCall(100, barePageCall);
const kb = (x: number) => `${Math.round(x).toLocaleString('en-US')} B`;
console.log(`signed cold request (OAuth 1.0a): heap ${kb(s.heap)} per call, ArrayBuffers ${kb(s.arrayBuffers)}`);
console.log(`50-offer page (${upstream.matchedOffersBytes} bytes): heap ${kb(p.heap)} per call, ArrayBuffers ${kb(p.arrayBuffers)}`);
console.log(`same page, undici + JSON.parse alone: heap ${kb(b.heap)} per call, ArrayBuffers ${kb(b.arrayBuffers)}`);
await bare.close();
await signed.close();
await plain.close();
await upstream.stop();
process.exit(0);
