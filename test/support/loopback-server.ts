import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and raw query, exactly as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  /** Milliseconds since the server started. */
  at: number;
  /** The raw request body, exactly as received (filled in when the body has arrived). */
  body: Buffer;
}

export type Responder = (req: IncomingMessage, res: ServerResponse, index: number) => void;

export const okBody = (token = 'tok-123') => JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: token } } });

/** Answers every request with the spec's success body. */
export const answerOk: Responder = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(okBody());
};

/**
 * A plain loopback HTTP server for transport tests: records every request and connection, and
 * answers through a replaceable responder. No mocks: the module talks real HTTP to it.
 */
export class LoopbackServer {
  readonly requests: ReceivedRequest[] = [];
  readonly sockets = new Set<Socket>();
  connections = 0;
  maxConcurrentConnections = 0;
  responder: Responder = answerOk;
  private server: Server | undefined;
  private started = 0;

  async start(): Promise<string> {
    this.started = performance.now();
    this.server = createServer((req, res) => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        at: performance.now() - this.started,
        body: Buffer.alloc(0),
      };
      this.requests.push(received);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.body = Buffer.concat(chunks);
      });
      this.responder(req, res, this.requests.length - 1);
    });
    this.server.on('connection', (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      this.maxConcurrentConnections = Math.max(this.maxConcurrentConnections, this.sockets.size);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/plo/v1`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
