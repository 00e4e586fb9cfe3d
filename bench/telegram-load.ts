import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setUpBridge } from '../test/e2e/fixtures/bridge-scenario.js';
import type { Person } from '../test/e2e/fixtures/chat-world.js';
import type { TelegramServer } from '../test/e2e/fixtures/telegram-server.js';

/**
 * Restart under load the real way: the second user sends 100 messages to the
 * real bridge through the Telegram server, with an /update landing half way
 * (or, in the other round, the bridge killed with SIGKILL after 30 answers);
 * the bridge is started again as launchd's KeepAlive would. Counted from the
 * chat's history on the server: every message answered exactly once across
 * the two processes (after a SIGKILL, a job running at the crash may be
 * answered twice).
 */
export type TelegramInterruption = 'update' | 'crash';

export interface TelegramLoadRound {
  interruption: TelegramInterruption;
  messages: number;
  answeredOnce: number;
  lost: number;
  doubled: number;
  answeredBefore: number;
  answeredAfter: number;
  firstExitCode: number | null;
  restartGapMs: number;
  totalMs: number;
}

export const TELEGRAM_LOAD_MESSAGES = 100;
const CRASH_AFTER_ANSWERS = 30;
const AGENT = 'text=$(cat); sleep 0.02; printf "answer to %s\\n" "$text"';
const ALL_ANSWERED_WITHIN_MS = 240_000;

export async function telegramRestartUnderLoad(server: TelegramServer, user: Person, interruption: TelegramInterruption): Promise<TelegramLoadRound> {
  const scenario = await setUpBridge(server, user, { title: `bench load ${interruption}`, env: { VALOR_AGENT_CMD: AGENT } });
  try {
    const { chat, clone, account } = scenario;
    if (interruption === 'update') clone.push('notes.txt', 'landed under load\n', 'Land an update under load');
    const service = scenario.start();
    const first = service.current();
    await first.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const from = chat.messages.length;
    const answersSeen = (): number => chat.messages.slice(from).filter((m) => m.text.startsWith('answer to ')).length;

    let killed = false;
    const crashOnce = (): void => {
      if (killed) return;
      killed = true;
      service.kill('SIGKILL');
    };
    const startedAt = performance.now();
    const sent: number[] = [];
    const half = TELEGRAM_LOAD_MESSAGES / 2;
    for (let n = 1; n <= TELEGRAM_LOAD_MESSAGES; n++) {
      sent.push(await chat.send(`msg-${String(n).padStart(3, '0')}`));
      if (n === half && interruption === 'update') await chat.send('/update');
      if (interruption === 'crash' && answersSeen() >= CRASH_AFTER_ANSWERS) crashOnce();
    }
    if (interruption === 'crash' && !killed) {
      await chat.waitForMessage(() => answersSeen() >= CRASH_AFTER_ANSWERS, { from, timeoutMs: 60_000 });
      crashOnce();
    }
    const firstExitCode = await first.exited;
    const second = await service.nextRun(0);
    const readyAt = await second.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });

    const wanted = new Set(sent);
    const answerCounts = async (): Promise<Map<number, number>> => {
      const counts = new Map<number, number>();
      for (const m of await chat.history(3 * TELEGRAM_LOAD_MESSAGES + 50)) {
        if (m.senderId === account.id && m.replyTo !== undefined && wanted.has(m.replyTo)) counts.set(m.replyTo, (counts.get(m.replyTo) ?? 0) + 1);
      }
      return counts;
    };
    let counts = await answerCounts();
    const deadline = performance.now() + ALL_ANSWERED_WITHIN_MS;
    while (counts.size < sent.length && performance.now() < deadline) {
      await sleep(1_000);
      counts = await answerCounts();
    }
    const totalMs = performance.now() - startedAt;
    // Late doubles would show within a moment.
    await sleep(2_000);
    counts = await answerCounts();
    const exitAt = first.exitedAt() as number;
    const answers = chat.messages.slice(from).filter((m) => m.text.startsWith('answer to '));
    return {
      interruption,
      messages: sent.length,
      answeredOnce: sent.filter((id) => counts.get(id) === 1).length,
      lost: sent.filter((id) => !counts.has(id)).length,
      doubled: sent.filter((id) => (counts.get(id) ?? 0) > 1).length,
      answeredBefore: answers.filter((m) => m.at < exitAt).length,
      answeredAfter: answers.filter((m) => m.at >= exitAt).length,
      firstExitCode,
      restartGapMs: readyAt - exitAt,
      totalMs,
    };
  } finally {
    await scenario.cleanup();
  }
}

export async function measureTelegramLoad(
  server: TelegramServer,
  user: Person,
  rounds: number,
  progress: (line: string) => void,
): Promise<TelegramLoadRound[]> {
  const results: TelegramLoadRound[] = [];
  for (const interruption of ['update', 'crash'] as const) {
    for (let round = 1; round <= rounds; round++) {
      progress(`telegram restart under load: ${interruption}, round ${round} of ${rounds}`);
      results.push(await telegramRestartUnderLoad(server, user, interruption));
    }
  }
  return results;
}
