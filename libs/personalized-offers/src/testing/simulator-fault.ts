/**
 * A misbehaviour the simulator can put on its answers, for testing how callers cope.
 * @see README "Reliability" for what each one produces through the module.
 */
export type SimulatorFault =
  /** HTTP error status (500, 502, 503, 504, 429, …) with Mastercard's error body; `retryAfter` is sent as `Retry-After`. */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'http-error';
      /** The HTTP status to answer with. */
      status: number;
      /** Sent as the `Retry-After` header when given (seconds, or an HTTP date). */
      retryAfter?: string;
    }
  /** 200 whose `Response.Status.Code` is not `'600'`, with no payload; on `/loyalty`: 200 `{}`, or `{status: {code, message}}` on platform admin (the write does not happen). */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'status-code';
      /** The `Status.Code` (or platform-admin `status.code`) to answer with, anything but `'600'`. */
      code: string;
      /** The status message to go with it. */
      message?: string;
    }
  /** 200 with `Status.Code` `'600'` but no payload (for usertoken: no `UserToken`); on `/loyalty`: 200 `{}` (for createAccessToken: no `accessToken`). */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'no-token';
    }
  /** 200 with a body that is not JSON. */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'malformed-json';
    }
  /** An HTML error page, as a proxy would send (status 502 unless given). */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'html-error';
      /** The HTTP status of the page. @default 502 */
      status?: number;
    }
  /** 200 with an empty body. */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'empty-body';
    }
  /** The normal answer, `ms` milliseconds late. */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'latency';
      /** The delay, in milliseconds. */
      ms: number;
    }
  /** No answer at all: the connection stays open until the client gives up or the simulator stops. */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'hang';
    }
  /** Headers and half the body, then the connection is reset (the operation itself did run: a lost answer). */
  | {
      /** Selects this fault (the union's discriminant). */
      type: 'reset-mid-body';
    };

/**
 * Which requests a fault applies to. Deterministic: by request number, and by a seeded
 * generator when `probability` is below 1.
 */
export interface SimulatorFaultSchedule {
  /** Only requests routed to this operation (a v1.5 operationId such as `'matchedOffers'`) get it, count against `times` and draw. @default every operation */
  operation?: string;
  /** Apply to at most this many requests, then retire. @default unlimited */
  times?: number;
  /** First request number it may apply to (1-based, counted over all requests since start or `resetRequestCount()`, whatever `operation` says). @default the next request */
  fromRequest?: number;
  /** Chance that an eligible request gets the fault, from a generator seeded with `seed`. @default 1 */
  probability?: number;
  /** Seed of that generator. @default 1 */
  seed?: number;
}

/** One fault with its schedule, e.g. in the simulator's `faults` option. */
export interface SimulatorFaultRule {
  /** The misbehaviour. */
  fault: SimulatorFault;
  /** Which requests get it. @default every request, from the next one on */
  schedule?: SimulatorFaultSchedule;
}

/** mulberry32: a small seeded generator, so a fault mix replays identically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
