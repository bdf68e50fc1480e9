import type { Clock } from '../interfaces/index.js';

/** The default clock: the machine's wall time. */
export const systemClock: Clock = { now: () => Date.now() };
