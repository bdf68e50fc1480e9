import { type DynamicModule, Inject, type Provider } from '@nestjs/common';
import { PersonalizedOffersConfigError } from './errors/personalized-offers-config.error.js';
import {
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_REGISTRATION,
  PERSONALIZED_OFFERS_TOKEN_STORE,
} from './personalized-offers.constants.js';

/** A class or a symbol the module provides: what `getPersonalizedOffersToken` names for a registration. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor, whatever its parameters (the public type in the API report; `unknown[]` would refuse classes with typed constructors)
export type PersonalizedOffersProviderToken = symbol | (abstract new (...args: any[]) => unknown);

/** A registration name: letters, digits, `_` and `-`, 1 to 64 characters (it goes into cache keys and telemetry). */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws `PersonalizedOffersConfigError` (setting `name`) unless `name` is a usable registration name. */
export function checkRegistrationName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new PersonalizedOffersConfigError(
      'name',
      'name must be 1 to 64 letters, digits, "_" or "-" (it names the registration in cache keys, logs and telemetry).',
    );
  }
}

/**
 * The injection token of one of the module's services or config providers for a registration:
 * the class (or symbol) itself for the default registration (no `name`), a string unique to the
 * name otherwise, e.g. `getPersonalizedOffersToken(UserTokenService, 'bankA')`.
 */
export function getPersonalizedOffersToken(provider: PersonalizedOffersProviderToken, name?: string): PersonalizedOffersProviderToken | string {
  if (name === undefined) return provider;
  checkRegistrationName(name);
  const what = typeof provider === 'symbol' ? (provider.description ?? String(provider)) : provider.name;
  return `PersonalizedOffers[${name}]:${what}`;
}

/**
 * Injects one of the module's services or config providers of a registration:
 * `@InjectPersonalizedOffers(UserTokenService, 'bankA') private readonly bankA: UserTokenService`.
 * Without `name`, the default registration's (the same as injecting the class).
 */
export const InjectPersonalizedOffers = (provider: PersonalizedOffersProviderToken, name?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getPersonalizedOffersToken(provider, name));

/** Config providers every registration exports (the services are added by the module). */
export const EXPORTED_TOKENS: readonly symbol[] = [
  PERSONALIZED_OFFERS_FID,
  PERSONALIZED_OFFERS_KEY_MATERIAL,
  PERSONALIZED_OFFERS_CLOCK,
  PERSONALIZED_OFFERS_HTTP,
  PERSONALIZED_OFFERS_TOKEN_STORE,
];

/**
 * Completes a `forRoot` / `forRootAsync` definition: the registration's name as a provider, and
 * its exports. The default registration exports the classes and symbols themselves; a named one
 * exports only aliases named for it, so two registrations in one app never answer for each other.
 */
export function completeDefinition(
  definition: DynamicModule,
  // `undefined` from JS callers of `forRoot()` / `forRootAsync()` without options.
  extras: { isGlobal?: boolean; name?: string } | undefined,
  exported: readonly PersonalizedOffersProviderToken[],
): DynamicModule {
  const name = extras?.name;
  if (name !== undefined) checkRegistrationName(name);
  const providers: Provider[] = [...(definition.providers ?? []), { provide: PERSONALIZED_OFFERS_REGISTRATION, useValue: name ?? null }];
  let exports: Array<PersonalizedOffersProviderToken | string>;
  if (name === undefined) {
    exports = [...exported];
  } else {
    exports = [];
    for (const token of exported) {
      const alias = getPersonalizedOffersToken(token, name);
      providers.push({ provide: alias, useExisting: token });
      exports.push(alias);
    }
  }
  return { ...definition, global: extras?.isGlobal, providers, exports: [...(definition.exports ?? []), ...exports] };
}
