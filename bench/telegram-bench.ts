import { createPerson, dispose } from '../test/e2e/fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer } from '../test/e2e/fixtures/telegram-server.js';
import type { RunPlan } from './measure.js';
import { measureTelegramLoad } from './telegram-load.js';
import { measureOutage } from './telegram-outage.js';
import type { TelegramResults } from './telegram-report.js';
import { measureTelegramUpdate } from './telegram-update.js';

/** As in the report: the server down for 10 s, a message sent as it returns. */
export const BENCH_OUTAGE_MS = 10_000;

/** The measures against the local Telegram server, on one server in a temporary home; undefined without one. */
export async function measureAgainstTelegram(plan: RunPlan, loadRounds: number, progress: (line: string) => void): Promise<TelegramResults | undefined> {
  if (!findTelegramServer()) {
    progress('not measured against Telegram: no test server at ../shared/telegram-server');
    return undefined;
  }
  progress('starting the local Telegram server');
  const server = await startTelegramServer();
  const user = await createPerson(server, 'second');
  try {
    const update = await measureTelegramUpdate(server, user, plan, progress);
    const outage = await measureOutage(server, user, plan, BENCH_OUTAGE_MS, progress);
    const load = await measureTelegramLoad(server, user, loadRounds, progress);
    return { update, outage, load };
  } finally {
    await dispose(user);
    server.dispose();
  }
}
