/**
 * Leak checks for reliability tests: no unhandled rejection, and no socket or timer left behind
 * once the module and the servers a test used are closed (what Jest's open-handle detection
 * looks for, as an assertion that can fail).
 */
const WATCHED = new Set(['TCPSocketWrap', 'TCPWRAP', 'Timeout', 'TCPServerWrap']);

function counts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (WATCHED.has(type)) out.set(type, (out.get(type) ?? 0) + 1);
  return out;
}

export class LeakWatch {
  private readonly unhandled: unknown[] = [];
  private baseline = new Map<string, number>();
  private readonly onUnhandled = (reason: unknown) => this.unhandled.push(reason);

  start(): void {
    process.on('unhandledRejection', this.onUnhandled);
    this.baseline = counts();
  }

  stop(): void {
    process.off('unhandledRejection', this.onUnhandled);
  }

  /** Fails when a rejection went unhandled or resources stay above the baseline for `waitMs`. */
  async check(waitMs = 1_500): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.unhandled.length) throw new Error(`unhandled rejection: ${String(this.unhandled[0])}`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = counts();
      const over = [...now].filter(([type, n]) => n > (this.baseline.get(type) ?? 0));
      if (over.length === 0) return;
      if (Date.now() > deadline) throw new Error(`resources left open: ${over.map(([t, n]) => `${t}×${n}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
