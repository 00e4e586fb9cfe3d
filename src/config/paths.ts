import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { restartFiles } from '../restart/restart-files.js';

/** Where everything lives, derived from one project root: no machine-specific configuration. */
export interface ProjectPaths {
  root: string;
  dataDir: string;
  logsDir: string;
  updateScript: string;
  restartFlag: string;
  jobsDir: string;
  restartNotice: string;
  /** Written by the update script at every exit. */
  lastUpdate: string;
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
}

export function projectPaths(root: string): ProjectPaths {
  const dataDir = path.join(root, 'data');
  const restart = restartFiles(dataDir);
  return {
    root,
    dataDir,
    logsDir: path.join(root, 'logs'),
    updateScript: path.join(root, 'scripts', 'remote-update.sh'),
    restartFlag: restart.flag,
    jobsDir: path.join(dataDir, 'jobs'),
    restartNotice: restart.notice,
    lastUpdate: restart.lastUpdate,
    updateNotices: path.join(dataDir, 'update-notices.json'),
    chatMarks: path.join(dataDir, 'chat-marks.json'),
    peers: path.join(dataDir, 'peers.json'),
    consoleInbox: path.join(dataDir, 'console-inbox.jsonl'),
    bridgeBeacon: path.join(dataDir, 'bridge.json'),
  };
}

/** The checkout this code was loaded from (src/config/ is two levels below it). */
export function checkoutRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}
