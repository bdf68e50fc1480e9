import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { CreateAxiosDefaults } from 'axios';
import { Agent as UndiciAgent } from 'undici';
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
  private readonly undici?: UndiciAgent;
  private readonly nodeAgents?: { http: HttpAgent; https: HttpsAgent };

  constructor(@Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions) {
    const { maxSockets, transport } = options.http;
    if (transport === 'undici') {
      this.undici = new UndiciAgent({ connections: maxSockets, keepAliveTimeout: 4_000, pipelining: 1 });
    } else {
      const settings = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
      this.nodeAgents = { http: new HttpAgent(settings), https: new HttpsAgent(settings) };
    }
  }

  /** The axios instance settings that route its requests through this pool. */
  axiosDefaults(): CreateAxiosDefaults {
    if (this.undici) return { adapter: undiciAdapter(this.undici) };
    return { adapter: 'http', httpAgent: this.nodeAgents!.http, httpsAgent: this.nodeAgents!.https };
  }

  async onModuleDestroy(): Promise<void> {
    if (this.undici) await this.undici.destroy();
    this.nodeAgents?.http.destroy();
    this.nodeAgents?.https.destroy();
  }
}
