/**
 * Configuration from the environment, validated at boot: a bad value stops the process with a message naming it,
 * rather than surfacing later as a strange request failure.
 */
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | null;
  mongodbDb: string;
  bodyLimit: string;
  logLevel: string;
  shutdownGraceMs: number;
  /** Password of the first admin, created on first start with an empty store. */
  adminPassword: string | null;
  limits: { writesPerMinute: number; loginsPerMinute: number };
  quotas: { maxLiveReservations: number };
  /** Slow-client limits of the HTTP server (see http/http-server.ts). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnections: number };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return value;
}

function adminPassword(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.length < 10) throw new ConfigError('CSI_ADMIN_PASSWORD must have at least 10 characters');
  return raw;
}

function httpLimits(env: NodeJS.ProcessEnv): Config['http'] {
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', 20_000, 1_000, 600_000);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 120_000, 1_000, 3_600_000);
  // Node refuses a headers timeout longer than the whole request's.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS');
  return { headersTimeoutMs, requestTimeoutMs, maxConnections: integer(env, 'MAX_CONNECTIONS', 512, 1, 1_000_000) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mongodbUri = env.MONGODB_URI?.trim() || null;
  if (mongodbUri && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) throw new ConfigError('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const bodyLimit = env.BODY_LIMIT ?? '1mb';
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) throw new ConfigError('BODY_LIMIT must look like 512kb or 1mb');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST ?? '127.0.0.1',
    dataDir: resolve(env.DATA_DIR ?? './data'),
    mongodbUri,
    mongodbDb: env.MONGODB_DB ?? 'csi',
    bodyLimit,
    logLevel,
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    adminPassword: adminPassword(env.CSI_ADMIN_PASSWORD),
    limits: {
      writesPerMinute: integer(env, 'RATE_LIMIT_WRITES_PER_MINUTE', 600, 1, 10_000_000),
      loginsPerMinute: integer(env, 'RATE_LIMIT_LOGINS_PER_MINUTE', 30, 1, 100_000),
    },
    quotas: { maxLiveReservations: integer(env, 'QUOTA_MAX_LIVE_RESERVATIONS', 3, 1, 10_000) },
    http: httpLimits(env),
  };
}
