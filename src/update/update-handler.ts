import type { UpdateOutcome } from '../restart/last-update.js';
import type { RestartNotice } from '../restart/restart-files.js';
import type { IncomingMessage, ReplyTarget, Transport } from '../transport/transport.js';
import { heldLine, type Hold } from './hold.js';
import { holdReply } from './hold-reply.js';
import { restartQueuedStage, succeeded, updateReply, usageReply, withStage } from './reply-text.js';
import type { HoldRunner } from './run-hold-command.js';
import type { UpdateRunner } from './run-update-script.js';
import { namesThisMachine, type HoldCommand, type UpdateCommand, type UpdateMode } from './update-command.js';

/** From Telegram's standard set: others (✅, ❌) are refused with REACTION_INVALID. */
export const REACTION_RECEIVED = '👀';
export const REACTION_SUCCEEDED = '👍';
export const REACTION_FAILED = '👎';
/** An /update a hold skipped: the machine rests, on purpose. */
export const REACTION_HELD = '😴';

export interface UpdateHandlerDeps {
  transport: Pick<Transport, 'send' | 'react'>;
  /** This machine's /update status line. */
  statusLine(): Promise<string>;
  /** Jobs a queued restart waits for. */
  runningJobs(): number;
  runUpdate: UpdateRunner;
  /** scripts/valor-service.sh hold or resume. */
  runHold: HoldRunner;
  /** The hold in force now (data/hold), if any. */
  currentHold(): Hold | undefined;
  /** What data/last-update says the last run did. */
  lastOutcome(): UpdateOutcome | undefined;
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

/** How an /update ended, as its reaction says it. */
type Outcome = 'succeeded' | 'failed' | 'held';

const OUTCOME_REACTIONS: Record<Outcome, string> = { succeeded: REACTION_SUCCEEDED, failed: REACTION_FAILED, held: REACTION_HELD };

/**
 * /update: run the update script (or its --check) and reply with its output
 * in the chat; when it queued a restart, the reply says so, and is edited
 * later with how the restart went; when a hold skipped it, the reply is the
 * hold's one line. /update hold and /update resume run
 * scripts/valor-service.sh's; one that names another machine is left to it,
 * in silence. /update status and the usage run nothing.
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
  const markOutcome = async (message: IncomingMessage, outcome: Outcome): Promise<void> => {
    if (!(await react(message, OUTCOME_REACTIONS[outcome]))) await react(message, null);
  };
  const refused = async (message: IncomingMessage): Promise<boolean> => {
    if (!deps.updateUsers || deps.updateUsers.has(message.senderId ?? '')) return false;
    deps.log(`refused /update from user ${message.senderId ?? 'unknown'} in ${message.chatId}`);
    await deps.transport.send(replyTarget(message), refusal(deps.machineName));
    return true;
  };
  // Marked 👀 while it runs, then with its outcome, whatever happens in between.
  const working = async (message: IncomingMessage, work: () => Promise<Outcome>): Promise<void> => {
    await react(message, REACTION_RECEIVED);
    let outcome: Outcome = 'failed';
    try {
      outcome = await work();
    } finally {
      await markOutcome(message, outcome);
    }
  };

  const runScript = async (message: IncomingMessage, mode: UpdateMode): Promise<Outcome> => {
    const result = await deps.runUpdate(mode);
    const name = mode === 'check' ? '/update check' : '/update';
    deps.log(`${name} in ${message.chatId}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''} after ${result.durationMs} ms`);
    const ok = succeeded(result);
    const hold = ok && mode === 'update' && deps.lastOutcome() === 'skipped' ? deps.currentHold() : undefined;
    if (hold !== undefined) {
      await deps.transport.send(replyTarget(message), heldLine(deps.machineName, hold, Date.now()));
      return 'held';
    }
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
    return ok ? 'succeeded' : 'failed';
  };

  const runHold = async (message: IncomingMessage, command: HoldCommand): Promise<Outcome> => {
    const by = message.senderName ?? (message.senderId === undefined ? undefined : `user ${message.senderId}`);
    const result = await deps.runHold(command.action, command.words, by);
    deps.log(`/update ${command.action} in ${message.chatId} by ${by ?? 'the login name'}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}`);
    const reply = holdReply(deps.machineName, command.action, result, deps.currentHold(), Date.now(), deps.secrets);
    await deps.transport.send(replyTarget(message), reply.text);
    return reply.ok ? 'succeeded' : 'failed';
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
      if (typeof command === 'object') {
        if (!namesThisMachine(command, deps.machineName)) {
          deps.log(`/update ${command.action} in ${message.chatId} names ${command.machine}, not this machine: nothing to do`);
          return;
        }
        if (await refused(message)) return;
        await working(message, () => runHold(message, command));
        return;
      }
      if (await refused(message)) return;
      await working(message, () => runScript(message, command));
    });
}
