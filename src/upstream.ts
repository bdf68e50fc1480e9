import { Logger } from '@nestjs/common';
import { type PersonalizedOffersModuleOptions, loadPersonalizedOffersConfig } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';

/** Where the example app gets its tokens: Mastercard (PLO_* set) or the embedded simulator. */
export interface Upstream {
  options: PersonalizedOffersModuleOptions;
  /** Set when the embedded simulator runs; stopped on shutdown. */
  simulator?: PersonalizedOffersSimulator;
}

/**
 * With any `PLO_*` variable set, reads the validated environment; otherwise starts the embedded
 * simulator with freshly generated development key material, so no credentials are needed.
 */
export async function resolveUpstream(env: NodeJS.ProcessEnv = process.env): Promise<Upstream> {
  const logger = new Logger('ExampleApp');
  if (Object.keys(env).some((name) => name.startsWith('PLO_') && env[name])) {
    const options = loadPersonalizedOffersConfig(env);
    logger.log(`Using the Personalized Offers API at ${options.baseUrl ?? 'the production URL'} (from PLO_* variables).`);
    return { options };
  }
  const simulator = new PersonalizedOffersSimulator({ fIds: ['999999'] });
  const { baseUrl } = await simulator.start();
  logger.warn(
    `No PLO_* variables set: started the embedded Personalized Offers simulator at ${baseUrl} ` +
      'with freshly generated development key material. Tokens from it are not real.',
  );
  return { options: { fId: '999999', baseUrl, authInfo: simulator.authInfo }, simulator };
}
