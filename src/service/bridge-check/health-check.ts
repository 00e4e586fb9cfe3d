import fs from 'node:fs';
import { shortSha } from '../../git/checkout.js';
import { writeAtomic } from '../../lib/atomic-write.js';
import type { ProjectPaths } from '../../config/paths.js';
import { addLastUpdateFields, fieldOf } from '../../restart/last-update.js';
import type { GatheredFacts } from './bridge-facts.js';
import { causeKey, judgeBridge, problemLine, recoveryLine } from './judge-bridge.js';

/**
 * The update job's check, after each scheduled run: has the bridge come back
 * from the last restart? If not, the `bridge` and `bridge_log` keys of
 * data/last-update say so, and, when the alert is set up, one Telegram
 * message per cause; `bridge back on <sha>` once it recovers. What was sent is
 * remembered in data/bridge-alert.json, so a failed post is tried again at
 * the next run and a sent one is not repeated.
 */
export const BRIDGE_LOG_LINES = 15;

export interface AlertMemory {
  /** The cause alerted (see causeKey), until the recovery is told. */
  cause: string;
  line: string;
}

export interface HealthCheckDeps {
  facts: GatheredFacts;
  /** data/last-update and its lock, data/bridge-alert.json, logs/bridge.log. */
  paths: Pick<ProjectPaths, 'dataDir' | 'lastUpdate' | 'lastUpdateLock' | 'bridgeAlert' | 'bridgeLog'>;
  machine: string;
  /** What the service manager says of the bridge's job, for the line (./manager-says.ts). */
  manager: string;
  /** Undefined when the alert is not set up; else resolves to why the post failed, or undefined. */
  post: ((text: string) => Promise<string | undefined>) | undefined;
  print(line: string): void;
}

function lastLines(file: string, count: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

function readMemory(file: string): AlertMemory | undefined {
  try {
    const memory = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<AlertMemory>;
    return typeof memory.cause === 'string' ? { cause: memory.cause, line: memory.line ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

function writeMemory(file: string, memory: AlertMemory | undefined): void {
  if (!memory) {
    fs.rmSync(file, { force: true });
    return;
  }
  writeAtomic(file, `${JSON.stringify(memory)}\n`);
}

async function tell(deps: HealthCheckDeps, text: string): Promise<boolean> {
  if (!deps.post) return false;
  const failure = await deps.post(`${deps.machine}: ${text}`);
  if (failure) {
    deps.print(`WARN: alert not sent (${failure}); the next run tries again`);
    return false;
  }
  deps.print(`alert sent: ${text}`);
  return true;
}

export async function checkBridge(deps: HealthCheckDeps): Promise<void> {
  const { facts } = deps;
  const verdict = judgeBridge(facts);
  const memory = readMemory(deps.paths.bridgeAlert);

  if (verdict.kind === 'problem') {
    const line = problemLine(verdict.problem, facts.beacon, facts.head, deps.manager);
    deps.print(line);
    await addLastUpdateFields(deps.paths, { bridge: line, bridge_log: lastLines(deps.paths.bridgeLog, BRIDGE_LOG_LINES) });
    const cause = causeKey(verdict.problem, facts.head);
    if (memory?.cause !== cause && (await tell(deps, line))) writeMemory(deps.paths.bridgeAlert, { cause, line });
    return;
  }
  if (verdict.kind !== 'ready') return;
  deps.print(`bridge running ${shortSha(verdict.commit)}, the checkout's commit`);
  const recorded = fieldOf(facts.recordText, 'bridge');
  const back = recoveryLine(verdict.commit);
  if (recorded !== undefined && recorded !== back) await addLastUpdateFields(deps.paths, { bridge: back });
  if (!memory) return;
  if (!deps.post || (await tell(deps, back))) writeMemory(deps.paths.bridgeAlert, undefined);
}
