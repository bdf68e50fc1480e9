/**
 * The benchmark's upstream, run in its own process so it does not share the contenders' event
 * loop: answers GET /plo/v1/usertoken with a fixed spec-shaped body after checking that FId and
 * AuthInfo are present, optionally after a delay (the WAN scenario). Reports its port and, on
 * request, how many requests it served, over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const latencyMs = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? 0);
const body = JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: 'mh3WonUm5xmEbenchTok3n' } } });
const bad = JSON.stringify({ Errors: { Error: [{ ReasonCode: '400', Description: 'FId or AuthInfo missing' }] } });
let served = 0;

const server = createServer((req, res) => {
  served += 1;
  const query = req.url?.split('?')[1] ?? '';
  const ok = req.url?.startsWith('/plo/v1/usertoken?') && /(^|&)FId=[^&]+/.test(query) && /(^|&)AuthInfo=[^&]+/.test(query);
  const answer = () => res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json', 'Content-Length': ok ? body.length : bad.length }).end(ok ? body : bad);
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 60_000;
server.maxRequestsPerSocket = 0;

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'count') process.send!({ served });
  if (message.type === 'reset') served = 0;
  if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
