/**
 * Profiling aid for the cold-token path: `npm run bench:profile` runs 10 000 cold calls through
 * the module under `node --cpu-prof` and prints where the CPU time went (self time per function),
 * unsigned, then signed with OAuth 1.0a (`--signed`).
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { moduleContender } from './contenders.js';
import { Upstream, runConcurrent } from './harness.js';

/** What this report reads of V8's `.cpuprofile` JSON. */
interface CpuProfile {
  samples: number[];
  timeDeltas: number[];
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
}

/** The parsed file as a {@link CpuProfile}, once its arrays are there (the nodes' fields are V8's to write). */
function readProfile(json: unknown, file: string): CpuProfile {
  const p = json as Partial<Record<keyof CpuProfile, unknown>> | null;
  if (!p || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas) || !Array.isArray(p.nodes)) {
    throw new Error(`${file}: not a V8 .cpuprofile (samples, timeDeltas and nodes arrays expected)`);
  }
  return p as CpuProfile;
}

const dir = process.argv[2]?.startsWith('--') ? undefined : process.argv[2];
if (dir) {
  // Report mode: summarize the newest profile written by the parent run.
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()[0];
  const profile = readProfile(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')), file);
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas.at(i) ?? 0)));
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (time.get(node.id) ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((us / total) * 100).toFixed(1)}%  ${key}`);
} else {
  // `--signed`: the OAuth 1.0a path (RSA-2048, as the bench's signed rows), with the default retry and breaker.
  const signed = process.argv.includes('--signed');
  const upstream = await Upstream.start();
  const mod = signed
    ? await moduleContender({
        baseUrl: upstream.baseUrl,
        oauth: { consumerKey: 'profile-consumer-key-0123456789', signingKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
        http: { maxSockets: 64 },
      })
    : await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: 64, retry: false, circuitBreaker: false } });
  let serial = 0;
  const run = async (n: number) => n / ((await runConcurrent(n, 64, () => mod.users.getUserToken(`p${serial++}`))) / 1000);
  await run(1_000);
  console.log(`module ${signed ? 'signed ' : ''}cold req/s: ${Math.round(await run(10_000))}`);
  await mod.close();
  await upstream.stop();
}
