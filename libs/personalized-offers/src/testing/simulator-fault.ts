/** A misbehaviour the simulator can put on its answers, for testing how callers cope. */
export type SimulatorFault =
  /** HTTP error status with Mastercard's error body; `retryAfter` is sent as `Retry-After`. */
  | { type: 'http-error'; status: number; retryAfter?: string }
  /** 200 whose `Response.Status.Code` is not `'600'`. */
  | { type: 'status-code'; code: string; message?: string }
  /** 200 with `Status.Code` `'600'` but no `UserToken`. */
  | { type: 'no-token' }
  /** 200 with a body that is not JSON. */
  | { type: 'malformed-json' }
  /** 502 with an HTML page, as a proxy would send. */
  | { type: 'html-error' }
  /** 200 with an empty body. */
  | { type: 'empty-body' }
  /** The normal answer, `ms` milliseconds late. */
  | { type: 'latency'; ms: number };

/** When a fault applies: to the next `times` requests (default: every request until cleared). */
export interface SimulatorFaultSchedule {
  times?: number;
}
