import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own in-memory runtime; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
