import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setUpBridge } from '../test/e2e/fixtures/bridge-scenario.js';
import type { Person } from '../test/e2e/fixtures/chat-world.js';
import { lineCount } from '../test/e2e/fixtures/log-budget.js';
import type { TelegramServer } from '../test/e2e/fixtures/telegram-server.js';
import { repeat, type RunPlan } from './measure.js';

/**
 * The server stopped for `outageMs` while the bridge runs, then started: a
 * message is sent at once (through a new connection of the second user) and
 * timed from the server's return (its port listening again) to its answer.
 */
export interface OutageRun {
  outageMs: number;
  answerMs: number;
  logLines: number;
}

export async function measureOutage(
  server: TelegramServer,
  user: Person,
  plan: RunPlan,
  outageMs: number,
  progress: (line: string) => void,
): Promise<OutageRun[]> {
  const scenario = await setUpBridge(server, user, { title: 'bench outage' });
  try {
    const { chat } = scenario;
    const service = scenario.start();
    const bridge = service.current();
    await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    return await repeat(plan, async (index) => {
      progress(`telegram outage of ${outageMs / 1000} s: run ${index + 1} of ${plan.warmup + plan.runs}`);
      const from = bridge.length('stderr');
      server.stop();
      await sleep(outageMs);
      server.start();
      const backAt = performance.now();
      const sender = await server.lib.connect(server.home, user.session);
      try {
        const sent = await sender.sendMessage(await server.lib.resolveChat(sender, scenario.chatId), { message: `back ${index}` });
        const answer = await chat.waitForMessage((m) => m.replyTo === sent.id, { timeoutMs: 120_000 });
        return { outageMs, answerMs: answer.at - backAt, logLines: lineCount(bridge.stderr().slice(from)) };
      } finally {
        await sender.destroy();
      }
    });
  } finally {
    if (!server.running()) server.start();
    await scenario.cleanup();
  }
}
