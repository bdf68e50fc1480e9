/**
 * The embedded simulator of the Personalized Offers API (both families, gateway signature and
 * OAuth 2.0 checks, scheduled faults) and the helpers that point a Nest testing module at it
 * (`usePersonalizedOffersSimulator`). For tests and local development; not for production.
 *
 * @module nestjs-personalized-offers/testing
 */
export { PersonalizedOffersSimulator, type PersonalizedOffersSimulatorOptions } from './personalized-offers.simulator.js';
export { seededRandom, type SimulatorFault, type SimulatorFaultRule, type SimulatorFaultSchedule } from './simulator-fault.js';
export type { SimulatorGatewayOptions, GatewaySignatureMethod } from './gateway/simulator-gateway.js';
export { simulatorGatewayCredentials, type SimulatorGatewayCredentials } from './gateway/credentials.js';
export type { SimulatorOAuth2Options, SimulatorOAuth2GatewayOptions, SimulatorWwwAuthenticateStyle } from './gateway/oauth2-gateway.js';
export { simulatorOAuth2Credentials, type SimulatorOAuth2Credentials } from './gateway/oauth2-credentials.js';
export {
  usePersonalizedOffersSimulator,
  personalizedOffersSimulatorOptions,
  type PersonalizedOffersTestingModuleBuilder,
  type PersonalizedOffersSimulatorTarget,
} from './testing-module.js';
export type { SimulatorRequestRecord } from './simulator/request-log.js';
export type { SimulatorImpression } from './simulator/state.js';
