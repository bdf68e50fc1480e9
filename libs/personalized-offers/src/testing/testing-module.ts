import { KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { OAuth2Gateway } from './gateway/oauth2-gateway.js';
import { personalizedOffersConfig, loadPersonalizedOffersConfig } from '../config/personalized-offers.config.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { OAuth2Options, OAuthOptions, PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { PERSONALIZED_OFFERS_REGISTRATION, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { PERSONALIZED_OFFERS_MODULE_OPTIONS } from '../personalized-offers.module-definition.js';
import { resolveModuleOptions } from '../personalized-offers.providers.js';
import { loadSigningKey } from '../signing/signing-key.loader.js';
import { SimulatorGateway } from './gateway/simulator-gateway.js';
import type { PersonalizedOffersSimulator } from './personalized-offers.simulator.js';

/**
 * What the helper needs from a test-module builder: `@nestjs/testing`'s `TestingModuleBuilder`
 * has it (`Test.createTestingModule(…)`). Typed by shape so this package does not depend on
 * `@nestjs/testing`.
 */
export interface PersonalizedOffersTestingModuleBuilder<B> {
  overrideProvider(typeOrToken: any): {
    useFactory(options: { factory: (...args: any[]) => any; inject?: any[] }): B;
  };
}

/**
 * The module options that point a `PersonalizedOffersModule` at a started simulator: its first
 * fId, its base URL and its AuthInfo key material, then `overrides` on top. Nothing else: for an
 * app's own options with the simulator's on top, see {@link usePersonalizedOffersSimulator}.
 */
export function personalizedOffersSimulatorOptions(
  simulator: PersonalizedOffersSimulator,
  overrides: Partial<PersonalizedOffersModuleOptions> = {},
): PersonalizedOffersModuleOptions {
  return { fId: simulator.fIds[0]!, baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...overrides };
}

/**
 * The app's options pointed at the simulator: everything the app configured (`oauth`, `http`,
 * `cache`, `accessTokens`, `language`, …) is kept; only what locates the API and what the
 * simulator must know change: `baseUrl` (the simulator's), `fId` (the app's when the simulator
 * serves it, else the simulator's first), `authInfo` (the simulator's key material, the only one
 * it decrypts with) and `http.proxy` (dropped: a forward proxy does not reach a loopback
 * simulator). `overrides` go on top.
 */
function pointAtSimulator(
  app: PersonalizedOffersModuleOptions,
  simulator: PersonalizedOffersSimulator,
  overrides: Partial<PersonalizedOffersModuleOptions>,
): PersonalizedOffersModuleOptions {
  const { proxy: _proxy, ...http } = app.http ?? {};
  // OAuth 2.0: the simulator is the token endpoint and the issuer (never Mastercard's).
  const oauth2 = app.oauth2 ? (({ tokenEndpoint: _t, issuer: _i, ...rest }) => rest)(app.oauth2) : undefined;
  return {
    ...app,
    ...(app.http !== undefined ? { http } : {}),
    ...(oauth2 ? { oauth2 } : {}),
    fId: simulator.fIds.includes(app.fId) ? app.fId : simulator.fIds[0]!,
    baseUrl: simulator.baseUrl,
    authInfo: simulator.authInfo,
    ...overrides,
  };
}

/**
 * The app's settings from the `PLO_*` environment (what `personalizedOffersConfig` would load),
 * with the variables that locate the API and the AuthInfo key material replaced by the
 * simulator's, so a test machine without any `PLO_*` gets a valid configuration and one with
 * `PLO_OAUTH_*`, `PLO_HTTP_*`, `PLO_CACHE*`… keeps them. Invalid ones still throw the namespace's
 * `PersonalizedOffersConfigError`.
 */
function environmentOptions(simulator: PersonalizedOffersSimulator): PersonalizedOffersModuleOptions {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (/^PLO_(ENV|BASE_URL|FID|AUTHINFO_[A-Z]+)$/.test(name)) delete env[name];
  // Placeholders that pass validation; pointAtSimulator puts the simulator's own objects in.
  const placeholder = '00000000000000000000000000000000';
  Object.assign(env, { PLO_FID: simulator.fIds[0], PLO_AUTHINFO_KEY: placeholder, PLO_AUTHINFO_IV: placeholder });
  return loadPersonalizedOffersConfig(env);
}

type OptionsProvider =
  | { provide: unknown; useValue: PersonalizedOffersModuleOptions }
  | { provide: unknown; useFactory: (...args: unknown[]) => PersonalizedOffersModuleOptions | Promise<PersonalizedOffersModuleOptions>; inject?: unknown[] };

const getMetadata = (key: string, target: object): unknown => (Reflect as unknown as { getMetadata?: (k: string, t: object) => unknown }).getMetadata?.(key, target);

/**
 * The app's own `PERSONALIZED_OFFERS_MODULE_OPTIONS` provider (`forRoot`'s value, or
 * `forRootAsync`'s factory with its `inject`), found in the modules the builder imports, before
 * the override replaces it. `undefined` when it cannot be found (an async dynamic module, a
 * builder of another shape): the app's options then come from the environment.
 */
function findAppOptionsProvider(builder: object): OptionsProvider | undefined {
  const queue: unknown[] = [(builder as { module?: unknown }).module];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    let item = queue.shift();
    if (item && typeof item === 'object' && typeof (item as { forwardRef?: unknown }).forwardRef === 'function') item = (item as { forwardRef: () => unknown }).forwardRef();
    if (!item || seen.has(item)) continue;
    seen.add(item);
    let imports: unknown;
    let providers: unknown;
    if (typeof item === 'function') {
      imports = getMetadata('imports', item);
      providers = getMetadata('providers', item);
    } else if (typeof item === 'object' && 'module' in item) {
      ({ imports, providers } = item as { imports?: unknown; providers?: unknown });
      queue.push((item as { module: unknown }).module);
    }
    for (const provider of Array.isArray(providers) ? providers : []) {
      if (provider && typeof provider === 'object' && (provider as { provide?: unknown }).provide === PERSONALIZED_OFFERS_MODULE_OPTIONS) {
        if ('useValue' in provider || typeof (provider as { useFactory?: unknown }).useFactory === 'function') return provider as OptionsProvider;
      }
    }
    if (Array.isArray(imports)) queue.push(...imports);
  }
  return undefined;
}

/** The simulator's gateway, read from the instance (no public accessor yet). */
type SimulatorInternals = { gateway?: SimulatorGateway; oauth2?: OAuth2Gateway; now?: () => number; url?: string };

/**
 * An app on OAuth 2.0 is tested against the simulator in OAuth 2.0 mode with the app's client ID,
 * kid and the public half of its authentication key: switched on here when the helper starts the
 * simulator itself; otherwise the simulator's OAuth 2.0 mode must expect the same client.
 */
function requireOAuth2Mode(simulator: PersonalizedOffersSimulator, oauth2: OAuth2Options, mayEnable: boolean): void {
  const internals = simulator as unknown as SimulatorInternals;
  if (internals.oauth2) {
    if (internals.oauth2.clientId !== oauth2.clientId || internals.oauth2.kid !== oauth2.kid) {
      throw new PersonalizedOffersConfigError(
        'oauth2',
        "usePersonalizedOffersSimulator: the app's oauth2.clientId or oauth2.kid is not the one the simulator's OAuth 2.0 mode expects. Create the simulator with gateway: { oauth2: { clientId, kid, publicKey } } of the app, or leave it without gateway mode and let the helper switch it on.",
      );
    }
    return;
  }
  if (!mayEnable || internals.gateway || typeof internals.now !== 'function') {
    throw new PersonalizedOffersConfigError(
      'oauth2',
      'usePersonalizedOffersSimulator: the app uses OAuth 2.0 (oauth2), but the simulator was started without its OAuth 2.0 mode. Let the helper start it (do not call start() first), create it with gateway: { oauth2: { clientId, kid, publicKey } } (simulatorOAuth2Credentials() makes a set), or test unsigned with overrides { oauth2: undefined }.',
    );
  }
  const privateKey = oauth2.clientKey !== undefined && oauth2.clientKey !== null && oauth2.clientKey !== ''
    ? oauth2.clientKey instanceof KeyObject ? oauth2.clientKey : createPrivateKey({ key: oauth2.clientKey, format: 'pem' })
    : loadSigningKey({ consumerKey: oauth2.clientId, pkcs12: oauth2.pkcs12! }, 'oauth2');
  const now = internals.now;
  internals.oauth2 = new OAuth2Gateway({ clientId: oauth2.clientId, kid: oauth2.kid, publicKey: createPublicKey(privateKey) }, () => now(), () => internals.url);
}

function samePublicKey(gateway: SimulatorGateway, publicKey: KeyObject): boolean | undefined {
  const theirs = (gateway as unknown as { publicKey?: unknown }).publicKey;
  return theirs instanceof KeyObject ? theirs.equals(publicKey) : undefined;
}

/**
 * An app that signs is tested against a simulator that checks signatures, with the app's key:
 * a simulator created without gateway mode and not started (or started by this helper during
 * this compile, before any request) is switched to it; one already serving unsigned, or a
 * gateway expecting another consumer key or public key, is a `PersonalizedOffersConfigError`
 * that says what to do.
 */
function requireGatewayMode(simulator: PersonalizedOffersSimulator, oauth: OAuthOptions, mayEnable: boolean): void {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(loadSigningKey(oauth));
  } catch {
    return; // resolveModuleOptions reports a key that does not load, with the setting to fix
  }
  const internals = simulator as unknown as SimulatorInternals;
  const gateway = internals.gateway;
  if (gateway) {
    if (gateway.consumerKey !== oauth.consumerKey || samePublicKey(gateway, publicKey) === false) {
      throw new PersonalizedOffersConfigError(
        'oauth',
        'usePersonalizedOffersSimulator: the app signs with another consumer key or signing key than the simulator\'s gateway expects. Create the simulator with gateway: { consumerKey: <the app\'s oauth.consumerKey>, publicKey: <its signing key (a private KeyObject is reduced to its public half)> }, or leave it without gateway mode and let the helper switch it on.',
      );
    }
    return;
  }
  if (!mayEnable || typeof internals.now !== 'function' || !('gateway' in internals)) {
    throw new PersonalizedOffersConfigError(
      'oauth',
      'usePersonalizedOffersSimulator: the app signs its requests (oauth), but the simulator was started without gateway mode, so no signature would be checked. Let the helper start it (do not call start() first), or create it with gateway: { consumerKey: <the app\'s oauth.consumerKey>, publicKey: <its signing key> } (simulatorGatewayCredentials() makes a pair), or test unsigned with overrides { oauth: undefined }.',
    );
  }
  const now = internals.now;
  internals.gateway = new SimulatorGateway({ consumerKey: oauth.consumerKey, publicKey }, () => now());
}

const isStarted = (simulator: PersonalizedOffersSimulator) => {
  try {
    return Boolean(simulator.baseUrl);
  } catch {
    return false;
  }
};

/**
 * Points every `PersonalizedOffersModule` of the module under test at `simulator`, however the
 * app configured it, and returns the builder:
 *
 * ```ts
 * const moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [AppModule] }), simulator).compile();
 * ```
 *
 * The app's own options are kept (`oauth`, `http`, `cache`, `accessTokens`, …); only `baseUrl`,
 * `fId` (the app's when the simulator serves it, else its first), `authInfo` (the simulator's
 * key material) and `http.proxy` (dropped) change, then `overrides` go on top (e.g.
 * `{ cache: false }`, or `{ oauth: undefined }` to test unsigned). The app's options are its
 * `forRoot` value, its `forRootAsync` factory's result (called with its own `inject`; when it
 * throws, e.g. on a test machine without `PLO_*`, the environment's), or the `PLO_*` environment
 * as `personalizedOffersConfig` reads it with the simulator's base URL, fId and AuthInfo in.
 *
 * When the app signs (`oauth`), the simulator must check signatures with the app's key: a
 * simulator without gateway mode that the helper starts itself is switched to it (consumer key
 * and the public half of `oauth.signingKey` / `oauth.pkcs12`); a simulator already started
 * without it, or whose gateway expects another key, fails `compile()` with a
 * `PersonalizedOffersConfigError` that says what to do.
 *
 * It overrides the module's options provider (`PERSONALIZED_OFFERS_MODULE_OPTIONS`), the
 * resolved options (Nest 11 ignores a factory override of `forRoot`'s value provider) and the
 * `personalizedOffersConfig` namespace (`personalizedOffersConfig.KEY`: loaded by
 * `ConfigModule.forRoot({ load })`, `forFeature` or `asProvider()`), so
 * `ConfigService.get('personalizedOffers')` gives the same options, and a test machine's missing
 * or production `PLO_*` values for the host, fId and AuthInfo never matter. The simulator is
 * started on `compile()` if it is not running yet; stopping it is the test's job.
 */
export function usePersonalizedOffersSimulator<B extends PersonalizedOffersTestingModuleBuilder<B>>(
  builder: B,
  simulator: PersonalizedOffersSimulator,
  overrides: Partial<PersonalizedOffersModuleOptions> = {},
): B {
  const original = findAppOptionsProvider(builder);
  // The overrides run during one compile(), possibly concurrently: start the simulator once.
  let starting: Promise<unknown> | undefined;
  // Started by this helper during this compile (so no request has reached it yet).
  let startedHere = false;
  const prepare = async (app: PersonalizedOffersModuleOptions): Promise<PersonalizedOffersModuleOptions> => {
    const oauth = 'oauth' in overrides ? overrides.oauth : app.oauth;
    if (oauth) requireGatewayMode(simulator, oauth, startedHere || !isStarted(simulator));
    const oauth2 = 'oauth2' in overrides ? overrides.oauth2 : app.oauth2;
    if (oauth2) requireOAuth2Mode(simulator, oauth2, startedHere || !isStarted(simulator));
    if (!isStarted(simulator)) {
      startedHere = true;
      starting ??= simulator.start();
    }
    try {
      await starting;
    } finally {
      starting = undefined;
    }
    return pointAtSimulator(app, simulator, overrides);
  };
  const fromEnvironment = () => prepare(environmentOptions(simulator));

  let withOptions = builder.overrideProvider(personalizedOffersConfig.KEY).useFactory({ factory: fromEnvironment });
  if (original && 'useValue' in original) {
    withOptions = withOptions.overrideProvider(PERSONALIZED_OFFERS_MODULE_OPTIONS).useFactory({ factory: () => prepare(original.useValue) });
  } else if (original) {
    const appFactory = original.useFactory;
    withOptions = withOptions.overrideProvider(PERSONALIZED_OFFERS_MODULE_OPTIONS).useFactory({
      factory: async (...deps: unknown[]) => {
        let app: PersonalizedOffersModuleOptions;
        try {
          app = await appFactory(...deps);
        } catch {
          return fromEnvironment(); // e.g. a factory reading PLO_* that a test machine lacks
        }
        return prepare(app);
      },
      inject: original.inject ?? [],
    });
  } else {
    withOptions = withOptions.overrideProvider(PERSONALIZED_OFFERS_MODULE_OPTIONS).useFactory({ factory: fromEnvironment });
  }
  // The module reads its options only through the resolved ones, a factory provider, which Nest
  // 11 overrides too (it ignores a factory override of forRoot's value provider): prepared again
  // (idempotent), so the app's literal options get the simulator's there as well.
  return withOptions
    .overrideProvider(PERSONALIZED_OFFERS_RESOLVED_OPTIONS)
    .useFactory({
      factory: async (options: PersonalizedOffersModuleOptions, registration: string | null) => resolveModuleOptions(await prepare(options), registration),
      inject: [PERSONALIZED_OFFERS_MODULE_OPTIONS, PERSONALIZED_OFFERS_REGISTRATION],
    });
}
