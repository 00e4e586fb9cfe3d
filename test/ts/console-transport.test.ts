import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleChats } from '../../src/transport/console-chats.js';
import { ConsoleTransport } from '../../src/transport/console-transport.js';
import type { IncomingMessage } from '../../src/transport/transport.js';

let dir: string | undefined;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

const chats = consoleChats(new Map([['-1001', 'valor'], ['-1003', 'docs']]));

function kept(chatId: string, messageId: number, text: string): string {
  return JSON.stringify({ chatId, messageId, senderId: undefined, text, outgoing: false, forwarded: false, date: 1 });
}

async function startWith(inboxText: string, marks: Record<string, number>) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-inbox-'));
  const file = path.join(dir, 'data', 'console-inbox.jsonl');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, inboxText);
  const input = new PassThrough();
  const logs: string[] = [];
  const received: IncomingMessage[] = [];
  const transport = new ConsoleTransport(input, new PassThrough(), new PassThrough(), {
    chats,
    inbox: { file, takenUpTo: (chatId) => marks[chatId] },
    log: (line) => logs.push(line),
  });
  await transport.start(async (message) => void received.push(message));
  return { file, input, logs, received, transport };
}

describe('the console inbox', () => {
  it('hands over first what was not taken in, drops what was, what belongs to no configured chat, and a line cut short', async () => {
    const inbox = [
      kept('console:-1001', 10, 'taken'),
      kept('console:-1001', 11, 'left'),
      kept('console:-1003', 12, 'docs left'),
      kept('console:-1999', 13, 'chat removed from VALOR_PROJECTS'),
      '{"chatId":"console:-1001","messageId":14,"te',
    ].join('\n');
    const h = await startWith(inbox, { 'console:-1001': 10 });
    await new Promise((r) => setImmediate(r));
    expect(h.received.map((m) => [m.chatId, m.messageId, m.text])).toEqual([
      ['console:-1001', 11, 'left'],
      ['console:-1003', 12, 'docs left'],
    ]);
    expect(h.logs).toEqual(['console mode: 2 line(s) read while the last run was stopping: handled first']);
    expect(fs.readFileSync(h.file, 'utf8').trim().split('\n')).toEqual([kept('console:-1001', 11, 'left'), kept('console:-1003', 12, 'docs left')]);
  });

  it('keeps each line as it is read, before the bridge sees it, with an id above every kept one', async () => {
    const h = await startWith(kept('console:-1001', Date.now() + 60_000, 'from the future'), {});
    h.input.write('docs: hello\n');
    await new Promise((r) => setImmediate(r));
    const lines = fs.readFileSync(h.file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as IncomingMessage);
    expect(lines.map((m) => [m.chatId, m.text])).toEqual([
      ['console:-1001', 'from the future'],
      ['console:-1003', 'hello'],
    ]);
    expect(lines[1]!.messageId).toBeGreaterThan(lines[0]!.messageId);
    expect(h.received.map((m) => m.text)).toEqual(['from the future', 'hello']);
    await h.transport.stop();
  });
});
