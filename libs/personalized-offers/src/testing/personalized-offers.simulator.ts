import { createHmac, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthInfoKeyMaterial } from '../crypto/auth-info-key-material.js';
import { decryptAuthInfo } from '../crypto/auth-info.codec.js';
import type { AuthInfoOptions } from '../interfaces/index.js';
import { type SimulatorFault, type SimulatorFaultRule, type SimulatorFaultSchedule, seededRandom } from './simulator-fault.js';

/** Options of {@link PersonalizedOffersSimulator}. */
export interface PersonalizedOffersSimulatorOptions {
  /** Key material and format it decrypts AuthInfo with. @default fresh random key and IV, `cbc`, `hex` */
  authInfo?: AuthInfoOptions;
  /** Financial Institution ids it knows. @default ['999999'] */
  fIds?: string[];
  /** Largest accepted distance between AuthInfo's time and the simulator's clock, in seconds. @default 300 */
  maxClockSkewSeconds?: number;
  /** The simulator's clock, in milliseconds. @default Date.now */
  now?: () => number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Secret its tokens are derived from; fix it to get the same tokens across runs. @default random */
  tokenSecret?: string;
  /** Faults active from the start (see `addFault`). */
  faults?: SimulatorFaultRule[];
}

interface ActiveRule {
  fault: SimulatorFault;
  remaining: number;
  fromRequest: number;
  probability: number;
  random: () => number;
}

const USERTOKEN_PATH = '/plo/v1/usertoken';
const REASON: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed' };

/**
 * A real HTTP server on loopback that behaves like Mastercard's `GET /plo/v1/usertoken`: it
 * checks `FId` and `AuthInfo`, decrypts AuthInfo, checks its fId and time, and returns one
 * stable token per (fId, userId). For the example app, this project's tests and yours.
 */
export class PersonalizedOffersSimulator {
  /** The AuthInfo options to configure `PersonalizedOffersModule` with (the simulator's own). */
  readonly authInfo: AuthInfoOptions;
  readonly fIds: readonly string[];
  private readonly material: AuthInfoKeyMaterial;
  private readonly maxSkewSeconds: number;
  private readonly now: () => number;
  private readonly tokenSecret: string;
  private server: Server | undefined;
  private url: string | undefined;
  private received = 0;
  private rules: ActiveRule[] = [];
  private readonly faultCounts = new Map<SimulatorFault['type'], number>();

  constructor(private readonly options: PersonalizedOffersSimulatorOptions = {}) {
    this.authInfo = options.authInfo ?? { key: randomBytes(16).toString('hex'), iv: randomBytes(16).toString('hex'), mode: 'cbc', encoding: 'hex' };
    this.material = AuthInfoKeyMaterial.from(this.authInfo);
    this.fIds = Object.freeze([...(options.fIds ?? ['999999'])]);
    this.maxSkewSeconds = options.maxClockSkewSeconds ?? 300;
    this.now = options.now ?? Date.now;
    this.tokenSecret = options.tokenSecret ?? randomBytes(32).toString('hex');
    for (const rule of options.faults ?? []) this.addFault(rule.fault, rule.schedule);
  }

  /** Starts listening; `baseUrl` ends in `/plo/v1`. */
  async start(): Promise<{ baseUrl: string }> {
    if (this.url) return { baseUrl: this.url };
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port, family } = server.address() as AddressInfo;
    const host = family === 'IPv6' ? `[${address}]` : address;
    this.server = server;
    this.url = `http://${host}:${port}/plo/v1`;
    return { baseUrl: this.url };
  }

  /** Stops listening and closes every open connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.url = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Base URL while started (ends in `/plo/v1`). */
  get baseUrl(): string {
    if (!this.url) throw new Error('PersonalizedOffersSimulator is not started.');
    return this.url;
  }

  /** Requests received since start or the last `resetRequestCount()`, whatever their outcome. */
  get requestCount(): number {
    return this.received;
  }

  resetRequestCount(): void {
    this.received = 0;
    this.faultCounts.clear();
  }

  /** The token this simulator issues for (fId, userId). */
  tokenFor(fId: string, userId: string): string {
    return createHmac('sha256', this.tokenSecret).update(`${fId}:${userId}`).digest('base64url').slice(0, 24);
  }

  /** Replaces every active fault with `fault` on `schedule` (default: every request); `undefined` clears them. */
  setFault(fault: SimulatorFault | undefined, schedule: SimulatorFaultSchedule = {}): void {
    this.clearFaults();
    if (fault) this.addFault(fault, schedule);
  }

  /**
   * Adds a fault on `schedule`, switchable at run time. When several could apply to a request,
   * the first added wins.
   */
  addFault(fault: SimulatorFault, schedule: SimulatorFaultSchedule = {}): void {
    const probability = schedule.probability ?? 1;
    if (!(probability >= 0 && probability <= 1)) throw new RangeError('probability must be between 0 and 1');
    this.rules.push({
      fault,
      remaining: schedule.times ?? Number.POSITIVE_INFINITY,
      fromRequest: schedule.fromRequest ?? this.received + 1,
      probability,
      random: seededRandom(schedule.seed ?? 1),
    });
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.rules = [];
  }

  /** How many times each fault type was applied since start or `resetRequestCount()`. */
  get faultsApplied(): Record<string, number> {
    return Object.fromEntries(this.faultCounts);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.received += 1;
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname !== USERTOKEN_PATH) return this.error(res, 404, 'Resource not found');
    if (req.method !== 'GET') return this.error(res, 405, 'Only GET is supported');

    const fault = this.takeFault();
    if (fault?.type === 'latency') {
      const timer = setTimeout(() => this.answer(url, res, undefined), fault.ms);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (fault && this.applyFault(fault, res)) return;
    this.answer(url, res, fault);
  }

  private answer(url: URL, res: ServerResponse, fault: SimulatorFault | undefined): void {
    if (res.destroyed) return;

    const fId = url.searchParams.get('FId');
    const authInfo = url.searchParams.get('AuthInfo');
    if (!fId || !this.fIds.includes(fId)) return this.error(res, 400, 'FId is not provided or Value provided is invalid');
    if (!authInfo) return this.error(res, 400, 'AuthInfo is not provided or Value provided is invalid');

    let plain: ReturnType<typeof decryptAuthInfo>;
    try {
      plain = decryptAuthInfo(this.material, authInfo);
    } catch {
      return this.error(res, 401, 'AuthInfo could not be decrypted');
    }
    if (plain.fId !== fId) return this.error(res, 401, 'AuthInfo was issued for another FId');
    const skew = Math.abs(Math.floor(this.now() / 1000) - plain.unixTime);
    if (skew > this.maxSkewSeconds) return this.error(res, 401, 'AuthInfo time is outside the accepted window');

    const token = fault?.type === 'status-code' || fault?.type === 'no-token' ? undefined : this.tokenFor(fId, plain.userId);
    const status =
      fault?.type === 'status-code' ? { Code: fault.code, Message: fault.message ?? 'Failure' } : { Code: '600', Message: 'Success' };
    this.json(res, 200, { Response: { Status: status, ...(token ? { UserToken: { Token: token } } : {}) } });
  }

  private takeFault(): SimulatorFault | undefined {
    for (const rule of this.rules) {
      if (this.received < rule.fromRequest) continue;
      // Every eligible request draws, hit or not, so the sequence depends only on the request order.
      if (rule.probability < 1 && rule.random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      this.faultCounts.set(rule.fault.type, (this.faultCounts.get(rule.fault.type) ?? 0) + 1);
      return rule.fault;
    }
    return undefined;
  }

  /** Answers for faults that replace the whole response; returns false for those that alter a success. */
  private applyFault(fault: SimulatorFault, res: ServerResponse): boolean {
    switch (fault.type) {
      case 'http-error':
        if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
        this.error(res, fault.status, 'Simulated failure');
        return true;
      case 'malformed-json':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"Response":{"Status":');
        return true;
      case 'html-error': {
        const status = fault.status ?? 502;
        res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>${status} Bad Gateway</h1></body></html>`);
        return true;
      }
      case 'hang':
        return true; // never answered; stop() closes the connection
      case 'reset-mid-body': {
        const body = JSON.stringify({ Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: 'x'.repeat(24) } } });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.write(body.slice(0, body.length >> 1), () => res.socket?.destroy());
        return true;
      }
      case 'empty-body':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '0' }).end();
        return true;
      default:
        return false;
    }
  }

  private error(res: ServerResponse, status: number, description: string): void {
    this.json(res, status, {
      Errors: {
        Error: [
          {
            ReasonCode: String(status),
            Source: 'PersonalizedOffersSimulator',
            Description: description,
            Details: REASON[status] ?? 'Error',
            Recoverable: status >= 500 || status === 429,
          },
        ],
      },
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  }
}
