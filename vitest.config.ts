import { defineConfig } from 'vitest/config';

// CI asks for a JSON report (VITEST_JSON_REPORT) so .ci/run can fail on skipped suites.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    allowOnly: false,
    testTimeout: 30_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    outputFile: jsonReport ? { json: jsonReport } : undefined,
  },
});
