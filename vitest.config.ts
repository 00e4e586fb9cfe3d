import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Forks, not threads: some tests signal their own process, which would take
// down a worker thread together with every test sharing it.
// Two files at a time at least: most of these tests wait (on child processes,
// the local Telegram server, timeouts), and vitest's default on two cores
// (cores - 1) runs one file at a time. No more than the cores beyond that:
// test/run-all.sh runs the end-to-end suite and the bats suites alongside.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism() - 1),
    include: ['test/ts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
