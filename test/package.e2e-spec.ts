import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

// Runs after `npm run build` (the test command builds first): the package as users install it.
const root = join(import.meta.dirname, '..');
/** The package.json fields these tests read. */
interface PackageJson {
  name: string;
  license: string;
  main: string;
  types: string;
  files: string[];
  exports: Record<string, string | { types: string; default: string }>;
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;

const PUBLIC_NAMES = [
  'PersonalizedOffersModule',
  'UserTokenService',
  'AuthInfoCryptoService',
  'PersonalizedOffersError',
  'PersonalizedOffersApiError',
  'PersonalizedOffersNetworkError',
  'PersonalizedOffersConfigError',
  'InvalidUserIdError',
  'PRODUCTION_BASE_URL',
  'SANDBOX_BASE_URL',
  'PERSONALIZED_OFFERS_FID',
  'PERSONALIZED_OFFERS_KEY_MATERIAL',
  'InjectFId',
  'InjectAuthInfoKeyMaterial',
  'personalizedOffersConfig',
  'PersonalizedOffersExceptionFilter',
  'UserTokenResponse',
  'PersonalizedOffersUnavailableError',
  'PersonalizedOffersCacheError',
  'InjectTokenStore',
  'PERSONALIZED_OFFERS_TOKEN_STORE',
  'MemoryTokenStore',
  'RedisTokenStore',
  'LegacyUserPresentmentService',
  'AccessTokenService',
  'UserPresentmentService',
  'PlatformAdminService',
  'PersonalizedOffersInvalidResponseError',
  'PersonalizedOffersOutcomeUnknownError',
];

/** Runs a CommonJS snippet in a fresh Node process (Jest's own loader is not what users get). */
function node(code: string): string {
  return execFileSync(process.execPath, ['--input-type=commonjs', '-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
}

describe('the built package', () => {
  it('points main, types and every exports entry at files that exist', () => {
    const targets = [pkg.main, pkg.types];
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') targets.push(entry);
      else targets.push(entry.types, entry.default);
    }
    expect(targets.length).toBeGreaterThanOrEqual(6);
    for (const target of targets) expect([target, existsSync(join(root, target))]).toEqual([target, true]);
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
  });

  it('require(<checkout>) returns the public API', () => {
    const out = node(`const m = require(${JSON.stringify(root)}); console.log(JSON.stringify(Object.keys(m)));`);
    const names: string[] = JSON.parse(out.trim().split('\n').pop()!);
    for (const name of PUBLIC_NAMES) expect(names).toContain(name);
    expect(names).not.toContain('PersonalizedOffersSimulator');
  });

  it('the testing entry loads and its simulator serves a token', () => {
    const out = node(`
      const { PersonalizedOffersSimulator } = require('nestjs-personalized-offers/testing');
      const sim = new PersonalizedOffersSimulator();
      sim.start().then(async ({ baseUrl }) => { console.log(baseUrl); await sim.stop(); });
    `);
    expect(out.trim().split('\n').pop()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('ships only the built library, the changelog and the guides', () => {
    expect(pkg.files).toEqual(['dist/personalized-offers', 'CHANGELOG.md', 'docs/*.md']);
    expect(pkg.name).toBe('nestjs-personalized-offers');
  });

  it('packs the build, CHANGELOG, LICENSE, README, the guides (docs/*.md) and package.json only; every source map carries its sources', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const paths = packed.files.map((f) => f.path);
    const guides = readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`);
    expect(guides.length).toBeGreaterThan(5);
    expect(paths.filter((p) => !p.startsWith('dist/personalized-offers/')).sort()).toEqual(
      ['CHANGELOG.md', 'LICENSE', 'README.md', ...guides, 'package.json'].sort(),
    );
    expect(paths.some((p) => /\.spec\./.test(p))).toBe(false);
    const maps = paths.filter((p) => p.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      // The .ts sources are not in the tarball; their text is inlined so stack traces and debuggers resolve.
      expect([map, parsed.sourcesContent?.length]).toEqual([map, parsed.sources.length]);
      expect(parsed.sourcesContent!.every((c) => typeof c === 'string' && c.length > 0)).toBe(true);
    }
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('MIT License');
    expect(pkg.license).toBe('MIT');
  });

  it('builds itself when installed from git or a folder (a prepare script that builds the library)', () => {
    expect(pkg.scripts.prepare).toBe('npm run build:lib');
  });

  it('imports nothing that is not a declared peer or dependency', () => {
    const declared = new Set([...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.js')) files.push(join(dir, e.name));
      }
    };
    walk(join(root, 'dist/personalized-offers'));
    const undeclared = new Set<string>();
    for (const file of files) {
      // `from '…'`, `import '…'` and `import('…')`; not a word ending in "from" before a quote in a string.
      // Comments left out: prose such as 'tell "not active" from "not listed"' is not an import.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      const specs = [...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]|\bimport\s+['"]([^'"]+)['"]/g)];
      for (const spec of specs.map((m) => m.at(1) ?? m.at(2) ?? m[3])) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!declared.has(name)) undeclared.add(name);
      }
    }
    expect(files.length).toBeGreaterThan(10);
    expect([...undeclared]).toEqual([]);
  });
});
