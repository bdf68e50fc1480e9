import { Logger } from '@nestjs/common';
import { type PersonalizedOffersModuleOptions, loadPersonalizedOffersConfig } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, simulatorGatewayCredentials } from 'nestjs-personalized-offers/testing';

/** Where the example app gets its tokens: Mastercard (PLO_* set) or the embedded simulator. */
export interface Upstream {
  options: PersonalizedOffersModuleOptions;
  /** Set when the embedded simulator runs; stopped on shutdown. */
  simulator?: PersonalizedOffersSimulator;
}

/** The banks the example app serves besides its default registration: `/banks/:bank/…`. */
export const BANKS = ['bankA', 'bankB'] as const;
export type BankName = (typeof BANKS)[number];

/** Each bank's environment prefix: `PLO_BANK_A_FID`, `PLO_BANK_A_AUTHINFO_KEY`, … (the `PLO_*` names with `PLO_` replaced). */
export const BANK_ENV_PREFIXES: Readonly<Record<BankName, string>> = Object.freeze({ bankA: 'PLO_BANK_A_', bankB: 'PLO_BANK_B_' });

/** The fId each bank's embedded simulator serves. */
export const BANK_SIMULATOR_FIDS: Readonly<Record<BankName, string>> = Object.freeze({ bankA: '111111', bankB: '222222' });

const isBankVariable = (name: string): boolean => Object.values(BANK_ENV_PREFIXES).some((prefix) => name.startsWith(prefix));

/**
 * With any `PLO_*` variable set (the banks' `PLO_BANK_A_*` and `PLO_BANK_B_*` aside), reads the
 * validated environment; otherwise starts the embedded simulator with freshly generated development key material, so no credentials are needed. The
 * embedded simulator runs in gateway mode and the module signs for it (OAuth 1.0a, a throw-away
 * consumer key and RSA key pair made here): every request is signed and verified, as with Mastercard.
 */
export async function resolveUpstream(env: NodeJS.ProcessEnv = process.env): Promise<Upstream> {
  const own: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!isBankVariable(name)) own[name] = value;
  return fromEnvironmentOrSimulator(own, 'PLO_', '999999', 'the embedded Personalized Offers simulator');
}

/**
 * A bank's upstream: with any of its variables set (`PLO_BANK_A_FID`, `PLO_BANK_A_AUTHINFO_KEY`, …:
 * the `PLO_*` names with `PLO_` replaced by {@link BANK_ENV_PREFIXES}), those; otherwise an embedded simulator of its own (fId `111111` for bankA,
 * `222222` for bankB), so `npm start` needs no credentials for the banks either.
 */
export async function resolveBankUpstream(bank: BankName, env: NodeJS.ProcessEnv = process.env): Promise<Upstream> {
  const prefix = BANK_ENV_PREFIXES[bank];
  const own: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (name.startsWith(prefix)) own[name] = value;
  return fromEnvironmentOrSimulator(own, prefix, BANK_SIMULATOR_FIDS[bank], `${bank}'s embedded simulator`);
}

async function fromEnvironmentOrSimulator(env: NodeJS.ProcessEnv, prefix: string, fId: string, what: string): Promise<Upstream> {
  const logger = new Logger('ExampleApp');
  if (Object.keys(env).some((name) => name.startsWith(prefix) && env[name])) {
    // Errors name the variables as set (PLO_BANK_A_FID). An app on @nestjs/config would use
    // personalizedOffersConfigFor('bankA', 'PLO_BANK_A_') instead: the same reading, as a namespace.
    const options = loadPersonalizedOffersConfig(env, { prefix });
    logger.log(`Using the Personalized Offers API at ${options.baseUrl ?? 'the production URL'} (from ${prefix}* variables).`);
    return { options };
  }
  const { consumerKey, publicKey, signingKey } = simulatorGatewayCredentials();
  const simulator = new PersonalizedOffersSimulator({ fIds: [fId], gateway: { consumerKey, publicKey } });
  const { baseUrl } = await simulator.start();
  logger.warn(
    `No ${prefix}* variables set: started ${what} at ${baseUrl} ` +
      'with freshly generated development key material (AuthInfo and OAuth signing). Tokens from it are not real.',
  );
  return { options: { fId, baseUrl, authInfo: simulator.authInfo, oauth: { consumerKey, signingKey } }, simulator };
}
