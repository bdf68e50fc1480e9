import { connect } from 'node:net';

/**
 * Whether a Redis server answers `PING` on a loopback port within 500 ms (`false` on refusal,
 * timeout or any other answer). Used by the microservice launcher and by the tests' Redis helpers.
 */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
