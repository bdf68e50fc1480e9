import type { IncomingMessage } from 'node:http';

/** One request as the simulator received it, for tests to assert on what a client really sent. */
export interface SimulatorRequestRecord {
  /** The v1.5 operationId it was routed to; absent for unknown paths and wrong methods. */
  readonly operationId?: string;
  /** The HTTP method, upper case (`GET`, `POST`, …). */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The request target exactly as received (path and raw, still-encoded query), to check a client's encoding. */
  readonly url: string;
  /** Decoded query parameters, every value of a repeated name kept in order. */
  readonly query: Record<string, string[]>;
  /** Headers by lower-case name; repeated headers joined with `, `. */
  readonly headers: Record<string, string | undefined>;
  /** The raw body text (empty for none); filled once the body has arrived. */
  readonly body: string;
  /** Present when the simulator's gateway (option `gateway`) refused the request: what it answered. No operation ran. */
  readonly gatewayRefusal?: {
    /** The HTTP status it answered (400, 401, …). */
    readonly status: number;
    /** The `ReasonCode` of its error body (`INVALID_AUTH_HEADER`, `AUTHENTICATION_FAILED`, …). */
    readonly reasonCode: string;
    /** The `Description` of its error body. */
    readonly description: string;
  };
}

type MutableRecord = { -readonly [K in keyof SimulatorRequestRecord]: SimulatorRequestRecord[K] };

/** The last `capacity` requests, oldest first. */
export class RequestLog {
  private entries: MutableRecord[] = [];

  constructor(private readonly capacity = 200) {}

  /**
   * Logs a request on arrival (so the order is arrival order) and returns a setter for its body;
   * the setter's second argument records a gateway refusal.
   */
  add(req: IncomingMessage, url: URL, operationId: string | undefined): (body: string, gatewayRefusal?: SimulatorRequestRecord['gatewayRefusal']) => void {
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const entry: MutableRecord = {
      ...(operationId ? { operationId } : {}),
      method: req.method ?? 'GET',
      path: url.pathname,
      url: req.url ?? '/',
      query,
      headers,
      body: '',
    };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return (body, gatewayRefusal) => {
      entry.body = body;
      if (gatewayRefusal) entry.gatewayRefusal = { ...gatewayRefusal };
    };
  }

  /** A snapshot, oldest first. */
  list(): readonly SimulatorRequestRecord[] {
    return Object.freeze(this.entries.map((e) => ({ ...e })));
  }

  /** Forgets every logged request. */
  clear(): void {
    this.entries = [];
  }
}
