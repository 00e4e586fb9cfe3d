import { parseAlertSettings } from '../config/alert-settings.js';
import { loadEnvFile } from '../config/env-file.js';
import { thisMachinesName } from '../config/machine-name.js';
import { checkoutRoot, projectPaths } from '../config/paths.js';
import { machineName } from '../config/settings.js';
import { gitCannotRun, gitFault, readHead } from '../git/checkout.js';
import { gatherBridgeFacts } from './bridge-check/bridge-facts.js';
import { checkBridge } from './bridge-check/health-check.js';
import { managerSays } from './bridge-check/manager-says.js';
import { postAlert } from './bridge-check/telegram-alert.js';
import { findServiceManager, thisProcess } from './find-manager.js';

/** Entry point of the update job's bridge check (run by scripts/scheduled-update.sh); the check is ./bridge-check/. */
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
  const head = await readHead(root);
  if (!head) {
    const fault = await gitFault();
    print(`WARN: ${fault === undefined ? 'the checkout has no commit to compare the bridge with' : `${gitCannotRun(fault)} (git: ${fault})`}; nothing checked`);
    return 0;
  }
  const { manager } = findServiceManager(thisProcess(paths));
  const bridgeState = manager?.bridgeState();
  const settings = parseAlertSettings(process.env);
  await checkBridge({
    facts: gatherBridgeFacts(paths, head.sha, bridgeState, Date.now()),
    paths,
    machine: machineName(process.env, thisMachinesName()),
    manager: managerSays(manager, bridgeState),
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
