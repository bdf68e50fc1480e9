import { createServer } from 'node:net';

/**
 * A free loopback port (the OS picks it), for servers that cannot listen on port 0 themselves
 * (redis-server). Used by the microservice launcher and by the tests' Redis and contract helpers.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
