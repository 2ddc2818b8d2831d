/**
 * The order test files start in, longest first, so that the files running in parallel finish together instead of
 * one long file starting last. Vitest orders by the durations it cached on an earlier run; a fresh CI clone has no
 * cache and vitest falls back to file size. Each directory's files run alike (browser files drive Chromium, the
 * integration files start servers and child processes, unit files compute), so the directory comes first and
 * vitest's own order decides within it.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Slowest kind first; a directory not listed runs after these. */
const DIRECTORIES = ['tests/browser/', 'tests/integration/', 'tests/contract/', 'tests/unit/'];

function rank(file: string): number {
  const at = DIRECTORIES.findIndex((d) => file.replaceAll('\\', '/').includes(`/${d}`));
  return at < 0 ? DIRECTORIES.length : at;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    return ordered.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec.moduleId) - rank(b.spec.moduleId) || a.i - b.i).map(({ spec }) => spec);
  }
}
