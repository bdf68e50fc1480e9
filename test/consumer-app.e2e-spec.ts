import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The package as users install it (`npm pack` of the build), tested from apps made the way the
 * Nest 12 CLI makes them (test/consumer-apps/): a CommonJS app on Jest, an ESM app on Vitest and
 * an ESM app on Jest's native ESM mode. Each runs its own `npm test` as a child process; the apps
 * live under dist/consumer-apps/ so Node finds @nestjs/*, jest, vitest and typescript in this
 * repository's node_modules, and the tarball is unpacked into each app's own node_modules. Nothing
 * leaves loopback.
 *
 * Runs after `npm run build` (the test command builds first). To try it without rebuilding dist/,
 * point CONSUMER_APP_PACKAGE_DIR at a folder holding package.json and a fresh dist/personalized-offers.
 */
const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test/consumer-apps');
const work = join(root, 'dist/consumer-apps');
const packageDir = process.env.CONSUMER_APP_PACKAGE_DIR ?? root;

interface Run {
  code: number | null;
  output: string;
  /** The runner's JSON report (Jest's `--json`, Vitest's json reporter), when it wrote one. */
  report?: { numPassedTests: number; numFailedTests: number; numTotalTests: number; testResults: Array<{ name?: string; message?: string }> };
}

/** The environment a developer's shell would give: none of this run's Jest, npm or PLO_* settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(NODE_OPTIONS|JEST_WORKER_ID|npm_|PLO_)/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
}

function run(file: string, args: string[], cwd: string, timeoutMs = 150_000): Promise<Run & { stdout: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, output: `${stdout}\n${stderr}` });
    });
  });
}

/** Copies a fixture to dist/consumer-apps/<name> and unpacks the tarball into its node_modules. */
async function install(fixture: string, name: string, tarball: string): Promise<string> {
  const app = join(work, name);
  rmSync(app, { recursive: true, force: true });
  cpSync(join(fixtures, fixture), app, { recursive: true });
  const target = join(app, 'node_modules/nestjs-personalized-offers');
  mkdirSync(target, { recursive: true });
  const untar = await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], app);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.output}`);
  return app;
}

/** `npm test` in the app, with the runner's JSON report written to a file. */
async function npmTest(app: string, runner: 'jest' | 'vitest', extra: string[] = []): Promise<Run> {
  const reportFile = join(app, 'report.json');
  const reportArgs = runner === 'jest' ? ['--json', `--outputFile=${reportFile}`] : ['--reporter=json', `--outputFile=${reportFile}`];
  const result = await run('npm', ['test', '--', ...reportArgs, ...extra], app);
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
  return { ...result, report };
}

const typecheck = (app: string) =>
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.json'), '--noEmit', '--incremental', 'false'], app);

/** Fails with the runner's output, so a red test says why. */
function expectPassed(run: Run): void {
  const summary = run.report && { passed: run.report.numPassedTests, failed: run.report.numFailedTests };
  if (!summary || run.code !== 0 || summary.failed !== 0 || summary.passed === 0) {
    throw new Error(`expected a passing run, got exit ${run.code} ${JSON.stringify(summary)}:\n${run.output.slice(-6000)}`);
  }
  expect(summary.passed).toBeGreaterThan(0);
  expect(summary.failed).toBe(0);
}

describe('consumer apps (installed from npm pack)', () => {
  // Every child starts in beforeAll and runs concurrently; each test awaits its own.
  const runs: Record<string, Promise<Run>> = {};
  let packDir: string | undefined;

  beforeAll(async () => {
    const built = join(packageDir, 'dist/personalized-offers/testing/testing-module.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: build the library first (npm run build:lib).`);
    packDir = mkdtempSync(join(tmpdir(), 'plo-pack-'));
    // --ignore-scripts: `prepare` would rebuild (rm -rf) dist/ while other tests read it.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], packageDir);
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.output}`);
    const tarball = join(packDir, JSON.parse(pack.stdout)[0].filename);
    rmSync(work, { recursive: true, force: true });

    const [cjs, cjsWithout, vitest, jestEsm] = await Promise.all([
      install('jest-cjs', 'jest-cjs', tarball),
      install('jest-cjs', 'jest-cjs-without-pattern', tarball),
      install('vitest-esm', 'vitest-esm', tarball),
      install('jest-esm', 'jest-esm', tarball),
    ]);
    runs.cjs = npmTest(cjs, 'jest');
    // The same app with this package left out of transformIgnorePatterns (Nest's packages still in).
    runs.cjsWithout = npmTest(cjsWithout, 'jest', ['--transformIgnorePatterns', '/node_modules/(?!(@nestjs)/)']);
    runs.vitest = npmTest(vitest, 'vitest');
    runs.jestEsm = npmTest(jestEsm, 'jest');
    runs.typecheckCjs = typecheck(cjs);
    runs.typecheckEsm = typecheck(vitest);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(Object.values(runs));
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  }, 180_000);

  it('a CommonJS app on Jest (ts-jest, babel-jest, transformIgnorePatterns) passes its test against the simulator', async () => {
    expectPassed(await runs.cjs);
  }, 180_000);

  /** The docs/testing.md recipe: testRegex takes Nest's test/*.e2e-spec.ts, and isolatedModules keeps ts-jest quiet. */
  it.each([
    ['CommonJS', 'cjs'],
    ['ESM', 'jestEsm'],
  ])(
    'the %s Jest app runs its *.e2e-spec.ts too, and ts-jest prints no TS151002 warning',
    async (_kind, key) => {
      const run = await runs[key];
      expectPassed(run);
      const files = (run.report?.testResults ?? []).map((r) => r.name ?? '').map((name) => name.slice(name.lastIndexOf('/') + 1));
      expect(files.sort()).toEqual(['app.controller.spec.ts', 'app.e2e-spec.ts']);
      expect(run.report?.numPassedTests).toBe(2);
      expect(run.output).not.toMatch(/TS151002|151002|hybrid module kind/);
      expect(run.output).not.toMatch(/ts-jest\[[^\]]*\] \(WARN\)/);
    },
    180_000,
  );

  it('…and fails with the ESM error when transformIgnorePatterns leaves nestjs-personalized-offers out', async () => {
    const run = await runs.cjsWithout;
    expect(run.code).not.toBe(0);
    const message = `${run.report?.testResults.map((r) => r.message).join('\n')}\n${run.output}`;
    expect(message).toMatch(/Must use import to load ES Module: \S*\/node_modules\/nestjs-personalized-offers\/dist\/personalized-offers\//);
    expect(run.report?.numPassedTests).toBe(0);
  }, 180_000);

  it('an ESM app on Vitest (no plugin: Vite 8 emits decorator metadata from tsconfig) passes its test', async () => {
    expectPassed(await runs.vitest);
  }, 180_000);

  it('an ESM app on Jest in native ESM mode passes its test', async () => {
    expectPassed(await runs.jestEsm);
  }, 180_000);

  it.each([
    ['CommonJS', 'typecheckCjs'],
    ['ESM', 'typecheckEsm'],
  ])(
    'the %s app type-checks against the packed type declarations',
    async (_kind, key) => {
      const run = await runs[key];
      expect([run.code, run.output.trim()]).toEqual([0, '']);
    },
    180_000,
  );
});

describe('docs/testing.md (the guide the README links for testing)', () => {
  const guide = readFileSync(join(root, 'docs/testing.md'), 'utf8');
  const blocks = [...guide.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2] }));
  const fixture = (path: string) => readFileSync(join(fixtures, path), 'utf8');
  const block = (lang: string, marker: string) => {
    const found = blocks.find((b) => b.lang === lang && b.body.includes(marker));
    if (!found) throw new Error(`no ${lang} block with ${marker} in docs/testing.md`);
    return found.body;
  };
  const jsonc = (body: string) => JSON.parse(`{${body.replace(/^\s*\/\/.*$/gm, '')}}`);
  /** Code without comment lines and whitespace, trailing commas dropped: layout may differ, content not. */
  const code = (text: string) =>
    text
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/\s+/g, '')
      .replace(/,([}\])])/g, '$1');

  /** A block's first line names the file it is (`// src/app.module.ts`): the rest is that file. */
  const file = (path: string) => {
    const found = blocks.find((b) => b.lang === 'ts' && b.body.startsWith(`// ${path}\n`));
    if (!found) throw new Error(`no ts block for ${path} in docs/testing.md`);
    return found.body.slice(found.body.indexOf('\n') + 1);
  };

  it('shows the app and the test the consumer apps run', () => {
    expect(file('src/app.module.ts')).toBe(fixture('vitest-esm/src/app.module.ts'));
    expect(file('src/app.controller.ts')).toBe(fixture('vitest-esm/src/app.controller.ts'));
    for (const name of ['app.module.ts', 'app.controller.ts']) {
      expect(fixture(`jest-esm/src/${name}`)).toBe(fixture(`vitest-esm/src/${name}`));
      expect(fixture(`jest-cjs/src/${name}`)).toBe(fixture(`vitest-esm/src/${name}`).replaceAll(".js';", "';"));
    }
    const snippet = file('src/app.controller.spec.ts');
    expect(snippet.replace(" // CommonJS apps: './app.controller'", '')).toBe(fixture('vitest-esm/src/app.controller.spec.ts'));
    expect(fixture('jest-esm/src/app.controller.spec.ts')).toBe(fixture('vitest-esm/src/app.controller.spec.ts'));
    expect(fixture('jest-cjs/src/app.controller.spec.ts')).toBe(fixture('vitest-esm/src/app.controller.spec.ts').replaceAll(".js';", "';"));
  });

  it('shows the Jest configurations and the Babel config of the consumer apps', () => {
    const esm = JSON.parse(fixture('jest-esm/package.json'));
    const cjs = JSON.parse(fixture('jest-cjs/package.json'));
    expect(jsonc(block('jsonc', 'extensionsToTreatAsEsm'))).toEqual({ scripts: esm.scripts, jest: esm.jest });
    expect(jsonc(block('jsonc', 'transformIgnorePatterns'))).toEqual({ jest: cjs.jest });
    expect(cjs.scripts).toEqual({ test: 'jest' });
    for (const jest of [esm.jest, cjs.jest]) {
      const testRegex = new RegExp(jest.testRegex);
      expect(['src/app.controller.spec.ts', 'test/app.e2e-spec.ts'].map((path) => testRegex.test(path))).toEqual([true, true]);
      expect(testRegex.test('src/app.controller.ts')).toBe(false);
    }
    // The tsconfig lines the recipe names are the apps' own.
    const tsconfigBlock = blocks.find((b) => b.lang === 'jsonc' && b.body.includes('"isolatedModules"'));
    if (!tsconfigBlock) throw new Error('no tsconfig block in docs/testing.md');
    const shown = JSON.parse(tsconfigBlock.body.replace(/^\s*\/\/.*$/gm, '')).compilerOptions as Record<string, unknown>;
    expect(shown.isolatedModules).toBe(true);
    for (const app of ['jest-esm', 'jest-cjs']) {
      const options = JSON.parse(fixture(`${app}/tsconfig.json`)).compilerOptions as Record<string, unknown>;
      expect(Object.fromEntries(Object.keys(shown).map((key) => [key, options[key]]))).toEqual(shown);
    }
    const exportsOf = (text: string) => code(text.slice(text.indexOf('module.exports')));
    expect(exportsOf(block('js', 'plugin-transform-modules-commonjs'))).toBe(exportsOf(fixture('jest-cjs/babel.config.js')));
  });

  it('shows the Vitest configuration of the consumer app', () => {
    expect(code(block('ts', 'defineConfig'))).toBe(code(fixture('vitest-esm/vitest.config.ts')));
  });
});
