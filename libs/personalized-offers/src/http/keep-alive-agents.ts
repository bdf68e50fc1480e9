import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';

/**
 * One keep-alive connection pool per module instance, closed when the module is destroyed so
 * no socket outlives the application (and Jest sees no open handles).
 */
@Injectable()
export class KeepAliveAgents implements OnModuleDestroy {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(@Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions) {
    const settings = { keepAlive: true, maxSockets: options.http.maxSockets, scheduling: 'lifo' as const };
    this.http = new HttpAgent(settings);
    this.https = new HttpsAgent(settings);
  }

  onModuleDestroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
