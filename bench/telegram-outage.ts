import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setUpBridge } from '../test/e2e/fixtures/bridge-scenario.js';
import type { Person } from '../test/e2e/fixtures/chat-world.js';
import { lineCount, offlineLineBudget } from '../test/e2e/fixtures/log-budget.js';
import { outageThenSend } from '../test/e2e/fixtures/outage.js';
import type { TelegramServer } from '../test/e2e/fixtures/telegram-server.js';
import { repeat, type RunPlan } from './measure.js';

/**
 * The server stopped for `outageMs` while the bridge runs, then started: a
 * message is sent at once (through a new connection of the second user) and
 * timed from the server's return (its port listening again) to its answer.
 * The bridge's log lines from the stop to that answer are counted, and its
 * connection attempts while the server was down, its start included
 * (connect() calls to the server's port, under strace; undefined without).
 */
export interface OutageRun {
  outageMs: number;
  /** From the stop to the server listening again: its start takes a while too. */
  downMs: number;
  answerMs: number;
  logLines: number;
  /** The log's budget for that time and the reconnection (test/e2e/fixtures/log-budget.ts). */
  lineBudget: number;
  attempts: number | undefined;
}

/** connect() calls of `pid` to `port` from now until stop(). */
function traceConnects(pid: number, port: number): { stop(): Promise<number | undefined> } {
  if (spawnSync('strace', ['-V'], { stdio: 'ignore' }).status !== 0) return { stop: async () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-connects-'));
  const file = path.join(dir, 'trace');
  const strace = spawn('strace', ['-f', '-qq', '-e', 'trace=connect', '-o', file, '-p', String(pid)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => strace.on('exit', () => resolve()));
  return {
    async stop() {
      strace.kill('SIGINT');
      await exited;
      try {
        return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.includes(`sin_port=htons(${port})`)).length;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export async function measureOutage(
  server: TelegramServer,
  user: Person,
  plan: RunPlan,
  outageMs: number,
  progress: (line: string) => void,
): Promise<OutageRun[]> {
  const scenario = await setUpBridge(server, user, { title: `bench outage ${outageMs / 1000} s` });
  try {
    const { chat } = scenario;
    const service = scenario.start();
    const bridge = service.current();
    await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    // A group in use: the bridge has answered there before the first outage.
    const firstId = await chat.send('before the outages');
    await chat.waitForMessage((m) => m.replyTo === firstId);
    return await repeat(plan, async (index) => {
      progress(`telegram outage of ${outageMs / 1000} s: run ${index + 1} of ${plan.warmup + plan.runs}`);
      const from = bridge.length('stderr');
      const connects = traceConnects(service.bridgePid(), server.port);
      const { stoppedAt, backAt, sent } = await outageThenSend(server, user, outageMs, [{ chatId: scenario.chatId, text: `back ${index}` }]);
      const answer = await chat.waitForMessage((m) => m.replyTo === sent[0]?.id, { timeoutMs: 120_000 });
      const traced = await connects.stop();
      // The last connect() is the one that found the server back.
      const attempts = traced === undefined ? undefined : Math.max(0, traced - 1);
      return {
        outageMs,
        downMs: backAt - stoppedAt,
        answerMs: answer.at - backAt,
        logLines: lineCount(bridge.stderr().slice(from)),
        lineBudget: offlineLineBudget(answer.at - stoppedAt),
        attempts,
      };
    });
  } finally {
    if (!server.running()) server.start();
    await scenario.cleanup();
  }
}
