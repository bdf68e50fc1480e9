import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { resolveUpstream } from '../upstream.js';
import { OffersMicroserviceModule, withRedisTokenCache } from './offers-microservice.module.js';
import { redactUrl } from './redact-url.js';

/**
 * One instance of the offers microservice on the TCP transport.
 *
 * - `PORT` (or `MICROSERVICE_PORT`): TCP port, default 3001; `HOST`: interface, default 127.0.0.1.
 * - `PLO_*`: the Personalized Offers API, read like the HTTP example; without them an embedded
 *   simulator is started (fine for one instance; `npm run start:microservice` runs one simulator
 *   for the whole fleet and passes it in `PLO_*`).
 * - `REDIS_URL`: the token cache in Redis, shared by every instance pointed at it (or
 *   `PLO_CACHE=redis PLO_REDIS_URL=…`). Without either, each instance caches in its own memory.
 * - `INSTANCE`: a name for the log lines.
 */
async function bootstrap(): Promise<void> {
  const name = process.env.INSTANCE ? `OffersMicroservice ${process.env.INSTANCE}` : 'OffersMicroservice';
  const logger = new Logger(name);
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? process.env.MICROSERVICE_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error('PORT must be a TCP port number (1-65535).');

  const upstream = await resolveUpstream(process.env);
  const redisUrl = process.env.REDIS_URL;
  const personalizedOffers = redisUrl ? withRedisTokenCache(upstream.options, redisUrl) : upstream.options;
  const store = personalizedOffers.cache === false ? undefined : personalizedOffers.cache?.store;
  const redis = typeof store === 'object' && 'redis' in store && 'url' in store.redis ? store.redis.url : undefined;

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    OffersMicroserviceModule.register({ personalizedOffers, embeddedSimulator: upstream.simulator }),

    { transport: Transport.TCP, options: { host, port } },
  );
  app.enableShutdownHooks();
  await app.listen();
  logger.log(
    `Listening on tcp://${host}:${port}; token cache: ${redis ? `Redis at ${redactUrl(redis)} (shared by every instance using it)` : 'this process only'}.`,
  );

  // Started by the launcher: report readiness, and stop if the launcher goes away without a signal.
  if (process.send) {
    process.send({ type: 'ready', port });
    // Through the shutdown hooks, as a signal would: one way to close.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
}

bootstrap().catch((error: unknown) => {
  // Start-up errors of this app and the module carry no secrets (names of variables, never values).
  new Logger('OffersMicroservice').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
