import { loadEnvFile } from '../config/env-file.js';
import { checkoutRoot, projectPaths } from '../config/paths.js';
import { thisMachinesName } from '../config/machine-name.js';
import { agentCommand, machineName } from '../config/settings.js';
import { findServiceManager, thisProcess } from './find-manager.js';
import { install } from './install.js';
import { OptionError, parseInstallOptions } from './install-options.js';
import { logs } from './logs.js';
import { restart } from './restart.js';
import type { ScheduleOptions } from './schedule.js';
import { status } from './status/status.js';
import { uninstall } from './uninstall.js';

/** Entry point of scripts/valor-service.sh: the command, then the service manager this machine has. */
const NEEDS_MANAGER = ['install', 'uninstall', 'restart'];
const ANYWHERE = ['status', 'logs'];

export const USAGE = `Usage: scripts/valor-service.sh <command>
  install    install (or reinstall) the bridge's and the update's jobs for this checkout and this user:
             launchd agents on macOS, systemd user units on Linux;
             the update job runs at load and --at 06:00,18:00 (the default) or --every 30m,
             each run after a random delay of up to --jitter 5m (a reinstall keeps the schedule)
  uninstall  stop both jobs and remove their files
  restart    restart the bridge gracefully (SIGTERM; the service manager starts it again)
  status     each job's state, the schedule, the commit the bridge runs, the checkout's and the upstream's,
             the last update run, a pending restart, a hold; exit 1 if something needs attention
  logs       the last lines of logs/bridge.log and logs/update.log
  hold       [for 30m|4h|2d] [REASON]: keep this machine at the code it runs; scheduled runs and /update skip
             the update until then (24 h unless said, at most 7 days); in the chat: /update hold [MACHINE] …
  resume     end the hold (in the chat: /update resume [MACHINE])
  help       show this help (also -h, --help)`;

function print(line: string): void {
  console.log(`[valor-service] ${line}`);
}

async function main(): Promise<number> {
  const name = process.argv[2] ?? '';
  if (['help', '-h', '--help'].includes(name)) {
    console.log(USAGE);
    return 0;
  }
  if (!NEEDS_MANAGER.includes(name) && !ANYWHERE.includes(name)) {
    console.error(name ? `[valor-service] unknown command '${name}'\n${USAGE}` : USAGE);
    return 2;
  }
  let scheduleOptions: ScheduleOptions = {};
  try {
    if (name === 'install') scheduleOptions = parseInstallOptions(process.argv.slice(3));
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    print(`FAIL: ${error.message}. Nothing was changed.`);
    return 2;
  }
  const root = checkoutRoot();
  loadEnvFile(root);
  const paths = projectPaths(root);
  const context = thisProcess(paths);
  const { manager, none } = findServiceManager(context);
  const machine = () => machineName(process.env, thisMachinesName());
  if (name === 'status') return status({ manager, none, paths, machineName: machine(), now: Date.now(), print });
  if (name === 'logs') return logs(paths, print);
  if (!manager) {
    print(`FAIL: ${none}`);
    return 2;
  }
  if (name === 'install') {
    return install({ ...context, manager, agentCommand: agentCommand(process.env), machineName: machine(), print }, scheduleOptions);
  }
  if (name === 'uninstall') return uninstall(manager, print);
  return restart(manager, print);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
