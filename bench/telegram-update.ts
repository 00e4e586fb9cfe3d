import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setUpBridge } from '../test/e2e/fixtures/bridge-scenario.js';
import type { Person } from '../test/e2e/fixtures/chat-world.js';
import type { TelegramServer } from '../test/e2e/fixtures/telegram-server.js';
import { IDLE_BEFORE_UPDATE_MS, repeat, type RunPlan } from './measure.js';

/**
 * Against the local Telegram server, as the second user sees it: /update
 * (with one new commit on the origin each time) until its reply arrives;
 * from the restart flag's appearance in data/ to the new process's edit of
 * that reply to "restarted on <sha>" (the self-test included); and the whole
 * wait, from sending /update to that edit; and from the flag to the new
 * process's "ready:", its own start to ready apart. The bridge is kept alive as
 * launchd would, and left idle before each /update (IDLE_BEFORE_UPDATE_MS).
 */
export interface TelegramUpdateRun {
  replyMs: number;
  flagToNoticeMs: number;
  updateToNoticeMs: number;
  /** From the flag to the new process's "ready:" (the restart goal, here with the connection to the server). */
  flagToReadyMs: number;
  /** Of which the new process, from its start (npm start) to "ready:". */
  startToReadyMs: number;
}

/** Resolves with performance.now() when `file` first exists (polled every 5 ms). */
function whenExists(file: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const timer = setInterval(() => {
      if (fs.existsSync(file)) {
        clearInterval(timer);
        resolve(performance.now());
      } else if (performance.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`${file} did not appear within ${timeoutMs} ms`));
      }
    }, 5);
  });
}

export async function measureTelegramUpdate(server: TelegramServer, user: Person, plan: RunPlan, progress: (line: string) => void): Promise<TelegramUpdateRun[]> {
  const scenario = await setUpBridge(server, user, { title: 'bench update' });
  try {
    const { chat, clone } = scenario;
    const service = scenario.start();
    await service.current().waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const flag = path.join(clone.machine, 'data', 'restart-requested');
    return await repeat(plan, async (index) => {
      progress(`telegram /update: run ${index + 1} of ${plan.warmup + plan.runs}`);
      const run = service.runs.length - 1;
      await sleep(IDLE_BEFORE_UPDATE_MS);
      const sha = clone.push('notes.txt', `release ${index}\n`, `Release ${index}`);
      const flagSeen = whenExists(flag);
      const from = chat.messages.length;
      const sentAt = performance.now();
      const updateId = await chat.send('/update');
      const reply = await chat.waitForMessage((m) => m.replyTo === updateId && m.text.includes('[remote-update]'), { from });
      const flagAt = await flagSeen;
      // The new process edits the /update's reply to its last stage.
      const notice = await chat.waitForEdit((m) => m.id === reply.id && m.text.includes(`\nrestarted on ${sha} in `), { timeoutMs: 60_000 });
      const next = await service.nextRun(run);
      const readyAt = await next.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
      return {
        replyMs: reply.at - sentAt,
        flagToNoticeMs: notice.at - flagAt,
        updateToNoticeMs: notice.at - sentAt,
        flagToReadyMs: readyAt - flagAt,
        startToReadyMs: readyAt - next.startedAt,
      };
    });
  } finally {
    await scenario.cleanup();
  }
}
