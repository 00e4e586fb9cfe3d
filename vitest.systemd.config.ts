import { defineConfig } from 'vitest/config';

// The systemd suite: the service layer's units under the real systemd user
// manager of ../shared/systemd-user, as its user valor-test. Forks, as the
// other suites; one file at a time, since every file starts and stops the
// same user's manager. Timeouts are generous: a test waits out the bridge's
// one-minute retry.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 1,
    include: ['test/systemd/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
