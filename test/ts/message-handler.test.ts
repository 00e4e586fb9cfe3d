import { describe, expect, it } from 'vitest';
import { createMessageHandler } from '../../src/bridge/message-handler.js';
import type { IncomingMessage } from '../../src/transport/transport.js';

function harness() {
  const logs: string[] = [];
  const updates: number[] = [];
  const handle = createMessageHandler({
    chats: new Map([
      ['-100111', 'valor'],
      ['-100222', 'docs'],
    ]),
    isShuttingDown: () => false,
    ownUsername: () => 'valor_bridge',
    handleUpdate: async (message) => void updates.push(message.messageId),
    enqueue: async () => {},
    agentConfigured: true,
    taken: () => {},
    log: (line) => logs.push(line),
  });
  const send = (chatId: string, messageId: number, outgoing: boolean, text = '/update') =>
    handle({ chatId, messageId, senderId: '42', text, outgoing, forwarded: false, date: 0 } satisfies IncomingMessage);
  return { logs, updates, send };
}

describe("the bridge's own messages", () => {
  it("are ignored, /update included, and the log says why once per chat, for a command only (not the bridge's own replies)", async () => {
    const h = harness();
    await h.send('-100111', 0, true, 'an answer the bridge sent');
    await h.send('-100111', 1, true);
    await h.send('-100111', 2, true, 'hello');
    await h.send('-100222', 3, true);
    await h.send('-100999', 4, true);
    await h.send('-100111', 5, false);
    expect(h.updates).toEqual([5]);
    expect(h.logs).toEqual([
      'valor (-100111): /update sent by the account the bridge is logged in as is ignored, as all its messages are: the bridge must run as its own Telegram account, and people write from theirs',
      'docs (-100222): /update sent by the account the bridge is logged in as is ignored, as all its messages are: the bridge must run as its own Telegram account, and people write from theirs',
    ]);
  });
});
