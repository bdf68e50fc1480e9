import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PersonalizedOffersModuleOptions } from './interfaces/index.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PERSONALIZED_OFFERS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PersonalizedOffersModuleOptions>({ moduleName: 'PersonalizedOffers' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPersonalizedOffersOptions')
  // Without the transform the flag would be accepted and silently dropped. `name` is read by
  // PersonalizedOffersModule.forRoot / forRootAsync (named registrations).
  .setExtras({ isGlobal: false, name: undefined as string | undefined }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** `forRoot` argument: the options plus `isGlobal` and `name` (a named registration; any number per app). */
export type PersonalizedOffersModuleForRootOptions = typeof OPTIONS_TYPE;
/** `forRootAsync` argument: `imports`, `inject`, `useFactory | useClass | useExisting`, `isGlobal`, `name`. */
export type PersonalizedOffersModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
