import { fieldOf } from '../restart/last-update.js';
import type { BridgeBeacon } from '../restart/bridge-beacon.js';
import { gatherBridgeFacts, type GatheredFacts } from './bridge-facts.js';
import { judgeBridge, problemLine, short, isoSeconds, type Verdict } from './bridge-health.js';
import { checkoutFacts, headCommit } from './checkout-facts.js';
import { isDict, type PlistDict } from './launchd-jobs.js';
import { describeLaunchdState, type ServiceState } from './launchd-state.js';
import { missingNode } from './node-folder.js';
import { describeSchedule, scheduleOf } from './schedule.js';

/**
 * The part of `valor-service.sh status` that says what runs: the schedule,
 * the bridge's beacon, the checkout and its upstream, what the last run left
 * to look at, and whether the agents can still find node. Each problem is
 * pushed to `problems` (status then says "needs attention", exit 1).
 */
export interface ReportDeps {
  root: string;
  paths: Parameters<typeof gatherBridgeFacts>[0];
  /** The installed plists, parsed (undefined when not installed). */
  installed: { bridge: PlistDict | undefined; update: PlistDict | undefined };
  /** launchd's view of the bridge job; 'none' without launchctl. */
  bridgeLaunchd: ServiceState | undefined | 'none';
  now: number;
  /** The restart flag's text, when there is one. */
  flag: string | undefined;
  print(line: string): void;
}

/** The beacon's ISO times, to the second as every other time here. */
function at(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : isoSeconds(ms);
}

function beaconLine(beacon: BridgeBeacon | undefined, alive: boolean): string {
  if (!beacon) return 'bridge: no record of what runs (data/bridge.json): none has started since this version was installed';
  const sha = short(beacon.commit);
  if (alive && beacon.stoppedAt === null) {
    if (beacon.readyAt === null) return `bridge: starting ${sha} since ${at(beacon.startedAt)} (pid ${beacon.pid}), not ready yet`;
    return `bridge: running ${sha} since ${at(beacon.startedAt)} (pid ${beacon.pid}) — ${beacon.subject}`;
  }
  if (beacon.stoppedAt !== null) {
    return `bridge: not running: ${sha} stopped at ${at(beacon.stoppedAt)}${beacon.exitCode === null ? '' : ` (exit ${beacon.exitCode})`}`;
  }
  return `bridge: not running: ${sha} (pid ${beacon.pid}, started ${at(beacon.startedAt)}) is gone without a stop record`;
}

function reportCheckout(deps: ReportDeps): void {
  const facts = checkoutFacts(deps.root);
  if (!facts.head) {
    deps.print('checkout: not a git checkout with a commit');
    return;
  }
  deps.print(`checkout: ${short(facts.head.sha)} — ${facts.head.subject}`);
  const up = facts.upstream;
  if (!up) {
    deps.print('upstream: none (the branch tracks no remote branch)');
  } else {
    const fetched = facts.fetchedAt === undefined ? 'never fetched' : `last fetched ${isoSeconds(facts.fetchedAt)}`;
    const lag = up.behind > 0 ? `${up.behind} commit(s) not in the checkout yet` : 'the checkout has it';
    deps.print(`upstream: ${short(up.sha)} — ${up.subject} (${up.name}, ${fetched}; ${lag})`);
  }
}

function launchdText(bridgeLaunchd: ReportDeps['bridgeLaunchd']): string {
  return bridgeLaunchd === 'none' ? 'not available' : describeLaunchdState(bridgeLaunchd);
}

/** What the update job's health check recorded, unless the bridge has recovered since. */
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

function stashEntry(recordText: string): string | undefined {
  return /^stash=(.+)$/m.exec(recordText)?.[1]?.trim();
}

function reportRecord(deps: ReportDeps, facts: GatheredFacts, problems: string[]): void {
  if (facts.record?.outcome === 'updated-with-conflict') {
    const stash = stashEntry(facts.recordText);
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
  const env = deps.installed.bridge?.EnvironmentVariables;
  if (!isDict(env) || typeof env.PATH !== 'string') return;
  const missing = missingNode(env.PATH);
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
  if (deps.flag === undefined) {
    deps.print('restart pending: no');
  } else {
    deps.print(`restart pending: yes (${deps.flag})`);
  }
}

export function reportWhatRuns(deps: ReportDeps, problems: string[]): void {
  const schedule = deps.installed.update && scheduleOf(deps.installed.update);
  if (schedule) deps.print(`update schedule: ${describeSchedule(schedule)}`);
  const head = headCommit(deps.root)?.sha;
  const facts = gatherBridgeFacts(deps.paths, head ?? '', deps.bridgeLaunchd, deps.now);
  deps.print(beaconLine(facts.beacon, facts.alive));
  reportCheckout(deps);
  const verdict = head ? judgeBridge(facts) : ({ kind: 'fine-for-now' } as const);
  const live = verdict.kind === 'problem' ? problemLine(verdict.problem, facts.beacon, head!, launchdText(deps.bridgeLaunchd)) : undefined;
  reportLastRun(deps, facts, problems);
  reportRecord(deps, facts, problems);
  recordedBridge(deps, facts, verdict, problems, live);
  reportFlag(deps);
  if (live) problems.push(live);
  reportNode(deps, problems);
}
