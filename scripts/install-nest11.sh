#!/usr/bin/env bash
# Installs the pinned Nest 11 line into compat/nest11/node_modules (npm run test:e2e:nest11 and
# test:unit:nest11 map every @nestjs/* import there). Idempotent and quiet: does nothing when
# what is installed is exactly what compat/nest11/package-lock.json locks. Peers (rxjs,
# reflect-metadata, axios, ...) are not installed there: they come from the root node_modules.
set -euo pipefail
cd "$(dirname "$0")/../compat/nest11"

# npm writes node_modules/.package-lock.json (the installed tree) on every install; when its
# packages equal the lockfile's, the install is current.
if [ -f node_modules/.package-lock.json ] && node -e '
  const fs = require("fs");
  const strip = (packages) => {
    const out = {};
    for (const [path, pkg] of Object.entries(packages)) {
      if (path === "") continue;
      out[path] = [pkg.version, pkg.resolved, pkg.integrity];
    }
    return JSON.stringify(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  const locked = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
  const installed = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
  process.exit(strip(locked) === strip(installed) ? 0 : 1);
' 2>/dev/null; then
  exit 0
fi

echo "installing the Nest 11 line into compat/nest11/node_modules"
npm ci --legacy-peer-deps --no-audit --no-fund --loglevel=error >/dev/null
