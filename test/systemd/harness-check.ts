import { harnessUnavailable, userManager } from './fixtures/systemd-user.js';

/**
 * For test/run-all.sh, before the systemd suite: can the harness start a
 * user manager here? Prints why not in one line and exits 1; exits 0 silently
 * when it can (a manager started and stopped, about 2 s).
 *   node --import tsx test/systemd/harness-check.ts
 */
function why(): string | undefined {
  const unavailable = harnessUnavailable();
  if (unavailable) return unavailable;
  const manager = userManager();
  try {
    manager.start();
    manager.stop();
    return undefined;
  } catch (error) {
    return `the systemd-user harness could not start a manager: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

const reason = why();
if (reason) console.log(reason);
process.exit(reason ? 1 : 0);
