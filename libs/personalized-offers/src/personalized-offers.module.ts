import { Module } from '@nestjs/common';
import { AuthInfoCryptoService } from './crypto/auth-info-crypto.service.js';
import { PersonalizedOffersHttpClient } from './http/personalized-offers-http.client.js';
import { OperationExecutor } from './operations/operation-executor.js';
import { LegacyUserPresentmentService } from './plo/legacy-user-presentment.service.js';
import { AccessTokenService } from './loyalty/access-tokens/access-token.service.js';
import { PlatformAdminService } from './loyalty/platform-admin/platform-admin.service.js';
import { UserPresentmentService } from './loyalty/user-presentment/user-presentment.service.js';
import {
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_TOKEN_STORE,
} from './personalized-offers.constants.js';
import { ConfigurableModuleClass } from './personalized-offers.module-definition.js';
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
  exports: [
    PersonalizedOffersDiagnostics,
    UserTokenService,
    LegacyUserPresentmentService,
    AccessTokenService,
    UserPresentmentService,
    PlatformAdminService,
    AuthInfoCryptoService,
    PERSONALIZED_OFFERS_FID,
    PERSONALIZED_OFFERS_KEY_MATERIAL,
    PERSONALIZED_OFFERS_CLOCK,
    PERSONALIZED_OFFERS_HTTP,
    PERSONALIZED_OFFERS_TOKEN_STORE,
    // Not in the package's API: read by the health indicator (nestjs-personalized-offers/health).
    PersonalizedOffersHttpClient,
  ],
})
export class PersonalizedOffersModule extends ConfigurableModuleClass {}
