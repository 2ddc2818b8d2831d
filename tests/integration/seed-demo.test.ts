// The README's demo command on an empty store, as a new user runs it: every survey gets the Kazakhstan study's
// sizes, and running it again adds nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run seed:demo', () => {
  let dir: string;
  const seedDemo = () => run('npm', ['run', '--silent', 'seed:demo'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir, MONGODB_URI: '' } });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'csi-demo-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads 542 population, 170 organisational and 41 external responses on an empty store', async () => {
    const { stdout } = await seedDemo();
    expect(stdout).toMatch(/542 synthetic population responses: 542 new, 0 already present/);
    expect(stdout).toMatch(/170 synthetic organisational responses: 170 new, 0 already present/);
    expect(stdout).toMatch(/41 synthetic external responses: 41 new, 0 already present/);
  }, 300_000);

  it('adds nothing when run again', async () => {
    const { stdout } = await seedDemo();
    expect(stdout).toMatch(/542 synthetic population responses: 0 new, 542 already present/);
    expect(stdout).toMatch(/170 synthetic organisational responses: 0 new, 170 already present/);
    expect(stdout).toMatch(/41 synthetic external responses: 0 new, 41 already present/);
  }, 300_000);
});
