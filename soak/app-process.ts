/**
 * The example app in a process of its own, so the soak measures its heap alone. Configured by
 * the parent through PLO_* variables; reports its port, and its heap after a forced GC on request.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (!exposedGc) throw new Error('run with --expose-gc');
const gc: () => void = exposedGc;

/** Messages to the soak's process over IPC (this file only runs forked by soak/run.ts). */
function report(message: Record<string, unknown>): void {
  if (!process.send) throw new Error('soak app process: run it through soak/run.ts (a forked process with IPC)');
  process.send(message);
}

/** What this file uses of the built example app's module (dist/app/app.module.js, outside this program). */
interface AppModuleExports {
  AppModule: { register(env: NodeJS.ProcessEnv): DynamicModule };
}

// The built example app (dist/app), exactly what `npm start` runs, plus routes for the
// operations it does not serve (soak-routes.ts), in the app module's own scope.
const { AppModule } = (await import(new URL('../app/app.module.js', import.meta.url).href)) as AppModuleExports;
const { SoakRoutesController } = await import('./soak-routes.js');
const definition = AppModule.register(process.env);
const app = await NestFactory.create(
  { ...definition, controllers: [...(definition.controllers ?? []), SoakRoutesController] },

  { logger: ['error'] },
);
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
report({ port });

async function onMessage(message: { type: string }): Promise<void> {
  if (message.type === 'heap') {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    report({ heapUsed: process.memoryUsage().heapUsed });
  }
  if (message.type === 'stop') {
    await app.close();
    process.exit(0);
  }
}
process.on('message', (message: { type: string }) => {
  // A failure ends the process as an unhandled rejection would: the error printed, exit code 1.
  onMessage(message).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
