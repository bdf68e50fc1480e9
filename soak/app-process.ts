/**
 * The example app in a process of its own, so the soak measures its heap alone. Configured by
 * the parent through PLO_* variables; reports its port, and its heap after a forced GC on request.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

// The built example app (dist/app), exactly what `npm start` runs, plus routes for the
// operations it does not serve (soak-routes.ts), in the app module's own scope.
const { AppModule } = await import(new URL('../app/app.module.js', import.meta.url).href);
const { SoakRoutesController } = await import('./soak-routes.js');
const definition = AppModule.register(process.env);
const app = await NestFactory.create({ ...definition, controllers: [...(definition.controllers ?? []), SoakRoutesController] }, { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const port = (app.getHttpServer().address() as { port: number }).port;
process.send!({ port });

process.on('message', async (message: { type: string }) => {
  if (message.type === 'heap') {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    process.send!({ heapUsed: process.memoryUsage().heapUsed });
  }
  if (message.type === 'stop') {
    await app.close();
    process.exit(0);
  }
});
