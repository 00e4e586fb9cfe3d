import { shortSha } from '../../git/checkout.js';
import { beaconCommit, type BridgeBeacon } from '../../restart/bridge-beacon.js';

/**
 * Is the bridge up, ready, on the checkout's commit? Judged from its beacon
 * (data/bridge.json), the restart flag and the last update run, by
 * `valor-service.sh status` and by the update job's health check alike.
 * Pure: the caller gathers the facts.
 */

/** How long a restart, or a start, may take before it is a problem. */
export const RESTART_GRACE_MS = 5 * 60_000;

export interface BridgeFacts {
  now: number;
  beacon: BridgeBeacon | undefined;
  /** The beacon's process is alive (and is the one the service manager runs, where it can say). */
  alive: boolean;
  /** The checkout's HEAD, full sha. */
  head: string;
  /** When data/restart-requested was written (ms), if it exists. */
  flagWrittenAt: number | undefined;
  /** When the last run that changed the checkout ended (ms), if it did. */
  lastUpdateAt: number | undefined;
  /** The bridge refused to restart into the checkout (data/last-update's `restart` key): it says so itself. */
  restartRefused: boolean;
}

export type ProblemKind = 'not-running' | 'not-ready' | 'not-restarted' | 'not-on-checkout';

export interface Problem {
  kind: ProblemKind;
  /** ISO time the trouble dates from. */
  since: string;
}

export type Verdict = { kind: 'ready'; commit: string } | { kind: 'fine-for-now' } | { kind: 'problem'; problem: Problem };

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function ms(iso: string | null | undefined): number | undefined {
  const value = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(value) ? undefined : value;
}

export function judgeBridge(facts: BridgeFacts): Verdict {
  const { beacon, now } = facts;
  const old = (at: number | undefined) => at !== undefined && now - at > RESTART_GRACE_MS;
  const problem = (kind: ProblemKind, since: number): Verdict => ({ kind: 'problem', problem: { kind, since: isoSeconds(since) } });
  const up = beacon !== undefined && beacon.stoppedAt === null && facts.alive;

  if (!up) {
    if (!beacon) return old(facts.flagWrittenAt) ? problem('not-running', facts.flagWrittenAt!) : { kind: 'fine-for-now' };
    // Down for long is a problem whether or not a restart was asked since: a fresh flag does not excuse it.
    const lastSeen = ms(beacon.stoppedAt) ?? ms(beacon.readyAt) ?? ms(beacon.startedAt) ?? now;
    return old(lastSeen) ? problem('not-running', lastSeen) : { kind: 'fine-for-now' };
  }
  const startedAt = ms(beacon.startedAt) ?? now;
  if (beacon.readyAt === null) return old(startedAt) ? problem('not-ready', startedAt) : { kind: 'fine-for-now' };
  // Its git cannot run: said apart (the beacon's gitFault), and the bridge asks again every minute.
  if (beacon.commit === '') return { kind: 'fine-for-now' };
  if (beacon.commit === facts.head) return { kind: 'ready', commit: beacon.commit };
  if (facts.restartRefused) return { kind: 'fine-for-now' };
  if (facts.flagWrittenAt !== undefined) {
    return old(facts.flagWrittenAt) ? problem('not-restarted', facts.flagWrittenAt) : { kind: 'fine-for-now' };
  }
  // An update since the start that left no flag needed no restart (.restartignore).
  if (facts.lastUpdateAt !== undefined && facts.lastUpdateAt > startedAt) return { kind: 'fine-for-now' };
  return problem('not-on-checkout', startedAt);
}

/**
 * The line recorded in data/last-update's `bridge` key, shown by status and
 * posted as the alert. `manager` is what the service manager says of the
 * bridge's job (see ./manager-says.ts).
 */
export function problemLine(problem: Problem, beacon: BridgeBeacon | undefined, head: string, manager: string): string {
  const running = beacon ? beaconCommit(beacon) : '';
  switch (problem.kind) {
    case 'not-running':
      return `bridge not running since ${problem.since} (${manager})`;
    case 'not-ready':
      return `bridge not ready since ${problem.since}: started on ${running}, not connected yet (${manager})`;
    case 'not-restarted':
      return `bridge still on ${running}: the restart asked at ${problem.since} for ${shortSha(head)} has not happened (${manager})`;
    case 'not-on-checkout':
      return `bridge still on ${running} while the checkout is at ${shortSha(head)}, and no restart is pending (${manager})`;
  }
}

/** What `bridge back on <sha>` follows: one alert per cause, a cause being the trouble and the commit it kept from running. */
export function causeKey(problem: Problem, head: string): string {
  return `${problem.kind} ${head}`;
}

export function recoveryLine(commit: string): string {
  return `bridge back on ${shortSha(commit)}`;
}
