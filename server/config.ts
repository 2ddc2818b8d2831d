/**
 * Configuration from the environment, validated at boot: a bad value stops the process with a message naming it,
 * rather than surfacing later as a strange request failure.
 */
import { isSurveyId, SURVEY_IDS, type SurveyId } from '../schemas/surveys.js';
import { versionPolicy } from '../schemas/versions.js';
import { existsSync } from 'node:fs';
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
  /** A MongoDB call not answered within this many ms is a 503.1 (the embedded store has no server to lose). */
  storeTimeoutMs: number;
  /**
   * Fault injection for tests: the audit action (e.g. `response.created`) before whose entry the process kills
   * itself, between the write and its audit entry. Never set in production.
   */
  faultKillBeforeAudit: string | null;
  /** PEM files for built-in HTTPS (both or neither); re-read on SIGHUP. */
  tls: { certFile: string; keyFile: string } | null;
  /**
   * Express's `trust proxy`: which hops in front of the app to believe about the client (X-Forwarded-For, -Proto).
   * False without a proxy: then those headers are ignored, as anyone could send them.
   */
  trustProxy: false | number | string;
  quotas: { maxLiveReservations: number };
  /** Slow-client limits of the HTTP server (see http/http-server.ts). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnections: number };
  /** CSI_PIN_VERSIONS: surveys whose current questionnaire version is held back to an older active one. */
  pinnedVersions: Partial<Record<SurveyId, string>>;
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

/** A file path that must exist at boot (a typo is reported now, not as a TLS error on the first connection). */
function tlsFiles(env: NodeJS.ProcessEnv): Config['tls'] {
  const cert = env.TLS_CERT?.trim() || '';
  const key = env.TLS_KEY?.trim() || '';
  if (!cert && !key) return null;
  if (!cert || !key) throw new ConfigError('TLS_CERT and TLS_KEY go together: set both (PEM files) or neither');
  for (const [name, file] of [['TLS_CERT', cert], ['TLS_KEY', key]] as const) {
    if (!existsSync(file)) throw new ConfigError(`${name}: no such file "${file}"`);
  }
  return { certFile: resolve(cert), keyFile: resolve(key) };
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: a number of hops, or addresses/subnets (and the names loopback, linklocal, uniquelocal) of the
 * proxies, comma-separated. "true" (trust any sender) is refused: behind no proxy it lets anyone pick their address.
 */
function trustProxy(raw: string | undefined): Config['trustProxy'] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const parts = value.split(',').map((p) => p.trim());
  const ok = parts.every((p) => PROXY_NAMES.includes(p) || /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(p));
  if (!ok) throw new ConfigError(`TRUST_PROXY must be a number of proxy hops or a comma-separated list of proxy addresses/subnets (or ${PROXY_NAMES.join(', ')}), got "${value}"`);
  return parts.join(',');
}

function httpLimits(env: NodeJS.ProcessEnv): Config['http'] {
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', 20_000, 1_000, 600_000);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 120_000, 1_000, 3_600_000);
  // Node refuses a headers timeout longer than the whole request's.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS');
  return { headersTimeoutMs, requestTimeoutMs, maxConnections: integer(env, 'MAX_CONNECTIONS', 512, 1, 1_000_000) };
}

/**
 * CSI_PIN_VERSIONS=population@1.0.0[,survey@version]: keep a survey's current version at an older one though a newer
 * is shipped (tablets keep interviewing in it, the server accepts nothing newer), e.g. until interviewers are trained.
 */
function pinnedVersions(raw: string | undefined): Config['pinnedVersions'] {
  const pins: Config['pinnedVersions'] = {};
  for (const part of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [survey = '', version = ''] = part.split('@');
    if (!isSurveyId(survey)) throw new ConfigError(`CSI_PIN_VERSIONS: unknown survey "${survey}" in "${part}" (surveys: ${SURVEY_IDS.join(', ')}; write survey@version)`);
    try {
      versionPolicy(survey, version);
    } catch (e) {
      throw new ConfigError(`CSI_PIN_VERSIONS: ${(e as Error).message}`);
    }
    pins[survey] = version;
  }
  return pins;
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
    storeTimeoutMs: integer(env, 'STORE_TIMEOUT_MS', 2_000, 100, 600_000),
    faultKillBeforeAudit: env.CSI_FAULT_KILL_BEFORE_AUDIT?.trim() || null,
    limits: {
      writesPerMinute: integer(env, 'RATE_LIMIT_WRITES_PER_MINUTE', 600, 1, 10_000_000),
      loginsPerMinute: integer(env, 'RATE_LIMIT_LOGINS_PER_MINUTE', 30, 1, 100_000),
    },
    tls: tlsFiles(env),
    trustProxy: trustProxy(env.TRUST_PROXY),
    quotas: { maxLiveReservations: integer(env, 'QUOTA_MAX_LIVE_RESERVATIONS', 3, 1, 10_000) },
    http: httpLimits(env),
    pinnedVersions: pinnedVersions(env.CSI_PIN_VERSIONS),
  };
}
