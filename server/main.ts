/**
 * Composition root: configuration, logger, store, app, listen; and graceful shutdown on SIGTERM/SIGINT (stop
 * accepting, let in-flight requests finish within the grace period, close the store).
 */
import { pino } from 'pino';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createHttpServer } from './http/http-server.js';
import { trackInFlight } from './store/in-flight.js';
import { openStore } from './store/open-store.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel });
  const opened = await openStore(config);
  const { store, idle } = trackInFlight(opened);
  const { app, accounts } = buildApp({ store, logger, bodyLimit: config.bodyLimit, limits: config.limits, quotas: config.quotas });
  const bootstrap = await accounts.bootstrapAdmin(config.adminPassword ?? undefined);
  if (bootstrap.generatedPassword) {
    // Printed once, to the console only (not the JSON log): the first admin's password when none was configured.
    console.log(`\nFirst start: created user "admin" with password ${bootstrap.generatedPassword}\nChange it, or set CSI_ADMIN_PASSWORD before the first start.\n`);
  } else if (bootstrap.created) {
    logger.info('first start: created user "admin" from CSI_ADMIN_PASSWORD');
  }
  const server = createHttpServer(app, config.http).listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port, host: config.host, store: store.kind }, `csi-survey listening on http://${config.host}:${port}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn('grace period over: closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownGraceMs);
    force.unref();
    server.close(async () => {
      await idle(config.shutdownGraceMs);
      await opened.close();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
