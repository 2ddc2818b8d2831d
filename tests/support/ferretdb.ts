/**
 * FerretDB 1.24.2 for the MongoDB suites: found (FERRETDB_BIN, or the binary scripts/install-ferretdb.sh builds)
 * or built on first use, started on a free loopback port with its SQLite backend in a temp dir, and stopped after.
 * A MONGODB_URI in the environment (a real MongoDB) is used instead.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';

export interface MongoServer {
  uri: string;
  kind: 'ferretdb' | 'external';
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');

export function ferretDbBinary(): string {
  const given = process.env.FERRETDB_BIN;
  if (given) {
    if (!existsSync(given)) throw new Error(`FERRETDB_BIN=${given} does not exist`);
    return given;
  }
  // The install script prints the path; it builds only when the binary is missing (about a minute, cached after).
  return execFileSync(join(ROOT, 'scripts', 'install-ferretdb.sh'), { encoding: 'utf8', timeout: 15 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPing(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.close();
    }
  }
  throw new Error(`FerretDB did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/** A FerretDB process of its own: stopped and started again on the same port and data (a store outage, say). */
export interface FerretDb {
  uri: string;
  /** Starts again on the same port and data after a stop. */
  restart(): Promise<void>;
  /** SIGKILL, the data kept: an outage. */
  kill(): Promise<void>;
  /** Stops and removes the data. */
  stop(): Promise<void>;
}

export async function startFerretDb(): Promise<FerretDb> {
  const binary = ferretDbBinary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'csi-ferretdb-'));
  const uri = `mongodb://127.0.0.1:${port}/`;
  let child: ChildProcess | null = null;
  const launch = async () => {
    const started = spawn(binary, [
      '--handler=sqlite', `--sqlite-url=file:${dir}/`, `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-', `--state-dir=${dir}`, '--telemetry=disable', '--log-level=error',
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
    child = started;
    await waitForPing(uri, started, 30_000);
  };
  const signal = async (name: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill(name);
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await signal('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    uri,
    restart: launch,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startMongo(): Promise<MongoServer> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, kind: 'external', stop: async () => {} };
  const server = await startFerretDb();
  return { uri: server.uri, kind: 'ferretdb', stop: server.stop };
}
