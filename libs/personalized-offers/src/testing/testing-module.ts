import { KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { OAuth2Gateway } from './gateway/oauth2-gateway.js';
import { personalizedOffersConfig, loadPersonalizedOffersConfig } from '../config/personalized-offers.config.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import type { OAuth2Options, OAuthOptions, PersonalizedOffersModuleOptions } from '../interfaces/index.js';
import { PERSONALIZED_OFFERS_REGISTRATION, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { PERSONALIZED_OFFERS_MODULE_OPTIONS } from '../personalized-offers.module-definition.js';
import { resolveModuleOptions } from '../personalized-offers.providers.js';
import { checkRegistrationName } from '../personalized-offers.registration.js';
import { loadSigningKey } from '../signing/signing-key.loader.js';
import { SimulatorGateway } from './gateway/simulator-gateway.js';
import type { PersonalizedOffersSimulator } from './personalized-offers.simulator.js';

/**
 * What the helper needs from a test-module builder: `@nestjs/testing`'s `TestingModuleBuilder`
 * has it (`Test.createTestingModule(…)`). Typed by shape so this package does not depend on
 * `@nestjs/testing`.
 */
export interface PersonalizedOffersTestingModuleBuilder<B> {
  /**
   * Starts overriding a provider of the module under test.
   *
   * @param typeOrToken the provider's class or injection token.
   * @returns the override to complete with `useFactory`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- public API (testing report): @nestjs/testing's TestingModuleBuilder, typed by shape, takes any here
  overrideProvider(typeOrToken: any): {
    /**
     * Completes the override with a factory provider.
     *
     * @param options the factory, and the tokens whose values it is called with.
     * @returns the builder, for chaining.
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- public API (testing report): the shape of @nestjs/testing's OverrideBy.useFactory, typed with any there
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
  return { fId: simulator.fIds[0], baseUrl: simulator.baseUrl, authInfo: simulator.authInfo, ...overrides };
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
  const http = { ...app.http };
  delete http.proxy;
  // OAuth 2.0: the simulator is the token endpoint and the issuer (never Mastercard's).
  let oauth2: OAuth2Options | undefined;
  if (app.oauth2) {
    oauth2 = { ...app.oauth2 };
    delete oauth2.tokenEndpoint;
    delete oauth2.issuer;
  }
  return {
    ...app,
    ...(app.http !== undefined ? { http } : {}),
    ...(oauth2 ? { oauth2 } : {}),
    fId: simulator.fIds.includes(app.fId) ? app.fId : simulator.fIds[0],
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
  const env: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^PLO_(ENV|BASE_URL|FID|AUTHINFO_[A-Z]+)$/.test(name)),
  );
  // Placeholders that pass validation; pointAtSimulator puts the simulator's own objects in.
  const placeholder = '00000000000000000000000000000000';
  Object.assign(env, { PLO_FID: simulator.fIds[0], PLO_AUTHINFO_KEY: placeholder, PLO_AUTHINFO_IV: placeholder });
  return loadPersonalizedOffersConfig(env);
}

type OptionsProvider =
  | { provide: unknown; useValue: PersonalizedOffersModuleOptions }
  | { provide: unknown; useFactory: (...args: unknown[]) => PersonalizedOffersModuleOptions | Promise<PersonalizedOffersModuleOptions>; inject?: unknown[] };

/** A `forRoot` / `forRootAsync` registration found in the module under test: its name (`null`: the default one) and options provider. */
interface FoundRegistration {
  name: string | null;
  options?: OptionsProvider;
}

/** What {@link scanBuilder} found in the modules the builder imports. */
interface BuilderScan {
  /** By registration name (`null`: the default registration). */
  registrations: Map<string | null, FoundRegistration>;
  /** `@nestjs/config` namespace factories (`registerAs`), by their token (`CONFIGURATION(…)`). */
  namespaces: Map<unknown, (...args: unknown[]) => unknown>;
  /** False when an import could not be read (an async dynamic module): what was not found may still exist. */
  complete: boolean;
}

const getMetadata = (key: string, target: object): unknown =>
  (Reflect as unknown as { getMetadata?: (k: string, t: object) => unknown }).getMetadata?.(key, target);

/** A provider as read here: any of these may be absent (a class provider is a function, and skipped). */
type ProviderShape = { provide?: unknown; useValue?: unknown; useFactory?: (...args: unknown[]) => unknown };

/** `value` when it is a list, else none (module metadata read from anywhere). */
const asList = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

/**
 * Every `PersonalizedOffersModule` registration in the modules the builder imports, each with its
 * own `PERSONALIZED_OFFERS_MODULE_OPTIONS` provider (`forRoot`'s value, or `forRootAsync`'s
 * factory with its `inject`), found before the overrides replace them; and the config namespaces
 * provided there (`ConfigModule.forRoot({ load })`, `forFeature`).
 */
function scanBuilder(builder: object): BuilderScan {
  const scan: BuilderScan = { registrations: new Map(), namespaces: new Map(), complete: true };
  const queue: unknown[] = [(builder as { module?: unknown }).module];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    let item = queue.shift();
    if (item && typeof item === 'object' && typeof (item as { forwardRef?: unknown }).forwardRef === 'function')
      item = (item as { forwardRef: () => unknown }).forwardRef();
    if (!item || seen.has(item)) continue;
    seen.add(item);
    let imports: unknown;
    let providers: unknown;
    if (typeof item === 'function') {
      imports = getMetadata('imports', item);
      providers = getMetadata('providers', item);
    } else if (typeof item === 'object' && 'module' in item) {
      ({ imports, providers } = item as { imports?: unknown; providers?: unknown });
      queue.push(item.module);
    } else if (typeof item === 'object' && typeof (item as { then?: unknown }).then === 'function') {
      scan.complete = false; // Promise<DynamicModule>: not readable before compile()
    }
    let options: OptionsProvider | undefined;
    let name: string | null | undefined;
    for (const entry of asList(providers)) {
      if (typeof entry !== 'object' || entry === null) continue;
      const provider = entry as ProviderShape;
      const token = provider.provide;
      if (token === PERSONALIZED_OFFERS_MODULE_OPTIONS && ('useValue' in provider || typeof provider.useFactory === 'function'))
        options = provider as OptionsProvider;
      if (token === PERSONALIZED_OFFERS_REGISTRATION && 'useValue' in provider) name = typeof provider.useValue === 'string' ? provider.useValue : null;
      if (typeof token === 'string' && token.startsWith('CONFIGURATION(') && typeof provider.useFactory === 'function')
        scan.namespaces.set(token, provider.useFactory);
    }
    if (options || name !== undefined) {
      const key = name ?? null;
      const found = scan.registrations.get(key) ?? { name: key };
      found.options ??= options;
      scan.registrations.set(key, found);
    }
    queue.push(...asList(imports));
  }
  return scan;
}

/** An `inject` entry's token (`{ token, optional }` or the token itself). */
const injectedToken = (entry: unknown): unknown => (entry && typeof entry === 'object' && 'token' in entry ? entry.token : entry);

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
  const privateKey =
    // `!= null`: options from JavaScript may hold null for an absent key.
    oauth2.clientKey != null && oauth2.clientKey !== ''
      ? oauth2.clientKey instanceof KeyObject
        ? oauth2.clientKey
        : createPrivateKey({ key: oauth2.clientKey, format: 'pem' })
      : loadSigningKey({ consumerKey: oauth2.clientId, pkcs12: oauth2.pkcs12 }, 'oauth2');
  const now = internals.now;
  internals.oauth2 = new OAuth2Gateway(
    { clientId: oauth2.clientId, kid: oauth2.kid, publicKey: createPublicKey(privateKey) },
    () => now(),
    () => internals.url,
  );
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
        "usePersonalizedOffersSimulator: the app signs with another consumer key or signing key than the simulator's gateway expects. Create the simulator with gateway: { consumerKey: <the app's oauth.consumerKey>, publicKey: <its signing key (a private KeyObject is reduced to its public half)> }, or leave it without gateway mode and let the helper switch it on.",
      );
    }
    return;
  }
  if (!mayEnable || typeof internals.now !== 'function' || !('gateway' in internals)) {
    throw new PersonalizedOffersConfigError(
      'oauth',
      "usePersonalizedOffersSimulator: the app signs its requests (oauth), but the simulator was started without gateway mode, so no signature would be checked. Let the helper start it (do not call start() first), or create it with gateway: { consumerKey: <the app's oauth.consumerKey>, publicKey: <its signing key> } (simulatorGatewayCredentials() makes a pair), or test unsigned with overrides { oauth: undefined }.",
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

/** The third argument of {@link usePersonalizedOffersSimulator}: `overrides` of the module options, and `name`. */
export type PersonalizedOffersSimulatorTarget = Partial<PersonalizedOffersModuleOptions> & {
  /**
   * The registration to point at this simulator (`forRoot({ name })` / `forRootAsync({ name })`).
   * Without it: the default registration, and every named one that no call names.
   */
  name?: string;
};

/** One call of the helper: where one registration (or, under `null`, every other one) goes. */
interface Target {
  name: string | null;
  simulator: PersonalizedOffersSimulator;
  overrides: Partial<PersonalizedOffersModuleOptions>;
}

/** What the helper keeps per builder: its calls (by name) and what it found in the builder's modules. */
interface BuilderState {
  targets: Map<string | null, Target>;
  scan: BuilderScan;
  /** Per simulator: the start under way (one per compile) and whether this helper started it. */
  starts: Map<PersonalizedOffersSimulator, { starting?: Promise<unknown>; startedHere: boolean }>;
  /** The registrations whose options the overrides served (checked after `compile()` when the scan was incomplete). */
  served: Set<string | null>;
}

const builders = new WeakMap<object, BuilderState>();

const label = (name: string | null): string => (name === null ? 'the default registration' : `the registration "${name}"`);

/** The variables (`<prefix>FID`, `<prefix>AUTHINFO_KEY`, …) that locate the API: replaced by the simulator's. */
const LOCATING_VARIABLE = /^(.+_)(?:ENV|BASE_URL|FID|AUTHINFO_[A-Z]+)$/;

/**
 * The prefix (`PLO_`, `PLO_BANK_A_`) when `error` is a `PersonalizedOffersConfigError` about
 * locating variables of one prefix only (missing or invalid `FID`, `BASE_URL`, `ENV`,
 * `AUTHINFO_*`); `undefined` for any other error, which is then the app's to see.
 */
function locatingPrefix(error: unknown): string | undefined {
  if (!(error instanceof PersonalizedOffersConfigError) || error.settings.length === 0) return undefined;
  const prefixes = new Set(error.settings.map((setting) => LOCATING_VARIABLE.exec(setting)?.[1]));
  const [prefix] = prefixes;
  return prefixes.size === 1 && prefix !== undefined ? prefix : undefined;
}

/**
 * A config namespace's value (`personalizedOffersConfig`, `personalizedOffersConfigFor(name,
 * prefix)`, or any `registerAs`) on a test machine: the factory as it is, or, when it fails only
 * on the variables that locate the API, again with those replaced by placeholders that pass
 * validation (the simulator's own values are put in afterwards). Other errors are the app's.
 */
async function loadNamespace(factory: (...args: unknown[]) => unknown, fId: string): Promise<unknown> {
  try {
    return await factory();
  } catch (error) {
    const prefix = locatingPrefix(error);
    if (prefix === undefined) throw error;
    const saved: Record<string, string | undefined> = {};
    const set = (name: string, value: string | undefined) => {
      if (!(name in saved)) saved[name] = process.env[name];
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    };
    for (const name of Object.keys(process.env)) if (name.startsWith(prefix) && LOCATING_VARIABLE.exec(name)?.[1] === prefix) set(name, undefined);
    const placeholder = '00000000000000000000000000000000';
    set(`${prefix}FID`, fId);
    set(`${prefix}AUTHINFO_KEY`, placeholder);
    set(`${prefix}AUTHINFO_IV`, placeholder);
    let result: unknown;
    try {
      result = factory(); // namespaces read process.env synchronously
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    }
    return await result;
  }
}

/**
 * Points the module under test's `PersonalizedOffersModule` registrations at `simulator`,
 * however the app configured them, and returns the builder:
 *
 * ```ts
 * const moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [AppModule] }), simulator).compile();
 * ```
 *
 * **Which registrations.** Without `name`: every registration (the default one, and every named
 * one that no other call names). With `name` (`{ name: 'bankA' }`): that registration only. Call
 * it once per registration, each with its own simulator, to test a two-bank app:
 *
 * ```ts
 * let builder = Test.createTestingModule({ imports: [AppModule] });
 * builder = usePersonalizedOffersSimulator(builder, bankA, { name: 'bankA' });
 * builder = usePersonalizedOffersSimulator(builder, bankB, { name: 'bankB' });
 * ```
 *
 * A registration that no call covers keeps its own options. A `name` that no registration of the
 * module under test has throws a `PersonalizedOffersConfigError` (setting `name`) listing the
 * registrations it has (at this call, or at `compile()` when the modules are only known then);
 * a second call with the same name on the same builder replaces the first.
 *
 * **What changes.** The app's own options are kept (`oauth`, `http`, `cache`, `accessTokens`,
 * …); only `baseUrl`, `fId` (the app's when the simulator serves it, else its first), `authInfo`
 * (the simulator's key material) and `http.proxy` (dropped) change, then the other properties of
 * the third argument go on top as overrides (e.g. `{ cache: false }`, or `{ oauth: undefined }`
 * to test unsigned). The app's options are its `forRoot` value, its `forRootAsync` factory's
 * result (called with its own `inject`; when it throws, e.g. on a test machine without `PLO_*`,
 * the environment's), or the `PLO_*` environment as `personalizedOffersConfig` reads it with the
 * simulator's base URL, fId and AuthInfo in.
 *
 * When the app signs (`oauth`), the simulator must check signatures with the app's key: a
 * simulator without gateway mode that the helper starts itself is switched to it (consumer key
 * and the public half of `oauth.signingKey` / `oauth.pkcs12`); a simulator already started
 * without it, or whose gateway expects another key, fails `compile()` with a
 * `PersonalizedOffersConfigError` that says what to do. OAuth 2.0 (`oauth2`) likewise.
 *
 * **How.** Nest's `overrideProvider(token)` replaces a token in every module, and every
 * registration has the same internal tokens: so the helper keeps its calls per builder and
 * installs one override of the module's options (`PERSONALIZED_OFFERS_MODULE_OPTIONS`) and of the
 * resolved options (Nest 11 ignores a factory override of `forRoot`'s value provider) that read
 * which registration they serve and answer for it. It also overrides the `personalizedOffersConfig`
 * namespace (`personalizedOffersConfig.KEY`: loaded by `ConfigModule.forRoot({ load })`,
 * `forFeature` or `asProvider()`) with the default call's options, so
 * `ConfigService.get('personalizedOffers')` gives the same options, and the other config
 * namespaces the module's modules load (`personalizedOffersConfigFor(name, prefix)`): the
 * namespace a named registration's `forRootAsync` injects gives that registration's options, and
 * any namespace that fails only on missing or production values of `<prefix>FID`,
 * `<prefix>BASE_URL`, `<prefix>ENV` or `<prefix>AUTHINFO_*` is read with placeholders for them.
 * So a test machine's missing or production values for the host, fId and AuthInfo never matter.
 * Each simulator is started on `compile()` if it is not running yet; stopping it is the test's job.
 */
export function usePersonalizedOffersSimulator<B extends PersonalizedOffersTestingModuleBuilder<B>>(
  builder: B,
  simulator: PersonalizedOffersSimulator,
  target: PersonalizedOffersSimulatorTarget = {},
): B {
  const { name: requested, ...overrides } = target;
  if (requested !== undefined) {
    try {
      checkRegistrationName(requested);
    } catch {
      throw new PersonalizedOffersConfigError(
        'name',
        `usePersonalizedOffersSimulator: ${JSON.stringify(requested)} is not a registration name (1 to 64 letters, digits, "_" or "-").`,
      );
    }
  }
  const name = requested ?? null;
  let state = builders.get(builder);
  if (!state) {
    state = { targets: new Map(), scan: scanBuilder(builder), starts: new Map(), served: new Set() };
    builders.set(builder, state);
  }
  const { scan, targets, starts, served } = state;
  const unknownName = (): PersonalizedOffersConfigError => {
    const names = [...scan.registrations.keys()].map((n) => (n === null ? 'the default one (no name)' : `"${n}"`));
    return new PersonalizedOffersConfigError(
      'name',
      `usePersonalizedOffersSimulator: the module under test has no PersonalizedOffersModule registration named "${String(name)}" ` +
        `(its registrations: ${names.length > 0 ? names.join(', ') : 'none found'}). Use the name given to forRoot({ name }) / forRootAsync({ name }).`,
    );
  };
  if (name !== null && !scan.registrations.has(name)) {
    if (scan.complete) throw unknownName();
    // Some modules are only known at compile(): check the name once they are.
    const compilable = builder as unknown as { compile?: (...args: unknown[]) => Promise<unknown> };
    if (typeof compilable.compile === 'function') {
      const compile = compilable.compile.bind(builder);
      compilable.compile = async (...args: unknown[]) => {
        const ref = await compile(...args);
        if (!served.has(name)) {
          await (ref as { close?: () => Promise<void> }).close?.();
          throw unknownName();
        }
        return ref;
      };
    }
  }
  targets.set(name, { name, simulator, overrides });

  /** The call that covers a registration: its own, else the one without a name. */
  const targetFor = (registration: string | null): Target | undefined => {
    served.add(registration);
    return targets.get(registration) ?? targets.get(null);
  };

  const prepare = async (to: Target, app: PersonalizedOffersModuleOptions): Promise<PersonalizedOffersModuleOptions> => {
    const sim = to.simulator;
    let start = starts.get(sim);
    if (!start) starts.set(sim, (start = { startedHere: false }));
    const oauth = 'oauth' in to.overrides ? to.overrides.oauth : app.oauth;
    if (oauth) requireGatewayMode(sim, oauth, start.startedHere || !isStarted(sim));
    const oauth2 = 'oauth2' in to.overrides ? to.overrides.oauth2 : app.oauth2;
    if (oauth2) requireOAuth2Mode(sim, oauth2, start.startedHere || !isStarted(sim));
    if (!isStarted(sim)) {
      start.startedHere = true;
      start.starting ??= sim.start();
    }
    try {
      await start.starting;
    } finally {
      start.starting = undefined;
    }
    return pointAtSimulator(app, sim, to.overrides);
  };
  const fromEnvironment = (to: Target) => prepare(to, environmentOptions(to.simulator));

  // Every registration's options provider answers through one override: the union of their
  // `inject` lists (optional: each module resolves what it has), dispatched by registration.
  const originals = [...scan.registrations.values()];
  const injected: unknown[] = [];
  for (const found of originals) {
    if (found.options && 'useFactory' in found.options) {
      for (const entry of found.options.inject ?? []) {
        const token = injectedToken(entry);
        if (!injected.includes(token)) injected.push(token);
      }
    }
  }
  const argumentsFor = (provider: OptionsProvider & { inject?: unknown[] }, deps: unknown[]) =>
    (provider.inject ?? []).map((entry) => deps[injected.indexOf(injectedToken(entry))]);

  const moduleOptions = async (registration: string | null | undefined, ...deps: unknown[]): Promise<PersonalizedOffersModuleOptions> => {
    const key = registration ?? null;
    const original = scan.registrations.get(key)?.options;
    const to = targetFor(key);
    if (!to) {
      // Not pointed at a simulator: its own options, unchanged.
      if (!original) {
        throw new PersonalizedOffersConfigError(
          'name',
          `usePersonalizedOffersSimulator could not find the options of ${label(key)} in the module under test: name it in a call ({ name: ${JSON.stringify(key)} }) or call the helper once without a name.`,
        );
      }
      return 'useValue' in original ? original.useValue : original.useFactory(...argumentsFor(original, deps));
    }
    if (!original) return fromEnvironment(to);
    if ('useValue' in original) return prepare(to, original.useValue);
    let app: PersonalizedOffersModuleOptions;
    try {
      app = await original.useFactory(...argumentsFor(original, deps));
    } catch {
      return fromEnvironment(to); // e.g. a factory reading PLO_* that a test machine lacks
    }
    return prepare(to, app);
  };

  let withOptions: B = builder;
  const nullTarget = targets.get(null);
  // The default namespace: the options of the call without a name (as `ConfigService.get('personalizedOffers')`).
  if (nullTarget) withOptions = withOptions.overrideProvider(personalizedOffersConfig.KEY).useFactory({ factory: () => fromEnvironment(nullTarget) });
  // Other namespaces: the one a named registration injects is that registration's options; any
  // other one is read with placeholders for the variables that locate the API.
  const claimed = new Map<unknown, Target>();
  for (const found of originals) {
    const to = found.name === null ? undefined : targets.get(found.name);
    if (!to || !found.options || !('useFactory' in found.options)) continue;
    for (const entry of found.options.inject ?? []) {
      const token = injectedToken(entry);
      if (scan.namespaces.has(token) && !claimed.has(token)) claimed.set(token, to);
    }
  }
  const anyFId = (nullTarget ?? [...targets.values()][0]).simulator.fIds[0];
  for (const [token, factory] of scan.namespaces) {
    if (token === personalizedOffersConfig.KEY && nullTarget) continue;
    const to = claimed.get(token);
    withOptions = withOptions.overrideProvider(token).useFactory({
      factory: async () => {
        const value = await loadNamespace(factory, to?.simulator.fIds[0] ?? anyFId);
        return to ? prepare(to, value as PersonalizedOffersModuleOptions) : value;
      },
    });
  }
  withOptions = withOptions.overrideProvider(PERSONALIZED_OFFERS_MODULE_OPTIONS).useFactory({
    factory: moduleOptions as (...args: unknown[]) => unknown,
    inject: [PERSONALIZED_OFFERS_REGISTRATION, ...injected.map((token) => ({ token, optional: true }))],
  });
  // The module reads its options only through the resolved ones, a factory provider, which Nest
  // 11 overrides too (it ignores a factory override of forRoot's value provider): prepared again
  // (idempotent), so the app's literal options get the simulator's there as well.
  return withOptions.overrideProvider(PERSONALIZED_OFFERS_RESOLVED_OPTIONS).useFactory({
    factory: async (options: PersonalizedOffersModuleOptions, registration: string | null) => {
      const to = targetFor(registration ?? null);
      return resolveModuleOptions(to ? await prepare(to, options) : options, registration);
    },
    inject: [PERSONALIZED_OFFERS_MODULE_OPTIONS, PERSONALIZED_OFFERS_REGISTRATION],
  });
}
