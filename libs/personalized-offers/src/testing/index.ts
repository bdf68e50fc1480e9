export {
  PersonalizedOffersSimulator,
  type PersonalizedOffersSimulatorOptions,
} from './personalized-offers.simulator.js';
export { seededRandom, type SimulatorFault, type SimulatorFaultRule, type SimulatorFaultSchedule } from './simulator-fault.js';
export type { SimulatorGatewayOptions, GatewaySignatureMethod } from './gateway/simulator-gateway.js';
export { simulatorGatewayCredentials, type SimulatorGatewayCredentials } from './gateway/credentials.js';
export {
  usePersonalizedOffersSimulator,
  personalizedOffersSimulatorOptions,
  type PersonalizedOffersTestingModuleBuilder,
} from './testing-module.js';
export type { SimulatorRequestRecord } from './simulator/request-log.js';
export type { SimulatorImpression } from './simulator/state.js';
