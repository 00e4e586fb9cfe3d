import type { NewJob } from '../queue/job.js';
import type { IncomingMessage } from '../transport/transport.js';
import { parseUpdateCommand, type UpdateCommand } from '../update/update-command.js';

export interface MessageHandlerDeps {
  /** Monitored chats: chat id → project key. */
  chats: ReadonlyMap<string, string>;
  isShuttingDown(): boolean;
  ownUsername(): string | undefined;
  handleUpdate(message: IncomingMessage, command: UpdateCommand): Promise<void>;
  enqueue(job: NewJob): Promise<void>;
  agentConfigured: boolean;
  /** The message is durably taken in (a job written, an /update handled, a deliberate drop). */
  taken(message: IncomingMessage): void;
  log(line: string): void;
}

/**
 * The top of every incoming message's path. /update is handled before any
 * storage or queueing, and runs in the background so the chat's later
 * messages are still taken in while it works.
 */
export function createMessageHandler(deps: MessageHandlerDeps): (message: IncomingMessage) => Promise<void> {
  const toldOwnMessages = new Set<string>();
  return async (message) => {
    const projectKey = deps.chats.get(message.chatId);
    if (projectKey === undefined) return;
    if (message.outgoing) {
      // Else /update typed from the bridge's own account would do nothing, silently. Only a command
      // is told: the account's other messages are mostly the bridge's own replies.
      const command = !message.forwarded && parseUpdateCommand(message.text, deps.ownUsername()) !== undefined;
      if (command && !toldOwnMessages.has(message.chatId)) {
        toldOwnMessages.add(message.chatId);
        deps.log(
          `${projectKey} (${message.chatId}): /update sent by the account the bridge is logged in as is ignored, as all its messages are: the bridge must run as its own Telegram account, and people write from theirs`,
        );
      }
      return;
    }
    if (deps.isShuttingDown()) return;

    const updateCommand = message.forwarded ? undefined : parseUpdateCommand(message.text, deps.ownUsername());
    if (updateCommand !== undefined) {
      deps
        .handleUpdate(message, updateCommand)
        .then(() => deps.taken(message))
        .catch((error: unknown) => deps.log(`/update failed: ${String(error)}`));
      return;
    }

    if (!deps.agentConfigured) {
      deps.log(`dropped message ${message.messageId} in ${projectKey}: VALOR_AGENT_CMD is not set`);
      deps.taken(message);
      return;
    }
    await deps.enqueue({
      projectKey,
      chatId: message.chatId,
      messageId: message.messageId,
      ...(message.topicId !== undefined ? { topicId: message.topicId } : {}),
      text: message.text,
    });
    deps.taken(message);
  };
}
