#!/usr/bin/env node
// npm run pack:check: what `npm pack` would put in the tarball, checked against the intended set.
//
// The tarball must hold exactly: package.json, README.md, LICENSE, CHANGELOG.md, the guides the
// README links to (docs/*.md, not the generated docs/api/), and the built
// library under dist/personalized-offers/ — .js, .d.ts and .js.map files only, each .js with its
// .d.ts, each map with its .js, each one built from a source file of libs/personalized-offers/src
// that is not a spec (so a stale file of a deleted module or a compiled test fails the check).
// Never a spec or test file, a .tsbuildinfo, a fixture, a source file (.ts), or anything else.
//
// It runs `npm pack --dry-run --json --ignore-scripts`: nothing is built or written; the check
// is of the build already in dist/ (npm run build:lib first; `npm install` and `npm ci` run it as
// the prepare script). Exit 0 and the list with sizes when right; exit 1 with each problem when
// not.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIB = 'dist/personalized-offers/';
const SRC = 'libs/personalized-offers/src/';

const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  // The three entry points and the two bins of package.json.
  `${LIB}index.js`,
  `${LIB}index.d.ts`,
  `${LIB}testing/index.js`,
  `${LIB}testing/index.d.ts`,
  `${LIB}health/index.js`,
  `${LIB}health/index.d.ts`,
  `${LIB}diagnostics/cli.js`,
  `${LIB}testing/cli.js`,
];
const TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);
// The guides the README links to (docs/*.md at the top of docs/ only).
const GUIDE = /^docs\/[a-z0-9-]+\.md$/;
const BUILT = /^dist\/personalized-offers\/(.+)\.(js|d\.ts|js\.map)$/;
const FORBIDDEN = [
  [/\.(spec|e2e-spec|test)\.[cm]?[jt]sx?(\.map)?$|\.(spec|e2e-spec|test)\.d\.ts$/, 'a spec or test file'],
  [/(^|\/)(__tests__|__fixtures__|__mocks__|fixtures?|test|tests)\//, 'a test directory or fixture'],
  [/\.tsbuildinfo$/, 'a .tsbuildinfo'],
  [/(^|\/)\.[^/]+$/, 'a dotfile'],
];

if (!existsSync(join(root, `${LIB}index.js`))) {
  console.error(`pack:check: ${LIB}index.js is missing: build the library first (npm run build:lib).`);
  process.exit(1);
}

const raw = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  maxBuffer: 64 * 1024 * 1024,
});
const [pack] = JSON.parse(raw);
const files = pack.files.map((f) => ({ path: f.path, size: f.size })).sort((a, b) => a.path.localeCompare(b.path));
const paths = new Set(files.map((f) => f.path));
const problems = [];

for (const { path } of files) {
  const forbidden = FORBIDDEN.find(([re]) => re.test(path));
  if (forbidden) {
    problems.push(`${path}: ${forbidden[1]} must not be packed`);
    continue;
  }
  if (TOP_LEVEL.has(path) || GUIDE.test(path)) continue;
  const m = BUILT.exec(path);
  if (!m) {
    problems.push(`${path}: not in the intended set (package.json, README.md, LICENSE, CHANGELOG.md, docs/*.md, ${LIB}**/*.{js,d.ts,js.map})`);
    continue;
  }
  const [, stem, ext] = m;
  if (ext === 'js' && !paths.has(`${LIB}${stem}.d.ts`)) problems.push(`${path}: no ${stem}.d.ts beside it`);
  if (ext === 'js.map' && !paths.has(`${LIB}${stem}.js`)) problems.push(`${path}: a map without its ${stem}.js`);
  if (ext === 'd.ts' && !paths.has(`${LIB}${stem}.js`)) problems.push(`${path}: declarations without ${stem}.js`);
  if (!existsSync(join(root, `${SRC}${stem}.ts`))) {
    problems.push(`${path}: no ${SRC}${stem}.ts (a stale build? run npm run build:lib)`);
  }
}
for (const guide of readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'))) REQUIRED.push(`docs/${guide}`);
for (const path of REQUIRED) {
  if (!paths.has(path)) problems.push(`${path}: missing from the tarball`);
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const { path, size } of files) console.log(`${kb(size).padStart(10)}  ${path}`);
const count = (re) => files.filter((f) => re.test(f.path)).length;
console.log(
  `\n${pack.filename}: ${files.length} files (${count(/\.js$/)} .js, ${count(/\.d\.ts$/)} .d.ts, ` +
    `${count(/\.js\.map$/)} .js.map, ${files.length - count(/\.(js|d\.ts|js\.map)$/)} other), ` +
    `packed ${kb(pack.size)}, unpacked ${kb(pack.unpackedSize)}`,
);

if (problems.length) {
  console.error(`\npack:check FAILED: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log('pack:check: the tarball holds exactly the intended files');
