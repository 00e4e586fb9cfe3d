import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectPaths } from '../config/paths.js';
import { findOnPath } from '../lib/find-on-path.js';
import { systemLaunchctl } from './launchd/launchctl.js';
import { launchdManager } from './launchd/launchd-manager.js';
import type { ServiceManager } from './service-manager.js';

/** What a manager is found from: the checkout, the user, and the PATH its tools are on. */
export interface ManagerContext {
  paths: ProjectPaths;
  home: string;
  uid: number;
  /** Set by sudo: the user who asked. */
  sudoUid: string | undefined;
  searchPath: string;
  sleep(ms: number): Promise<void>;
}

/** This process's: its user (and the one who ran sudo), HOME and PATH. */
export function thisProcess(paths: ProjectPaths): ManagerContext {
  return {
    paths,
    home: process.env.HOME || os.homedir(),
    uid: process.getuid?.() ?? 0,
    sudoUid: process.env.SUDO_UID || undefined,
    searchPath: process.env.PATH ?? '',
    sleep: (ms) => sleep(ms),
  };
}

/** The service manager this machine has: launchd where launchctl is on PATH; undefined where there is none. */
export function findServiceManager(context: ManagerContext): ServiceManager | undefined {
  if (findOnPath('launchctl', context.searchPath)) return launchdManager({ ...context, launchctl: systemLaunchctl });
  return undefined;
}

/** What install, uninstall and restart say where findServiceManager finds none. */
export const NO_MANAGER = 'launchctl not found: the service runs under launchd, which needs macOS. Nothing was changed.';
