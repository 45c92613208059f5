import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup.js';
import { closeOnSignals, runEntryPoint } from './common/process-lifecycle.js';
import { loadConfig } from './config/app-config.js';
import { locateDatabase } from './database/database-location.js';

/** The API process (role "api"); with WORKER_INLINE=true (the default) it also runs the job workers. */
async function bootstrap(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  const logger = new Logger('Bootstrap');
  const database = await locateDatabase(config);
  const app = await createApp({ config, databaseUrl: database.url });
  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}`;
  logger.log(`API ready at ${url}/api in ${Math.round(performance.now() - started)} ms (Swagger UI: ${url}/api/docs)`);
  closeOnSignals(logger, async () => {
    await app.close();
    await database.stop();
  });
}

await runEntryPoint(bootstrap);
