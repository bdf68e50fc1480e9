#!/usr/bin/env node
/**
 * `nestjs-personalized-offers-simulator`: the embedded simulator as a standalone server, for
 * teams not on Nest (web and mobile developers). Prints its base URL and the AuthInfo key
 * material it decrypts with (as `PLO_*` lines a `.env` file or a shell can take, or one JSON
 * line with `--json`), in gateway mode the `PLO_OAUTH_*` lines too, serves every operation the
 * module knows, logs one line per request with `--log`, stops on SIGINT/SIGTERM.
 * `--generate-keys <dir>` writes a throw-away key pair for gateway mode and prints how to use it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PersonalizedOffersSimulator, type PersonalizedOffersSimulatorOptions } from './personalized-offers.simulator.js';
import { lookupRoute } from './simulator/routes.js';

/** File names `--generate-keys` writes; a gateway-mode start finds the signing key next to its public key by the first. */
const SIGNING_KEY_FILE = 'plo-signing-key.pem';
const PUBLIC_KEY_FILE = 'plo-public-key.pem';

const USAGE = `Usage: nestjs-personalized-offers-simulator [options]

Serves the Mastercard Personalized Offers API (legacy /plo and current /loyalty/offers) on loopback.

Options:
  --port <n>                 port to listen on; 0 picks a free one (default 0)
  --host <address>           interface to listen on (default 127.0.0.1; 0.0.0.0 exposes it)
  --fid <id>                 a Financial Institution id it serves; repeat for more (default 999999)
  --seed <text>              derive the AuthInfo key, IV and token secret from <text>: the same
                             key material and tokens on every start (default: random)
  --public-key <file>        gateway mode: the signing key's public key or X.509 certificate
                             (PEM, or DER certificate); every request must then be signed
                             with OAuth 1.0a as Mastercard's gateway requires
  --consumer-key <key>       gateway mode: the consumer key requests must carry
  --oauth2-client-id <id>    OAuth 2.0 mode (with --oauth2-kid and --public-key, the client's
  --oauth2-kid <kid>         authentication public key): /oauth/token and DPoP-bound requests
  --timestamp-window <s>     gateway mode: accepted oauth_timestamp distance (default 300)
  --log                      one line per request on stderr: time, method, path, query names
                             (never values), status, and for a gateway refusal its reason code
  --json                     print one JSON line instead of PLO_* lines
  --generate-keys <dir>      write a throw-away RSA 2048 key pair into <dir>
                             (${SIGNING_KEY_FILE}, ${PUBLIC_KEY_FILE}), print the
                             flags that start gateway mode with it and the PLO_OAUTH_* lines
                             that make the module sign with it, and exit; the consumer key is
                             --consumer-key's, or a random one
  -h, --help                 print this help
`;

class UsageError extends Error {}

interface CliOptions {
  simulator: PersonalizedOffersSimulatorOptions;
  json: boolean;
  log: boolean;
  /** Gateway mode: the `--public-key` file as given. */
  publicKeyFile?: string;
}

interface GenerateKeys {
  generateKeys: string;
  consumerKey: string | undefined;
  json: boolean;
}

function parse(argv: string[]): CliOptions | GenerateKeys | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        fid: { type: 'string', multiple: true },
        seed: { type: 'string' },
        'public-key': { type: 'string' },
        'consumer-key': { type: 'string' },
        'oauth2-client-id': { type: 'string' },
        'oauth2-kid': { type: 'string' },
        'timestamp-window': { type: 'string' },
        log: { type: 'boolean', default: false },
        'generate-keys': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values['generate-keys'] !== undefined) {
    const others = ['port', 'host', 'fid', 'seed', 'public-key', 'timestamp-window', 'log'].filter((name) =>
      argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)),
    );
    if (others.length > 0)
      throw new UsageError(`--generate-keys writes keys and exits: it takes only --consumer-key and --json, not --${others.join(', --')}.`);
    if (values['generate-keys'].trim() === '') throw new UsageError('--generate-keys needs a directory.');
    const consumerKey = values['consumer-key'];
    if (consumerKey !== undefined && !/^[\x21-\x7e]+$/.test(consumerKey)) throw new UsageError('--consumer-key must be printable ASCII without spaces.');
    return { generateKeys: values['generate-keys'], consumerKey, json: values.json };
  }

  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65_535) throw new UsageError(`--port must be a number from 0 to 65535, not ${values.port}.`);
  if (values.host.trim() === '') throw new UsageError('--host must not be empty.');
  const fIds = (values.fid ?? ['999999']).flatMap((f) => f.split(',')).map((f) => f.trim());
  if (fIds.some((f) => !/^[A-Za-z0-9_-]{1,64}$/.test(f))) throw new UsageError('--fid takes letters, digits, - and _ only.');

  const options: PersonalizedOffersSimulatorOptions = { port, host: values.host, fIds: [...new Set(fIds)] };
  if (values.seed !== undefined) {
    const derive = (label: string) => createHash('sha256').update(`nestjs-personalized-offers-simulator\0${label}\0${values.seed}`).digest('hex');
    options.authInfo = { key: derive('authinfo-key').slice(0, 32), iv: derive('authinfo-iv').slice(0, 32), mode: 'cbc', encoding: 'hex' };
    options.tokenSecret = derive('token-secret');
  }

  const publicKeyFile = values['public-key'];
  const consumerKey = values['consumer-key'];
  const clientId = values['oauth2-client-id'];
  const kid = values['oauth2-kid'];
  if (clientId !== undefined || kid !== undefined) {
    // OAuth 2.0 mode: the authorization server at /oauth/token and a DPoP-checking gateway.
    if (clientId === undefined || kid === undefined || publicKeyFile === undefined)
      throw new UsageError('--oauth2-client-id, --oauth2-kid and --public-key go together (OAuth 2.0 mode).');
    if (consumerKey !== undefined) throw new UsageError('--consumer-key is OAuth 1.0a: not with --oauth2-client-id.');
    if (![clientId, kid].every((v) => /^[\x21-\x7e]+$/.test(v)))
      throw new UsageError('--oauth2-client-id and --oauth2-kid must be printable ASCII without spaces.');
    let publicKey: Buffer;
    try {
      publicKey = readFileSync(publicKeyFile);
    } catch (error) {
      throw new UsageError(`--public-key ${publicKeyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    options.gateway = { oauth2: { clientId, kid, publicKey } };
    return { simulator: options, json: values.json, log: values.log, publicKeyFile };
  }
  if ((publicKeyFile === undefined) !== (consumerKey === undefined)) throw new UsageError('--public-key and --consumer-key go together (gateway mode).');
  if (values['timestamp-window'] !== undefined && publicKeyFile === undefined)
    throw new UsageError('--timestamp-window needs gateway mode (--public-key and --consumer-key).');
  if (publicKeyFile !== undefined && consumerKey !== undefined) {
    let publicKey: Buffer;
    try {
      publicKey = readFileSync(publicKeyFile);
    } catch (error) {
      throw new UsageError(`--public-key ${publicKeyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    const window = values['timestamp-window'];
    const timestampWindowSeconds = window === undefined ? undefined : Number(window);
    if (timestampWindowSeconds !== undefined && !(timestampWindowSeconds > 0)) throw new UsageError('--timestamp-window must be a positive number of seconds.');
    options.gateway = { consumerKey, publicKey, ...(timestampWindowSeconds !== undefined ? { timestampWindowSeconds } : {}) };
  }
  return { simulator: options, json: values.json, log: values.log, ...(publicKeyFile !== undefined ? { publicKeyFile } : {}) };
}

/** A word a POSIX shell takes as is, quoted only when it must be. */
const shellWord = (word: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The signing key `--generate-keys` wrote next to `publicKeyFile`, when there is one and it is
 * the private half of the simulator's public key: then the module's `PLO_OAUTH_KEY_FILE` is known.
 */
function siblingSigningKey(publicKeyFile: string, publicKey: Parameters<typeof createPublicKey>[0]): string | undefined {
  const candidate = resolve(dirname(publicKeyFile), SIGNING_KEY_FILE);
  if (!existsSync(candidate)) return undefined;
  try {
    const derived = createPublicKey(createPrivateKey(readFileSync(candidate))).export({ type: 'spki', format: 'der' });
    const given = createPublicKey(publicKey).export({ type: 'spki', format: 'der' });
    return derived.equals(given) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

function describe(simulator: PersonalizedOffersSimulator, baseUrl: string, cli: CliOptions): string {
  const options = cli.simulator;
  const { key, iv, mode = 'cbc', encoding = 'hex' } = simulator.authInfo;
  const authInfo = { key: String(key), iv: String(iv), mode, encoding };
  // OAuth 1.0a gateway mode only (the bin does not start OAuth 2.0 mode yet).
  const oauth1 = options.gateway && !('oauth2' in options.gateway) ? options.gateway : undefined;
  const signingKeyFile = oauth1 && cli.publicKeyFile !== undefined ? siblingSigningKey(cli.publicKeyFile, oauth1.publicKey) : undefined;
  // The consumer key as given: the user typed it, and the module must be configured with exactly it.
  const gateway = oauth1
    ? { consumerKey: oauth1.consumerKey, timestampWindowSeconds: oauth1.timestampWindowSeconds ?? 300, signingKeyFile: signingKeyFile ?? null }
    : null;
  if (cli.json) return `${JSON.stringify({ baseUrl, fId: simulator.fIds[0], fIds: simulator.fIds, authInfo, gateway })}\n`;
  const lines = [
    `# Personalized Offers simulator on ${baseUrl} (Ctrl+C stops it)`,
    `PLO_BASE_URL=${baseUrl}`,
    `PLO_FID=${simulator.fIds[0]}`,
    `PLO_AUTHINFO_KEY=${authInfo.key}`,
    `PLO_AUTHINFO_IV=${authInfo.iv}`,
    `PLO_AUTHINFO_MODE=${authInfo.mode}`,
    `PLO_AUTHINFO_ENCODING=${authInfo.encoding}`,
  ];
  if (simulator.fIds.length > 1) lines.push(`# It also serves FIds ${simulator.fIds.slice(1).join(', ')}.`);
  const oauth2 = options.gateway && 'oauth2' in options.gateway ? options.gateway.oauth2 : undefined;
  if (oauth2) {
    const signing = cli.publicKeyFile !== undefined ? siblingSigningKey(cli.publicKeyFile, oauth2.publicKey) : undefined;
    lines.push(`PLO_OAUTH2_CLIENT_ID=${oauth2.clientId}`, `PLO_OAUTH2_KID=${oauth2.kid}`, 'PLO_OAUTH2_SCOPES=offers');
    lines.push(signing ? `PLO_OAUTH2_KEY_FILE=${signing}` : '# PLO_OAUTH2_KEY_FILE=<the PEM private key whose public half is --public-key>');
    lines.push(`# OAuth 2.0 mode: tokens at ${baseUrl}/oauth/token (private_key_jwt), every request DPoP-bound.`);
  } else if (gateway) {
    lines.push(`PLO_OAUTH_CONSUMER_KEY=${gateway.consumerKey}`);
    if (gateway.signingKeyFile) lines.push(`PLO_OAUTH_KEY_FILE=${gateway.signingKeyFile}`);
    else {
      lines.push(
        '# PLO_OAUTH_KEY_FILE=<the PEM private key, or .p12 keystore, whose public half is --public-key>',
        '# (a .p12 also needs PLO_OAUTH_KEY_ALIAS and PLO_OAUTH_KEY_PASSWORD)',
      );
    }
    lines.push(
      `# Gateway mode: every request must be signed (OAuth 1.0a, RSA-SHA256 or RSA-PSS) with consumer key ${gateway.consumerKey}; timestamps within ${gateway.timestampWindowSeconds} s.`,
    );
  } else {
    lines.push('# Requests need no signature (start with --public-key and --consumer-key to require one).');
  }
  return `${lines.join('\n')}\n`;
}

/** `--generate-keys <dir>`: a throw-away RSA 2048 pair as PEM files, and how the simulator and the module use it. */
function generateKeys(options: GenerateKeys): string {
  const dir = resolve(options.generateKeys);
  const signingKeyFile = join(dir, SIGNING_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  const existing = [signingKeyFile, publicKeyFile].filter((f) => existsSync(f));
  if (existing.length > 0) throw new UsageError(`--generate-keys does not overwrite ${existing.join(' and ')}: delete them or choose another directory.`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--generate-keys cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Shell-safe (no `!`), printable ASCII as the module requires; not a real Mastercard consumer key.
  const consumerKey = options.consumerKey ?? `simulator-${randomBytes(36).toString('base64url')}`;
  try {
    writeFileSync(signingKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  } catch (error) {
    throw new UsageError(`--generate-keys cannot write into ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const args = ['--public-key', publicKeyFile, '--consumer-key', consumerKey];
  const env = { PLO_OAUTH_CONSUMER_KEY: consumerKey, PLO_OAUTH_KEY_FILE: signingKeyFile };
  if (options.json) return `${JSON.stringify({ signingKeyFile, publicKeyFile, consumerKey, args, env })}\n`;
  return [
    "# A throw-away RSA 2048 key pair for the simulator's gateway mode (never register it with Mastercard):",
    `#   ${signingKeyFile}  private key: the module signs with it`,
    `#   ${publicKeyFile}  public key: the simulator verifies with it`,
    '# Start the simulator in gateway mode:',
    `nestjs-personalized-offers-simulator ${args.map(shellWord).join(' ')}`,
    '# and configure the module with these (next to the PLO_* lines the simulator prints):',
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
    '',
  ].join('\n');
}

/** What `--log` prints of a gateway refusal: its reason code and a fixed summary, never the description (it may echo a base string). */
function refusalSummary(status: number, body: string): string | undefined {
  let item: { Source?: unknown; ReasonCode?: unknown; Description?: unknown } | undefined;
  try {
    const list = (JSON.parse(body) as { Errors?: { Error?: unknown } } | undefined)?.Errors?.Error;
    item = (Array.isArray(list) ? list[0] : list) as typeof item;
  } catch {
    return undefined;
  }
  if (typeof item?.Source !== 'string' || item.Source.toLowerCase() !== 'gateway' || typeof item.ReasonCode !== 'string') return undefined;
  const description = typeof item.Description === 'string' ? item.Description : '';
  const why =
    status === 403
      ? 'the signature does not verify with --public-key (another key, or the request changed after signing)'
      : item.ReasonCode === 'INVALID_BODY_HASH'
        ? 'oauth_body_hash is not the SHA-256 of the body received'
        : /consumer key is not known/i.test(description)
          ? 'the consumer key is not the one given with --consumer-key'
          : /oauth_timestamp is more than/i.test(description)
            ? 'oauth_timestamp is outside the window: check the clock'
            : /oauth_nonce was already used/i.test(description)
              ? 'oauth_nonce replayed: sign every attempt afresh'
              : /Authorization header is missing/i.test(description)
                ? 'no Authorization header: the request is not signed'
                : item.ReasonCode === 'INVALID_AUTH_HEADER'
                  ? 'the Authorization header is malformed or incomplete'
                  : undefined;
  return `gateway refused: ${item.ReasonCode}${why ? ` (${why})` : ''}`;
}

/** The query's parameter names, never their values; a piece without `=` (possibly a bare token) shows as `…`. */
function queryNames(target: string): string {
  const q = target.indexOf('?');
  if (q < 0 || q === target.length - 1) return '';
  const names = target
    .slice(q + 1)
    .split('&')
    .filter((piece) => piece !== '')
    .map((piece) => {
      const eq = piece.indexOf('=');
      if (eq < 0) return '…';
      let name = piece.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* kept encoded */
      }
      return /^[A-Za-z][A-Za-z0-9_.[\]-]{0,63}$/.test(name) ? name : '…';
    });
  return `?${[...new Set(names)].join('&')}`;
}

/** Printable, bounded: a path is the client's text. */
const printable = (text: string, max = 200) => {
  // eslint-disable-next-line no-control-regex -- matching the control characters is the point: they are replaced before the line is logged
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
};

/**
 * `--log`: one line per request on stderr, when its answer is finished (or the client went
 * away): time, method, path, query parameter names, status, duration, and for a gateway refusal
 * its reason code and what it means. Never a query value, header, body, token or key. Only HTTP
 * servers of this process are watched, and the simulator is the only one.
 */
function logRequests(write: (line: string) => void): void {
  const finishing = new WeakSet<ServerResponse>();
  subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    // Keep the answer's bytes only when it is an error (small JSON): the refusal's reason code is in it.
    const originalEnd = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (response.statusCode >= 400 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) chunks.push(Buffer.from(chunk));
      return originalEnd(...args);
    }) as ServerResponse['end'];
    const done = (completed: boolean) => {
      if (finishing.has(response)) return;
      finishing.add(response);
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const target = request.url ?? '/';
      const pathname = target.split('?')[0];
      const path = printable(pathname);
      const operation = lookupRoute(request.method ?? 'GET', pathname).route?.operationId;
      const status = completed ? String(response.statusCode) : 'no answer (connection closed)';
      const refusal = completed && response.statusCode >= 400 ? refusalSummary(response.statusCode, Buffer.concat(chunks).toString('utf8')) : undefined;
      write(
        `${new Date().toISOString()} ${printable(request.method ?? 'GET', 16)} ${path}${printable(queryNames(target))}${operation ? ` (${operation})` : ''} → ${status}${refusal ? ` ${refusal}` : ''} ${ms} ms\n`,
      );
    };
    response.once('finish', () => done(true));
    response.once('close', () => done(response.writableFinished));
  });
}

async function main(): Promise<void> {
  let options: CliOptions;
  let simulator: PersonalizedOffersSimulator;
  try {
    const parsed = parse(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    if ('generateKeys' in parsed) {
      process.stdout.write(generateKeys(parsed));
      return;
    }
    options = parsed;
    simulator = new PersonalizedOffersSimulator(options.simulator);
  } catch (error) {
    process.stderr.write(`nestjs-personalized-offers-simulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  if (options.log) logRequests((line) => process.stderr.write(line));
  let baseUrl: string;
  try {
    ({ baseUrl } = await simulator.start());
  } catch (error) {
    process.stderr.write(
      `nestjs-personalized-offers-simulator: cannot listen on ${options.simulator.host}:${options.simulator.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).\n`,
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(describe(simulator, baseUrl, options));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal while closing: give up waiting.
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`# ${signal}: stopping the simulator\n`);
    // Anything left hanging must not keep a stopped simulator's process alive.
    setTimeout(() => process.exit(1), 5_000).unref();
    simulator.stop().then(
      () => {
        process.exitCode = 0;
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
