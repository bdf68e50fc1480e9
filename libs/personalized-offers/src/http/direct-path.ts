import type { AxiosInstance } from 'axios';

/** Where the module's axios instance carries its `DirectPathGate` (a symbol: never serialized). */
export const DIRECT_PATH_GATE: unique symbol = Symbol('personalized-offers.direct-path-gate');

/**
 * `PERSONALIZED_OFFERS_HTTP_PATH=axios` (or `direct`): an internal switch for the module's own
 * tests, read when a module starts, so that the whole e2e suite can run on either path.
 * `direct` still falls back to axios when the instance has a user's interceptor.
 */
export const FORCE_PATH_VARIABLE = 'PERSONALIZED_OFFERS_HTTP_PATH';

interface ManagerLike {
  handlers?: unknown;
}

/**
 * Tells the HTTP client whether a request may skip axios (the direct path: signed and sent on the
 * undici pool by the client itself) or must go through the module's axios instance because the
 * application has customized it. Made right after the module has installed its own interceptors:
 * those are remembered (by handler object) as the module's; any other handler present on either
 * manager, however it got there (`use`, or a replaced `handlers` array), means the axios path,
 * and an eject of every foreign one means the direct path again. A write anywhere in the
 * instance's `defaults` (headers, transforms, adapter, …) means the axios path for good: the
 * defaults are observed through proxies, which cost nothing on the direct path (it never reads
 * them) and a property read on the axios path.
 */
export class DirectPathGate {
  private readonly ownRequest: ReadonlySet<unknown>;
  private readonly ownResponse: ReadonlySet<unknown>;
  private defaultsChanged: string | undefined;

  constructor(private readonly instance: AxiosInstance) {
    this.ownRequest = new Set(handlersOf(instance.interceptors.request));
    this.ownResponse = new Set(handlersOf(instance.interceptors.response));
    this.observeDefaults();
  }

  /** Why the axios path is needed now; `undefined` when the direct path may be taken. */
  reason(): string | undefined {
    if (this.defaultsChanged !== undefined) return this.defaultsChanged;
    if (hasForeign(this.instance.interceptors.request as ManagerLike, this.ownRequest)) return 'a request interceptor was registered on its axios instance';
    if (hasForeign(this.instance.interceptors.response as ManagerLike, this.ownResponse)) return 'a response interceptor was registered on its axios instance';
    return undefined;
  }

  private observeDefaults(): void {
    const changed = (key: PropertyKey) => {
      this.defaultsChanged ??= `its axios instance's defaults were changed (${String(key)})`;
    };
    const watch = <T extends object>(target: T, depth: number): T => {
      for (const key of Object.keys(target)) {
        const value = (target as Record<string, unknown>)[key];
        if (depth < 3 && isPlain(value)) (target as Record<string, unknown>)[key] = watch(value, depth + 1);
      }
      return new Proxy(target, {
        set: (t, key, value, receiver) => {
          changed(key);
          return Reflect.set(t, key, value, receiver);
        },
        deleteProperty: (t, key) => {
          changed(key);
          return Reflect.deleteProperty(t, key);
        },
        defineProperty: (t, key, descriptor) => {
          changed(key);
          return Reflect.defineProperty(t, key, descriptor);
        },
      });
    };
    const defaults = this.instance.defaults as unknown as object;
    // axios reads the defaults through its own context object, which holds the same object: the
    // proxies replace the nested objects in place, and the top level is proxied for the users.
    const proxied = watch(defaults, 0);
    (this.instance as { defaults: unknown }).defaults = proxied;
  }
}

function isPlain(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function handlersOf(manager: unknown): unknown[] {
  const handlers = (manager as ManagerLike).handlers;
  return Array.isArray(handlers) ? handlers.filter((h) => h != null) : [];
}

/** True when the manager holds a handler that is not the module's (or is not an axios manager as known). */
function hasForeign(manager: ManagerLike, own: ReadonlySet<unknown>): boolean {
  const handlers = manager.handlers;
  if (handlers == null) return false;
  if (!Array.isArray(handlers)) return true;
  for (let i = 0; i < handlers.length; i++) {
    const handler: unknown = handlers[i];
    if (handler != null && !own.has(handler)) return true;
  }
  return false;
}
