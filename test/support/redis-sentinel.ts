import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/microservice/free-port.js';
import { RedisServer, sigkill, waitForPing } from './redis-server.js';

const run = promisify(execFile);

interface Proc {
  port: number;
  process: ChildProcess | undefined;
  dir: string;
}

/**
 * A real Sentinel set-up of this test file's own: a master, a replica and `sentinels` sentinels
 * (`redis-server <conf> --sentinel`, `down-after-milliseconds` 1 s, a short failover timeout),
 * free ports, temp dirs, no persistence. Killing the master makes the sentinels promote the
 * replica within a few seconds.
 */
export class RedisSentinelSetup {
  readonly name = 'plomaster';
  readonly data: Proc[] = [];
  readonly sentinelProcs: Proc[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'plo-redis-sentinel-'));

  constructor(private readonly sentinelCount = 3) {}

  get sentinels(): { host: string; port: number }[] {
    return this.sentinelProcs.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  async start(): Promise<void> {
    RedisServer.assertInstalled();
    const masterPort = await freePort();
    const replicaPort = await freePort();
    for (const [i, port] of [masterPort, replicaPort].entries()) {
      const dir = join(this.dir, `data-${i}`);
      mkdirSync(dir);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
      if (i === 1) args.push('--replicaof', '127.0.0.1', String(masterPort));
      this.data.push({ port, dir, process: spawn('redis-server', args, { stdio: 'ignore' }) });
    }
    for (const d of this.data) await waitForPing(d.port);
    for (let i = 0; i < this.sentinelCount; i++) {
      const dir = join(this.dir, `sentinel-${i}`);
      mkdirSync(dir);
      const port = await freePort();
      const conf = join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${this.name} 127.0.0.1 ${masterPort} ${Math.floor(this.sentinelCount / 2) + 1}`,
          `sentinel down-after-milliseconds ${this.name} 1000`,
          `sentinel failover-timeout ${this.name} 3000`,
          `sentinel parallel-syncs ${this.name} 1`,
          '',
        ].join('\n'),
      );
      this.sentinelProcs.push({ port, dir, process: spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }) });
    }
    for (const s of this.sentinelProcs) await waitForPing(s.port);
    await this.waitReplicated();
  }

  /** The master's port according to the first live sentinel. */
  async masterPort(): Promise<number> {
    for (const s of this.sentinelProcs) {
      if (!s.process) continue;
      const out = await this.cli(s.port, 'sentinel', 'get-master-addr-by-name', this.name).catch(() => '');
      const port = Number(out.trim().split('\n')[1]);
      if (port) return port;
    }
    throw new Error('no sentinel knows the master');
  }

  /** Waits until the master has a connected replica that is in sync and every sentinel sees both. */
  async waitReplicated(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const master = await this.masterPort();
        const info = await this.cli(master, 'info', 'replication');
        const sentinelsOk = await Promise.all(
          this.sentinelProcs.map(async (s) => {
            const out = await this.cli(s.port, 'sentinel', 'replicas', this.name);
            return out.includes('slave') && !out.includes('s_down') && !out.includes('disconnected');
          }),
        );
        if (info.includes('role:master') && /slave0:.*state=online/.test(info) && sentinelsOk.every(Boolean)) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error('Sentinel set-up not replicated in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILLs the current master; resolves with its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    const node = this.data.find((d) => d.port === port)!;
    const proc = node.process;
    node.process = undefined;
    await sigkill(proc);
    return port;
  }

  /** Waits until the sentinels name a master other than `oldPort` and it answers as a master. */
  async waitPromoted(oldPort: number, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const port = await this.masterPort().catch(() => oldPort);
      if (port !== oldPort) {
        const info = await this.cli(port, 'info', 'replication').catch(() => '');
        if (info.includes('role:master')) return port;
      }
      if (Date.now() > deadline) throw new Error('no replica promoted in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Starts the killed data node again on its port, as a replica of the current master (a fresh, empty one). */
  async restartKilled(): Promise<void> {
    const master = await this.masterPort();
    for (const d of this.data) {
      if (d.process) continue;
      d.process = spawn(
        'redis-server',
        ['--port', String(d.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', d.dir, '--replicaof', '127.0.0.1', String(master)],
        { stdio: 'ignore' },
      );
      await waitForPing(d.port);
    }
    await this.waitReplicated();
  }

  async stop(): Promise<void> {
    for (const p of [...this.sentinelProcs, ...this.data]) {
      const proc = p.process;
      p.process = undefined;
      await sigkill(proc);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 });
    return stdout;
  }
}
