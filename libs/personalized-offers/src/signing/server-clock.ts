/** The largest offset learned from a `Date` header. */
export const MAX_LEARNED_OFFSET_MS = 3_600_000;

/**
 * The API server's clock as learned from the `Date` headers of its answers
 * (`oauth.clockSkewCorrection`): the signer stamps `oauth_timestamp` with it instead of this
 * machine's clock. `Date` has whole-second resolution, so an offset under 2 s is taken as none;
 * one over an hour is not learned.
 */
export class ServerClock {
  private offsetMs = 0;

  constructor(private readonly localNow: () => number = Date.now) {}

  /** Learns the offset from one answer's `Date` header (ignored when absent or unparsable). */
  observe(dateHeader: string | undefined): void {
    const measured = clockOffsetMs(dateHeader, this.localNow());
    if (measured === undefined) return;
    // The header truncates to the second: half a second is added so the estimate is centred.
    const offset = measured + 500;
    // Past an hour it is not a drifting clock but a stray answer (a captive portal, a proxy's
    // own page): not learned.
    if (Math.abs(offset) > MAX_LEARNED_OFFSET_MS) return;
    this.offsetMs = Math.abs(offset) < 2_000 ? 0 : offset;
  }

  /** The server's current time in Unix seconds, by the last offset learned. */
  nowSeconds(): number {
    return Math.floor((this.localNow() + this.offsetMs) / 1000);
  }

  /** The offset in use, in milliseconds (server minus this machine). */
  get offset(): number {
    return this.offsetMs;
  }
}

/**
 * The server's clock minus `localNow`, in milliseconds, from a `Date` header (whole seconds:
 * up to a second low); `undefined` when the header is absent or unparsable.
 */
export function clockOffsetMs(dateHeader: string | undefined, localNow: number): number | undefined {
  if (!dateHeader) return undefined;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return undefined;
  return server - localNow;
}
