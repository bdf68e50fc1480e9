import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/microservice/free-port.js';
import { RedisServer, sigkill, waitForPing } from './redis-server.js';

const run = promisify(execFile);

/** One node of a test Redis Cluster: its port and process. */
interface ClusterNode {
  port: number;
  process: ChildProcess | undefined;
  dir: string;
}

/**
 * A real Redis Cluster of this test file's own: 3 masters with one replica each (6 `redis-server
 * --cluster-enabled yes` on free ports, temp dirs, no persistence), joined with `redis-cli
 * --cluster create --cluster-replicas 1`. A master can be killed (SIGKILL) to make its replica
 * take over (`cluster-node-timeout` 1 s).
 */
export class RedisCluster {
  readonly nodes: ClusterNode[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'plo-redis-cluster-'));

  /** Seed addresses for a Cluster client. */
  get seeds(): { host: string; port: number }[] {
    return this.nodes.filter((n) => n.process).map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  async start(size = 6): Promise<void> {
    RedisServer.assertInstalled();
    for (let i = 0; i < size; i++) {
      const dir = join(this.dir, `node-${i}`);
      mkdirSync(dir);
      this.nodes.push({ port: await freePort(), process: undefined, dir });
    }
    for (const node of this.nodes) this.spawn(node);
    for (const node of this.nodes) await waitForPing(node.port);
    await run('redis-cli', ['--cluster', 'create', ...this.nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
    await this.waitHealthy();
  }

  /** Waits until every live node says `cluster_state:ok` and the 3 masters that serve the slots are live processes. */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const live = this.nodes.filter((n) => n.process);
        const infos = await Promise.all(live.map((n) => this.cli(n.port, 'cluster', 'info')));
        const masters = await this.masterPorts();
        const livePorts = new Set(live.map((n) => n.port));
        if (infos.every((i) => i.includes('cluster_state:ok')) && masters.length === 3 && masters.every((p) => livePorts.has(p))) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error('Redis Cluster did not become healthy in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Ports of the live masters that serve slots (from a live node's `cluster nodes`). */
  async masterPorts(): Promise<number[]> {
    const live = this.nodes.find((n) => n.process)!;
    const lines = (await this.cli(live.port, 'cluster', 'nodes')).trim().split('\n');
    return lines
      .map((l) => l.split(' '))
      .filter((f) => f[2].includes('master') && !f[2].includes('fail') && f.length > 8)
      .map((f) => Number(/:(\d+)@/.exec(f[1])![1]));
  }

  /** The port of the master serving `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const live = this.nodes.find((n) => n.process)!;
    const slot = Number((await this.cli(live.port, 'cluster', 'keyslot', key)).trim());
    for (const line of (await this.cli(live.port, 'cluster', 'nodes')).trim().split('\n')) {
      const f = line.split(' ');
      if (!f[2].includes('master') || f[2].includes('fail')) continue;
      for (const range of f.slice(8)) {
        const [from, to = from] = range.split('-').map(Number); // `5461` or `0-5460`
        if (slot >= from && slot <= to) return Number(/:(\d+)@/.exec(f[1])![1]);
      }
    }
    throw new Error(`no live master serves slot ${slot}`);
  }

  private spawn(node: ClusterNode): void {
    node.process = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        node.dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(node.dir, 'nodes.conf'),
        '--cluster-node-timeout',
        '1000',
        // A replica takes over however far behind it is (the test kills masters under load).
        '--cluster-replica-validity-factor',
        '0',
      ],
      { stdio: 'ignore' },
    );
  }

  /** Starts a killed node again (same port and cluster config: it rejoins, as a replica of the master that replaced it). */
  async restart(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port)!;
    if (!node.process) this.spawn(node);
    await waitForPing(port);
    await this.waitHealthy();
  }

  /** SIGKILLs the node on `port` (no goodbye to clients or to the cluster). */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port)!;
    const proc = node.process;
    node.process = undefined;
    await sigkill(proc);
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) if (node.process) await this.kill(node.port);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** `redis-cli -p <port> <args>`: its output. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 });
    return stdout;
  }
}
