import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where everything lives, derived from one project root: no machine-specific
 * configuration. The one place a path under the project is spelled in
 * TypeScript; scripts/remote-update.sh keeps its own block of the paths it
 * writes, mirroring these.
 */
export interface ProjectPaths {
  root: string;
  /** The settings file, read by ./env-file.ts. */
  envFile: string;
  /** Its "start" is how the bridge is started (../service/bridge-command.ts). */
  packageJson: string;
  dataDir: string;
  logsDir: string;
  /** The bridge's log: what the service manager appends its output to. */
  bridgeLog: string;
  /** The update job's log. */
  updateLog: string;
  updateScript: string;
  /** scripts/valor-service.sh: its hold and resume are the one writer of `hold`. */
  serviceScript: string;
  /** "<UTC time> <N> commit(s)": written by the update script, removed by the restart. */
  restartFlag: string;
  jobsDir: string;
  /** Where to say how the restart went: the /update and its reply to edit (JSON, written by /update). */
  restartNotice: string;
  /** The last update run, key=value lines (see ../restart/last-update.ts). */
  lastUpdate: string;
  /** A directory: held by whoever rewrites data/last-update, for that moment only. */
  lastUpdateLock: string;
  /** What the bridge has told VALOR_NOTIFY_CHAT about update runs. */
  updateNotices: string;
  /** Per chat, the highest message id taken in: where the catch-up starts. */
  chatMarks: string;
  /** The input peers of the chats heard from, to reach them after a restart. */
  peers: string;
  /** Console mode's lines not yet taken in: read first at the next start. */
  consoleInbox: string;
  /** What the running bridge loaded (see ../restart/bridge-beacon.ts). */
  bridgeBeacon: string;
  /** What the update job's bridge check has alerted (see ../service/bridge-check/). */
  bridgeAlert: string;
  /** A hold on updates, key=value lines: written and read by scripts/lib/hold.sh. */
  hold: string;
}

export function projectPaths(root: string): ProjectPaths {
  const dataDir = path.join(root, 'data');
  const logsDir = path.join(root, 'logs');
  return {
    root,
    envFile: path.join(root, '.env'),
    packageJson: path.join(root, 'package.json'),
    dataDir,
    logsDir,
    bridgeLog: path.join(logsDir, 'bridge.log'),
    updateLog: path.join(logsDir, 'update.log'),
    updateScript: path.join(root, 'scripts', 'remote-update.sh'),
    serviceScript: path.join(root, 'scripts', 'valor-service.sh'),
    restartFlag: path.join(dataDir, 'restart-requested'),
    jobsDir: path.join(dataDir, 'jobs'),
    restartNotice: path.join(dataDir, 'restart-notice.json'),
    lastUpdate: path.join(dataDir, 'last-update'),
    lastUpdateLock: path.join(dataDir, 'last-update.lock'),
    updateNotices: path.join(dataDir, 'update-notices.json'),
    chatMarks: path.join(dataDir, 'chat-marks.json'),
    peers: path.join(dataDir, 'peers.json'),
    consoleInbox: path.join(dataDir, 'console-inbox.jsonl'),
    bridgeBeacon: path.join(dataDir, 'bridge.json'),
    bridgeAlert: path.join(dataDir, 'bridge-alert.json'),
    hold: path.join(dataDir, 'hold'),
  };
}

/** The logs the service manager appends to, the bridge's first: capped by the bridge, shown by valor-service.sh. */
export function logFiles(paths: ProjectPaths): string[] {
  return [paths.bridgeLog, paths.updateLog];
}

/** The checkout this code was loaded from (src/config/ is two levels below it). */
export function checkoutRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}
