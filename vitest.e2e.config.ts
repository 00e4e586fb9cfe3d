import { defineConfig } from 'vitest/config';

// The end-to-end suite: the real bridge (`npm start`) against the local
// Telegram server (../shared/telegram-server). Forks, as the unit suite; each
// file runs its scenarios in order against its own server, one file at a
// time: three servers starting at once on a busy two-core machine answered
// their first logins too slowly for gramjs ("Not connected" in the auth key
// exchange). Timeouts are generous: scenarios wait out a real outage.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 1,
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The test's own gramjs clients print every failed reconnection attempt (and dump the
    // socket error) while a scenario holds the server down: the bridge's log is what is checked.
    onConsoleLog: (log) => !/^Error: connect ECONNREFUSED|connection failed attempt: \d+\]/.test(log),
  },
});
