import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    allowOnly: false,
    testTimeout: 30_000,
    reporters: ['default'],
  },
});
