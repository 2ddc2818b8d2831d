/**
 * `csi backup` and `csi restore` as an operator runs them: a backup of the embedded store taken while a real server
 * process keeps accepting submissions from concurrent clients, restored into an empty DATA_DIR, holds every
 * response acknowledged before the backup began, exactly as sent; and the restored store serves. Load is bounded by
 * counts: the clients keep submitting until the backup has finished and at least MIN_SUBMISSIONS were sent.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCsi } from '../support/csi-cli.js';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { systemActor } from '../../server/domain/actor.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { ResponsesService } from '../../server/services/responses.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { startServer } from '../support/server-process.js';

const ADMIN_PASSWORD = 'backup-test-admin-password';
/** Responses in the store before the server starts: enough pages that the copy takes many steps (256 pages each). */
const PREFILLED = 1_500;
const MIN_SUBMISSIONS = 300;
const CLIENTS = 6;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'csi-backup-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const csi = runCsi;

/** Responses written straight through the service, as a store that has been in the field a while. */
async function prefill(dataDir: string, generator: SyntheticGenerator): Promise<Submission[]> {
  const store = new SqliteStore(join(dataDir, 'csi.sqlite'));
  const clock = () => new Date();
  const responses = new ResponsesService(store, compileAllValidators(), clock, auditTrail(store, clock));
  const sent: Submission[] = [];
  try {
    for (let i = 0; i < PREFILLED; i += 1) {
      const submission = generator.nextSubmission('form');
      await responses.submit('population', submission, systemActor('ainur'));
      sent.push(submission);
    }
  } finally {
    await store.close();
  }
  return sent;
}

describe('csi backup and restore', () => {
  it('backs up under write load; the restore into an empty DATA_DIR holds every response acknowledged before the backup began', async () => {
    const live = tempDir();
    const generator = new SyntheticGenerator('population', { seed: 1515 });
    const sent = new Map<string, Submission>();
    for (const s of await prefill(live, generator)) sent.set(s.id, s);
    const acknowledged = new Set(sent.keys());

    const server = await startServer({ DATA_DIR: live, MONGODB_URI: '', CSI_ADMIN_PASSWORD: ADMIN_PASSWORD }, cleanups);
    const bearer = await server.login('admin', ADMIN_PASSWORD);

    let backupDone = false;
    let submitted = 0;
    let acknowledgedDuringBackup = 0;
    let backupRunning = false;
    const failures: string[] = [];
    const client = async () => {
      while (!backupDone || submitted < MIN_SUBMISSIONS) {
        submitted += 1;
        const submission = generator.nextSubmission('form');
        sent.set(submission.id, submission);
        const res = await fetch(`${server.url}/api/v1/surveys/population/responses`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: bearer }, body: JSON.stringify(submission),
        });
        const text = await res.text();
        if (res.status !== 201) failures.push(`HTTP ${res.status}: ${text}`);
        else {
          acknowledged.add(submission.id);
          if (backupRunning) acknowledgedDuringBackup += 1;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    // Let the clients get going, then take the backup: what is acknowledged at this instant must be in it.
    while (acknowledged.size < PREFILLED + 50) await new Promise((r) => setTimeout(r, 10));
    const before = new Set(acknowledged);
    const backupFile = join(tempDir(), 'csi-backup.sqlite');
    backupRunning = true;
    const backup = await csi({ DATA_DIR: live }, 'backup', backupFile);
    backupRunning = false;
    backupDone = true;
    await Promise.all(clients);

    expect(backup.stderr.replace(/backup .*\n?/g, '')).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up .*csi\.sqlite to .*csi-backup\.sqlite: \d+ responses, 1 users, \d+ audit entries; schema version \d+/);
    expect(statSync(backupFile).size).toBeGreaterThan(4 * 256 * 4096);
    expect(failures).toEqual([]);
    expect(acknowledgedDuringBackup).toBeGreaterThan(0);

    // Restore into an empty DATA_DIR.
    const restoredDir = join(tempDir(), 'data');
    const restore = await csi({ DATA_DIR: restoredDir }, 'restore', backupFile);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^restored .* as .*csi\.sqlite: \d+ responses, 1 users/);

    const store = new SqliteStore(join(restoredDir, 'csi.sqlite'));
    try {
      const missing: string[] = [];
      for (const id of before) {
        const stored = await store.findResponseById(id);
        if (!stored) missing.push(id);
        else expect(stored.answers).toEqual(sent.get(id)?.answers);
      }
      expect(missing).toEqual([]);
      // Nothing that was never sent; and the count agrees with the copy's own report.
      const restored = await store.countResponses({ survey: 'population' });
      expect(restored).toBeGreaterThanOrEqual(before.size);
      expect(restored).toBeLessThanOrEqual(sent.size);
      expect(restore.stdout).toContain(`: ${restored} responses`);
      for await (const r of store.streamResponses({ survey: 'population' })) expect(sent.has(r.id)).toBe(true);
      expect(await store.findUserByUsername('admin')).not.toBeNull();
    } finally {
      await store.close();
    }

    // Restoring over a store in use, or over one that holds data without --force, is refused and changes nothing.
    const inUse = await csi({ DATA_DIR: live }, 'restore', backupFile, '--force');
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toMatch(/is in use: stop the server/);
    const occupied = await csi({ DATA_DIR: restoredDir }, 'restore', backupFile);
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toMatch(/already holds a store \(\d+ responses, 1 users, \d+ audit entries\)\. Restoring would replace all of it/);

    // The restored store serves: a server started on it finds a response acknowledged before the backup.
    await server.stop();
    const again = await startServer({ DATA_DIR: restoredDir, MONGODB_URI: '' }, cleanups);
    const [someId] = before;
    const res = await fetch(`${again.url}/api/v1/surveys/population/responses/${someId}`, { headers: { authorization: await again.login('admin', ADMIN_PASSWORD) } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { answers: unknown }).answers).toEqual(sent.get(someId as string)?.answers);
  }, 300_000);

  it('restores a backup made by an older release; the store is migrated when next opened', async () => {
    const dataDir = join(tempDir(), 'data');
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'stores', 'release-0.1.0', 'csi.sqlite');
    const restored = await csi({ DATA_DIR: dataDir }, 'restore', fixture);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/: 24 responses, 3 users, \d+ audit entries; schema version 0;/);
    const users = await csi({ DATA_DIR: dataDir }, 'users', 'list');
    expect(users.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0])).toEqual(['admin', 'ainur', 'coord_akm']);
    const store = new SqliteStore(join(dataDir, 'csi.sqlite'));
    try {
      expect(store.schema.from).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('refuses plainly: an existing backup file, no store to back up, a file that is not a backup, and MongoDB', async () => {
    const dir = tempDir();
    const notABackup = join(dir, 'notes.txt');
    writeFileSync(notABackup, 'not a database');
    const none = await csi({ DATA_DIR: join(dir, 'empty') }, 'backup', join(dir, 'b.sqlite'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/There is no embedded store at .*csi\.sqlite: nothing to back up/);
    const bad = await csi({ DATA_DIR: join(dir, 'restored') }, 'restore', notABackup);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/notes\.txt is not a csi-survey store: it is not an SQLite database/);
    const exists = await csi({ DATA_DIR: join(dir, 'restored') }, 'backup', notABackup);
    expect(exists.stderr).toMatch(/There is no embedded store/);
    expect((await csi({ DATA_DIR: join(dir, 'seeded') }, 'seed', 'external', '--count', '3')).code).toBe(0);
    const overwrite = await csi({ DATA_DIR: join(dir, 'seeded') }, 'backup', notABackup);
    expect(overwrite.code).toBe(2);
    expect(overwrite.stderr).toMatch(/notes\.txt already exists\. Choose another name, or add --force/);
    const mongo = await csi({ DATA_DIR: dir, MONGODB_URI: 'mongodb://db.example:27017/?replicaSet=rs0' }, 'backup', join(dir, 'm.sqlite'));
    expect(mongo.code).toBe(2);
    expect(mongo.stderr).toMatch(/uses MongoDB \(MONGODB_URI is set\)[\s\S]*mongodump --uri="\$MONGODB_URI"/);
    expect(mongo.stderr).not.toContain('db.example');
  }, 120_000);
});
