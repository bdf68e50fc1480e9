import type { CancelToken } from 'axios';

/**
 * A cancel token that never cancels and keeps no listeners. The client passes it so that
 * `HttpService` does not make (and cancel, building an error with a stack trace) a token per
 * request; the adapter recognizes it and skips linking it. Timeouts abort through `signal`.
 */
export const NEVER_CANCELLED: CancelToken = Object.freeze({
  promise: new Promise<never>(() => {}),
  reason: undefined,
  throwIfRequested: () => undefined,
  subscribe: () => undefined,
  unsubscribe: () => undefined,
}) as unknown as CancelToken;
