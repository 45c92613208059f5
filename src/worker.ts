import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { closeOnSignals, runEntryPoint } from './common/process-lifecycle.js';
import { loadConfig } from './config/app-config.js';
import { locateDatabase } from './database/database-location.js';

/**
 * The job worker (role "worker"): the same code and image as the API, without HTTP. Run it apart from the API
 * (`npm run start:worker`) with WORKER_INLINE=false on the API instances.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const database = await locateDatabase(config);
  const app = await NestFactory.createApplicationContext(
    AppModule.register({ config, databaseUrl: database.url, role: 'worker' }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(PinoLogger));
  await app.init();
  const logger = new Logger('Worker');
  logger.log('Worker ready: processing jobs');
  // Running jobs finish (or are released for a retry) before the process exits: see JobsModule.
  closeOnSignals(logger, async () => {
    await app.close();
    await database.stop();
  });
}

await runEntryPoint(bootstrap);
