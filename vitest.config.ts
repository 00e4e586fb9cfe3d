import { defineConfig } from 'vitest/config';

// Forks, not threads: some tests signal their own process, which would take
// down a worker thread together with every test sharing it.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/ts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
