import { performance } from 'node:perf_hooks';
import { startBridge, type BridgeProcess } from '../test/ts/fixtures/bridge-process.js';
import { createProjectClone } from '../test/ts/fixtures/project-clone.js';
import { repeat, type RunPlan } from './measure.js';
import { summarize, type Summary } from './stats.js';

/**
 * Measure 2: /update typed into the bridge in --console mode, until its reply
 * is printed; and, in the same run, the script's own time as the bridge
 * logged it ("/update in console: exit 0 after 312 ms").
 */
export interface ReplyCase {
  state: string;
  reply: Summary;
  script: Summary;
}

interface Round {
  replyMs: number;
  scriptMs: number;
}

const SCRIPT_TIME = /\/update in \S+: exit 0 after (\d+) ms/;

async function timeUpdate(bridge: BridgeProcess, replyEnd: string): Promise<Round> {
  const stdoutFrom = bridge.length('stdout');
  const stderrFrom = bridge.length('stderr');
  const sentAt = performance.now();
  bridge.write('/update');
  const repliedAt = await bridge.waitFor('stdout', replyEnd, { from: stdoutFrom });
  await bridge.waitFor('stderr', ' ms\n', { from: stderrFrom });
  const logged = SCRIPT_TIME.exec(bridge.stderr().slice(stderrFrom));
  if (!logged) throw new Error(`no script time in the bridge log:\n${bridge.stderr().slice(stderrFrom)}`);
  return { replyMs: repliedAt - sentAt, scriptMs: Number(logged[1]) };
}

async function upToDate(plan: RunPlan): Promise<ReplyCase> {
  const clone = createProjectClone();
  const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'bench' });
  try {
    await bridge.waitFor('stderr', 'ready:');
    const rounds = await repeat(plan, () => timeUpdate(bridge, 'Already up to date. ('));
    bridge.endInput();
    await bridge.exited;
    return { state: 'up to date', reply: summarize(rounds.map((r) => r.replyMs)), script: summarize(rounds.map((r) => r.scriptMs)) };
  } finally {
    bridge.kill('SIGKILL');
    clone.cleanup();
  }
}

/** Each pull queues a restart, so every round is a fresh bridge that exits after replying. */
async function oneNewCommit(plan: RunPlan): Promise<ReplyCase> {
  const clone = createProjectClone();
  try {
    const rounds = await repeat(plan, async (round) => {
      const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'bench' });
      try {
        await bridge.waitFor('stderr', 'ready:');
        // A path .restartignore does not list: the pull must queue a restart.
        clone.push('notes.txt', `round ${round}\n`, `Bench round ${round}`);
        const timed = await timeUpdate(bridge, '[remote-update] HEAD: ');
        const code = await bridge.exited;
        if (code !== 143) throw new Error(`the bridge exited ${code} after pulling, not 143 (restart)`);
        return timed;
      } finally {
        bridge.kill('SIGKILL');
      }
    });
    return { state: '1 new commit', reply: summarize(rounds.map((r) => r.replyMs)), script: summarize(rounds.map((r) => r.scriptMs)) };
  } finally {
    clone.cleanup();
  }
}

export async function measureUpdateReply(plan: RunPlan, progress: (line: string) => void): Promise<ReplyCase[]> {
  progress('/update answer time: up to date');
  const cases = [await upToDate(plan)];
  progress('/update answer time: 1 new commit');
  cases.push(await oneNewCommit(plan));
  return cases;
}
