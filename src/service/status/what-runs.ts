import fs from 'node:fs';
import type { ProjectPaths } from '../../config/paths.js';
import { gitCannotRun, readCheckout, type Checkout } from '../../git/checkout.js';
import { beaconCommit, type BridgeBeacon } from '../../restart/bridge-beacon.js';
import { fieldOf } from '../../restart/last-update.js';
import { gatherBridgeFacts, type GatheredFacts } from '../bridge-check/bridge-facts.js';
import { isoSeconds, judgeBridge, problemLine, type Verdict } from '../bridge-check/judge-bridge.js';
import { describeHold, readHold } from '../../update/hold.js';
import { HOLD_MARK } from '../../update/status-line.js';
import { missingNode } from '../node-folder.js';
import { describeSchedule, type Schedule } from '../schedule.js';
import type { BridgeState } from '../service-manager.js';

/**
 * The part of `valor-service.sh status` that says what runs: the schedule,
 * the bridge's beacon, the checkout and its upstream, what the last run left
 * to look at, a hold, and whether the jobs can still find node. Each problem
 * is pushed to `problems` (status then says "needs attention", exit 1).
 */
export interface ReportDeps {
  paths: ProjectPaths;
  /** The schedule the installed update job holds. */
  schedule: Schedule | undefined;
  /** The PATH the installed bridge job runs with. */
  jobPath: string | undefined;
  /** How the manager calls its jobs ("agents", "units"). */
  jobNoun: string;
  /** The service manager's view of the bridge's job; undefined where there is no manager. */
  bridgeState: BridgeState | undefined;
  /** What the manager says of it, for the lines (../bridge-check/manager-says.ts). */
  managerSays: string;
  now: number;
  print(line: string): void;
}

/** The beacon's ISO times, to the second as every other time here. */
function at(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : isoSeconds(ms);
}

function beaconLine(beacon: BridgeBeacon | undefined, alive: boolean): string {
  if (!beacon) return 'bridge: no record of what runs (data/bridge.json): none has started since this version was installed';
  const sha = beaconCommit(beacon);
  if (alive && beacon.stoppedAt === null) {
    if (beacon.readyAt === null) return `bridge: starting ${sha} since ${at(beacon.startedAt)} (pid ${beacon.pid}), not ready yet`;
    const subject = beacon.subject ? ` — ${beacon.subject}` : '';
    return `bridge: running ${sha} since ${at(beacon.startedAt)} (pid ${beacon.pid})${subject}`;
  }
  if (beacon.stoppedAt !== null) {
    return `bridge: not running: ${sha} stopped at ${at(beacon.stoppedAt)}${beacon.exitCode === null ? '' : ` (exit ${beacon.exitCode})`}`;
  }
  return `bridge: not running: ${sha} (pid ${beacon.pid}, started ${at(beacon.startedAt)}) is gone without a stop record`;
}

/** A bridge up with its commit unknown: its git cannot run (it asks again every minute). */
function reportBridgeGit(facts: GatheredFacts, problems: string[]): void {
  const { beacon } = facts;
  if (beacon?.gitFault !== undefined && facts.alive && beacon.stoppedAt === null) problems.push(gitCannotRun(beacon.gitFault));
}

function reportCheckout(deps: ReportDeps, checkout: Checkout, problems: string[]): void {
  if (!checkout.head) {
    if (checkout.gitFault === undefined) {
      deps.print('checkout: not a git checkout with a commit');
      return;
    }
    deps.print(`checkout: unknown (git: ${checkout.gitFault})`);
    problems.push(gitCannotRun(checkout.gitFault));
    return;
  }
  deps.print(`checkout: ${checkout.head.short} — ${checkout.head.subject}`);
  const up = checkout.upstream;
  if (!up) {
    deps.print('upstream: none (the branch tracks no remote branch)');
  } else {
    const fetched = checkout.fetchedAtMs === undefined ? 'never fetched' : `last fetched ${isoSeconds(checkout.fetchedAtMs)}`;
    const lag = up.behind > 0 ? `${up.behind} commit(s) not in the checkout yet` : 'the checkout has it';
    deps.print(`upstream: ${up.short} — ${up.subject} (${up.name}, ${fetched}; ${lag})`);
  }
}

/** What the update job's bridge check recorded, unless the bridge has recovered since. */
function recordedBridge(deps: ReportDeps, facts: GatheredFacts, verdict: Verdict, problems: string[], live: string | undefined): void {
  const recorded = fieldOf(facts.recordText, 'bridge');
  if (recorded === undefined) return;
  const recovered = verdict.kind === 'ready' ? ' (it has recovered since)' : '';
  deps.print(`bridge check of the last update run: ${recorded}${recovered}`);
  const log = fieldOf(facts.recordText, 'bridge_log');
  if (log && !recorded.startsWith('bridge back on')) {
    deps.print('bridge log as it then ended:');
    for (const line of log.split(' | ')) deps.print(`  ${line}`);
  }
  if (!recovered && !live && !recorded.startsWith('bridge back on')) problems.push(recorded);
}

function reportRecord(deps: ReportDeps, facts: GatheredFacts, problems: string[]): void {
  if (facts.record?.outcome === 'updated-with-conflict') {
    const stash = facts.record.stash.trim() || undefined;
    const where = stash ?? 'the git stash list';
    const how = stash ? `git stash pop ${stash}` : 'git stash list, then git stash pop stash@{N}';
    const line = `the last update could not put your local edits back: they are in ${where}; get them back with ${how}`;
    deps.print(`local edits: ${line}`);
    problems.push(line);
  }
  const refused = fieldOf(facts.recordText, 'restart');
  if (refused !== undefined) {
    deps.print(`restart: ${refused}`);
    problems.push(refused);
  }
}

function reportNode(deps: ReportDeps, problems: string[]): void {
  if (deps.jobPath === undefined) return;
  const missing = missingNode(deps.jobPath, deps.jobNoun);
  if (missing) problems.push(missing);
}

function reportLastRun(deps: ReportDeps, facts: GatheredFacts, problems: string[]): void {
  const record = facts.record;
  if (!record) {
    deps.print('last update: none recorded yet (data/last-update)');
    return;
  }
  deps.print(`last update: ${record.time}, started by ${record.trigger}: ${record.outcome} (exit ${record.exit}) — ${record.summary}`);
  if (record.outcome === 'failed') problems.push('the last update failed');
}

function reportFlag(deps: ReportDeps): void {
  let flag: string | undefined;
  try {
    flag = fs.readFileSync(deps.paths.restartFlag, 'utf8').trim();
  } catch {
    flag = undefined;
  }
  deps.print(flag === undefined ? 'restart pending: no' : `restart pending: yes (${flag})`);
}

/** A hold is no problem: someone chose it, and it ends on its own. */
function reportHold(deps: ReportDeps): void {
  const hold = readHold(deps.paths.hold, deps.now);
  deps.print(
    hold === undefined
      ? 'hold: no'
      : `hold: ${HOLD_MARK} held ${describeHold(hold, deps.now)}: scheduled runs and /update skip the update until then; scripts/valor-service.sh resume releases it`,
  );
}

export async function reportWhatRuns(deps: ReportDeps, problems: string[]): Promise<void> {
  if (deps.schedule) deps.print(`update schedule: ${describeSchedule(deps.schedule)}`);
  const checkout = await readCheckout(deps.paths.root);
  const head = checkout.head?.sha;
  const facts = gatherBridgeFacts(deps.paths, head ?? '', deps.bridgeState, deps.now);
  deps.print(beaconLine(facts.beacon, facts.alive));
  reportBridgeGit(facts, problems);
  reportCheckout(deps, checkout, problems);
  const verdict = head ? judgeBridge(facts) : ({ kind: 'fine-for-now' } as const);
  const live = verdict.kind === 'problem' ? problemLine(verdict.problem, facts.beacon, head!, deps.managerSays) : undefined;
  reportLastRun(deps, facts, problems);
  reportRecord(deps, facts, problems);
  recordedBridge(deps, facts, verdict, problems, live);
  reportFlag(deps);
  reportHold(deps);
  if (live) problems.push(live);
  reportNode(deps, problems);
}
