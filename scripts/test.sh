#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: make sure redis-server is installed (the
# Redis tests start their own servers on free ports), build (the packaging test loads the
# build), type-check everything, then the unit and e2e suites, and the e2e suite on Nest 11.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each part prints what it cost, so the budget of `npm test` (~15 min on a 2-core machine) is
# visible in every run: "[npm test] <part>: <seconds> s".
step() {
  local started=$SECONDS
  "$@"
  echo "[npm test] $*: $((SECONDS - started)) s"
}

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found: installing Debian's redis-server (the Redis tests need a real one)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

step npm run build
step npm run typecheck
step npm run format:check
step npm run lint
# The public API against its reviewed report (etc/*.api.md): a change of an exported type fails
# here until `npm run api:update` is run and the report diff reviewed (and a changeset added).
step npm run api:check:built
# The API reference: every exported symbol documented (TypeDoc, warnings are errors).
step npm run docs
# The tarball holds only the intended files.
step npm run pack:check
step npm run test:unit -- --json --outputFile=dist/jest-unit.json
step npm run test:e2e -- --json --outputFile=dist/jest-e2e.json
# The e2e suite again against Nest 11 (pinned in compat/nest11, installed there once; skipped
# when current). Suites that load the build in child processes run on Nest 12 only.
step bash scripts/install-nest11.sh
step npm run test:e2e:nest11 -- --json --outputFile=dist/jest-e2e-nest11.json
# The benchmark harness with tiny counts: proves it still runs; asserts no timings.
step npm run bench:smoke
# The bad-days measurements (burst, oversized answers) with tiny counts: proves the script runs.
step node dist/bench/bad-days.js --smoke
# A 5 s soak of the example app under load with injected faults (the full one: npm run soak).
step npm run soak -- --duration 5

# One closing line with the totals of the three Jest runs.
node -e '
const r = ["dist/jest-unit.json", "dist/jest-e2e.json", "dist/jest-e2e-nest11.json"].map((f) => require("./" + f));
const sum = (k) => r.reduce((n, x) => n + x[k], 0);
console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests")} skipped`);
'
