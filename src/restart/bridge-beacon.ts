import fs from 'node:fs';
import { shortSha, unknownCommit } from '../git/checkout.js';
import { writeAtomic } from '../lib/atomic-write.js';

/**
 * data/bridge.json: what the running bridge loaded. The bridge writes it at
 * start, again when ready (connected, catch-up done), and marks it stopped at
 * exit; `valor-service.sh status` and the update job's health check read it.
 * Replaced whole (../lib/atomic-write.ts): a reader never sees half of it.
 */
export interface BridgeBeacon {
  pid: number;
  /** Full sha of the commit the process loaded; '' while git cannot say (gitFault). */
  commit: string;
  /** That commit's subject line. */
  subject: string;
  /** Git's own first line while it cannot run and the commit is unknown; absent otherwise. */
  gitFault?: string;
  machine: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  /** Connected and caught up; null until then. */
  readyAt: string | null;
  /** Set at exit; null while the process runs. */
  stoppedAt: string | null;
  /** The exit code the bridge chose, when it stopped itself. */
  exitCode: number | null;
}

export function writeBeacon(file: string, beacon: BridgeBeacon): void {
  writeAtomic(file, `${JSON.stringify(beacon, null, 2)}\n`);
}

/** The beacon, or undefined when there is none or it is not one. */
export function readBeacon(file: string): BridgeBeacon | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const beacon = parsed as Partial<BridgeBeacon>;
  if (typeof beacon.pid !== 'number' || typeof beacon.commit !== 'string' || typeof beacon.startedAt !== 'string') return undefined;
  return {
    pid: beacon.pid,
    commit: beacon.commit,
    subject: beacon.subject ?? '',
    ...(typeof beacon.gitFault === 'string' ? { gitFault: beacon.gitFault } : {}),
    machine: beacon.machine ?? '',
    startedAt: beacon.startedAt,
    readyAt: beacon.readyAt ?? null,
    stoppedAt: beacon.stoppedAt ?? null,
    exitCode: beacon.exitCode ?? null,
  };
}

/** The beacon's commit in a line: its short sha, or `commit unknown (git: …)`. */
export function beaconCommit(beacon: BridgeBeacon): string {
  return beacon.commit === '' && beacon.gitFault !== undefined ? unknownCommit(beacon.gitFault) : shortSha(beacon.commit);
}
