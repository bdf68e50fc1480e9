import { createHmac, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthInfoKeyMaterial } from '../crypto/auth-info-key-material.js';
import type { AuthInfoOptions } from '../interfaces/index.js';
import { gatewayErrorBody } from './gateway/gateway-refusal.js';
import { OAuth2Gateway, type SimulatorOAuth2GatewayOptions, TOKEN_ENDPOINT_PATH } from './gateway/oauth2-gateway.js';
import type { ReceivedTarget } from './gateway/signature-base-string.js';
import { SimulatorGateway, type SimulatorGatewayOptions } from './gateway/simulator-gateway.js';
import { type SimulatorFault, type SimulatorFaultRule, type SimulatorFaultSchedule, seededRandom } from './simulator-fault.js';
import { AccessTokenRegistry } from './simulator/access-tokens.js';
import { OfferCatalogue } from './simulator/catalogue.js';
import { type SimulatorContext, type SimulatorRequest, SimulatorRequestError, type SimulatorUser } from './simulator/handler.js';
import { RequestLog, type SimulatorRequestRecord } from './simulator/request-log.js';
import { OPERATION_IDS, type SimulatorRoute, isLegacyRoute, lookupRoute } from './simulator/routes.js';
import { type SimulatorImpression, SimulatorState } from './simulator/state.js';
import { type SimulatorReply, errorReply, isLegacySuccess, strippedLoyaltyReply, writeJson } from './simulator/wire.js';

/** Operations whose success answer may be an empty body: an `empty-body` fault still applies them. */
const EMPTY_SUCCESS: ReadonlySet<string> = new Set(['publishImpressions']);

/** Options of {@link PersonalizedOffersSimulator}. */
export interface PersonalizedOffersSimulatorOptions {
  /** Key material and format it decrypts AuthInfo with. @default fresh random key and IV, `cbc`, `hex` */
  authInfo?: AuthInfoOptions;
  /** Financial Institution ids it knows. @default ['999999'] */
  fIds?: string[];
  /** Largest accepted distance between AuthInfo's time and the simulator's clock, in seconds. @default 300 */
  maxClockSkewSeconds?: number;
  /** The simulator's clock, in milliseconds (plus every `advanceTime`); also "today" for offer dates and `PresentmentDate`. @default Date.now */
  now?: () => number;
  /** How long a `/loyalty` access token (`X-Auth-Token`) is accepted after it is minted, on the simulator clock. @default 3_600_000 (60 min, Mastercard's default) */
  accessTokenTtlMs?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Secret its tokens are derived from; fix it to get the same tokens across runs. @default random */
  tokenSecret?: string;
  /** Faults active from the start (see `addFault`). */
  faults?: SimulatorFaultRule[];
  /**
   * Check every request the way Mastercard's API gateway does (OAuth 1.0a: consumer key,
   * RSA-SHA256 or RSA-PSS signature over the method, URL and query as received, body hash over
   * the exact bytes, timestamp window, nonce reuse) before routing, and refuse with the
   * gateway's status and body (`Source: "Gateway"`). Only admitted requests reach the
   * operations and draw faults (in the order they are admitted).
   *
   * With `{ oauth2: { clientId, kid, publicKey, … } }` instead: OAuth 2.0 mode. The simulator
   * also plays Mastercard's authorization server at `POST /oauth/token` (FAPI 2.0 client
   * credentials, `private_key_jwt`, DPoP, server nonces) and admits only requests carrying
   * `Authorization: DPoP <its access token>` and a valid DPoP proof bound to that token's key
   * (RFC 9449); OAuth 1.0a headers are refused. Every answer carries `DPoP-Nonce`.
   * @default off: no checks
   */
  gateway?: SimulatorGatewayOptions | SimulatorOAuth2GatewayOptions;
}

interface ActiveRule {
  fault: SimulatorFault;
  operation: string | undefined;
  remaining: number;
  fromRequest: number;
  probability: number;
  random: () => number;
}

const MAX_BODY_BYTES = 1 << 20;

/**
 * A real HTTP server on loopback that behaves like Mastercard's Personalized Offers API, the
 * legacy one (`/plo/v1`, `/plo/v2`) and the current one (`/loyalty/offers/*`): a route table
 * keyed by operationId, a deterministic offer catalogue per fId and per-user state shared by
 * both APIs, a clock tests can advance, and faults targetable per operation. For the example
 * app, this project's tests and yours.
 */
export class PersonalizedOffersSimulator {
  /** The AuthInfo options to configure `PersonalizedOffersModule` with (the simulator's own). */
  readonly authInfo: AuthInfoOptions;
  /** The fIds it accepts. */
  readonly fIds: readonly string[];
  private readonly material: AuthInfoKeyMaterial;
  private readonly maxSkewSeconds: number;
  private readonly baseNow: () => number;
  private offsetMs = 0;
  /** The simulator clock: the `now` option plus every `advanceTime`. */
  private readonly now = () => this.baseNow() + this.offsetMs;
  private readonly tokenSecret: string;
  private readonly accessTokens: AccessTokenRegistry;
  private readonly catalogue = new OfferCatalogue();
  private readonly state: SimulatorState;
  private readonly log = new RequestLog(200);
  private server: Server | undefined;
  private url: string | undefined;
  private received = 0;
  private rules: ActiveRule[] = [];
  private readonly faultCounts = new Map<SimulatorFault['type'], number>();
  private tokenEpoch = 0;
  private readonly issued = new Map<string, SimulatorUser>();
  private readonly gateway: SimulatorGateway | undefined;
  private readonly oauth2: OAuth2Gateway | undefined;

  constructor(private readonly options: PersonalizedOffersSimulatorOptions = {}) {
    this.authInfo = options.authInfo ?? { key: randomBytes(16).toString('hex'), iv: randomBytes(16).toString('hex'), mode: 'cbc', encoding: 'hex' };
    this.material = AuthInfoKeyMaterial.from(this.authInfo);
    this.fIds = Object.freeze([...(options.fIds ?? ['999999'])]);
    this.maxSkewSeconds = options.maxClockSkewSeconds ?? 300;
    this.baseNow = options.now ?? Date.now;
    this.tokenSecret = options.tokenSecret ?? randomBytes(32).toString('hex');
    const ttl = options.accessTokenTtlMs ?? 3_600_000;
    if (!(Number.isFinite(ttl) && ttl > 0)) throw new RangeError('accessTokenTtlMs must be a positive number of milliseconds');
    this.accessTokens = new AccessTokenRegistry(`access:${this.tokenSecret}`, this.now, ttl);
    this.state = new SimulatorState(this.catalogue, this.now);
    for (const rule of options.faults ?? []) this.addFault(rule.fault, rule.schedule);
    const gateway = options.gateway;
    if (gateway && 'oauth2' in gateway) {
      this.gateway = undefined;
      this.oauth2 = new OAuth2Gateway(gateway.oauth2, this.now, () => this.url);
    } else {
      this.gateway = gateway ? new SimulatorGateway(gateway, this.now) : undefined;
      this.oauth2 = undefined;
    }
  }

  /** Starts listening; `baseUrl` is host-only (`http://127.0.0.1:PORT`), as v1.5 servers are: paths carry `/plo/v1/…`. */
  async start(): Promise<{
    /** The simulator's base URL, `http://127.0.0.1:PORT`: give it to the module's `baseUrl`. */
    baseUrl: string;
  }> {
    if (this.url) return { baseUrl: this.url };
    this.correlationPrefix = randomBytes(4).toString('hex');
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port, family } = server.address() as AddressInfo;
    const host = family === 'IPv6' ? `[${address}]` : address;
    this.server = server;
    this.url = `http://${host}:${port}`;
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

  /** Base URL while started: scheme, host and port only. */
  get baseUrl(): string {
    if (!this.url) throw new Error('PersonalizedOffersSimulator is not started.');
    return this.url;
  }

  /** Requests received since start or the last `resetRequestCount()`, whatever their outcome. */
  get requestCount(): number {
    return this.received;
  }

  /** Restarts the request count (and so `fromRequest` numbering) and `faultsApplied`. */
  resetRequestCount(): void {
    this.received = 0;
    this.faultCounts.clear();
    if (this.oauth2) {
      this.oauth2.tokenRequests = 0;
      this.oauth2.tokensIssued = 0;
    }
  }

  /** The last 200 requests received (oldest first), raw body and query included, whatever their outcome. */
  get requests(): ReadonlyArray<SimulatorRequestRecord> {
    return this.log.list();
  }

  /** Empties `requests`. */
  clearRequests(): void {
    this.log.clear();
  }

  /** OAuth 2.0 mode: requests received at `/oauth/token` since start or the last `resetRequestCount()`, whatever their outcome (0 in other modes). */
  get oauth2TokenRequests(): number {
    return this.oauth2?.tokenRequests ?? 0;
  }

  /** OAuth 2.0 mode: access tokens issued since start or the last `resetRequestCount()` (0 in other modes). */
  get oauth2TokensIssued(): number {
    return this.oauth2?.tokensIssued ?? 0;
  }

  /** OAuth 2.0 mode: the server nonce answers carry in `DPoP-Nonce` now. */
  get dpopNonce(): string {
    return this.requireOAuth2('dpopNonce').currentNonce();
  }

  /**
   * OAuth 2.0 mode: switches to a new server nonce now and returns it. The old one is refused
   * from then on (the next proof carrying it gets `use_dpop_nonce`, at the token endpoint and
   * the gateway), unless `keepPrevious` (a graceful rotation: the old one stays valid until the
   * next rotation, as after the timed ones).
   */
  rotateDpopNonce(options: { keepPrevious?: boolean } = {}): string {
    return this.requireOAuth2('rotateDpopNonce').rotateNonce(options.keepPrevious ?? false);
  }

  /** OAuth 2.0 mode: forgets every access token issued; each now gets 401 `invalid_token`. */
  revokeOAuth2Tokens(): void {
    this.requireOAuth2('revokeOAuth2Tokens').revokeTokens();
  }

  /** OAuth 2.0 mode: every access token issued so far is expired from now on (401 `invalid_token`); `advanceTime` past `tokenTtlSeconds` does the same. */
  expireOAuth2Tokens(): void {
    this.requireOAuth2('expireOAuth2Tokens').expireTokens();
  }

  private requireOAuth2(name: string): OAuth2Gateway {
    if (!this.oauth2) throw new Error(`${name} needs OAuth 2.0 mode: create the simulator with gateway: { oauth2: { clientId, kid, publicKey } }.`);
    return this.oauth2;
  }

  /**
   * The token this simulator issues for (fId, userId) now; it is accepted from then on, as if
   * usertoken had returned it. Stable until `revokeUserTokens()`. The user counts as seen (for
   * the platform-admin adjustments) from then on.
   */
  tokenFor(fId: string, userId: string): string {
    // Epoch 0 hashes exactly what earlier versions did, so a fixed `tokenSecret` keeps its tokens.
    const input = this.tokenEpoch === 0 ? `${fId}:${userId}` : `${this.tokenEpoch}:${fId}:${userId}`;
    const token = createHmac('sha256', this.tokenSecret).update(input).digest('base64url').slice(0, 24);
    this.issued.set(token, Object.freeze({ fId, userId }));
    this.state.user(fId, userId);
    return token;
  }

  /** Forgets every issued token and changes how tokens are derived: old ones now get 401, and usertoken returns new ones. */
  revokeUserTokens(): void {
    this.tokenEpoch += 1;
    this.issued.clear();
  }

  /**
   * Mints a new `/loyalty` access token for the user, as createAccessToken would (every call a
   * new one, valid for `accessTokenTtlMs` from now on the simulator clock).
   */
  accessTokenFor(fId: string, userId: string, utcOffset = '+00:00'): string {
    if (!this.fIds.includes(fId)) throw new RangeError(`Unknown FId ${fId}.`);
    if (!/^[+-](0\d|1[0-4]):[0-5]\d$/.test(utcOffset)) throw new RangeError(`utcOffset must look like -07:00, not ${utcOffset}.`);
    this.state.user(fId, userId);
    return this.accessTokens.mint({ fId, userId, utcOffset });
  }

  /** Forgets every access token: each one now gets 401 on `/loyalty` operations. UserTokens are not affected (see `revokeUserTokens`). */
  revokeAccessTokens(): void {
    this.accessTokens.revokeAll();
  }

  /**
   * Moves the simulator clock by `ms` (negative goes back): access-token expiry, AuthInfo
   * windows, `PresentmentDate`, offer and activation dates all follow.
   */
  advanceTime(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('advanceTime takes a finite number of milliseconds');
    this.offsetMs += ms;
  }

  /** The impressions the user's app published (`POST /loyalty/offers/impressions`), oldest first. */
  impressions(fId: string, userId: string): ReadonlyArray<SimulatorImpression> {
    return Object.freeze([...this.state.user(fId, userId).impressions]);
  }

  /**
   * Records a purchase of `amount` (a decimal string such as `'45.50'`) on `offerId` for the
   * user, as if a card transaction had matched it: it shows in redeemedoffers and usersavings.
   * A POSTPAIDCREDIT offer not activated yet is activated first.
   */
  recordRedemption(fId: string, userId: string, offerId: string, amount: string): void {
    if (!this.fIds.includes(fId)) throw new RangeError(`Unknown FId ${fId}.`);
    this.state.recordRedemption(fId, userId, offerId, amount);
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
    if (schedule.operation !== undefined && !OPERATION_IDS.has(schedule.operation)) {
      // A typo would otherwise leave the fault silently unused.
      throw new RangeError(`Unknown operation ${schedule.operation}; expected one of ${[...OPERATION_IDS].join(', ')}`);
    }
    this.rules.push({
      fault,
      operation: schedule.operation,
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

  /** Part of every correlation id, fresh per start: ids of two runs never collide. */
  private correlationPrefix = '0';

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.received += 1;
    const arrival = this.received;
    // As Mastercard's edge does: a correlation id on every answer (the id its support asks for).
    res.setHeader('X-MC-Correlation-ID', `sim-${this.correlationPrefix}-${arrival}`);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const lookup = lookupRoute(method, url.pathname);
    const setBody = this.log.add(req, url, lookup.route?.operationId);
    // Faults are drawn on arrival, so the schedule depends only on the order requests arrive in;
    // behind the gateway, once it has admitted the request (it needs the body's bytes first).
    const oauth2 = this.oauth2;
    const tokenEndpoint = oauth2 !== undefined && url.pathname === TOKEN_ENDPOINT_PATH;
    let fault = lookup.route && !this.gateway && !oauth2 ? this.takeFault(lookup.route.operationId) : undefined;
    // OAuth 2.0 mode: the current server nonce on every answer, whatever it is (RFC 9449 §8.2).
    if (oauth2) res.setHeader('DPoP-Nonce', oauth2.currentNonce());

    readBody(req)
      .then((bytes) => {
        if (bytes === undefined) {
          send(res, errorReply(413, 'Request body is too large'));
          return;
        }
        const body = bytes.toString('utf8');
        if (oauth2) {
          const target: ReceivedTarget = {
            method,
            target: req.url ?? '/',
            host: req.headers.host,
            scheme: 'http',
            fallbackHost: this.url?.slice('http://'.length) ?? 'localhost',
          };
          const dpop = req.headersDistinct['dpop'] ?? [];
          if (tokenEndpoint) {
            const answer = oauth2.token({ ...target, contentType: req.headers['content-type'], dpop, body: bytes });
            setBody(body, answer.refusal);
            res.setHeader('DPoP-Nonce', oauth2.currentNonce());
            send(res, { status: answer.status, body: answer.body, headers: answer.headers });
            return;
          }
          const refusal = oauth2.check({ ...target, authorization: req.headersDistinct['authorization'] ?? [], dpop, operationId: lookup.route?.operationId });
          if (refusal) {
            setBody(body, refusal.refusal);
            res.setHeader('DPoP-Nonce', oauth2.currentNonce());
            send(res, { status: refusal.status, body: refusal.body, headers: refusal.headers });
            return;
          }
          res.setHeader('DPoP-Nonce', oauth2.currentNonce());
          fault = lookup.route ? this.takeFault(lookup.route.operationId, arrival) : undefined;
        } else if (this.gateway) {
          const refusal = this.gateway.check({
            method,
            target: req.url ?? '/',
            host: req.headers.host,
            scheme: 'http',
            fallbackHost: this.url?.slice('http://'.length) ?? 'localhost',
            authorization: req.headers.authorization,
            body: bytes,
          });
          if (refusal) {
            setBody(body, refusal);
            send(res, { status: refusal.status, body: gatewayErrorBody(refusal) });
            return;
          }
          fault = lookup.route ? this.takeFault(lookup.route.operationId, arrival) : undefined;
        }
        setBody(body);
        if (!lookup.route) {
          if (lookup.status === 404) {
            send(res, errorReply(404, 'Resource not found'));
            return;
          }
          const allow = lookup.allow.join(', ');
          send(res, errorReply(405, `Only ${allow} ${lookup.allow.length > 1 ? 'are' : 'is'} supported`, { Allow: allow }));
          return;
        }
        const request: SimulatorRequest = { method, path: url.pathname, query: url.searchParams, params: lookup.params, headers: req.headers, body };
        this.respond(lookup.route, request, res, fault);
      })
      // An aborted upload or a write to a closed socket: nothing left to answer, and nothing may escape as an unhandled rejection.
      .catch(() => res.destroy());
  }

  private respond(route: SimulatorRoute, request: SimulatorRequest, res: ServerResponse, fault: SimulatorFault | undefined): void {
    switch (fault?.type) {
      case 'latency': {
        const timer = setTimeout(() => res.destroyed || send(res, this.run(route, request, undefined)), fault.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'http-error': {
        send(res, errorReply(fault.status, 'Simulated failure', fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : undefined));
        return;
      }
      case 'malformed-json':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"Response":{"Status":');
        return;
      case 'html-error': {
        const status = fault.status ?? 502;
        res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>${status} Bad Gateway</h1></body></html>`);
        return;
      }
      case 'hang':
        return; // never answered; stop() closes the connection
      case 'empty-body':
        // An operation whose success may be an empty body (publishImpressions: "may be empty;
        // accept both", API-CATALOGUE §3.5) runs: an empty 200 there is a truthful success.
        if (EMPTY_SUCCESS.has(route.operationId)) this.run(route, request, undefined);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '0' }).end();
        return;
      case 'reset-mid-body': {
        // The operation runs (a write takes effect) and only its answer is lost: what a client must survive.
        const reply = this.run(route, request, undefined);
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.write(text.slice(0, text.length >> 1), () => res.socket?.destroy());
        return;
      }
      default: {
        send(res, this.run(route, request, fault));
        return;
      }
    }
  }

  /** Runs the route's handler; a `status-code`/`no-token` fault then strips a success down to its status (or, on `/loyalty`, to nothing). */
  private run(route: SimulatorRoute, request: SimulatorRequest, fault: SimulatorFault | undefined): SimulatorReply {
    const discard = fault?.type === 'status-code' || fault?.type === 'no-token';
    let reply: SimulatorReply;
    try {
      reply = route.handler(request, this.context(!discard));
    } catch (error) {
      // A bug in a handler must reach the test as an answer, not as an unhandled rejection in the server.
      reply =
        error instanceof SimulatorRequestError
          ? errorReply(error.status, error.message)
          : errorReply(500, `Simulator failure in ${route.operationId}: ${(error as Error).message}`);
    }
    if (!discard) return reply;
    if (!isLegacyRoute(route)) return reply.status === 200 ? strippedLoyaltyReply(route.path, fault) : reply;
    if (!isLegacySuccess(reply)) return reply;
    const status = fault.type === 'status-code' ? { Code: fault.code, Message: fault.message ?? 'Failure' } : { Code: '600', Message: 'Success' };
    return { status: 200, body: { Response: { Status: status } } };
  }

  private context(commit: boolean): SimulatorContext {
    return {
      fIds: this.fIds,
      now: this.now,
      authInfo: this.material,
      maxClockSkewSeconds: this.maxSkewSeconds,
      catalogue: this.catalogue,
      state: this.state,
      commit,
      issueToken: (fId, userId) => this.tokenFor(fId, userId),
      tokenOwner: (token) => this.issued.get(token),
      accessTokens: this.accessTokens,
    };
  }

  /** The fault for the `arrival`-th request (by default the last one to arrive), if any. */
  private takeFault(operationId: string, arrival = this.received): SimulatorFault | undefined {
    for (const rule of this.rules) {
      if (rule.operation !== undefined && rule.operation !== operationId) continue;
      if (arrival < rule.fromRequest) continue;
      // Every eligible request draws, hit or not, so the sequence depends only on the request order.
      if (rule.probability < 1 && rule.random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      this.faultCounts.set(rule.fault.type, (this.faultCounts.get(rule.fault.type) ?? 0) + 1);
      return rule.fault;
    }
    return undefined;
  }
}

function send(res: ServerResponse, reply: SimulatorReply): void {
  if (res.destroyed) return; // the client gave up while the body or a delay was pending
  writeJson(res, reply.status, reply.body, reply.headers);
}

/** The whole body, bytes as received; undefined past {@link MAX_BODY_BYTES} (a runaway client, not a test). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
