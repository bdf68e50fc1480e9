import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/microservice/free-port.js';
import { answersPing } from '../../src/microservice/redis-ping.js';

/**
 * A real `redis-server` of this test file's own, on its own port, no persistence. `npm test`
 * installs the Debian package when it is missing. Can be killed and restarted on the same port.
 */
export class RedisServer {
  port = 0;
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'plo-redis-'));

  static assertInstalled(): void {
    try {
      execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error('redis-server is not installed: run the tests with `npm test`, which installs it (apt-get install -y redis-server).');
    }
  }

  /** `redis://127.0.0.1:<port>/<db>`. */
  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    RedisServer.assertInstalled();
    if (!this.port) this.port = await freePort();
    const proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--enable-debug-command', 'yes'],
      { stdio: 'ignore' },
    );
    this.process = proc;
    await waitForPing(this.port, 5_000);
  }

  /** Kills the server (SIGKILL: no goodbye to clients). */
  async kill(): Promise<void> {
    const proc = this.process;
    this.process = undefined;
    await sigkill(proc);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A plain client for inspecting what the module stored. */
  admin(db = 0): Redis {
    return new Redis(this.url(db), { maxRetriesPerRequest: 1 });
  }
}

/**
 * Waits until a redis-server (or sentinel) answers PING on a raw socket (an ioredis probe would
 * leave its connect timers behind).
 */
export async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILLs a server process (no goodbye to clients) and waits until it has exited; nothing when it is gone already. */
export async function sigkill(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}
