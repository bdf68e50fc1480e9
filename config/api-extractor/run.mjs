#!/usr/bin/env node
// The public API reports of the three entry points (configs beside this file), over the build in
// dist/personalized-offers and ONE TypeScript program (the three share their declarations, so a
// program each would triple the cost).
//
//   node config/api-extractor/run.mjs           check: fails (exit 1) when a report differs from
//                                               etc/*.api.md, or on any error or warning
//   node config/api-extractor/run.mjs --local   update: rewrites etc/*.api.md
//
// Every report is produced even when an earlier one fails, so one run shows every change.
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const local = process.argv.includes('--local');
const configs = ['api-extractor.json', 'api-extractor.testing.json', 'api-extractor.health.json'].map((name) =>
  ExtractorConfig.loadFileAndPrepare(join(here, name)),
);

const missing = configs.map((c) => c.mainEntryPointFilePath).filter((p) => !existsSync(p));
if (missing.length) {
  console.error(`api-extractor: ${missing.map((p) => relative(root, p)).join(', ')} missing: build first (npm run build:lib).`);
  process.exit(1);
}

const compilerState = CompilerState.create(configs[0], {
  additionalEntryPoints: configs.slice(1).map((c) => c.mainEntryPointFilePath),
});
const failed = [];
for (const config of configs) {
  const report = relative(root, config.reportFilePath);
  const result = Extractor.invoke(config, { localBuild: local, compilerState, showVerboseMessages: false });
  if (!result.succeeded) failed.push(report);
  const what = result.apiReportChanged ? (local ? 'updated' : 'CHANGED') : 'unchanged';
  console.log(`${report}: ${what} (${result.errorCount} errors, ${result.warningCount} warnings)`);
}
if (failed.length) {
  console.error(
    `\nThe public API check failed for ${failed.join(', ')}.\n` +
      (local
        ? 'Fix the errors above.'
        : 'If the API change is intended, run `npm run api:update`, review the diff of etc/*.api.md and commit it ' +
          '(with a changeset: see CONTRIBUTING.md); otherwise undo the change to the exported API.'),
  );
  process.exit(1);
}
