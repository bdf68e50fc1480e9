export {
  PersonalizedOffersSimulator,
  type PersonalizedOffersSimulatorOptions,
} from './personalized-offers.simulator.js';
export type { SimulatorFault, SimulatorFaultSchedule } from './simulator-fault.js';
