/**
 * An entry point of the app (the CLI, the server) bundled once per test process by esbuild into plain JavaScript, so
 * that tests which start it many times pay tsx's loader once instead of at every start (a second or more each on a
 * loaded machine). Packages stay external, resolved from the repository's node_modules: the bundle lives in
 * node_modules/.cache, under the repository root, and is removed when the process exits. The operator's own entry
 * (bin/csi.js through tsx) keeps a test of its own.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const built = new Map<string, Promise<string>>();
let dir: string | null = null;

function outDir(): string {
  if (!dir) {
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, 'csi-test-bundle-'));
    const made = dir;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

/** The path of the bundled JavaScript of `entry` (relative to the repository root), built on first use. */
export function bundled(entry: string): Promise<string> {
  let hit = built.get(entry);
  if (!hit) {
    const outfile = join(outDir(), `${entry.replace(/\W+/g, '-')}.mjs`);
    hit = build({
      entryPoints: [join(ROOT, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
      packages: 'external', logLevel: 'error',
    }).then(() => outfile);
    built.set(entry, hit);
  }
  return hit;
}
