// Derives a Nest 11 Jest config from a Nest 12 one (test/jest-e2e.nest11.config.js,
// jest.nest11.config.js): every `@nestjs/<pkg>` and `@nestjs/<pkg>/<subpath>` import - from the
// tests, the library and the Nest packages themselves - goes to this folder's node_modules
// (installed by scripts/install-nest11.sh from the lockfile next to this file). Any @nestjs
// package that is not installed here fails to resolve rather than silently mixing in the root's
// Nest 12 copy. Everything else (rxjs, reflect-metadata, axios, class-validator, ...) resolves
// from the root node_modules: this folder installs no peers (.npmrc legacy-peer-deps), so there
// is one copy of each. The `rootDir` of both configs is the repository root.
export const NEST11_MODULE_NAME_MAPPER = {
  '^@nestjs/([^/]+)(/.*)?$': '<rootDir>/compat/nest11/node_modules/@nestjs/$1$2',
};

export function withNest11(config) {
  return {
    ...config,
    // First match wins: the @nestjs entry goes first.
    moduleNameMapper: { ...NEST11_MODULE_NAME_MAPPER, ...config.moduleNameMapper },
  };
}
