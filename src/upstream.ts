import { Logger } from '@nestjs/common';
import { type PersonalizedOffersModuleOptions, loadPersonalizedOffersConfig } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, simulatorGatewayCredentials } from 'nestjs-personalized-offers/testing';

/** Where the example app gets its tokens: Mastercard (PLO_* set) or the embedded simulator. */
export interface Upstream {
  options: PersonalizedOffersModuleOptions;
  /** Set when the embedded simulator runs; stopped on shutdown. */
  simulator?: PersonalizedOffersSimulator;
}

/**
 * With any `PLO_*` variable set, reads the validated environment; otherwise starts the embedded
 * simulator with freshly generated development key material, so no credentials are needed. The
 * embedded simulator runs in gateway mode and the module signs for it (OAuth 1.0a, a throw-away
 * consumer key and RSA key pair made here): every request is signed and verified, as with Mastercard.
 */
export async function resolveUpstream(env: NodeJS.ProcessEnv = process.env): Promise<Upstream> {
  const logger = new Logger('ExampleApp');
  if (Object.keys(env).some((name) => name.startsWith('PLO_') && env[name])) {
    const options = loadPersonalizedOffersConfig(env);
    logger.log(`Using the Personalized Offers API at ${options.baseUrl ?? 'the production URL'} (from PLO_* variables).`);
    return { options };
  }
  const { consumerKey, publicKey, signingKey } = simulatorGatewayCredentials();
  const simulator = new PersonalizedOffersSimulator({ fIds: ['999999'], gateway: { consumerKey, publicKey } });
  const { baseUrl } = await simulator.start();
  logger.warn(
    `No PLO_* variables set: started the embedded Personalized Offers simulator at ${baseUrl} ` +
      'with freshly generated development key material (AuthInfo and OAuth signing). Tokens from it are not real.',
  );
  return { options: { fId: '999999', baseUrl, authInfo: simulator.authInfo, oauth: { consumerKey, signingKey } }, simulator };
}
