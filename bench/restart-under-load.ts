import { performance } from 'node:perf_hooks';
import { startBridge, type BridgeProcess } from '../test/ts/fixtures/bridge-process.js';
import { createProjectClone } from '../test/ts/fixtures/project-clone.js';

/**
 * Measure 4: 100 messages queued while an update lands (or while the bridge
 * is killed outright), then a second bridge started at once as launchd
 * would. Every message must be answered exactly once across the two; only a
 * job running at a crash may be answered twice.
 */
export type Interruption = 'update' | 'crash';

export interface LoadRound {
  interruption: Interruption;
  messages: number;
  answeredOnce: number;
  lost: string[];
  doubled: string[];
  answeredBefore: number;
  answeredAfter: number;
  /** Lines the first bridge read while stopping, kept in the console inbox for the second. */
  carriedOver: number;
  firstExitCode: number | null;
  restartGapMs: number;
  totalMs: number;
}

export const LOAD_MESSAGES = 100;
const CRASH_AFTER = 30;
const AGENT = 'text=$(cat); sleep 0.02; printf "answer to %s\\n" "$text"';
const ENV = { VALOR_AGENT_CMD: AGENT, VALOR_MACHINE_NAME: 'bench' };

function messageName(n: number): string {
  return `msg-${String(n).padStart(3, '0')}`;
}

function answers(stdout: string): string[] {
  return [...stdout.matchAll(/^answer to (msg-\d+)$/gm)].map((match) => match[1]!);
}

function tally(names: readonly string[], before: readonly string[], after: readonly string[]): Pick<LoadRound, 'answeredOnce' | 'lost' | 'doubled'> {
  const counts = new Map<string, number>();
  for (const name of [...before, ...after]) counts.set(name, (counts.get(name) ?? 0) + 1);
  return {
    answeredOnce: names.filter((name) => counts.get(name) === 1).length,
    lost: names.filter((name) => !counts.has(name)),
    doubled: names.filter((name) => (counts.get(name) ?? 0) > 1),
  };
}

async function interrupt(first: BridgeProcess, interruption: Interruption): Promise<void> {
  if (interruption === 'crash') {
    await first.waitFor('stdout', `answer to ${messageName(CRASH_AFTER)}`);
    first.kill('SIGKILL');
    return;
  }
  await first.waitFor('stdout', '[remote-update] HEAD: ');
}

export async function restartUnderLoad(interruption: Interruption): Promise<LoadRound> {
  const clone = createProjectClone();
  const bridges: BridgeProcess[] = [];
  try {
    // A path .restartignore does not list: the pull must queue a restart.
    if (interruption === 'update') clone.push('notes.txt', 'landed under load\n', 'Land an update under load');
    const names = Array.from({ length: LOAD_MESSAGES }, (_, i) => messageName(i + 1));
    const startedAt = performance.now();
    const first = startBridge(clone.machine, ENV);
    bridges.push(first);
    await first.waitFor('stderr', 'ready:');
    const half = LOAD_MESSAGES / 2;
    for (const name of names.slice(0, half)) first.write(name);
    if (interruption === 'update') first.write('/update');
    for (const name of names.slice(half)) first.write(name);
    await interrupt(first, interruption);
    const firstExitCode = await first.exited;

    const second = startBridge(clone.machine, ENV);
    bridges.push(second);
    second.endInput();
    const readyAt = await second.waitFor('stderr', 'ready:');
    const secondExitCode = await second.exited;
    if (secondExitCode !== 0) throw new Error(`the second bridge exited ${secondExitCode}:\n${second.stderr()}`);

    const before = answers(first.stdout());
    const after = answers(second.stdout());
    return {
      interruption,
      messages: names.length,
      ...tally(names, before, after),
      answeredBefore: before.length,
      answeredAfter: after.length,
      carriedOver: Number(/(\d+) line\(s\) read while the last run was stopping/.exec(second.stderr())?.[1] ?? 0),
      firstExitCode,
      restartGapMs: readyAt - first.exitedAt()!,
      totalMs: second.exitedAt()! - startedAt,
    };
  } finally {
    for (const bridge of bridges) bridge.kill('SIGKILL');
    clone.cleanup();
  }
}

export async function measureRestartUnderLoad(rounds: number, progress: (line: string) => void): Promise<LoadRound[]> {
  const results: LoadRound[] = [];
  for (const interruption of ['update', 'crash'] as const) {
    for (let round = 1; round <= rounds; round++) {
      progress(`restart under load: ${interruption}, round ${round} of ${rounds}`);
      results.push(await restartUnderLoad(interruption));
    }
  }
  return results;
}
