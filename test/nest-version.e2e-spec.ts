import { readFileSync } from 'node:fs';
import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { Observable } from 'rxjs';
import { PERSONALIZED_OFFERS_HTTP, PersonalizedOffersModule } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';

// Which Nest the e2e suite actually runs against. `npm run test:e2e` runs the root's Nest (the
// major of the root's @nestjs/core pin); `npm run test:e2e:nest11` sets EXPECT_NEST_MAJOR=11 and
// maps every @nestjs/* import to compat/nest11. A mapper mistake (a package left on the root's
// copy, a mapping that resolves nowhere) fails here rather than passing the suite on the wrong Nest.
const rootPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const expectedMajor = Number(process.env.EXPECT_NEST_MAJOR || rootPackage.devDependencies['@nestjs/core'].split('.')[0]);

/** The major of the `@nestjs/axios` and `@nestjs/config` lines that go with a Nest major. */
const satelliteMajor = (nestMajor: number): number => (nestMajor === 11 ? 4 : nestMajor);

// Specifiers in variables: resolved by Jest at run time (through the moduleNameMapper), not by tsc.
const load = (specifier: string): Promise<Record<string, unknown>> => import(specifier);
const versionOf = async (pkg: string): Promise<number> => {
  const json = (await import(`${pkg}/package.json`, { with: { type: 'json' } })) as { default: { version: string } };
  return Number(json.default.version.split('.')[0]);
};

describe(`the Nest the suite runs against (expected major ${expectedMajor})`, () => {
  it('has a sane expectation', () => {
    expect([11, 12]).toContain(expectedMajor);
  });

  it('loads @nestjs/common, @nestjs/core, @nestjs/platform-express and @nestjs/config of that line', async () => {
    expect(await versionOf('@nestjs/common')).toBe(expectedMajor);
    expect(await versionOf('@nestjs/core')).toBe(expectedMajor);
    expect(await versionOf('@nestjs/platform-express')).toBe(expectedMajor);
    expect(await versionOf('@nestjs/config')).toBe(satelliteMajor(expectedMajor));
  });

  // Nest 11 is CommonJS, Nest 12 ESM-only: a CommonJS module imported from ESM has a `default`
  // export (its module.exports), an ES module of Nest 12 does not. This checks the module that was
  // actually loaded, for every @nestjs package the suite uses, not only its package.json.
  it.each([
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/testing',
    '@nestjs/platform-express',
    '@nestjs/axios',
    '@nestjs/config',
    '@nestjs/microservices',
    '@nestjs/terminus',
  ])('loads the %s of that line', async (pkg) => {
    const namespace = await load(pkg);
    expect(Object.keys(namespace).length).toBeGreaterThan(1);
    expect({ pkg, commonJs: 'default' in namespace }).toEqual({ pkg, commonJs: expectedMajor < 12 });
  });

  it('shares one @nestjs/axios and one rxjs between the library, Nest and the tests', async () => {
    const simulator = new PersonalizedOffersSimulator();
    await simulator.start();
    const moduleRef = await Test.createTestingModule({
      imports: [PersonalizedOffersModule.forRoot({ fId: '999999', baseUrl: simulator.baseUrl, authInfo: simulator.authInfo })],
    }).compile();
    try {
      const http = moduleRef.get<HttpService>(PERSONALIZED_OFFERS_HTTP);
      expect(http).toBeInstanceOf(HttpService);
      // Cold: nothing is sent until subscribed.
      expect(http.get('http://127.0.0.1:9/')).toBeInstanceOf(Observable);
    } finally {
      await moduleRef.close();
      await simulator.stop();
    }
  });
});
