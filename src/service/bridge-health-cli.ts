import os from 'node:os';
import path from 'node:path';
import { loadEnvFile } from '../config/env-file.js';
import { checkoutRoot, projectPaths } from '../config/paths.js';
import { gatherBridgeFacts } from './bridge-facts.js';
import { headCommit } from './checkout-facts.js';
import { checkBridge } from './health-check.js';
import { findOnPath } from './launch-path.js';
import { systemLaunchctl } from './launchctl.js';
import { launchdJobs } from './launchd-jobs.js';
import { describeLaunchdState, readServiceState } from './launchd-state.js';
import { alertSettings, postAlert } from './telegram-alert.js';

/** Entry point of the update job's health check (run by scripts/scheduled-update.sh). */
function print(line: string): void {
  console.log(`[bridge-health] ${line}`);
}

async function main(): Promise<number> {
  const root = checkoutRoot();
  try {
    loadEnvFile(root);
  } catch (error) {
    print(`WARN: .env could not be read (${error instanceof Error ? error.message : String(error)}); checking without it`);
  }
  const paths = projectPaths(root);
  const jobs = launchdJobs(root);
  const head = headCommit(root);
  if (!head) {
    print('WARN: the checkout has no commit to compare the bridge with; nothing checked');
    return 0;
  }
  const launchd = findOnPath('launchctl', process.env.PATH ?? '')
    ? readServiceState(systemLaunchctl, `gui/${process.getuid?.() ?? 0}/${jobs.bridge.label}`)
    : 'none';
  const settings = alertSettings(process.env);
  await checkBridge({
    facts: gatherBridgeFacts(paths, head.sha, launchd, Date.now()),
    lastUpdateFile: paths.lastUpdate,
    bridgeLog: path.join(root, jobs.bridge.log),
    memoryFile: paths.bridgeAlert,
    machine: process.env.VALOR_MACHINE_NAME?.trim() || os.hostname(),
    launchd: launchd === 'none' ? 'not available' : describeLaunchdState(launchd),
    post: settings ? (text) => postAlert(settings, text) : undefined,
    print,
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
