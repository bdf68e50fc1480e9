#!/usr/bin/env node
// Mutation score per folder of the library, from Stryker's JSON report (npm run test:mutation
// prints it after Stryker's own per-file table).
//   node scripts/mutation-summary.mjs [report.json] [--survivors [folder]]
// --survivors also lists every surviving and uncovered mutant (file:line, mutator, replacement),
// optionally only those under `folder` (e.g. --survivors cache).
import { readFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const survivorsAt = args.indexOf('--survivors');
const listSurvivors = survivorsAt >= 0;
const survivorFolder = listSurvivors && args[survivorsAt + 1] && !args[survivorsAt + 1].startsWith('-') ? args[survivorsAt + 1] : undefined;
const reportFile = args.find((a, i) => !a.startsWith('-') && !(listSurvivors && i === survivorsAt + 1)) ?? 'reports/mutation/mutation.json';

const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const LIB = 'libs/personalized-offers/src/';
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Folder of a mutated file, relative to the library source (`http`, `cache`, …). */
const folderOf = (file) => {
  const rel = file.startsWith(LIB) ? file.slice(LIB.length) : file;
  const dir = path.posix.dirname(rel);
  return dir === '.' ? '(root)' : dir;
};

const rows = new Map();
const total = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
const leftAlive = [];
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  const folder = folderOf(file);
  const row = rows.get(folder) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
  rows.set(folder, row);
  const lines = source.split('\n');
  for (const m of mutants) {
    const key = { Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'noCoverage' }[m.status] ?? 'other';
    row[key] += 1;
    total[key] += 1;
    if (UNDETECTED.has(m.status)) {
      const original = lines[m.location.start.line - 1]?.trim() ?? '';
      leftAlive.push({ folder, file, m, original });
    }
  }
}

const score = (r) => {
  const detected = r.killed + r.timeout;
  const valid = detected + r.survived + r.noCoverage;
  return valid === 0 ? NaN : (100 * detected) / valid;
};
const pad = (v, n) => String(v).padStart(n);
const header = `${'folder'.padEnd(12)} ${pad('score', 7)} ${pad('killed', 7)} ${pad('timeout', 7)} ${pad('survived', 8)} ${pad('no cov', 7)} ${pad('ignored/err', 11)}`;
console.log('\nMutation score per folder (libs/personalized-offers/src)');
console.log(header);
console.log('-'.repeat(header.length));
const line = (name, r) =>
  console.log(
    `${name.padEnd(12)} ${pad(score(r).toFixed(2), 7)} ${pad(r.killed, 7)} ${pad(r.timeout, 7)} ${pad(r.survived, 8)} ${pad(r.noCoverage, 7)} ${pad(r.other, 11)}`,
  );
for (const [folder, r] of [...rows].sort(([a], [b]) => a.localeCompare(b))) line(folder, r);
console.log('-'.repeat(header.length));
line('total', total);
const breakAt = report.thresholds?.break;
if (typeof breakAt === 'number') console.log(`threshold: the run fails below ${breakAt} % (total)`);

if (listSurvivors) {
  const shown = leftAlive.filter((s) => survivorFolder === undefined || s.folder === survivorFolder || s.folder.startsWith(`${survivorFolder}/`));
  console.log(`\n${shown.length} mutant(s) left alive${survivorFolder ? ` under ${survivorFolder}` : ''}:`);
  for (const { file, m, original } of shown) {
    const where = `${file.replace(LIB, '')}:${m.location.start.line}:${m.location.start.column}`;
    const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80);
    console.log(`${m.status.padEnd(10)} ${where.padEnd(42)} ${m.mutatorName.padEnd(22)} → ${replacement}`);
    console.log(`${' '.repeat(11)}${original.slice(0, 150)}`);
  }
}
