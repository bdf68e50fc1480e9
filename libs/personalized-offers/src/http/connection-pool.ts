import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { CreateAxiosDefaults } from 'axios';
import { rootCertificates } from 'node:tls';
import { type Dispatcher, EnvHttpProxyAgent, ProxyAgent, Agent as UndiciAgent } from 'undici';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { undiciAdapter } from './undici.adapter.js';

/**
 * One keep-alive connection pool per module instance, of at most `maxSockets` connections, closed
 * when the module is destroyed so no socket outlives the application (and Jest sees no open
 * handles). Transport `undici` (default) plugs an undici Agent in as the axios adapter; `node`
 * keeps axios's own `node:http` adapter over keep-alive agents.
 */
@Injectable()
export class ConnectionPool implements OnModuleDestroy {
  private readonly undici?: Dispatcher;
  /** Whether the undici dispatcher writes into the headers object it is given (the proxy agents add `host`). */
  readonly writesHeaders: boolean = false;
  private readonly nodeAgents?: { http: HttpAgent; https: HttpsAgent };

  private readonly proxy?: URL;
  /** `node` transport to a loopback base URL: axios must not apply the proxy environment either. */
  private readonly noEnvironmentProxy: boolean = false;

  constructor(@Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions) {
    const { maxSockets, transport, proxy, ca } = options.http;
    // Extra CAs are added to Node's roots, never replacing them; verification stays on.
    const tls = ca ? { ca: [...rootCertificates, ...ca] } : undefined;
    if (transport === 'undici') {
      const base = { connections: maxSockets, keepAliveTimeout: 4_000, pipelining: 1, ...(tls ? { connect: tls } : {}) };
      const tunnel = tls ? { requestTls: tls, proxyTls: tls } : {};
      if (proxy) this.undici = new ProxyAgent({ ...base, ...tunnel, uri: proxy });
      // Loopback never goes through an egress proxy (the simulator, local stand-ins).
      else if (!options.loopback && proxyInEnvironment()) this.undici = new EnvHttpProxyAgent({ ...base, ...tunnel });
      else this.undici = new UndiciAgent(base);
      this.writesHeaders = !(this.undici instanceof UndiciAgent);
    } else {
      const settings = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
      this.nodeAgents = { http: new HttpAgent(settings), https: new HttpsAgent({ ...settings, ...(tls ?? {}) }) };
      if (proxy) this.proxy = new URL(proxy);
      else this.noEnvironmentProxy = options.loopback;
    }
  }

  /** The undici dispatcher (transport `undici`): what the HTTP client's direct path sends on. */
  get dispatcher(): Dispatcher | undefined {
    return this.undici;
  }

  /** The axios instance settings that route its requests through this pool. */
  axiosDefaults(): CreateAxiosDefaults {
    if (this.undici) return { adapter: undiciAdapter(this.undici) };
    const proxy = this.proxy && {
      protocol: this.proxy.protocol.replace(':', ''),
      host: this.proxy.hostname,
      port: Number(this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80)),
      ...(this.proxy.username ? { auth: { username: decodeURIComponent(this.proxy.username), password: decodeURIComponent(this.proxy.password) } } : {}),
    };
    return {
      adapter: 'http',
      // Set with transport `node`, which is when this line is reached.
      httpAgent: this.nodeAgents?.http,
      httpsAgent: this.nodeAgents?.https,
      ...(proxy ? { proxy } : this.noEnvironmentProxy ? { proxy: false as const } : {}),
    };
  }

  async onModuleDestroy(): Promise<void> {
    if (this.undici) await this.undici.destroy();
    this.nodeAgents?.http.destroy();
    this.nodeAgents?.https.destroy();
  }
}

/** True when an `HTTPS_PROXY` / `HTTP_PROXY` variable (either case) is set. */
function proxyInEnvironment(): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => Boolean(process.env[name]));
}
