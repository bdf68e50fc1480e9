import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The README is what npm shows: every TypeScript block in it (and in the guides of docs/) must
 * compile against the package as users install it, and every file it names must be in that
 * package.
 *
 * How: the package is packed (`npm pack --ignore-scripts`, as test/consumer-app.e2e-spec.ts does)
 * and unpacked into dist/readme-check/node_modules/nestjs-personalized-offers; each document gets
 * a folder there, each ```ts block a file in it, and one `tsc --noEmit` (strict,
 * experimentalDecorators, emitDecoratorMetadata, isolatedModules, module nodenext, the types of
 * node and jest) checks them all. A block whose first line is a path comment (`// src/app.module.ts`)
 * (`// app.module.ts` in the README, whose files are your app's) is written to that path, so the blocks of one document can import each other as the files of one
 * app; other blocks are files of their own. In docs/, a block whose first line is `// fragment` is a
 * deliberate excerpt and is not compiled; the README has none. @nestjs/* and the other peers
 * resolve from this repository's node_modules. The README's quick start (module, controller, test)
 * is then run as an app of its own with the Jest ESM recipe of docs/testing.md.
 *
 * Runs after `npm run build:lib` (the test command builds first). To try it without rebuilding
 * dist/, point README_CHECK_PACKAGE_DIR at a folder holding package.json, README.md and a fresh
 * dist/personalized-offers.
 */
const root = join(import.meta.dirname, '..');
const packageDir = process.env.README_CHECK_PACKAGE_DIR ?? root;
const work = join(root, 'dist/readme-check');
const README_MAX_LINES = 600;
const FRAGMENT = /^\/\/ fragment\b/;
/** The README's current-API quick start: the files of one app. */
const QUICK_START = ['app.module.ts', 'offers.controller.ts', 'offers.controller.spec.ts'];
const PATH_HEADER = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)(?:\s|$)/;

interface Block {
  doc: string;
  /** 1-based line of the block's first code line in the document. */
  line: number;
  lang: string;
  body: string;
  /** The file the block is written to, relative to its document's folder. */
  file: string;
  fragment: boolean;
}

/** The documents: README.md and the guides (docs/*.md; docs/api/ is generated). */
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

function blocksOf(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  let open: { lang: string; start: number } | undefined;
  lines.forEach((text, i) => {
    const fence = /^```(\S*)\s*$/.exec(text);
    if (!fence) return;
    if (!open) {
      open = { lang: fence[1], start: i + 1 };
      return;
    }
    const body = lines.slice(open.start, i).join('\n') + '\n';
    const first = body.slice(0, body.indexOf('\n'));
    blocks.push({
      doc,
      line: open.start + 1,
      lang: open.lang,
      body,
      file: PATH_HEADER.exec(first)?.[1] ?? `block-line-${open.start + 1}.ts`,
      fragment: FRAGMENT.test(first),
    });
    open = undefined;
  });
  if (open) throw new Error(`${doc}: a code block opened at line ${open.start} is never closed`);
  return blocks;
}

const isTs = (block: Block) => block.lang === 'ts' || block.lang === 'typescript';
const folderOf = (doc: string) => doc.replace(/\.md$/, '').replace(/[/]/g, '__');

/** A developer's shell: none of this run's Jest, npm or PLO_* settings. */
function run(file: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((resolve) => {
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(NODE_OPTIONS|JEST_WORKER_ID|npm_|PLO_)/i.test(name))),
      CI: 'true',
      NO_COLOR: '1',
    };
    execFile(file, args, { cwd, env, timeout: 240_000, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, output: `${stdout}\n${stderr}` });
    });
  });
}

// Under `npm run test:e2e:nest11` (EXPECT_NEST_MAJOR=11) this would check the same files against the
// same root node_modules a second time: tsc does not go through that run's moduleNameMapper.
const describeOnce = process.env.EXPECT_NEST_MAJOR === '11' ? describe.skip : describe;

describeOnce('README and guides', () => {
  const all = documents.flatMap(blocksOf);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  let packedFiles: string[] = [];
  let tsc: { code: number | null; output: string } | undefined;
  let quickStart: { code: number | null; output: string; report?: { numPassedTests: number; numFailedTests: number } } | undefined;

  beforeAll(async () => {
    const built = join(packageDir, 'dist/personalized-offers/index.d.ts');
    if (!existsSync(built)) throw new Error(`${built} is missing: build the library first (npm run build:lib).`);
    const packDir = mkdtempSync(join(tmpdir(), 'plo-readme-pack-'));
    try {
      // --ignore-scripts: `prepare` would rebuild (rm -rf) dist/ while other tests read it.
      const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], packageDir);
      if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.output}`);
      const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
      packedFiles = packed.files.map((f) => f.path);
      rmSync(work, { recursive: true, force: true });
      const target = join(work, 'node_modules/nestjs-personalized-offers');
      mkdirSync(target, { recursive: true });
      const untar = await run('tar', ['-xzf', join(packDir, packed.filename), '-C', target, '--strip-components=1'], work);
      if (untar.code !== 0) throw new Error(`tar failed: ${untar.output}`);
    } finally {
      rmSync(packDir, { recursive: true, force: true });
    }

    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'readme-check', private: true, type: 'module' }, null, 2));
    for (const block of all.filter((b) => isTs(b) && !b.fragment)) {
      const path = join(work, folderOf(block.doc), block.file);
      if (existsSync(path)) throw new Error(`${block.doc}:${block.line}: a second block names ${block.file}`);
      mkdirSync(dirname(path), { recursive: true });
      // `export {}` makes every block a module: top-level await allowed, no global name clashes.
      writeFileSync(path, `${block.body}export {};\n`);
    }
    const compilerOptions = {
      strict: true,
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node', 'jest'],
    };
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*/**/*.ts'], exclude: ['node_modules'] }, null, 2));
    tsc = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')], work);

    // The quick start runs too: its three files in an ESM app with the Jest recipe of docs/testing.md
    // (the jest-esm consumer app's package.json and tsconfig), against the simulator.
    const app = join(work, 'quick-start');
    mkdirSync(join(app, 'src'), { recursive: true });
    for (const name of ['package.json', 'tsconfig.json']) writeFileSync(join(app, name), readFileSync(join(root, 'test/consumer-apps/jest-esm', name)));
    for (const block of all.filter((b) => b.doc === 'README.md' && QUICK_START.includes(b.file))) writeFileSync(join(app, 'src', block.file), block.body);
    const reportFile = join(app, 'report.json');
    const jest = await run('npm', ['test', '--', '--json', `--outputFile=${reportFile}`], app);
    quickStart = { ...jest, report: existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined };
  }, 300_000);

  it("the README's quick start passes its own test against the simulator (Jest, ESM)", () => {
    const report = quickStart?.report;
    if (!report || quickStart!.code !== 0 || report.numFailedTests !== 0 || report.numPassedTests === 0) {
      throw new Error(`the quick start's test failed (exit ${quickStart?.code}):\n${quickStart?.output.slice(-6000)}`);
    }
    expect(report.numPassedTests).toBeGreaterThan(0);
  });

  it(`README.md is under ${README_MAX_LINES} lines`, () => {
    expect(readme.split('\n').length).toBeLessThan(README_MAX_LINES);
  });

  it("README.md keeps the repository's two commands in a bash block of its marked repository section", () => {
    const section = readme.slice(readme.indexOf('<!-- repository -->'), readme.indexOf('<!-- /repository -->'));
    expect(readme.indexOf('<!-- repository -->')).toBeGreaterThan(0);
    expect(readme.indexOf('<!-- repository -->')).toBeLessThan(readme.indexOf('## '));
    const bash = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    expect(bash).toMatch(/^npm ci && npm start$/m);
    expect(bash).toMatch(/^npm ci && npm test$/m);
  });

  it('every TypeScript block of README.md is a complete program (no fragments)', () => {
    const readmeTs = all.filter((b) => b.doc === 'README.md' && isTs(b));
    expect(readmeTs.length).toBeGreaterThanOrEqual(4);
    expect(readmeTs.filter((b) => b.fragment).map((b) => `README.md:${b.line}`)).toEqual([]);
    // The quick start is complete: module, controller and test, in files that import each other.
    expect(readmeTs.map((b) => b.file)).toEqual(expect.arrayContaining(QUICK_START));
  });

  it('every TypeScript block of README.md and docs/*.md not marked `// fragment` compiles against the packed package', () => {
    const compiled = all.filter((b) => isTs(b) && !b.fragment);
    expect(compiled.length).toBeGreaterThan(0);
    if (tsc!.code === 0) return;
    // Point each error at the document line it comes from.
    const located = tsc!.output
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const m = /^([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line.trim());
        if (!m) return line;
        const block = compiled.find((b) => join(folderOf(b.doc), b.file) === m[1]);
        return block ? `${block.doc}:${block.line + Number(m[2]) - 1}:${m[3]} (${block.file}): ${m[4]}` : line;
      });
    throw new Error(`tsc found errors in the documentation's code:\n${located.join('\n')}`);
  });

  it('the fragments left in docs/ are few and marked', () => {
    const fragments = all.filter((b) => isTs(b) && b.fragment);
    expect(fragments.length).toBeLessThanOrEqual(all.filter(isTs).length / 2);
  });

  it('every file README.md names outside its repository section is in the package, and every guide it links exists', () => {
    const prose = readme.replace(/<!-- repository -->[\s\S]*?<!-- \/repository -->/, '').replace(/```[\s\S]*?```/g, '');
    const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^(#|https?:|mailto:)/.test(target));
    const named = [...prose.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]).filter((text) => /^(\.\/)?[\w.-]+(\/[\w.-]+)*\/[\w.-]+\.[a-z]{1,5}$/.test(text));
    const missing: string[] = [];
    for (const target of links.map((t) => t.replace(/#.*$/, '').replace(/^\.\//, ''))) {
      // The guides live in the repository next to the README (npm links them to it).
      if (/^docs\/[\w-]+\.md$/.test(target) || target === 'CONTRIBUTING.md') {
        if (!existsSync(join(root, target))) missing.push(`${target} (guide)`);
      } else if (!packedFiles.includes(target)) missing.push(target);
    }
    // Anywhere outside the repository section, code included: a path into one of the repository's
    // own folders must be a file the package ships (the old README named ~40 that it did not).
    const outside = readme.replace(/<!-- repository -->[\s\S]*?<!-- \/repository -->/, '');
    const repositoryPaths = [...outside.matchAll(/(?<![\w@/.-])((?:src|dist|test|libs|bench|soak|scripts|compat|config|etc|docs)\/[\w./-]*\w)/g)].map(
      (m) => m[1],
    );
    for (const path of repositoryPaths) {
      if (!packedFiles.includes(path) && !(/^docs\/[\w-]+\.md$/.test(path) && existsSync(join(root, path)))) missing.push(path);
    }
    for (const path of named.map((p) => p.replace(/^\.\//, ''))) {
      if (!packedFiles.includes(path) && !(/^docs\/[\w-]+\.md$/.test(path) && existsSync(join(root, path)))) missing.push(path);
    }
    expect(missing).toEqual([]);
  });

  it('every guide README.md lists exists, and every docs/*.md is linked from README.md', () => {
    for (const doc of documents.filter((d) => d !== 'README.md')) expect(readme).toContain(`](${doc})`);
  });

  it("the guides' links to each other and to the README resolve, anchors included", () => {
    const anchorsOf = (doc: string) =>
      new Set(
        readFileSync(join(root, doc), 'utf8')
          .replace(/```[\s\S]*?```/g, '')
          .split('\n')
          .filter((line) => /^#{1,6} /.test(line))
          .map((line) =>
            line
              .replace(/^#+ /, '')
              .trim()
              .toLowerCase()
              .replace(/[^\p{L}\p{N}\s_-]/gu, '')
              .replace(/\s/g, '-'),
          ),
      );
    const broken: string[] = [];
    for (const doc of documents) {
      const text = readFileSync(join(root, doc), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? doc : join(dirname(doc), path).replace(/^\.\//, '');
        if (!existsSync(join(root, file))) {
          broken.push(`${doc}: ${target} (no such file)`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor)) broken.push(`${doc}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
