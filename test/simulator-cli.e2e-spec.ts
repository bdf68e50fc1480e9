import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import {
  AuthInfoCryptoService,
  AuthInfoKeyMaterial,
  type PersonalizedOffersApiError,
  PersonalizedOffersModule,
  UserPresentmentService,
  UserTokenService,
  type UserTokenResponse,
  loadPersonalizedOffersConfig,
} from 'nestjs-personalized-offers';
import { rsaKeyPair } from './support/keys.js';

// The `bin` as users run it: the built file (the test command builds before the e2e run).
// PLO_SIMULATOR_CLI points at another build, e.g. `tsc -p libs/personalized-offers/tsconfig.lib.json --outDir /tmp/x`.
const root = join(import.meta.dirname, '..');
const CLI = process.env.PLO_SIMULATOR_CLI ?? join(root, 'dist/personalized-offers/testing/cli.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

function run(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Waits until stdout satisfies `ready` (or the process exits, or 10 s pass). */
async function until(running: Running, ready: (out: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  let exited = false as boolean; // set by the exit callback
  void running.exit.then(() => (exited = true));
  while (!ready(running.stdout())) {
    if (exited || Date.now() > deadline) throw new Error(`simulator CLI did not get ready; stdout: ${running.stdout()} stderr: ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return running.stdout();
}

/** The line `--json` prints (the fields these tests read). */
interface CliJson {
  baseUrl: string;
  authInfo: { key: string; iv: string };
}

/** The `NAME=value` lines of the human output. */
function env(out: string): Record<string, string> {
  return Object.fromEntries([...out.matchAll(/^(PLO_[A-Z_]+)=(.*)$/gm)].map(([, k, v]) => [k, v]));
}
const started = (out: string) => /^# (Requests|Gateway)/m.test(out);

/** Waits until stderr has `count` lines of `--log` (or 10 s pass). */
async function logLines(running: Running, count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  const lines = () =>
    running
      .stderr()
      .split('\n')
      .filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  while (lines().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} log lines; stderr: ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return lines();
}

/** The words of a printed shell command line (single quotes only, as the CLI prints them). */
const shellWords = (line: string) =>
  [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => {
    const quoted = m.at(1); // undefined for a bare word
    return quoted !== undefined ? quoted.replace(/'\\''/g, "'") : m[2];
  });

/** AuthInfo for `userId`, made by the library's own crypto from the printed key material. */
function authInfo(vars: Record<string, string>, userId: string): string {
  const material = AuthInfoKeyMaterial.from({
    key: vars.PLO_AUTHINFO_KEY,
    iv: vars.PLO_AUTHINFO_IV,
    mode: vars.PLO_AUTHINFO_MODE as 'cbc',
    encoding: vars.PLO_AUTHINFO_ENCODING as 'hex',
  });
  return new AuthInfoCryptoService(vars.PLO_FID, material, { now: Date.now }).encrypt(userId);
}

describe('the standalone simulator (`nestjs-personalized-offers-simulator`)', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the library first (npm run build:lib), or set PLO_SIMULATOR_CLI`);
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('is the package’s bin, and the built file starts with a node shebang', () => {
    expect(pkg.bin['nestjs-personalized-offers-simulator']).toBe('./dist/personalized-offers/testing/cli.js');
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('prints its base URL (loopback) and AuthInfo key material; a plain HTTP client can use it; SIGTERM stops it with code 0', async () => {
    const sim = run(['--port', '0']);
    const vars = env(await until(sim, started));
    expect(vars).toEqual({
      PLO_BASE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      PLO_FID: '999999',
      PLO_AUTHINFO_KEY: expect.stringMatching(/^[0-9a-f]{32}$/),
      PLO_AUTHINFO_IV: expect.stringMatching(/^[0-9a-f]{32}$/),
      PLO_AUTHINFO_MODE: 'cbc',
      PLO_AUTHINFO_ENCODING: 'hex',
    });
    const base = vars.PLO_BASE_URL;

    // A curl-like call of the current API (no AuthInfo needed to mint an access token).
    const minted = await fetch(`${base}/loyalty/offers/user-presentment/access-tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ fiId: '999999', userId: 'alice', utcOffset: '+00:00' }),
    });
    expect(minted.status).toBe(200);
    const { accessToken } = (await minted.json()) as { accessToken: string };
    const offers = await fetch(`${base}/loyalty/offers/user-presentment/offers?limit=5`, { headers: { 'X-Auth-Token': accessToken } });
    expect(offers.status).toBe(200);
    expect(((await offers.json()) as { offers: unknown[] }).offers).toHaveLength(5);

    // The legacy usertoken, with AuthInfo encrypted from the printed key material.
    const token = await fetch(`${base}/plo/v1/usertoken?FId=999999&AuthInfo=${authInfo(vars, 'alice')}`);
    expect(token.status).toBe(200);
    expect(((await token.json()) as UserTokenResponse).Response.UserToken!.Token).toMatch(/^[A-Za-z0-9_-]{24}$/);

    // A module configured with exactly the printed values works too.
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: vars.PLO_FID,
          baseUrl: base,
          authInfo: { key: vars.PLO_AUTHINFO_KEY, iv: vars.PLO_AUTHINFO_IV, mode: 'cbc', encoding: 'hex' },
        }),
      ],
    }).compile();
    try {
      await expect(moduleRef.get(UserTokenService).getUserToken('bob')).resolves.toMatch(/^[A-Za-z0-9_-]{24}$/);
    } finally {
      await moduleRef.close();
    }

    sim.child.kill('SIGTERM');
    expect(await sim.exit).toEqual({ code: 0, signal: null });
    expect(sim.stderr()).toContain('SIGTERM');
    await expect(fetch(`${base}/plo/v1/usertoken`)).rejects.toThrow();
  });

  it('SIGINT stops it with code 0 too; --json prints one JSON line; --fid and --seed shape the key material and tokens', async () => {
    const a = run(['--port', '0', '--json', '--seed', 'team-demo', '--fid', '123456', '--fid', '654321']);
    const b = run(['--port', '0', '--json', '--seed', 'team-demo', '--fid', '123456']);
    const c = run(['--port', '0', '--json', '--seed', 'another-seed', '--fid', '123456']);
    const [outA, outB, outC] = await Promise.all([a, b, c].map((p) => until(p, (o) => o.endsWith('\n'))));
    const [ja, jb, jc] = [outA, outB, outC].map((o) => {
      expect(o.trim().split('\n')).toHaveLength(1);
      return JSON.parse(o) as CliJson;
    });
    expect(ja).toEqual({
      baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      fId: '123456',
      fIds: ['123456', '654321'],
      authInfo: { key: expect.stringMatching(/^[0-9a-f]{32}$/), iv: expect.stringMatching(/^[0-9a-f]{32}$/), mode: 'cbc', encoding: 'hex' },
      gateway: null,
    });
    // Same seed: same key material and the same token for the same user; another seed: others.
    expect(jb.authInfo).toEqual(ja.authInfo);
    expect(jc.authInfo.key).not.toBe(ja.authInfo.key);
    const vars = (j: CliJson) => ({
      PLO_FID: '123456',
      PLO_AUTHINFO_KEY: j.authInfo.key,
      PLO_AUTHINFO_IV: j.authInfo.iv,
      PLO_AUTHINFO_MODE: 'cbc',
      PLO_AUTHINFO_ENCODING: 'hex',
    });
    const tokenOf = async (j: CliJson) => {
      const res = await fetch(`${j.baseUrl}/plo/v1/usertoken?FId=123456&AuthInfo=${authInfo(vars(j), 'alice')}`);
      return ((await res.json()) as UserTokenResponse).Response.UserToken!.Token;
    };
    const [ta, tb, tc] = await Promise.all([tokenOf(ja), tokenOf(jb), tokenOf(jc)]);
    expect(tb).toBe(ta);
    expect(tc).not.toBe(ta);
    // An fId it was not given is refused.
    expect((await fetch(`${jb.baseUrl}/plo/v1/usertoken?FId=654321&AuthInfo=00`)).status).toBe(400);

    for (const p of [a, b, c]) p.child.kill('SIGINT');
    expect(await Promise.all([a, b, c].map((p) => p.exit))).toEqual(Array(3).fill({ code: 0, signal: null }));
  });

  it('with --public-key and --consumer-key: an unsigned request is refused with the gateway’s shape; a signed module is served', async () => {
    const { privateKey, publicKey } = rsaKeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'plo-cli-'));
    const pemPath = join(dir, 'public.pem');
    writeFileSync(pemPath, publicKey.export({ type: 'spki', format: 'pem' }));
    const consumerKey = 'CliConsumerKey_abcdefghijklmnopqrstuvwxyz0123456!0123456789abcdef0123456789abcdef';
    const sim = run(['--port', '0', '--public-key', pemPath, '--consumer-key', consumerKey]);
    const out = await until(sim, started);
    // The consumer key exactly as typed (the module must be configured with exactly it); the
    // signing key is not next to the public key, so its variable is a commented hint.
    expect(env(out).PLO_OAUTH_CONSUMER_KEY).toBe(consumerKey);
    expect(env(out).PLO_OAUTH_KEY_FILE).toBeUndefined();
    expect(out).toMatch(/^# PLO_OAUTH_KEY_FILE=<the PEM private key, or \.p12 keystore, whose public half is --public-key>$/m);
    expect(out).toMatch(/^# Gateway mode: .*consumer key CliConsumerKey_/m);
    const vars = env(out);

    const unsigned = await fetch(`${vars.PLO_BASE_URL}/plo/v1/usertoken?FId=999999&AuthInfo=${authInfo(vars, 'alice')}`);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({
      Errors: {
        Error: [
          {
            Source: 'Gateway',
            ReasonCode: 'INVALID_AUTH_HEADER',
            Description: expect.stringMatching(/Authorization header is missing/),
            Recoverable: false,
            Details: null,
          },
        ],
      },
    });

    const moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: vars.PLO_BASE_URL,
          authInfo: { key: vars.PLO_AUTHINFO_KEY, iv: vars.PLO_AUTHINFO_IV },
          oauth: { consumerKey, signingKey: privateKey },
        }),
      ],
    }).compile();
    try {
      await expect(moduleRef.get(UserTokenService).getUserToken('alice')).resolves.toMatch(/^[A-Za-z0-9_-]{24}$/);
    } finally {
      await moduleRef.close();
    }
    sim.child.kill('SIGTERM');
    expect((await sim.exit).code).toBe(0);
  });

  it.each<[string, string[], RegExp]>([
    [
      '--generate-keys with a server option',
      ['--generate-keys', '/tmp/never-written', '--port', '0'],
      /--generate-keys writes keys and exits: it takes only --consumer-key and --json, not --port/,
    ],
    ['--generate-keys with an empty directory name', ['--generate-keys', ' '], /--generate-keys needs a directory/],
    ['a port that is not a number', ['--port', 'abc'], /--port must be a number/],
    ['--public-key without --consumer-key', ['--public-key', '/nonexistent.pem'], /go together/],
    ['a public key file that does not exist', ['--public-key', '/nonexistent.pem', '--consumer-key', 'k'], /cannot be read \(ENOENT\)/],
    ['a file that is not a key', ['--public-key', CLI, '--consumer-key', 'k'], /gateway\.publicKey must be/],
    ['an unknown option', ['--verbose'], /Unknown option '--verbose'/],
  ])('refuses %s: exit code 2 and the usage on stderr', async (_, args, message) => {
    const sim = run(args);
    expect((await sim.exit).code).toBe(2);
    expect(sim.stderr()).toMatch(message);
    expect(sim.stderr()).toContain('Usage: nestjs-personalized-offers-simulator');
    expect(sim.stdout()).toBe('');
  });
});

describe('the standalone simulator: --generate-keys, gateway-mode PLO_OAUTH_* lines and --log', () => {
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('--generate-keys writes an RSA 2048 pair as PEM (private key 0600) and prints flags and env lines with which a module configured from PLO_* alone is served', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'plo-keys-')), 'nested dir');
    const gen = run(['--generate-keys', dir]);
    expect((await gen.exit).code).toBe(0);
    const out = gen.stdout();
    const signingKeyFile = join(dir, 'plo-signing-key.pem');
    const publicKeyFile = join(dir, 'plo-public-key.pem');
    const privateKey = createPrivateKey(readFileSync(signingKeyFile));
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(readFileSync(publicKeyFile, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPublicKey(readFileSync(publicKeyFile)).export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }),
    );
    expect(statSync(signingKeyFile).mode & 0o777).toBe(0o600);

    const keyEnv = env(out);
    expect(keyEnv).toEqual({ PLO_OAUTH_CONSUMER_KEY: expect.stringMatching(/^[\x21-\x7e]{20,}$/), PLO_OAUTH_KEY_FILE: signingKeyFile });
    const command = out.split('\n').find((l) => l.startsWith('nestjs-personalized-offers-simulator '))!;
    const args = shellWords(command).slice(1);
    expect(args).toEqual(['--public-key', publicKeyFile, '--consumer-key', keyEnv.PLO_OAUTH_CONSUMER_KEY]);

    // The printed flags start gateway mode; the simulator finds the signing key next to the public key.
    const sim = run(['--port', '0', '--log', ...args]);
    const simEnv = env(await until(sim, started));
    expect(simEnv.PLO_OAUTH_CONSUMER_KEY).toBe(keyEnv.PLO_OAUTH_CONSUMER_KEY);
    expect(simEnv.PLO_OAUTH_KEY_FILE).toBe(signingKeyFile);

    // The module, configured from nothing but the printed PLO_* lines, signs and is served.
    const moduleRef = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ ...loadPersonalizedOffersConfig({ ...simEnv, ...keyEnv }), http: { retry: false } })],
    }).compile();
    try {
      await expect(moduleRef.get(UserTokenService).getUserToken('generated-user')).resolves.toMatch(/^[A-Za-z0-9_-]{24}$/);
    } finally {
      await moduleRef.close();
    }
    const [line] = await logLines(sim, 1);
    expect(line).toMatch(/^\S+Z GET \/plo\/v1\/usertoken\?FId&AuthInfo \(getUserToken\) → 200 \d+ ms$/);

    // A second run into the same directory refuses to overwrite the keys.
    const again = run(['--generate-keys', dir]);
    expect((await again.exit).code).toBe(2);
    expect(again.stderr()).toContain('does not overwrite');
    expect(readFileSync(signingKeyFile, 'utf8')).toBe(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    sim.child.kill('SIGTERM');
    expect((await sim.exit).code).toBe(0);
  });

  it('--generate-keys --json with a given consumer key: one JSON line, the key as given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plo-keys-'));
    const gen = run(['--generate-keys', dir, '--consumer-key', 'Team!Key_0123456789', '--json']);
    expect((await gen.exit).code).toBe(0);
    expect(gen.stdout().trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(gen.stdout())).toEqual({
      signingKeyFile: join(dir, 'plo-signing-key.pem'),
      publicKeyFile: join(dir, 'plo-public-key.pem'),
      consumerKey: 'Team!Key_0123456789',
      args: ['--public-key', join(dir, 'plo-public-key.pem'), '--consumer-key', 'Team!Key_0123456789'],
      env: { PLO_OAUTH_CONSUMER_KEY: 'Team!Key_0123456789', PLO_OAUTH_KEY_FILE: join(dir, 'plo-signing-key.pem') },
    });
  });

  it('--log in gateway mode: one line per request with the refusal reason code, and never a value, token, AuthInfo, signature, consumer key or user id; --json stdout stays one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plo-keys-'));
    const consumerKey = 'LogConsumerKey_abcdefghijklmnop!0123456789abcdef';
    expect((await run(['--generate-keys', dir, '--consumer-key', consumerKey]).exit).code).toBe(0);
    const sim = run(['--port', '0', '--log', '--json', '--public-key', join(dir, 'plo-public-key.pem'), '--consumer-key', consumerKey]);
    const printed = JSON.parse(await until(sim, (o) => o.endsWith('\n')));
    expect(printed.gateway).toEqual({ consumerKey, timestampWindowSeconds: 300, signingKeyFile: join(dir, 'plo-signing-key.pem') });
    const vars = {
      PLO_FID: printed.fId,
      PLO_AUTHINFO_KEY: printed.authInfo.key,
      PLO_AUTHINFO_IV: printed.authInfo.iv,
      PLO_AUTHINFO_MODE: 'cbc',
      PLO_AUTHINFO_ENCODING: 'hex',
    };
    const userId = 'log-user-7f3a';
    const sentAuthInfo = authInfo(vars, userId);
    const base = { fId: printed.fId, baseUrl: printed.baseUrl, authInfo: printed.authInfo, http: { retry: false as const } };
    const signingKey = createPrivateKey(readFileSync(join(dir, 'plo-signing-key.pem')));

    // 1: unsigned (400 INVALID_AUTH_HEADER); 2: another consumer key (401); 3-4: signed token then access token + offers.
    expect((await fetch(`${printed.baseUrl}/plo/v1/usertoken?FId=${printed.fId}&AuthInfo=${encodeURIComponent(sentAuthInfo)}`)).status).toBe(400);
    const wrong = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ ...base, oauth: { consumerKey: 'SomeOtherConsumerKey_0123456789', signingKey } })],
    }).compile();
    const refused = (await wrong
      .get(UserTokenService)
      .getUserToken(userId)
      .catch((e: unknown) => e)) as PersonalizedOffersApiError;
    await wrong.close();
    expect(refused.status).toBe(401);
    const right = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot({ ...base, oauth: { consumerKey, signingKey } })] }).compile();
    let token: string;
    try {
      token = await right.get(UserTokenService).getUserToken(userId);
      await right.get(UserPresentmentService).getOffers(userId, { limit: 3 });
    } finally {
      await right.close();
    }
    const lines = await logLines(sim, 5);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      / GET \/plo\/v1\/usertoken\?FId&AuthInfo \(getUserToken\) → 400 gateway refused: INVALID_AUTH_HEADER \(no Authorization header: the request is not signed\) \d+ ms$/,
    );
    expect(lines[1]).toMatch(
      / GET \/plo\/v1\/usertoken\?FId&AuthInfo \(getUserToken\) → 401 gateway refused: AUTHENTICATION_FAILED \(the consumer key is not the one given with --consumer-key\) \d+ ms$/,
    );
    expect(lines[2]).toMatch(/ GET \/plo\/v1\/usertoken\?FId&AuthInfo \(getUserToken\) → 200 \d+ ms$/);
    expect(lines[3]).toMatch(/ POST \/loyalty\/offers\/user-presentment\/access-tokens \(createAccessToken\) → 200 \d+ ms$/);
    expect(lines[4]).toMatch(/ GET \/loyalty\/offers\/user-presentment\/offers\?limit(&offset)? \(getOffers\) → 200 \d+ ms$/);

    const stderr = sim.stderr();
    const forms = (v: string) => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))];
    const leaked = [
      sentAuthInfo,
      token,
      userId,
      consumerKey,
      consumerKey.slice(-8),
      'SomeOtherConsumerKey',
      'oauth_signature',
      'X-Auth-Token',
      printed.authInfo.key,
      printed.fId,
    ]
      .flatMap(forms)
      .filter((f) => stderr.includes(f));
    expect(leaked).toEqual([]);
    expect(sim.stdout().trim().split('\n')).toHaveLength(1);
    sim.child.kill('SIGTERM');
    expect((await sim.exit).code).toBe(0);
  });

  it('--log of an unknown path and a bare query piece shows neither its values nor the piece; without --log nothing is logged', async () => {
    const logged = run(['--port', '0', '--log']);
    const quiet = run(['--port', '0']);
    const [a, b] = await Promise.all([until(logged, started), until(quiet, started)]);
    for (const out of [a, b]) {
      const res = await fetch(`${env(out).PLO_BASE_URL}/nowhere?Secret=hunter2value&mh3WonUm5xmE`);
      expect(res.status).toBe(404);
    }
    const [line] = await logLines(logged, 1);
    expect(line).toMatch(/ GET \/nowhere\?Secret&… → 404 \d+ ms$/);
    expect(logged.stderr()).not.toContain('hunter2value');
    expect(logged.stderr()).not.toContain('mh3WonUm5xmE');
    await new Promise((r) => setTimeout(r, 100));
    expect(quiet.stderr()).toBe('');
    for (const p of [logged, quiet]) p.child.kill('SIGTERM');
    await Promise.all([logged.exit, quiet.exit]);
  });
});
