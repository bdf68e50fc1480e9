import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PersonalizedOffersModuleOptions } from './interfaces/index.js';

export const {
  ConfigurableModuleClass,
  /**
   * Injection token of the {@link PersonalizedOffersModuleOptions} a registration was given (as
   * passed to `forRoot` / returned by the `forRootAsync` factory, before defaults are applied).
   */
  MODULE_OPTIONS_TOKEN: PERSONALIZED_OFFERS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PersonalizedOffersModuleOptions>({ moduleName: 'PersonalizedOffers' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPersonalizedOffersOptions')
  // Without the transform the flag would be accepted and silently dropped. `name` is read by
  // PersonalizedOffersModule.forRoot / forRootAsync (named registrations).
  .setExtras(
    {
      /** Register the module globally: its providers can be injected without importing it. */
      isGlobal: false,
      /**
       * Name of this registration (letters, digits, `_`, `-`; up to 64), for any number of registrations per
       * app; inject its providers with {@link InjectPersonalizedOffers}. Omitted: the default registration.
       */
      name: undefined as string | undefined,
    },
    (definition, extras) => ({ ...definition, global: extras.isGlobal }),
  )
  .build();

/**
 * `forRoot` argument: the options plus `isGlobal` and `name` (a named registration; any number per app).
 *
 * @interface
 */
export type PersonalizedOffersModuleForRootOptions = typeof OPTIONS_TYPE;
/**
 * `forRootAsync` argument: `imports`, `inject`, `useFactory | useClass | useExisting`, `isGlobal`, `name`.
 *
 * @interface
 */
export type PersonalizedOffersModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
