import type { RestartNotice } from '../restart/restart-files.js';
import type { Transport } from '../transport/transport.js';
import { withStage } from './reply-text.js';

export interface RestartStageDeps {
  transport: Pick<Transport, 'send' | 'edit'>;
  machineName: string;
  log(line: string): void;
}

/**
 * Says how the restart an /update asked for went, in that /update's reply:
 * edited, so that one message tells the whole story. When it cannot be
 * edited (too old, deleted, or never sent), a new reply says it.
 */
export async function tellRestartStage(deps: RestartStageDeps, notice: RestartNotice, stage: string): Promise<void> {
  if (notice.replyId !== undefined && notice.replyText !== undefined) {
    try {
      await deps.transport.edit(notice.chatId, notice.replyId, withStage(notice.replyText, stage));
      return;
    } catch (error) {
      deps.log(`could not edit the /update reply ${notice.replyId} in ${notice.chatId} (${String(error)}): sending a new message`);
    }
  }
  await deps.transport.send({ chatId: notice.chatId, replyTo: notice.messageId, topicId: notice.topicId }, `${deps.machineName}: ${stage}`);
}
