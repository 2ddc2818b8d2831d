/**
 * The `csi` command line as an operator runs it, in a child process on the embedded store of the given environment
 * (MONGODB_URI emptied, so a test run's MongoDB is never used by mistake). Never throws for a non-zero exit: tests
 * assert the code and what was printed. `runCsi` runs server/cli/csi.ts bundled once per test process (see
 * bundle.ts); `runCsiEntry` runs the operator's own entry, bin/csi.js through tsx.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundled } from './bundle.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'csi.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runScript(script: string, env: Record<string, string>, args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { env: { ...process.env, MONGODB_URI: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export async function runCsi(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runScript(await bundled('server/cli/csi.ts'), env, args);
}

export function runCsiEntry(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runScript(BIN, env, args);
}
