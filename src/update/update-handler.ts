import type { RestartNotice } from '../restart/restart-files.js';
import type { IncomingMessage, ReplyTarget, Transport } from '../transport/transport.js';
import { succeeded, updateReply } from './reply-text.js';
import type { UpdateRunner } from './run-update-script.js';
import type { UpdateMode } from './update-command.js';

/** From Telegram's standard set: others (✅, ❌) are refused with REACTION_INVALID. */
export const REACTION_RECEIVED = '👀';
export const REACTION_SUCCEEDED = '👍';
export const REACTION_FAILED = '👎';

export interface UpdateHandlerDeps {
  transport: Pick<Transport, 'send' | 'react'>;
  runUpdate: UpdateRunner;
  machineName: string;
  updateUsers: Set<string> | undefined;
  secrets: readonly string[];
  /** Runs the whole handling as work a restart must wait for. */
  track<T>(work: () => Promise<T>): Promise<T>;
  restartQueued(): boolean;
  /** Remembers where to say "Restarted on …" after the restart. */
  recordRestartNotice(notice: RestartNotice): Promise<void>;
  log(line: string): void;
}

function replyTarget(message: IncomingMessage): ReplyTarget {
  return { chatId: message.chatId, replyTo: message.messageId, topicId: message.topicId };
}

export function refusal(machineName: string): string {
  return `${machineName}: /update is limited to the users listed in VALOR_UPDATE_USERS.`;
}

/** /update: run the update script (or its --check) and reply with its output in the chat. */
export function createUpdateHandler(deps: UpdateHandlerDeps): (message: IncomingMessage, mode: UpdateMode) => Promise<void> {
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

  return (message, mode) =>
    deps.track(async () => {
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
        if (ok && mode === 'update' && deps.restartQueued()) {
          await deps.recordRestartNotice({ chatId: message.chatId, messageId: message.messageId, topicId: message.topicId });
        }
        await deps.transport.send(replyTarget(message), updateReply(deps.machineName, result, deps.secrets));
      } catch (error) {
        ok = false;
        throw error;
      } finally {
        await markOutcome(message, ok);
      }
    });
}
