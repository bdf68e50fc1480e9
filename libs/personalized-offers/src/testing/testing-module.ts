import { personalizedOffersConfig } from '../config/personalized-offers.config.js';
import type { PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { PERSONALIZED_OFFERS_MODULE_OPTIONS } from '../personalized-offers.module-definition.js';
import { resolveModuleOptions } from '../personalized-offers.providers.js';
import type { PersonalizedOffersSimulator } from './personalized-offers.simulator.js';

/**
 * What the helper needs from a test-module builder: `@nestjs/testing`'s `TestingModuleBuilder`
 * has it (`Test.createTestingModule(…)`). Typed by shape so this package does not depend on
 * `@nestjs/testing`.
 */
export interface PersonalizedOffersTestingModuleBuilder<B> {
  overrideProvider(typeOrToken: any): {
    useFactory(options: { factory: (...args: any[]) => any; inject?: any[] }): B;
  };
}

/**
 * The module options that point a `PersonalizedOffersModule` at a started simulator: its first
 * fId, its base URL and its AuthInfo key material, then `overrides` on top.
 */
export function personalizedOffersSimulatorOptions(
  simulator: PersonalizedOffersSimulator,
  overrides: Partial<PersonalizedOffersModuleOptions> = {},
): PersonalizedOffersModuleOptions {
  return { fId: simulator.fIds[0]!, baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...overrides };
}

/**
 * Points every `PersonalizedOffersModule` of the module under test at `simulator`, however the
 * app configured it, and returns the builder:
 *
 * ```ts
 * const moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [AppModule] }), simulator).compile();
 * ```
 *
 * It overrides the module's options provider (`PERSONALIZED_OFFERS_MODULE_OPTIONS`: `forRoot`,
 * and `forRootAsync` with `useFactory`, `useClass` or `useExisting`, whose factory is then never
 * called) and the `personalizedOffersConfig` namespace (`personalizedOffersConfig.KEY`: loaded by
 * `ConfigModule.forRoot({ load })`, `forFeature` or `asProvider()`), so the `PLO_*` environment is
 * neither read nor validated and `ConfigService.get('personalizedOffers')` gives the simulator's
 * options too. Overriding only `PERSONALIZED_OFFERS_MODULE_OPTIONS` is not enough for an app that
 * loads the namespace: `ConfigModule` still runs it, and it throws on a test machine's environment.
 *
 * The options are the simulator's fId (its first), base URL and AuthInfo key material, plus
 * `overrides` (e.g. `{ cache: false }`); nothing else from the app's own options is kept. The
 * simulator is started on `compile()` if it is not running yet; stopping it is the test's job.
 */
export function usePersonalizedOffersSimulator<B extends PersonalizedOffersTestingModuleBuilder<B>>(
  builder: B,
  simulator: PersonalizedOffersSimulator,
  overrides: Partial<PersonalizedOffersModuleOptions> = {},
): B {
  // Both overrides run during one compile(), possibly concurrently: start the simulator once.
  let starting: Promise<unknown> | undefined;
  const factory = async (): Promise<PersonalizedOffersModuleOptions> => {
    starting ??= simulator.start();
    try {
      await starting;
    } finally {
      starting = undefined;
    }
    return personalizedOffersSimulatorOptions(simulator, overrides);
  };
  return (
    builder
      .overrideProvider(personalizedOffersConfig.KEY)
      .useFactory({ factory })
      .overrideProvider(PERSONALIZED_OFFERS_MODULE_OPTIONS)
      .useFactory({ factory })
      // Nest 11 ignores a factory override of a value provider (`forRoot`'s options): the app's
      // literal options would stay. The module reads its options only through the resolved ones,
      // a factory provider, which Nest 11 does override.
      .overrideProvider(PERSONALIZED_OFFERS_RESOLVED_OPTIONS)
      .useFactory({ factory: async () => resolveModuleOptions(await factory()) })
  );
}
