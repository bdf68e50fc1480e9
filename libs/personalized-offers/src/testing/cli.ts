#!/usr/bin/env node
/**
 * `nestjs-personalized-offers-simulator`: the embedded simulator as a standalone server, for
 * teams not on Nest (web and mobile developers). Prints its base URL and the AuthInfo key
 * material it decrypts with (as `PLO_*` lines a `.env` file or a shell can take, or one JSON
 * line with `--json`), serves every operation the module knows, stops on SIGINT/SIGTERM.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PersonalizedOffersSimulator, type PersonalizedOffersSimulatorOptions } from './personalized-offers.simulator.js';

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
  --timestamp-window <s>     gateway mode: accepted oauth_timestamp distance (default 300)
  --json                     print one JSON line instead of PLO_* lines
  -h, --help                 print this help
`;

class UsageError extends Error {}

interface CliOptions {
  simulator: PersonalizedOffersSimulatorOptions;
  json: boolean;
}

function parse(argv: string[]): CliOptions | 'help' {
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
        'timestamp-window': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';

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
  if ((publicKeyFile === undefined) !== (consumerKey === undefined)) throw new UsageError('--public-key and --consumer-key go together (gateway mode).');
  if (values['timestamp-window'] !== undefined && publicKeyFile === undefined) throw new UsageError('--timestamp-window needs gateway mode (--public-key and --consumer-key).');
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
  return { simulator: options, json: values.json };
}

/** The consumer key as the module logs it: only its last 4 characters. */
const masked = (key: string) => (key.length <= 8 ? '…' : `…${key.slice(-4)}`);

function describe(simulator: PersonalizedOffersSimulator, baseUrl: string, options: PersonalizedOffersSimulatorOptions, json: boolean): string {
  const { key, iv, mode = 'cbc', encoding = 'hex' } = simulator.authInfo;
  const authInfo = { key: String(key), iv: String(iv), mode, encoding };
  const gateway = options.gateway ? { consumerKey: masked(options.gateway.consumerKey), timestampWindowSeconds: options.gateway.timestampWindowSeconds ?? 300 } : null;
  if (json) return `${JSON.stringify({ baseUrl, fId: simulator.fIds[0], fIds: simulator.fIds, authInfo, gateway })}\n`;
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
  lines.push(
    gateway
      ? `# Gateway mode: every request must be signed (OAuth 1.0a, RSA-SHA256 or RSA-PSS) for consumer key ${gateway.consumerKey}; timestamps within ${gateway.timestampWindowSeconds} s.`
      : '# Requests need no signature (start with --public-key and --consumer-key to require one).',
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  let options: CliOptions | 'help';
  let simulator: PersonalizedOffersSimulator;
  try {
    options = parse(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    simulator = new PersonalizedOffersSimulator(options.simulator);
  } catch (error) {
    process.stderr.write(`nestjs-personalized-offers-simulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  let baseUrl: string;
  try {
    ({ baseUrl } = await simulator.start());
  } catch (error) {
    process.stderr.write(`nestjs-personalized-offers-simulator: cannot listen on ${options.simulator.host}:${options.simulator.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(describe(simulator, baseUrl, options.simulator, options.json));

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
