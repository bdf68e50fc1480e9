#!/usr/bin/env node
/**
 * `nestjs-personalized-offers doctor`: reads the same `PLO_*` environment as the module, boots a
 * minimal Nest application context with it and runs `PersonalizedOffersDiagnostics.verifyCredentials()`:
 * one line per check (`✔`/`✘`, name, detail and, on failure, what to do), or one JSON line with
 * `--json`. Exit code 0 when every check passed, 1 when one failed, 2 for a usage error.
 */
import 'reflect-metadata';
import { type LoggerService, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { PERSONALIZED_OFFERS_ENV_VARIABLES, loadPersonalizedOffersConfig } from '../config/personalized-offers.config.js';
import { findUnknownVariables } from '../config/unknown-variables.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { PersonalizedOffersError } from '../errors/personalized-offers.error.js';
import { PersonalizedOffersModule } from '../personalized-offers.module.js';
import { type DiagnosticCheck, type DiagnosticCheckName, type DiagnosticReport, diagnosticReport } from './diagnostic-report.js';
import { PersonalizedOffersDiagnostics } from './personalized-offers-diagnostics.js';

const NAME = 'nestjs-personalized-offers';

const USAGE = `Usage: ${NAME} doctor [--json] [--verbose] [--prefix PLO_BANK_A_]

Checks what a first call to the Mastercard Personalized Offers API depends on, with the same
PLO_* environment the module reads (PLO_FID, PLO_BASE_URL, PLO_OAUTH_CONSUMER_KEY,
PLO_OAUTH_KEY_FILE, PLO_AUTHINFO_*…): configuration, signing key, AuthInfo, reach of the host
(DNS, TLS, proxy), clock, and one signed call (browseOffers, limit 1: a read of one offer).

Options:
  --json       print the report as one JSON line ({ ok, host, checks: [{ name, ok, detail, remedy? }] })
  --verbose    print the module's own log lines on stderr
  --prefix P   check the registration configured under another prefix (personalizedOffersConfigFor(name, P)):
               reads P + FID, P + BASE_URL, … instead of PLO_FID, PLO_BASE_URL, …
  -h, --help   print this help

Exit code: 0 when every check passed, 1 when one failed, 2 for a usage error.
`;

class UsageError extends Error {}

interface Options {
  json: boolean;
  verbose: boolean;
  /** The variables' prefix. @default 'PLO_' */
  prefix: string;
}

function parse(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        prefix: { type: 'string', default: 'PLO_' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) return 'help';
  const command = parsed.positionals.at(0);
  const rest = parsed.positionals.slice(1);
  if (command === undefined) throw new UsageError('a command is required: doctor.');
  if (command !== 'doctor') throw new UsageError(`unknown command ${JSON.stringify(command)}: the only command is doctor.`);
  if (rest.length > 0) throw new UsageError(`doctor takes no arguments (got ${rest.map((r) => JSON.stringify(r)).join(' ')}).`);
  const prefix = parsed.values.prefix;
  if (!/^[A-Z][A-Z0-9_]*_$/.test(prefix))
    throw new UsageError(`--prefix must be upper-case letters, digits and "_", ending in "_" (got ${JSON.stringify(prefix)}).`);
  return { json: parsed.values.json, verbose: parsed.values.verbose, prefix };
}

/** The variables the module reads under `prefix`. */
function variablesUnder(prefix: string): string[] {
  return PERSONALIZED_OFFERS_ENV_VARIABLES.map((name) => prefix + name.slice('PLO_'.length));
}

/** Every log line on stderr, so that stdout holds only the report. */
const stderrLogger: LoggerService = {
  log: (message, context?) => write('LOG', message, context),
  error: (message, ...rest) => write('ERROR', message, rest.at(-1)),
  warn: (message, context?) => write('WARN', message, context),
  debug: (message, context?) => write('DEBUG', message, context),
  verbose: (message, context?) => write('VERBOSE', message, context),
};

function write(level: string, message: unknown, context: unknown): void {
  process.stderr.write(`[${level}]${typeof context === 'string' ? ` [${context}]` : ''} ${message instanceof Error ? message.message : String(message)}\n`);
}

const ORDER: DiagnosticCheckName[] = ['configuration', 'signing-key', 'authinfo', 'reach', 'clock', 'signed-call'];

/** Settings whose failure is the signing key's (it is loaded with the configuration, at start-up). */
const isSigningSetting = (setting: string) => /^(PLO_OAUTH_|oauth\.)/.test(setting);

/**
 * The report when the module cannot even start: the configuration line (and the signing-key
 * line, when the key is what failed: it is loaded at start-up), the other checks not run.
 */
function configurationFailure(error: unknown, prefix = 'PLO_'): DiagnosticReport {
  const message =
    error instanceof PersonalizedOffersError
      ? error.message
      : // Not the module's own error (those never carry a secret): its name and the first line of its message, with any URL credentials cut.
        `the module did not start (${error instanceof Error ? error.name : 'error'}${
          error instanceof Error && error.message
            ? `: ${error.message
                .split('\n')[0]
                .replace(/\/\/[^/@\s]*@/g, '//[redacted]@')
                .slice(0, 200)}`
            : ''
        })`;
  const settings = error instanceof PersonalizedOffersConfigError ? error.settings : [];
  const keyFailed =
    settings.length > 0 && settings.every((setting) => isSigningSetting(setting.startsWith(prefix) ? `PLO_${setting.slice(prefix.length)}` : setting));
  const notRun = (name: DiagnosticCheckName): DiagnosticCheck => ({ name, ok: false, skipped: true, detail: 'not run: the configuration is invalid' });
  const checks: DiagnosticCheck[] = keyFailed
    ? [
        {
          name: 'configuration',
          ok: false,
          detail: `invalid: the signing key does not load (${settings.join(', ')}; see signing-key)`,
          remedy: 'fix the signing key, then run again',
        },
        {
          name: 'signing-key',
          ok: false,
          detail: `does not load: ${message}`,
          remedy: `point ${prefix}OAUTH_KEY_FILE at the signing key downloaded from Mastercard Developers for this consumer key (a .p12 with ${prefix}OAUTH_KEY_ALIAS and ${prefix}OAUTH_KEY_PASSWORD, or a PEM private key): RSA, at least 2048 bits`,
        },
        ...ORDER.slice(2).map(notRun),
      ]
    : [
        {
          name: 'configuration',
          ok: false,
          detail: `invalid: ${message}`,
          remedy: 'fix the variables named (README "Configuration" lists what each one must be), then run again',
        },
        ...ORDER.slice(1).map(notRun),
      ];
  return diagnosticReport(hostOf(process.env, prefix), checks);
}

/** The host the environment names, for a report made before the module could say. */
function hostOf(env: NodeJS.ProcessEnv, prefix: string): string {
  const baseUrl = env[`${prefix}BASE_URL`];
  try {
    if (baseUrl) return new URL(baseUrl).host;
  } catch {
    return 'unknown host';
  }
  return env[`${prefix}ENV`]?.trim() === 'sandbox' ? 'sandbox.api.mastercard.com' : 'api.mastercard.com';
}

/** The `PLO_*` typo verdicts folded into the configuration line: a near miss of a known name fails it. */
function withVariableCheck(report: DiagnosticReport, env: NodeJS.ProcessEnv, prefix: string): DiagnosticReport {
  // The module's own verdicts (the same "did you mean" as its start-up warnings).
  const unknown = findUnknownVariables(env, variablesUnder(prefix), prefix === 'PLO_' ? {} : { prefix });
  if (unknown.length === 0) return report;
  const typos = unknown.filter((u) => u.suggestion);
  const others = unknown.filter((u) => !u.suggestion);
  const sentences = [...typos.map((u) => u.message), ...(others.length > 0 ? [`not read by the module: ${others.map((u) => u.name).join(', ')}`] : [])].join(
    '; ',
  );
  const checks = report.checks.map((check) => {
    if (check.name !== 'configuration') return check;
    if (typos.length === 0) return { ...check, detail: `${check.detail} (${sentences})` };
    return {
      ...check,
      ok: false,
      detail: `${check.ok ? `${check.detail}; but ` : `${check.detail}; `}${sentences}`,
      remedy: `rename ${typos.map((u) => `${u.name} to ${u.suggestion}`).join(', ')}: a misspelled variable is ignored, and its default (production host, no signing…) silently applies`,
    };
  });
  return diagnosticReport(report.host, checks);
}

async function diagnose(options: Options): Promise<DiagnosticReport> {
  let moduleOptions;
  try {
    moduleOptions = loadPersonalizedOffersConfig(process.env, { prefix: options.prefix });
  } catch (error) {
    return configurationFailure(error, options.prefix);
  }
  let app;
  try {
    app = await NestFactory.createApplicationContext(PersonalizedOffersModule.forRoot(moduleOptions), {
      logger: options.verbose ? stderrLogger : false,
      abortOnError: false,
    });
  } catch (error) {
    return configurationFailure(error, options.prefix);
  }
  try {
    return await app.get(PersonalizedOffersDiagnostics, { strict: false }).verifyCredentials();
  } finally {
    await app.close().catch(() => undefined);
  }
}

function line(check: DiagnosticCheck): string {
  const mark = check.ok ? '✔' : '✘';
  const remedy = check.ok || !check.remedy ? '' : ` → ${check.remedy}`;
  return `${mark} ${check.name.padEnd(13)} ${check.detail}${remedy}`;
}

function render(report: DiagnosticReport): string {
  const passed = report.checks.filter((c) => c.ok).length;
  const lines = report.checks.map(line);
  lines.push(
    report.ok
      ? `${NAME} doctor: all ${passed} checks passed against ${report.host}.`
      : `${NAME} doctor: ${report.checks.length - passed} of ${report.checks.length} checks failed against ${report.host}.`,
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  let options: Options | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${NAME}: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // Before anything logs: the module's lines go to stderr (--verbose) or nowhere, never into the report.
  Logger.overrideLogger(options.verbose ? stderrLogger : false);
  const report = withVariableCheck(await diagnose(options), process.env, options.prefix);
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : render(report));
  process.exitCode = report.ok ? 0 : 1;
  // A Redis client or a socket left open must not keep a finished doctor alive.
  setTimeout(() => process.exit(process.exitCode), 2_000).unref();
}

void main().catch((error: unknown) => {
  process.stderr.write(`${NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
