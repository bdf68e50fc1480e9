import { type DynamicModule, Module } from '@nestjs/common';
import { AuthInfoCryptoService } from './crypto/auth-info-crypto.service.js';
import { PersonalizedOffersHttpClient } from './http/personalized-offers-http.client.js';
import { OperationExecutor } from './operations/operation-executor.js';
import { LegacyUserPresentmentService } from './plo/legacy-user-presentment.service.js';
import { AccessTokenService } from './loyalty/access-tokens/access-token.service.js';
import { PlatformAdminService } from './loyalty/platform-admin/platform-admin.service.js';
import { UserPresentmentService } from './loyalty/user-presentment/user-presentment.service.js';
import {
  ConfigurableModuleClass,
  type PersonalizedOffersModuleAsyncOptions,
  type PersonalizedOffersModuleForRootOptions,
} from './personalized-offers.module-definition.js';
import { completeDefinition, EXPORTED_TOKENS } from './personalized-offers.registration.js';
import { cacheProviders, configProviders, httpProviders } from './personalized-offers.providers.js';
import { UserTokenService } from './user-token/user-token.service.js';
import { telemetryProviders } from './telemetry/telemetry.providers.js';
import { PersonalizedOffersDiagnostics } from './diagnostics/personalized-offers-diagnostics.js';

/**
 * The Mastercard Personalized Offers module: `forRoot(options)` or `forRootAsync({ … })`.
 * Each registration gets its own providers, HTTP client and configuration.
 */
@Module({
  providers: [
    ...configProviders,
    ...httpProviders,
    ...cacheProviders,
    ...telemetryProviders,
    AuthInfoCryptoService,
    PersonalizedOffersHttpClient,
    OperationExecutor,
    UserTokenService,
    LegacyUserPresentmentService,
    AccessTokenService,
    UserPresentmentService,
    PlatformAdminService,
    PersonalizedOffersDiagnostics,
  ],
})
export class PersonalizedOffersModule extends ConfigurableModuleClass {
  /**
   * A registration from options. With `name`, its services and config providers are exported
   * under `getPersonalizedOffersToken(Service, name)` only (inject them with
   * `@InjectPersonalizedOffers(Service, name)`); without, under their classes and symbols.
   */
  static override forRoot(options: PersonalizedOffersModuleForRootOptions): DynamicModule {
    return completeDefinition(super.forRoot(options), options, EXPORTS);
  }

  /** A registration from a factory, class or existing provider; `name` as with `forRoot`. */
  static override forRootAsync(options: PersonalizedOffersModuleAsyncOptions): DynamicModule {
    return completeDefinition(super.forRootAsync(options), options, EXPORTS);
  }
}

/** What every registration exports (named ones: under their aliases). */
const EXPORTS = [
  PersonalizedOffersDiagnostics,
  UserTokenService,
  LegacyUserPresentmentService,
  AccessTokenService,
  UserPresentmentService,
  PlatformAdminService,
  AuthInfoCryptoService,
  ...EXPORTED_TOKENS,
  // Not in the package's API: read by the health indicator (nestjs-personalized-offers/health).
  PersonalizedOffersHttpClient,
];
