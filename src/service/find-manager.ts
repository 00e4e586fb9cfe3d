import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectPaths } from '../config/paths.js';
import { findOnPath } from '../lib/find-on-path.js';
import { systemLaunchctl } from './launchd/launchctl.js';
import { launchdManager } from './launchd/launchd-manager.js';
import type { ManagerContext, ServiceManager } from './service-manager.js';
import { runCommand, userSystemctl } from './systemd/systemctl.js';
import { noManagerLine, systemdManager } from './systemd/systemd-manager.js';

/** What a manager is found from: whose jobs, and the PATH its tools are on. */
export interface FindContext extends ManagerContext {
  searchPath: string;
}

/** This process's: its user (and the one who ran sudo), HOME and PATH. */
export function thisProcess(paths: ProjectPaths): FindContext {
  return {
    paths,
    home: process.env.HOME || os.homedir(),
    xdgConfigHome: process.env.XDG_CONFIG_HOME || undefined,
    user: process.env.USER || os.userInfo().username,
    uid: process.getuid?.() ?? 0,
    sudoUid: process.env.SUDO_UID || undefined,
    searchPath: process.env.PATH ?? '',
    sleep: (ms) => sleep(ms),
  };
}

/** The manager found, or why there is none: one line, ending "Nothing was changed." for the commands that would change something. */
export type FoundManager = { manager: ServiceManager; none?: undefined } | { manager?: undefined; none: string };

const NEITHER = 'no service manager here: the bridge runs under launchd (macOS, launchctl) or a systemd user manager (Linux, systemctl), and neither is on PATH. Nothing was changed.';

/**
 * launchd where launchctl is on PATH; else systemd where systemctl is and
 * the user's manager answers (as root or under sudo it is chosen all the
 * same, for its one-line refusal).
 */
export function findServiceManager(context: FindContext): FoundManager {
  if (findOnPath('launchctl', context.searchPath)) return { manager: launchdManager({ ...context, launchctl: systemLaunchctl }) };
  if (!findOnPath('systemctl', context.searchPath)) return { none: NEITHER };
  const systemctl = userSystemctl();
  const refusedUser = context.uid === 0 || context.sudoUid !== undefined;
  const none = refusedUser ? undefined : noManagerLine(systemctl, context.user);
  if (none) return { none };
  return { manager: systemdManager({ ...context, systemctl, run: runCommand, now: () => Date.now() }) };
}
