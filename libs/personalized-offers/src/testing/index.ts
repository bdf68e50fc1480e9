export {
  PersonalizedOffersSimulator,
  type PersonalizedOffersSimulatorOptions,
} from './personalized-offers.simulator.js';
export type { SimulatorFault, SimulatorFaultRule, SimulatorFaultSchedule } from './simulator-fault.js';
export type { SimulatorRequestRecord } from './simulator/request-log.js';
export type { SimulatorImpression } from './simulator/state.js';
