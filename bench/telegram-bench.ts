import { createPerson, dispose } from '../test/e2e/fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer } from '../test/e2e/fixtures/telegram-server.js';
import type { RunPlan } from './measure.js';
import { measureTelegramLoad } from './telegram-load.js';
import { measureOutage, type OutageRun } from './telegram-outage.js';
import type { TelegramResults } from './telegram-report.js';
import { measureTelegramUpdate } from './telegram-update.js';

/** As in the report: the server down for 10 s, or 60 s, a message sent as it returns. */
export const BENCH_OUTAGES_MS = [10_000, 60_000] as const;
/** A minute each: the long outage is measured fewer times, without warm-up. */
const LONG_OUTAGE_RUNS = 3;

/** Which of the measures against the server to take. */
export type TelegramMeasure = 'update' | 'outage' | 'load';
export const TELEGRAM_MEASURES: readonly TelegramMeasure[] = ['update', 'outage', 'load'];

/** The measures against the local Telegram server, on one server in a temporary home; undefined without one. */
export async function measureAgainstTelegram(
  plan: RunPlan,
  loadRounds: number,
  progress: (line: string) => void,
  measures: readonly TelegramMeasure[] = TELEGRAM_MEASURES,
): Promise<TelegramResults | undefined> {
  if (!findTelegramServer()) {
    progress('not measured against Telegram: no test server at ../shared/telegram-server');
    return undefined;
  }
  progress('starting the local Telegram server');
  const server = await startTelegramServer();
  const user = await createPerson(server, 'second');
  try {
    const update = measures.includes('update') ? await measureTelegramUpdate(server, user, plan, progress) : [];
    const outage: OutageRun[] = [];
    if (measures.includes('outage')) {
      for (const outageMs of BENCH_OUTAGES_MS) {
        const outagePlan = outageMs === BENCH_OUTAGES_MS[0] ? plan : { runs: Math.min(plan.runs, LONG_OUTAGE_RUNS), warmup: 0 };
        outage.push(...(await measureOutage(server, user, outagePlan, outageMs, progress)));
      }
    }
    const load = measures.includes('load') ? await measureTelegramLoad(server, user, loadRounds, progress) : [];
    return { update, outage, load };
  } finally {
    await dispose(user);
    server.dispose();
  }
}
