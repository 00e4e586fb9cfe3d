import fs from 'fs-extra';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBridge, type BridgeProcess } from '../test/ts/fixtures/bridge-process.js';
import { createProjectClone, type ProjectClone } from '../test/ts/fixtures/project-clone.js';
import { IDLE_BEFORE_UPDATE_MS, repeat, type RunPlan } from './measure.js';
import { summarize, type Summary } from './stats.js';

/**
 * Measure 3: from data/restart-requested appearing to the bridge's exit,
 * idle (the bridge left idle for IDLE_BEFORE_UPDATE_MS first) and busy; the self-test of the checkout that the bridge runs on the
 * way; the cold start to "ready"; and the whole way from the flag to a new
 * bridge ready, respawned at once as launchd's KeepAlive would.
 */
export interface TimeToNewCode {
  coldStart: Summary;
  flagToExitIdle: Summary;
  /** From the bridge's "running the self-test" to its "self-test passed", as logged. */
  selfTest: Summary;
  jobEndToExitBusy: Summary;
  flagToNewBridgeReady: Summary;
}

const BUSY_AGENT = 'cat >/dev/null; sleep 1; echo answered';

function writeFlag(clone: ProjectClone): number {
  const at = performance.now();
  fs.outputFileSync(path.join(clone.machine, 'data', 'restart-requested'), `${new Date().toISOString()} 1 commit(s)\n`);
  return at;
}

async function ready(bridge: BridgeProcess): Promise<number> {
  return (await bridge.waitFor('stderr', 'ready:')) - bridge.startedAt;
}

async function exitedAfterRestart(bridge: BridgeProcess): Promise<number> {
  const code = await bridge.exited;
  if (code !== 143) throw new Error(`the bridge exited ${code}, not 143 (restart):\n${bridge.stderr()}`);
  return bridge.exitedAt()!;
}

/** Bridges in a chain: each one's flag → exit, then the next one's start → ready. */
async function idleChain(plan: RunPlan): Promise<Pick<TimeToNewCode, 'coldStart' | 'flagToExitIdle' | 'selfTest' | 'flagToNewBridgeReady'>> {
  const clone = createProjectClone();
  let bridge = startBridge(clone.machine);
  try {
    let readyMs = await ready(bridge);
    const rounds = await repeat(plan, async (round) => {
      const coldStartMs = readyMs;
      // Vary when the flag lands relative to the bridge's 250 ms poll (a watch sees it at once, but may miss).
      await sleep(IDLE_BEFORE_UPDATE_MS + ((round * 97) % 250));
      const from = bridge.length('stderr');
      const flaggedAt = writeFlag(clone);
      const testStartAt = await bridge.waitFor('stderr', 'running the self-test', { from });
      const testEndAt = await bridge.waitFor('stderr', 'self-test passed', { from });
      const exitAt = await exitedAfterRestart(bridge);
      bridge = startBridge(clone.machine);
      readyMs = await ready(bridge);
      return { coldStartMs, flagToExitMs: exitAt - flaggedAt, selfTestMs: testEndAt - testStartAt, flagToReadyMs: bridge.startedAt + readyMs - flaggedAt };
    });
    return {
      coldStart: summarize(rounds.map((r) => r.coldStartMs)),
      flagToExitIdle: summarize(rounds.map((r) => r.flagToExitMs)),
      selfTest: summarize(rounds.map((r) => r.selfTestMs)),
      flagToNewBridgeReady: summarize(rounds.map((r) => r.flagToReadyMs)),
    };
  } finally {
    bridge.kill('SIGKILL');
    clone.cleanup();
  }
}

/** A job that runs 1 s is under way when the flag lands: the exit must wait for its reply. */
async function busy(plan: RunPlan): Promise<Summary> {
  const clone = createProjectClone();
  try {
    const rounds = await repeat(plan, async () => {
      const bridge = startBridge(clone.machine, { VALOR_AGENT_CMD: BUSY_AGENT });
      try {
        await ready(bridge);
        bridge.write('work');
        await sleep(200);
        writeFlag(clone);
        const repliedAt = await bridge.waitFor('stdout', 'answered');
        const exitAt = await exitedAfterRestart(bridge);
        return exitAt - repliedAt;
      } finally {
        bridge.kill('SIGKILL');
      }
    });
    return summarize(rounds);
  } finally {
    clone.cleanup();
  }
}

export async function measureTimeToNewCode(plan: RunPlan, progress: (line: string) => void): Promise<TimeToNewCode> {
  progress('time to new code: idle restarts and cold starts');
  const idle = await idleChain(plan);
  progress('time to new code: restart while a job runs');
  return { ...idle, jobEndToExitBusy: await busy(plan) };
}
