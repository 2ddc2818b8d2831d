/**
 * Composition root: configuration, logger, store, app, listen (HTTP, or HTTPS with TLS_CERT/TLS_KEY, whose files
 * are re-read on SIGHUP without closing the listener: renewed certificates apply to new connections); and graceful
 * shutdown on SIGTERM/SIGINT (stop accepting, let in-flight requests finish within the grace period, close the store).
 */
import { pino, type Logger } from 'pino';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Express } from 'express';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { isLoopbackHost } from './domain/transport.js';
import { createHttpServer } from './http/http-server.js';
import { trackInFlight } from './store/in-flight.js';
import { StoreTooNewError } from './store/migrations.js';
import { openStore } from './store/open-store.js';

/** The certificate and key as PEM, checked by building a secure context from them (a bad pair throws here). */
function readTls(files: NonNullable<Config['tls']>): { cert: Buffer; key: Buffer } {
  const pair = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  createSecureContext(pair);
  return pair;
}

function listen(app: Express, config: Config, logger: Logger): Server | HttpsServer {
  if (!config.tls) {
    if (!isLoopbackHost(config.host) && config.trustProxy === false) {
      logger.warn({ host: config.host }, 'serving plain HTTP beyond this machine: tablets get no offline form (browsers allow service workers only over HTTPS); set TLS_CERT and TLS_KEY, or run behind an HTTPS proxy with TRUST_PROXY (README, "HTTPS")');
    }
    // Without TLS there is nothing to reload; SIGHUP (systemctl reload) must not stop the server either.
    process.on('SIGHUP', () => logger.info('SIGHUP: no TLS_CERT/TLS_KEY to reload'));
    return createHttpServer(app, config.http);
  }
  const tls = config.tls;
  const server = createHttpServer(app, config.http, readTls(tls)) as HttpsServer;
  process.on('SIGHUP', () => {
    try {
      server.setSecureContext(readTls(tls));
      logger.info({ cert: tls.certFile }, 'TLS certificate reloaded');
    } catch (error) {
      // A half-written or mismatched pair: keep serving the previous certificate.
      logger.error({ err: error, cert: tls.certFile }, 'TLS reload failed: still serving the previous certificate');
    }
  });
  return server;
}

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
  const kill = config.faultKillBeforeAudit;
  // The fault hook of tests/integration/audit-fault.test.ts: die exactly between a write and its audit entry.
  const beforeAudit = kill === null ? undefined : (action: string) => {
    if (action === kill) process.kill(process.pid, 'SIGKILL');
  };
  let opened;
  try {
    opened = await openStore(config, { ...(beforeAudit ? { beforeAudit } : {}) });
  } catch (error) {
    if (error instanceof StoreTooNewError) {
      console.error(`cannot start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (opened.schema.from !== opened.schema.to) {
    logger.info({ from: opened.schema.from, to: opened.schema.to }, `store schema migrated from version ${opened.schema.from} to ${opened.schema.to}`);
  }
  const repaired = await opened.repairAudit();
  if (repaired > 0) logger.warn({ repaired }, 'completed audit entries a crash had left unwritten');
  const { store, idle } = trackInFlight(opened);
  const { app, accounts } = buildApp({ store, logger, bodyLimit: config.bodyLimit, limits: config.limits, trustProxy: config.trustProxy, quotas: config.quotas, pinnedVersions: config.pinnedVersions });
  const bootstrap = await accounts.bootstrapAdmin(config.adminPassword ?? undefined);
  if (bootstrap.generatedPassword) {
    // Printed once, to the console only (not the JSON log): the first admin's password when none was configured.
    console.log(`\nFirst start: created user "admin" with password ${bootstrap.generatedPassword}\nSign in at / (the console): you will be asked to choose your own password. Or set CSI_ADMIN_PASSWORD before the first start.\n`);
  } else if (bootstrap.created) {
    logger.info('first start: created user "admin" from CSI_ADMIN_PASSWORD');
  }
  const server = listen(app, config, logger);
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const scheme = config.tls ? 'https' : 'http';
    logger.info({ port, host: config.host, store: store.kind, tls: config.tls !== null }, `csi-survey listening on ${scheme}://${config.host}:${port}`);
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
