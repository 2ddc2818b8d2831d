// The systemd units the README ships: systemd itself checks them (syntax, known keys, executables present), and
// the programs they start are the ones the build emits.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const UNITS = ['csi-survey.service', 'csi-survey-backup.service', 'csi-survey-backup.timer'].map((u) => join(ROOT, 'deploy', u));

describe('deploy/ systemd units', () => {
  it('pass systemd-analyze verify without a warning', async () => {
    const { stdout, stderr } = await promisify(execFile)('systemd-analyze', ['verify', ...UNITS], { cwd: ROOT });
    expect(`${stdout}${stderr}`.trim()).toBe('');
  });

  it('start what `npm run build` compiles: the server, and the CLI for backups', () => {
    const started = UNITS.flatMap((u) => [...readFileSync(u, 'utf8').matchAll(/\bdist\/(\S+?)\.js\b/g)].map((m) => m[1]));
    expect(started.sort()).toEqual(['server/cli/csi', 'server/main']);
    for (const path of started) expect(existsSync(join(ROOT, `${path}.ts`))).toBe(true);
  });

  it('do not restart the server on exit status 2 (bad configuration, or a store of a newer release)', () => {
    expect(readFileSync(UNITS[0] as string, 'utf8')).toMatch(/^RestartPreventExitStatus=2$/m);
  });
});
