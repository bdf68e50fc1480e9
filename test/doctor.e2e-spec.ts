import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type DiagnosticReport,
  PersonalizedOffersDiagnostics,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
} from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { GATEWAY, signed, signedEnvironment } from './support/gateway.js';
import { makePkcs12, rsaKeyPair } from './support/keys.js';

// The bin as users run it: the built file (`npm run build:lib`). PLO_DOCTOR_CLI points at another
// build, e.g. `tsc -p libs/personalized-offers/tsconfig.lib.json --outDir dist/other`.
const root = join(import.meta.dirname, '..');
const CLI = process.env.PLO_DOCTOR_CLI ?? join(root, 'dist/personalized-offers/diagnostics/cli.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const CHECKS = ['configuration', 'signing-key', 'authinfo', 'reach', 'clock', 'signed-call'];
const WRONG_CONSUMER_KEY = `${'W'.repeat(48)}!${'0123456789abcdef'.repeat(3)}`;

/** A simulator in gateway mode for GATEWAY's consumer key and public key. */
function gatedSimulator(options: { now?: () => number } = {}): PersonalizedOffersSimulator {
  return new PersonalizedOffersSimulator({ ...options, gateway: { consumerKey: GATEWAY.consumerKey, publicKey: GATEWAY.publicKey } });
}

async function diagnostics(simulator: PersonalizedOffersSimulator, overrides: Partial<PersonalizedOffersModuleOptions> = {}, baseUrl = simulator.baseUrl) {
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl, authInfo: simulator.authInfo, http: { retry: false }, ...signed, ...overrides })],
  }).compile();
  return { moduleRef, report: await moduleRef.get(PersonalizedOffersDiagnostics).verifyCredentials() };
}

const check = (report: DiagnosticReport, name: string) => report.checks.find((c) => c.name === name)!;

/** Every secret a report must never show (the consumer key beyond its last 4 characters, keys). */
function secretsOf(simulator: PersonalizedOffersSimulator): string[] {
  return [
    GATEWAY.consumerKey,
    GATEWAY.consumerKey.slice(0, -4),
    WRONG_CONSUMER_KEY.slice(0, -4),
    String(simulator.authInfo.key),
    String(simulator.authInfo.iv),
    GATEWAY.signingKey.export({ type: 'pkcs8', format: 'der' }).toString('base64').slice(40, 80),
  ];
}

function expectNoSecret(text: string, simulator: PersonalizedOffersSimulator): void {
  for (const secret of secretsOf(simulator)) expect(text).not.toContain(secret);
  // The doctor's own synthetic AuthInfo user id.
  expect(text).not.toMatch(/plo-doctor-[0-9a-f]/);
}

/**
 * A loopback reverse proxy in front of `target` that passes every request and answer through
 * unchanged (Host included, so the gateway's base string still matches) except the answer's
 * `Date`, set `skewMs` away from the real time: a host whose clock is off.
 */
async function skewedDateProxy(target: string, skewMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, date: new Date(Date.now() + skewMs).toUTCString() });
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('PersonalizedOffersDiagnostics.verifyCredentials() against a gateway-mode simulator', () => {
  const simulator = gatedSimulator();
  const modules: TestingModule[] = [];

  beforeAll(() => simulator.start());
  afterAll(async () => {
    for (const m of modules) await m.close();
    await simulator.stop();
  });

  async function run(overrides: Partial<PersonalizedOffersModuleOptions> = {}, sim = simulator, baseUrl?: string): Promise<DiagnosticReport> {
    const { moduleRef, report } = await diagnostics(sim, overrides, baseUrl);
    modules.push(moduleRef);
    expectNoSecret(JSON.stringify(report), sim);
    return report;
  }

  it('with the right credentials every check passes, in order, and says what it found', async () => {
    const report = await run();
    expect(report.checks.map((c) => c.name)).toEqual(CHECKS);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.host).toBe(new URL(simulator.baseUrl).host);
    expect(check(report, 'configuration').detail).toMatch(/host 127\.0\.0\.1:\d+ \(loopback\), fId …9999, OAuth 1\.0a RSA-SHA256/);
    expect(check(report, 'signing-key').detail).toContain(`RSA 2048-bit private key, OAuth 1.0a RSA-SHA256, consumer key …${GATEWAY.consumerKey.slice(-4)}`);
    expect(check(report, 'authinfo').detail).toMatch(/encrypts and decrypts again \(AES-128, mode cbc, encoding hex\)/);
    expect(check(report, 'reach').detail).toMatch(/^reached 127\.0\.0\.1:\d+ directly over plain HTTP \(HTTP \d{3} in \d+ ms\)$/);
    expect(check(report, 'clock').detail).toMatch(/offset [+-]?[01] s/);
    expect(check(report, 'signed-call').detail).toMatch(/^browseOffers .*limit=1\) signed with consumer key …\w{4}: accepted by/);
  });

  it('without AuthInfo (current API only) the authinfo check is skipped and every check still passes', async () => {
    const report = await run({ authInfo: undefined });
    expect(check(report, 'authinfo')).toMatchObject({
      ok: true,
      skipped: true,
      detail: expect.stringMatching(/^not configured: the current \/loyalty API does not need it/),
    });
    expect(report.ok).toBe(true);
  });

  it('the signed call really reached the simulator signed, and was not refused', async () => {
    simulator.clearRequests();
    await run();
    const browse = simulator.requests.filter((r) => r.operationId === 'browseOffers');
    expect(browse).toHaveLength(1);
    expect(browse[0].gatewayRefusal).toBeUndefined();
    expect(browse[0].query).toMatchObject({ limit: ['1'] });
  });

  it('a wrong consumer key fails the signed call, naming the consumer key problem and what to do', async () => {
    const report = await run({ oauth: { consumerKey: WRONG_CONSUMER_KEY, signingKey: GATEWAY.signingKey } });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['signed-call']);
    const call = check(report, 'signed-call');
    expect(call.detail).toContain(`consumer key …${WRONG_CONSUMER_KEY.slice(-4)} refused: the gateway does not know it`);
    expect(call.detail).toContain('401 AUTHENTICATION_FAILED');
    expect(call.remedy).toMatch(/PLO_OAUTH_CONSUMER_KEY/);
  });

  it('a wrong signing key fails the signed call, naming the signature', async () => {
    const report = await run({ oauth: { consumerKey: GATEWAY.consumerKey, signingKey: rsaKeyPair().privateKey } });
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['signed-call']);
    const call = check(report, 'signed-call');
    expect(call.detail).toMatch(/signature refused: the gateway knows consumer key …\w{4} but the signature does not verify/);
    expect(call.detail).toContain('403 AUTHENTICATION_FAILED');
    // The gateway's echo of the base string is not repeated in the line.
    expect(call.detail).not.toMatch(/Acceptable signature base string|oauth_nonce/);
    expect(call.remedy).toMatch(/signing key is not the one registered for this consumer key/);
  });

  it('a host whose clock is off fails the clock check with the offset (and only that check)', async () => {
    const proxy = await skewedDateProxy(simulator.baseUrl, 10 * 60_000);
    try {
      const report = await run({}, simulator, proxy.url);
      expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['clock']);
      const clock = check(report, 'clock');
      expect(clock.detail).toMatch(/is (599|600|601) s ahead of this machine's \(offset \+(599|600|601) s; more than 60 s fails\)/);
      expect(clock.remedy).toMatch(/synchronize this machine's clock/);
    } finally {
      await proxy.close();
    }
  });

  it('a clock 59 s off still passes (the limit is 60 s)', async () => {
    const proxy = await skewedDateProxy(simulator.baseUrl, -59_000);
    try {
      const report = await run({}, simulator, proxy.url);
      expect(check(report, 'clock')).toMatchObject({ ok: true });
      expect(check(report, 'clock').detail).toMatch(/(5[89]|60) s behind/);
    } finally {
      await proxy.close();
    }
  });

  it("a gateway refusing the request's timestamp is decoded as a clock problem", async () => {
    const late = gatedSimulator({ now: () => Date.now() + 15 * 60_000 });
    await late.start();
    try {
      const report = await run({}, late);
      const call = check(report, 'signed-call');
      expect(call.ok).toBe(false);
      expect(call.detail).toMatch(/clock: the gateway refused the request's oauth_timestamp/);
      expect(call.remedy).toMatch(/synchronize this machine's clock|clockSkewCorrection/);
    } finally {
      await late.stop();
    }
  });

  it('a host nothing listens on fails reach with the error in words; the clock is not checked', async () => {
    const report = await run({}, simulator, await closedPort());
    expect(check(report, 'reach')).toMatchObject({ ok: false });
    expect(check(report, 'reach').detail).toMatch(/refused the connection .*ECONNREFUSED.*nothing listens there/);
    expect(check(report, 'reach').remedy).toMatch(/PLO_BASE_URL/);
    expect(check(report, 'clock')).toMatchObject({ ok: false, skipped: true, detail: 'not checked: the host was not reached' });
    expect(check(report, 'signed-call').detail).toMatch(/ECONNREFUSED/);
  });

  it('an unsigned module on loopback passes the signing-key check, but the gateway refuses the call: INVALID_AUTH_HEADER decoded', async () => {
    const report = await run({ oauth: undefined });
    // Loopback: unsigned is allowed by configuration, but the gateway refuses the call.
    expect(check(report, 'signing-key')).toMatchObject({ ok: true, skipped: true });
    expect(check(report, 'signed-call').detail).toMatch(/no valid OAuth Authorization header \(400 INVALID_AUTH_HEADER/);
    expect(check(report, 'signed-call').remedy).toMatch(/PLO_OAUTH_CONSUMER_KEY and PLO_OAUTH_KEY_FILE/);
  });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built bin with exactly `env` for its PLO_* variables (none inherited). */
function doctor(args: string[], env: Record<string, string>): Promise<Exit> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLO_')));
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const keyDir = mkdtempSync(join(tmpdir(), 'plo-doctor-'));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

/** Writes a key file of the test's own (removed with its directory after the run). */
function keyFile(name: string, data: string | Buffer): string {
  const file = join(keyDir, name);
  writeFileSync(file, data, { mode: 0o600 });
  return file;
}

describe('the `nestjs-personalized-offers doctor` bin', () => {
  // Each test runs the bin in a child process (Nest boot, PKCS#12 parsing): slow on a busy machine.
  jest.setTimeout(30_000);
  const simulator = gatedSimulator();
  const key = signedEnvironment();
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the library first (npm run build:lib), or set PLO_DOCTOR_CLI`);
    await simulator.start();
    const { key: aesKey, iv, mode = 'cbc', encoding = 'hex' } = simulator.authInfo;
    env = {
      PLO_BASE_URL: simulator.baseUrl,
      PLO_FID: '999999',
      PLO_AUTHINFO_KEY: String(aesKey),
      PLO_AUTHINFO_IV: String(iv),
      PLO_AUTHINFO_MODE: mode,
      PLO_AUTHINFO_ENCODING: encoding,
      ...key.env,
    };
  });
  afterAll(async () => {
    await simulator.stop();
    key.remove();
  });

  it('is the package’s bin `nestjs-personalized-offers`, and the built file starts with a node shebang', () => {
    expect(pkg.bin['nestjs-personalized-offers']).toBe('./dist/personalized-offers/diagnostics/cli.js');
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('with the right credentials: one ✔ line per check, and exit code 0', async () => {
    const result = await doctor(['doctor'], env);
    expect(result).toMatchObject({ code: 0 });
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, CHECKS.length).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(CHECKS.map((name) => ['✔', name]));
    expect(lines.at(-1)).toMatch(/all 6 checks passed against 127\.0\.0\.1:\d+\.$/);
    expect(result.stderr).toBe('');
    expectNoSecret(result.stdout, simulator);
  });

  it('with a wrong consumer key: a ✘ signed-call line naming the consumer key problem and the fix, and exit code 1', async () => {
    const result = await doctor(['doctor'], { ...env, PLO_OAUTH_CONSUMER_KEY: WRONG_CONSUMER_KEY });
    expect(result.code).toBe(1);
    const failed = result.stdout.split('\n').filter((l) => l.startsWith('✘'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/^✘ signed-call .*consumer key …\w{4} refused: the gateway does not know it .*→ set PLO_OAUTH_CONSUMER_KEY/);
    expectNoSecret(result.stdout, simulator);
  });

  it('--json prints one parseable line: the report, with ok false and the reason for a wrong signing key', async () => {
    const file = keyFile('other.pem', rsaKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }));
    try {
      const result = await doctor(['doctor', '--json'], { ...env, PLO_OAUTH_KEY_FILE: file });
      expect(result.code).toBe(1);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      const report = JSON.parse(result.stdout) as DiagnosticReport;
      expect(report.ok).toBe(false);
      expect(report.checks.map((c) => c.name)).toEqual(CHECKS);
      expect(report.checks.find((c) => c.name === 'signed-call')).toMatchObject({ ok: false, detail: expect.stringMatching(/signature refused/) });
    } finally {
      rmSync(file);
    }
  });

  it('--json with the right credentials: ok true, exit code 0', async () => {
    const result = await doctor(['doctor', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DiagnosticReport;
    expect(report).toMatchObject({ ok: true, host: new URL(simulator.baseUrl).host });
    expect(report.checks.every((c) => c.ok)).toBe(true);
  });

  it('a host whose clock is off: ✘ clock with the offset, exit code 1', async () => {
    const proxy = await skewedDateProxy(simulator.baseUrl, -5 * 60_000);
    try {
      const result = await doctor(['doctor'], { ...env, PLO_BASE_URL: proxy.url });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^✘ clock +the host's clock \(its Date header\) is (299|300|301) s behind this machine's \(offset -(299|300|301) s/m);
    } finally {
      await proxy.close();
    }
  });

  it('an invalid environment fails the configuration line naming the variable, the other checks not run, exit code 1', async () => {
    const result = await doctor(['doctor'], { ...env, PLO_AUTHINFO_KEY: 'not-a-key' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✘ configuration invalid: .*PLO_AUTHINFO_KEY/m);
    expect(result.stdout).toMatch(/^✘ signed-call +not run: the configuration is invalid$/m);
    expect(result.stdout).not.toContain('not-a-key');
  });

  it('a 1024-bit signing key fails the signing-key line with its size (the configuration line points at it), exit code 1', async () => {
    const file = keyFile('short.pem', rsaKeyPair(1024).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    try {
      const result = await doctor(['doctor'], { ...env, PLO_OAUTH_KEY_FILE: file });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^✘ configuration invalid: the signing key does not load \(PLO_OAUTH_KEY_FILE; see signing-key\)/m);
      expect(result.stdout).toMatch(/^✘ signing-key +does not load: .*1024-bit RSA key; at least 2048 bits are required\. → point PLO_OAUTH_KEY_FILE at/m);
    } finally {
      rmSync(file);
    }
  });

  it('a .p12 whose password is wrong fails the signing-key line naming PLO_OAUTH_KEY_PASSWORD, never echoing it', async () => {
    const file = keyFile('key.p12', makePkcs12(GATEWAY.signingKey, 'keyalias', 'keystorepassword'));
    try {
      const result = await doctor(['doctor'], {
        ...env,
        PLO_OAUTH_KEY_FILE: file,
        PLO_OAUTH_KEY_ALIAS: 'keyalias',
        PLO_OAUTH_KEY_PASSWORD: 'wrong-password-42',
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^✘ signing-key +does not load: PLO_OAUTH_KEY_PASSWORD does not open the PKCS#12 keystore/m);
      expect(result.stdout).not.toContain('wrong-password-42');
      // The right password: every check passes with the .p12.
      const good = await doctor(['doctor'], { ...env, PLO_OAUTH_KEY_FILE: file, PLO_OAUTH_KEY_ALIAS: 'keyalias', PLO_OAUTH_KEY_PASSWORD: 'keystorepassword' });
      expect(good.code).toBe(0);
    } finally {
      rmSync(file);
    }
  });

  it('a misspelled PLO_ variable fails the configuration line with the closest known name', async () => {
    const result = await doctor(['doctor'], { ...env, PLO_BASEURL: 'https://sandbox.api.mastercard.com' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✘ configuration .*PLO_BASEURL is not a known variable; did you mean PLO_BASE_URL\? → rename PLO_BASEURL to PLO_BASE_URL/m);
  });

  it('a PLO_ variable that is no near miss of a known name is only noted, and does not fail the doctor', async () => {
    const result = await doctor(['doctor'], { ...env, PLO_TEAM_NOTES: 'x' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✔ configuration .*\(not read by the module: PLO_TEAM_NOTES\)$/m);
  });

  const prefixed = (prefix: string, vars: Record<string, string>) =>
    Object.fromEntries(Object.entries(vars).map(([name, value]) => [name.startsWith('PLO_') ? prefix + name.slice(4) : name, value]));

  it('--prefix checks a registration configured under another prefix: every check passes on PLO_BANK_A_* alone', async () => {
    const result = await doctor(['doctor', '--prefix', 'PLO_BANK_A_'], prefixed('PLO_BANK_A_', env));
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/all 6 checks passed against 127\.0\.0\.1:\d+\.$/);
    // Without the prefix the same environment has no PLO_FID: the configuration fails.
    const plain = await doctor(['doctor'], prefixed('PLO_BANK_A_', env));
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^✘ configuration invalid: .*PLO_FID/m);
  });

  it('--prefix: errors and typo verdicts name the prefixed variables', async () => {
    const bad = await doctor(['doctor', '--prefix', 'PLO_BANK_A_'], { ...prefixed('PLO_BANK_A_', env), PLO_BANK_A_AUTHINFO_KEY: 'not-a-key' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^✘ configuration invalid: .*PLO_BANK_A_AUTHINFO_KEY/m);
    expect(bad.stdout).not.toContain('not-a-key');
    const { PLO_BANK_A_BASE_URL: baseUrl, ...rest } = prefixed('PLO_BANK_A_', env);
    const typo = await doctor(['doctor', '--prefix', 'PLO_BANK_A_'], { ...rest, PLO_BANK_A_BASEURL: baseUrl });
    expect(typo.code).toBe(1);
    expect(typo.stdout).toMatch(/PLO_BANK_A_BASEURL is not a known variable; did you mean PLO_BANK_A_BASE_URL\?/);
  });

  it('--prefix must look like a prefix (usage error, exit code 2)', async () => {
    const result = await doctor(['doctor', '--prefix', 'bank_a'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--prefix must be upper-case letters');
  });

  it.each([[[]], [['doctr']], [['doctor', '--jsn']], [['doctor', 'extra']]])('usage errors exit with code 2 and the usage on stderr: %j', async (args) => {
    const result = await doctor(args, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: nestjs-personalized-offers doctor');
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await doctor(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: nestjs-personalized-offers doctor');
  });
});
