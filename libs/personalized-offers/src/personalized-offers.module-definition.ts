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
  // Without the transform the flag would be accepted and silently dropped.
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** `forRoot` argument: the options plus `isGlobal`. */
export type PersonalizedOffersModuleForRootOptions = typeof OPTIONS_TYPE;
/** `forRootAsync` argument: `imports`, `inject`, `useFactory | useClass | useExisting`, `isGlobal`. */
export type PersonalizedOffersModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
