#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: build (the packaging test loads the build),
# type-check everything, then the unit and e2e suites.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npm run typecheck
npm run test:unit
npm run test:e2e
