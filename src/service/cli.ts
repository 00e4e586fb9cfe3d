import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadEnvFile } from '../config/env-file.js';
import { checkoutRoot, projectPaths } from '../config/paths.js';
import { findOnPath } from './launch-path.js';
import { launchdJobs } from './launchd-jobs.js';
import { systemLaunchctl } from './launchctl.js';
import { OptionError, parseInstallOptions } from './install-options.js';
import type { ScheduleOptions } from './schedule.js';
import { install, logs, restart, status, uninstall, type ServiceDeps } from './service.js';

/** Entry point of scripts/valor-service.sh. */
const NEEDS_LAUNCHD = { install, uninstall, restart } as const;
const ANYWHERE = { status, logs } as const;

export const USAGE = `Usage: scripts/valor-service.sh <command>
  install    install (or reinstall) both launchd agents for this checkout and this user;
             the update agent runs at load and --at 06:00,18:00 (the default) or --every 30m,
             each run after a random delay of up to --jitter 5m (a reinstall keeps the schedule)
  uninstall  boot out both agents and remove their plists
  restart    restart the bridge gracefully (SIGTERM; launchd starts it again)
  status     each agent's state, the schedule, the commit the bridge runs, the checkout's and the upstream's,
             the last update run, a pending restart; exit 1 if something needs attention
  logs       the last lines of logs/bridge.log and logs/update.log
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
  if (!Object.hasOwn(NEEDS_LAUNCHD, name) && !Object.hasOwn(ANYWHERE, name)) {
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
  const searchPath = process.env.PATH ?? '';
  const deps: ServiceDeps = {
    paths: projectPaths(root),
    jobs: launchdJobs(root),
    home: process.env.HOME || os.homedir(),
    uid: process.getuid?.() ?? 0,
    sudoUid: process.env.SUDO_UID || undefined,
    searchPath,
    agentCommand: process.env.VALOR_AGENT_CMD?.trim() || undefined,
    launchctl: findOnPath('launchctl', searchPath) ? systemLaunchctl : undefined,
    sleep: (ms) => sleep(ms),
    print,
  };
  if (Object.hasOwn(ANYWHERE, name)) return ANYWHERE[name as keyof typeof ANYWHERE](deps);
  if (!deps.launchctl) {
    print('launchctl not found: the service runs under launchd, which needs macOS. Nothing was changed.');
    return 2;
  }
  const launchd = { ...deps, launchctl: deps.launchctl };
  if (name === 'install') return install(launchd, scheduleOptions);
  return NEEDS_LAUNCHD[name as keyof typeof NEEDS_LAUNCHD](launchd);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
