import type { UserTokenService } from 'nestjs-personalized-offers';
import type { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';

/** What a steady load saw, once stopped. */
export interface FleetLoadResult {
  /** Calls that returned a token. */
  calls: number;
  /** The new users ("waves") the load asked for. */
  waves: Set<string>;
  /** Users whose token was not the simulator's for them. */
  wrong: string[];
  /** Every error a call threw. */
  errors: unknown[];
}

/**
 * A steady stream of user-token calls from every instance of a fleet, for failover tests: every
 * 10 ms per instance a warm user, and every 5th call the user of the current 400 ms "wave" (a new
 * user that all instances ask for). `stop()` ends the loops and gives what they saw.
 */
export function steadyLoad(
  fleet: ReadonlyArray<{ svc: UserTokenService }>,
  warm: readonly string[],
  simulator: PersonalizedOffersSimulator,
): { stop(): Promise<FleetLoadResult> } {
  const started = Date.now();
  const wave = () => `wave-${Math.floor((Date.now() - started) / 400)}`;
  const result: FleetLoadResult = { calls: 0, waves: new Set(), wrong: [], errors: [] };
  let stopped = false;
  const loops = fleet.map(async ({ svc }, i) => {
    for (let n = 0; !stopped; n++) {
      const user = n % 5 === 0 ? wave() : warm[(n + i) % warm.length];
      if (user.startsWith('wave-')) result.waves.add(user);
      try {
        const token = await svc.getUserToken(user);
        result.calls++;
        if (token !== simulator.tokenFor('999999', user)) result.wrong.push(user);
      } catch (error) {
        result.errors.push(error);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return result;
    },
  };
}
