import fs from 'node:fs';
import type { ProjectPaths } from '../../config/paths.js';
import { readBeacon } from '../../restart/bridge-beacon.js';
import { fieldOf, parseLastUpdate, type LastUpdate } from '../../restart/last-update.js';
import type { BridgeState } from '../service-manager.js';
import type { BridgeFacts } from './judge-bridge.js';

/** The files and processes ./judge-bridge.ts judges from, read once. */
export interface GatheredFacts extends BridgeFacts {
  /** data/last-update as written, '' when there is none. */
  recordText: string;
  record: LastUpdate | undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mtime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * `manager` is the service manager's view of the bridge's job, undefined
 * where there is no manager. Where it runs the bridge, the beacon's process
 * counts as alive only if it is the pid the manager runs (a pid reused after
 * a reboot does not); elsewhere (no manager, or a bridge started by hand
 * beside one), if that pid is alive.
 */
export function gatherBridgeFacts(paths: ProjectPaths, head: string, manager: BridgeState | undefined, now: number): GatheredFacts {
  const beacon = readBeacon(paths.bridgeBeacon);
  let recordText = '';
  try {
    recordText = fs.readFileSync(paths.lastUpdate, 'utf8');
  } catch {
    // no run recorded yet
  }
  const record = parseLastUpdate(recordText);
  const alive = beacon !== undefined && (manager?.managed ? manager.pid === beacon.pid : pidAlive(beacon.pid));
  const changed = record && (record.outcome === 'updated' || record.outcome === 'updated-with-conflict') ? Date.parse(record.time) : NaN;
  return {
    now,
    beacon,
    alive,
    head,
    flagWrittenAt: mtime(paths.restartFlag),
    lastUpdateAt: Number.isNaN(changed) ? undefined : changed,
    restartRefused: fieldOf(recordText, 'restart') !== undefined,
    recordText,
    record,
  };
}
