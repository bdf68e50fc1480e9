// The e2e suite against Nest 11 (npm run test:e2e:nest11): test/jest-e2e.json as it is, with
// every @nestjs/* import sent to compat/nest11/node_modules (see compat/nest11/with-nest11.js).
// Derived rather than copied so that it cannot drift from test/jest-e2e.json. `rootDir` ".." is
// relative to this folder, as in test/jest-e2e.json.
import { readFileSync } from 'node:fs';
import { withNest11 } from '../compat/nest11/with-nest11.js';

const base = JSON.parse(readFileSync(new URL('./jest-e2e.json', import.meta.url), 'utf8'));

export default {
  ...withNest11(base),
  testPathIgnorePatterns: [
    ...(base.testPathIgnorePatterns ?? ['/node_modules/']),
    // These run the build in child processes (node; npm pack + apps under dist/consumer-apps),
    // which resolve @nestjs/* from the root node_modules, not through this moduleNameMapper:
    // they would test the root's Nest a second time.
    '/test/package\\.e2e-spec\\.ts$',
    '/test/consumer-app\\.e2e-spec\\.ts$',
    // The standalone simulator's bin: a child process that loads no Nest at all.
    '/test/simulator-cli\\.e2e-spec\\.ts$',
    // The README and docs code blocks are type-checked against the packed package (root's Nest).
    '/test/readme\\.e2e-spec\\.ts$',
    // Redis Cluster and Sentinel failovers and the fleet rate limit: ~70 s of real servers and
    // failovers that exercise ioredis and Redis, not Nest (the module's Nest wiring of the same
    // stores is covered on Nest 11 by cache-redis and named-registrations).
    '/test/redis-cluster\\.e2e-spec\\.ts$',
    '/test/redis-sentinel\\.e2e-spec\\.ts$',
    '/test/rate-limit\\.e2e-spec\\.ts$',
  ],
};
