import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule.register(process.env));
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  new Logger('ExampleApp').log(
    `Listening on http://127.0.0.1:${port}; try: curl -H 'X-Demo-User-Id: 1PCLOSANDBOXBCN00002tra6athatR' http://127.0.0.1:${port}/user-token`,
  );
}

void bootstrap();
