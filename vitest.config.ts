import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './tests/support/sequencer.js';

// CI asks for a JSON report (VITEST_JSON_REPORT) so .ci/run can fail on skipped suites.
const jsonReport = process.env.VITEST_JSON_REPORT;

/**
 * Test files in parallel: more workers than cores, because most of a file's time is spent waiting on other processes
 * (Chromium, FerretDB, R, the CLI and server in child processes), not computing. Vitest's default (cores - 1) is one
 * worker on a 2-core CI machine, which ran the files one after another. VITEST_MAX_WORKERS overrides it.
 */
const workers = Number(process.env.VITEST_MAX_WORKERS) || Math.max(2, Math.ceil(availableParallelism() * 1.5));

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    allowOnly: false,
    pool: 'forks',
    maxWorkers: workers,
    sequence: { sequencer: LongestFirst },
    // Safety nets for a hung test, not bounds on speed: files share the cores, so a hook or test may wait its turn.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    outputFile: jsonReport ? { json: jsonReport } : undefined,
  },
});
