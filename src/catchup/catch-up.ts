import { ChatAccessError } from '../transport/chat-access.js';
import type { IncomingMessage, Transport } from '../transport/transport.js';
import type { ChatMarks } from './chat-marks.js';
import { selectMissed, type CatchUpLimits } from './select-missed.js';

/**
 * One round of the catch-up, run at start-up and after every reconnection,
 * before live messages (./catch-up-gate.ts holds them): for each monitored
 * chat, the messages sent since the bridge last took one in, passed through
 * the same handler as live ones. A chat seen for the first time starts from
 * its newest message.
 * A configured chat that cannot be read is reported with its id; one the
 * account has lost (removed from the group, the group deleted) once, and
 * later rounds skip it.
 */
export interface CatchUpDeps {
  chats: ReadonlyMap<string, string>;
  transport: Pick<Transport, 'recentMessages'>;
  marks: ChatMarks;
  limits: CatchUpLimits;
  /** Chats the account has lost, kept across this process's rounds. */
  unreadable: Set<string>;
  handle(message: IncomingMessage): Promise<void>;
  isShuttingDown(): boolean;
  nowSeconds(): number;
  log(line: string): void;
}

async function catchUpChat(deps: CatchUpDeps, chatId: string, key: string): Promise<void> {
  const mark = deps.marks.get(chatId);
  if (mark === undefined) {
    const [newest] = await deps.transport.recentMessages(chatId, 0, 1);
    // Known from now on: a later round (a reconnection) answers what arrives from here.
    if (newest === undefined) {
      deps.marks.advance(chatId, 0);
      return;
    }
    deps.marks.advance(chatId, newest.messageId);
    deps.log(`${key} (${chatId}): first start with this chat; messages from message ${newest.messageId} on are answered`);
    return;
  }
  const fetched = await deps.transport.recentMessages(chatId, mark, deps.limits.maxMessages + 1);
  const { handle, leftOut } = selectMissed(fetched, mark, deps.limits, deps.nowSeconds());
  if (leftOut > 0) {
    const atLeast = fetched.length > deps.limits.maxMessages ? 'at least ' : '';
    deps.log(
      `${key} (${chatId}): ${atLeast}${leftOut} missed message(s) left out (older than ${deps.limits.maxAgeSeconds / 3600} h, or beyond the newest ${deps.limits.maxMessages})`,
    );
  }
  if (handle.length > 0) deps.log(`${key} (${chatId}): answering ${handle.length} message(s) sent while the bridge was away`);
  for (const message of handle) await deps.handle(message);
  const newest = Math.max(mark, ...fetched.map((m) => m.messageId));
  if (!deps.isShuttingDown()) deps.marks.advance(chatId, newest);
}

export async function catchUp(deps: CatchUpDeps): Promise<void> {
  for (const [chatId, key] of deps.chats) {
    if (deps.unreadable.has(chatId)) continue;
    try {
      await catchUpChat(deps, chatId, key);
    } catch (error) {
      if (error instanceof ChatAccessError) {
        deps.unreadable.add(chatId);
        deps.log(`${key} (${chatId}): ${error.detail}; skipped until the bridge restarts`);
        continue;
      }
      deps.log(
        `configured chat ${chatId} (${key}) could not be read: ${error instanceof Error ? error.message : String(error)}. A basic group upgraded to a supergroup gets a new id: check VALOR_PROJECTS`,
      );
    }
  }
}
