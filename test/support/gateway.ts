import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { PersonalizedOffersModuleOptions } from 'nestjs-personalized-offers';
import {
  PersonalizedOffersSimulator,
  type PersonalizedOffersSimulatorOptions,
  type SimulatorGatewayOptions,
  type SimulatorRequestRecord,
  simulatorGatewayCredentials,
} from 'nestjs-personalized-offers/testing';

/**
 * The e2e suites that go through the module run signed, end to end, against a simulator in
 * gateway mode: every request the module sends is checked the way Mastercard's gateway checks
 * it (OAuth 1.0a consumer key, RSA signature over the method, URL and query as received, body
 * hash, timestamp window, nonce reuse). A signing regression then fails every one of them.
 *
 * Signed (gated simulator + `signed` in the module options): user-token, legacy-user-presentment,
 * user-presentment, cache-memory, cache-redis, faults, fuzz, redaction (its simulator-backed
 * groups), telemetry, health, testing-helper, and the example app (app.e2e-spec, through
 * `src/upstream.ts`).
 *
 * Unsigned, on purpose:
 * - simulator, simulator-loyalty: they send raw HTTP to the simulator (no module, so no signer)
 *   and pin the simulator's `now` to a fixed date, which a gateway would compare with each
 *   request's `oauth_timestamp`; they test the operations, not the gateway.
 * - simulator-gateway, gateway-refusal, oauth-signing: they test signing and refusals themselves,
 *   with their own keys and servers.
 * - contract (through the Prism proxy) and proxy-tls (through a forward proxy): a proxy in
 *   between rewrites the Host / request target the module signed, so the gateway would rebuild
 *   another base string (what simulator-gateway tests on purpose).
 * - redaction's loopback-server groups, transport: scripted loopback servers, no simulator.
 * - faults-all-operations: its own seeded fault mix (shared with soak/), maintained separately.
 * - microservice (its launcher test runs dist/ in child processes against the launcher's own
 *   simulator, which src/microservice/launcher.ts does not gate), nest-version, and the built
 *   package in child processes (package, consumer-app, simulator-cli): not converted here.
 */

/** One throw-away consumer key and RSA key pair per test file (Jest evaluates this module once per file). */
export const GATEWAY = simulatorGatewayCredentials();

/** Spread into `PersonalizedOffersModule.forRoot({ … })` (or `usePersonalizedOffersSimulator`'s overrides): the module signs with GATEWAY. */
export const signed = Object.freeze({
  oauth: Object.freeze({ consumerKey: GATEWAY.consumerKey, signingKey: GATEWAY.signingKey }),
}) satisfies Partial<PersonalizedOffersModuleOptions>;

/**
 * `signed` for an app configured from the environment: `PLO_OAUTH_CONSUMER_KEY` and
 * `PLO_OAUTH_KEY_FILE` (GATEWAY's private key written to a PEM file of its own, in a fresh
 * temporary directory). `remove()` deletes the file and the directory.
 */
export function signedEnvironment(): { env: { PLO_OAUTH_CONSUMER_KEY: string; PLO_OAUTH_KEY_FILE: string }; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'plo-gateway-key-'));
  const file = join(dir, 'signing-key.pem');
  writeFileSync(file, GATEWAY.signingKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { env: { PLO_OAUTH_CONSUMER_KEY: GATEWAY.consumerKey, PLO_OAUTH_KEY_FILE: file }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A refused request as one line: enough to see what the module got wrong. */
function describeRefusal(record: SimulatorRequestRecord): string {
  const r = record.gatewayRefusal!;
  return `${record.method} ${record.path} (${record.operationId ?? 'no route'}) → ${r.status} ${r.reasonCode}: ${r.description}`;
}

/**
 * A simulator in gateway mode for GATEWAY's key, that also keeps the gateway refusals
 * `clearRequests()` would otherwise drop from its request log, so that a suite can assert
 * there were none (see {@link expectNoGatewayRefusal}).
 */
export class GatedSimulator extends PersonalizedOffersSimulator {
  /** Refusals taken out of the log by `clearRequests()` and not reported yet. */
  private readonly cleared: string[] = [];
  /** How many refusals of the current log were reported already. */
  private reportedInLog = 0;

  constructor(options: PersonalizedOffersSimulatorOptions = {}, gateway: Partial<SimulatorGatewayOptions> = {}) {
    super({ ...options, gateway: { consumerKey: GATEWAY.consumerKey, publicKey: GATEWAY.publicKey, ...gateway } });
  }

  private refusalsInLog(): string[] {
    return this.requests.filter((r) => r.gatewayRefusal !== undefined).map(describeRefusal);
  }

  override clearRequests(): void {
    this.cleared.push(...this.refusalsInLog().slice(this.reportedInLog));
    this.reportedInLog = 0;
    super.clearRequests();
  }

  /**
   * Every gateway refusal since the last call (or since start), oldest first. The log keeps the
   * last 200 requests: a refusal followed by 200 more requests before this is called is lost.
   */
  takeGatewayRefusals(): string[] {
    const inLog = this.refusalsInLog();
    const taken = [...this.cleared.splice(0), ...inLog.slice(this.reportedInLog)];
    this.reportedInLog = inLog.length;
    return taken;
  }
}

/** A gated simulator: `options` as for `PersonalizedOffersSimulator`, `gateway` overrides the gateway's defaults (e.g. its timestamp window). */
export function gatewaySimulator(options: PersonalizedOffersSimulatorOptions = {}, gateway: Partial<SimulatorGatewayOptions> = {}): GatedSimulator {
  return new GatedSimulator(options, gateway);
}

/**
 * The no-refusal guard: fails unless the gateway refused nothing since the last check (for a
 * plain simulator, such as the example app's: nothing in its request log). A module configured
 * with `signed` must never be refused; put it in each signed suite's `afterEach` (or `afterAll`),
 * so that a signing regression fails every suite loudly, with the gateway's reasons.
 */
export function expectNoGatewayRefusal(simulator: PersonalizedOffersSimulator): void {
  const refusals =
    simulator instanceof GatedSimulator
      ? simulator.takeGatewayRefusals()
      : simulator.requests.filter((r) => r.gatewayRefusal !== undefined).map(describeRefusal);
  expect(refusals).toEqual([]);
}
