/**
 * Where a cold request's time goes: `npm run bench:layers` times the same 5 000 requests (c=256,
 * upstream +50 ms, the WAN scenario) and 10 000 requests (c=64, no latency, the cold scenario)
 * through each layer, from the bare undici pool up to `getUserToken`.
 */
import 'reflect-metadata';
import { HttpService } from '@nestjs/axios';
import axios, { type AxiosAdapter, AxiosHeaders, type CancelToken } from 'axios';
import { firstValueFrom } from 'rxjs';
import { Agent, type Dispatcher } from 'undici';
import { bareAuthInfo, moduleContender, undiciContender } from './contenders.js';
import { Upstream, runConcurrent } from './harness.js';

// The adapter is internal to the library: load it from the build, next to this file's output.
const { undiciAdapter } = (await import(new URL('../personalized-offers/http/undici.adapter.js', import.meta.url).href)) as {
  undiciAdapter: (dispatcher: Dispatcher) => AxiosAdapter;
};
const noCancel = { promise: new Promise(() => {}), throwIfRequested() {}, subscribe() {}, unsubscribe() {} } as unknown as CancelToken;
const opts = {
  headers: { Accept: 'application/json' },
  responseType: 'text' as const,
  transformResponse: (d: unknown) => d,
  validateStatus: () => true,
  cancelToken: noCancel,
};
let serial = 0;

for (const [latency, total, concurrency] of [
  [50, 5_000, 256],
  [0, 10_000, 64],
] as const) {
  const upstream = await Upstream.start(latency);
  const url = () => `${upstream.baseUrl}/plo/v1/usertoken?FId=999999&AuthInfo=${bareAuthInfo(`u${serial++}`)}`;
  const agent = new Agent({ connections: concurrency });
  const adapter = undiciAdapter(agent);
  const instance = axios.create({ adapter });
  const http = new HttpService(instance);
  const raw = undiciContender(upstream.baseUrl, concurrency);
  const mod = await moduleContender({ baseUrl: upstream.baseUrl, http: { maxSockets: concurrency } });
  const layers: Array<[string, () => Promise<unknown>]> = [
    ['undici Pool', () => raw.call(`r${serial++}`)],
    [
      '+ axios adapter',
      async () =>
        JSON.parse(
          (await adapter({ url: url(), method: 'get', headers: new AxiosHeaders({ Accept: 'application/json' }), responseType: 'text' })).data as string,
        ) as unknown,
    ],
    ['+ axios core', async () => JSON.parse((await instance.get(url(), opts)).data as string) as unknown],
    ['+ HttpService', async () => JSON.parse((await firstValueFrom(http.get(url(), opts))).data as string) as unknown],
    ['module usertokenGet', () => mod.users.usertokenGet('999999', bareAuthInfo(`m${serial++}`))],
    ['module getUserToken', () => mod.users.getUserToken(`g${serial++}`)],
  ];
  console.log(`\nupstream +${latency} ms, ${total} requests, concurrency ${concurrency}`);
  for (const [name, call] of layers) {
    await runConcurrent(concurrency * 2, concurrency, call);
    const ms = await runConcurrent(total, concurrency, call);
    console.log(
      `${name.padEnd(22)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(total / (ms / 1000))
        .toString()
        .padStart(6)} req/s`,
    );
  }
  await mod.close();
  await raw.close();
  await agent.close();
  await upstream.stop();
}
