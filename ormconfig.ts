/**
 * The DataSource for the TypeORM CLI (`npm run migration:run`, `migration:revert`, `migration:generate`): the same
 * options the app uses (src/database/data-source.ts). Without DATABASE_URL it starts the embedded PostgreSQL that
 * `npm start` uses, so the CLI works on a fresh clone too.
 */
import { loadConfig } from './src/config/app-config.js';
import { createDataSource } from './src/database/data-source.js';
import { locateDatabase } from './src/database/database-location.js';

const config = loadConfig();
const location = await locateDatabase(config);

export default await createDataSource({ url: location.url, poolSize: 2, applicationName: 'typeorm-cli' });
