// Unit tests live next to the library code (Nest's convention); e2e tests use test/jest-e2e.json.
// Nest 12 is ESM-only, so Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules,
// set by the npm scripts) and the package name maps to the library source like the tsconfig alias.
export default {
  rootDir: '.',
  roots: ['<rootDir>/libs'],
  testRegex: '\\.spec\\.ts$',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^nestjs-personalized-offers$': '<rootDir>/libs/personalized-offers/src/index.ts',
    '^nestjs-personalized-offers/testing$': '<rootDir>/libs/personalized-offers/src/testing/index.ts',
    '^nestjs-personalized-offers/health$': '<rootDir>/libs/personalized-offers/src/health/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
};
