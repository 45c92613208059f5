import { Logger } from '@nestjs/common';
import { ConfigError } from '../config/app-config.js';

/**
 * On SIGTERM or SIGINT, runs `close` once (Nest's shutdown hooks let running jobs finish), then exits. Shared by the
 * API and the worker entry points.
 */
export function closeOnSignals(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    try {
      await close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** Runs an entry point; a configuration problem prints the variables to fix (never their values) and exits 1. */
export async function runEntryPoint(bootstrap: () => Promise<void>): Promise<void> {
  try {
    await bootstrap();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
