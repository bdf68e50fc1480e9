/**
 * The NestJS module for the Mastercard Personalized Offers API: `PersonalizedOffersModule` and its
 * services (user session tokens, AuthInfo encryption, the legacy `/plo` operations and the
 * `/loyalty` user-presentment, access-token and platform-admin operations), the typed response
 * models, the error classes and exception filter, the configuration helpers and the token stores.
 *
 * @module nestjs-personalized-offers
 */
export { PersonalizedOffersModule } from './personalized-offers.module.js';
export {
  PERSONALIZED_OFFERS_MODULE_OPTIONS,
  type PersonalizedOffersModuleAsyncOptions,
  type PersonalizedOffersModuleForRootOptions,
} from './personalized-offers.module-definition.js';
export {
  PRODUCTION_BASE_URL,
  SANDBOX_BASE_URL,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_TOKEN_STORE,
  LOGGER_CONTEXT,
} from './personalized-offers.constants.js';
export * from './personalized-offers.decorators.js';
export * from './interfaces/index.js';
export * from './errors/index.js';
export { AuthInfoCryptoService } from './crypto/auth-info-crypto.service.js';
export { AuthInfoKeyMaterial } from './crypto/auth-info-key-material.js';
export type { AuthInfoPlaintext } from './crypto/auth-info.codec.js';
export { UserTokenService } from './user-token/user-token.service.js';
export { SUCCESS_STATUS_CODE } from './operations/legacy-envelope.js';
export { LegacyUserPresentmentService, DEFAULT_MAX_PAGES, type PageIterationOptions } from './plo/legacy-user-presentment.service.js';
export type * from './plo/legacy-user-presentment.params.js';
export * from './plo/models/index.js';
export { AccessTokenService, type AccessTokenCallOptions } from './loyalty/access-tokens/access-token.service.js';
export { UserPresentmentService, type OffsetIterationOptions } from './loyalty/user-presentment/user-presentment.service.js';
export type { ImpressionsReceipt } from './loyalty/user-presentment/user-presentment.operations.js';
export type * from './loyalty/user-presentment/user-presentment.params.js';
export { PlatformAdminService } from './loyalty/platform-admin/platform-admin.service.js';
export type * from './loyalty/platform-admin/platform-admin.params.js';
export * from './loyalty/models/index.js';
export { UserTokenResponse, UserTokenResponseBody, ResponseStatus, UserToken } from './user-token/user-token.response.js';
export {
  personalizedOffersConfig,
  loadPersonalizedOffersConfig,
  PersonalizedOffersEnvironment,
  PERSONALIZED_OFFERS_CONFIG_NAMESPACE,
  PERSONALIZED_OFFERS_ENV_VARIABLES,
} from './config/personalized-offers.config.js';
export { PersonalizedOffersExceptionFilter, toHttpStatus } from './filters/personalized-offers-exception.filter.js';
export type { TokenStore } from './cache/token-store.interface.js';
export { MemoryTokenStore } from './cache/memory-token.store.js';
export { RedisTokenStore, type RedisTokenStoreOptions } from './cache/redis-token.store.js';
export { PersonalizedOffersDiagnostics, MAX_CLOCK_OFFSET_SECONDS } from './diagnostics/personalized-offers-diagnostics.js';
export type { DiagnosticCheck, DiagnosticCheckName, DiagnosticReport } from './diagnostics/diagnostic-report.js';
export { isAlreadyActivatedError, type ActivationStatus, type EnsureActivatedOptions, type EnsureActivatedResult } from './operations/activation-resolution.js';
export type { LegacyEnsureActivatedOptions } from './plo/legacy-user-presentment.service.js';
export {
  toResponseCode,
  PERSONALIZED_OFFERS_EXCEPTION_FILTER_OPTIONS,
  type PersonalizedOffersExceptionFilterOptions,
} from './filters/personalized-offers-exception.filter.js';
export { ENVIRONMENT_HOSTS, type LoadPersonalizedOffersConfigOptions } from './config/personalized-offers.config.js';
export { findUnknownVariables, type UnknownVariable } from './config/unknown-variables.js';
export { getPersonalizedOffersToken, InjectPersonalizedOffers, type PersonalizedOffersProviderToken } from './personalized-offers.registration.js';
export { EncryptedTokenStore, type EncryptedTokenStoreOptions, type KeyValueBackend } from './cache/encrypted-token.store.js';
export { personalizedOffersConfigFor, type PersonalizedOffersConfigNamespace } from './config/personalized-offers.config.js';
export type { UnknownVariableScope } from './config/unknown-variables.js';
export type { RedisConnectionOptions, RedisMode } from './cache/redis-token.store.js';
