import type { RestartNotice } from '../restart/restart-files.js';
import type { IncomingMessage, ReplyTarget, Transport } from '../transport/transport.js';
import { restartQueuedStage, succeeded, updateReply, usageReply, withStage } from './reply-text.js';
import type { UpdateRunner } from './run-update-script.js';
import type { UpdateCommand } from './update-command.js';

/** From Telegram's standard set: others (✅, ❌) are refused with REACTION_INVALID. */
export const REACTION_RECEIVED = '👀';
export const REACTION_SUCCEEDED = '👍';
export const REACTION_FAILED = '👎';

export interface UpdateHandlerDeps {
  transport: Pick<Transport, 'send' | 'react'>;
  /** This machine's /update status line. */
  statusLine(): Promise<string>;
  /** Jobs a queued restart waits for. */
  runningJobs(): number;
  runUpdate: UpdateRunner;
  machineName: string;
  updateUsers: Set<string> | undefined;
  secrets: readonly string[];
  /** Runs the whole handling as work a restart must wait for. */
  track<T>(work: () => Promise<T>): Promise<T>;
  restartQueued(): boolean;
  /** Remembers where to say how the restart went. */
  recordRestartNotice(notice: RestartNotice): Promise<void>;
  log(line: string): void;
}

function replyTarget(message: IncomingMessage): ReplyTarget {
  return { chatId: message.chatId, replyTo: message.messageId, topicId: message.topicId };
}

export function refusal(machineName: string): string {
  return `${machineName}: /update is limited to the users listed in VALOR_UPDATE_USERS.`;
}

/**
 * /update: run the update script (or its --check) and reply with its output
 * in the chat; when it queued a restart, the reply says so, and is edited
 * later with how the restart went. /update status and the usage run nothing.
 */
export function createUpdateHandler(deps: UpdateHandlerDeps): (message: IncomingMessage, command: UpdateCommand) => Promise<void> {
  const react = async (message: IncomingMessage, emoji: string | null): Promise<boolean> => {
    try {
      await deps.transport.react(message.chatId, message.messageId, emoji);
      return true;
    } catch (error) {
      deps.log(`could not ${emoji === null ? 'remove the reaction' : `react ${emoji}`} in ${message.chatId}: ${String(error)}`);
      return false;
    }
  };
  // The outcome's mark, even when the reply could not be sent; a 👀 left alone would say "still working".
  const markOutcome = async (message: IncomingMessage, ok: boolean): Promise<void> => {
    if (!(await react(message, ok ? REACTION_SUCCEEDED : REACTION_FAILED))) await react(message, null);
  };

  return (message, command) =>
    deps.track(async () => {
      if (command === 'usage') {
        await deps.transport.send(replyTarget(message), usageReply(deps.machineName));
        return;
      }
      if (command === 'status') {
        await deps.transport.send(replyTarget(message), await deps.statusLine());
        return;
      }
      const mode = command;
      if (deps.updateUsers && !deps.updateUsers.has(message.senderId ?? '')) {
        deps.log(`refused /update from user ${message.senderId ?? 'unknown'} in ${message.chatId}`);
        await deps.transport.send(replyTarget(message), refusal(deps.machineName));
        return;
      }
      await react(message, REACTION_RECEIVED);
      let ok = false;
      try {
        const result = await deps.runUpdate(mode);
        const name = mode === 'check' ? '/update check' : '/update';
        deps.log(`${name} in ${message.chatId}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''} after ${result.durationMs} ms`);
        ok = succeeded(result);
        const reply = updateReply(deps.machineName, result, deps.secrets);
        if (ok && mode === 'update' && deps.restartQueued()) {
          const askedAt = new Date().toISOString();
          let replyId: number | undefined;
          try {
            replyId = await deps.transport.send(replyTarget(message), withStage(reply, restartQueuedStage(deps.runningJobs())));
          } finally {
            // Before the restart, which waits for this handler: sent or not, the new process says how it went.
            await deps.recordRestartNotice({ chatId: message.chatId, messageId: message.messageId, topicId: message.topicId, replyId, replyText: reply, askedAt });
          }
        } else {
          await deps.transport.send(replyTarget(message), reply);
        }
      } catch (error) {
        ok = false;
        throw error;
      } finally {
        await markOutcome(message, ok);
      }
    });
}
