#!/usr/bin/env bash
# Mutation testing of the library's pure parts (stryker.config.mjs), then the score per folder.
# Extra arguments go to Stryker, e.g. `npm run test:mutation -- --incremental` (reuses the last
# results for unchanged code and tests) or `-- --mutate libs/personalized-offers/src/cache/**/*.ts`.
# Exits with Stryker's status: non-zero when the score is below thresholds.break.
set -uo pipefail
cd "$(dirname "$0")/.."
npx stryker run "$@"
status=$?
if [ -f reports/mutation/mutation.json ]; then node scripts/mutation-summary.mjs reports/mutation/mutation.json; fi
exit $status
