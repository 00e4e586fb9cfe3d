import fs from 'node:fs';
import readline from 'node:readline';
import { CONSOLE_CHAT_ID } from '../config/settings.js';
import { writeAtomic } from '../lib/atomic-write.js';
import { consoleChats, type ConsoleChats } from './console-chats.js';
import { splitMessage } from './split-message.js';
import type { IncomingMessage, LostConnection, MessageListener, ReplyTarget, Transport } from './transport.js';

export interface ConsoleInbox {
  /** Every line read, kept until the bridge has taken it in (data/console-inbox.jsonl). */
  file: string;
  /** The chat's mark: messages up to it were taken in (see ../catchup/chat-marks.ts). */
  takenUpTo(chatId: string): number | undefined;
}

export interface ConsoleOptions {
  chats?: ConsoleChats;
  inbox?: ConsoleInbox;
  log?(line: string): void;
}

function readInbox(file: string): IncomingMessage[] {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const kept: IncomingMessage[] = [];
  for (const line of text.split('\n')) {
    try {
      kept.push(JSON.parse(line) as IncomingMessage);
    } catch {
      // blank, or cut short by a crash mid-write: that line never reached the bridge
    }
  }
  return kept;
}

/** Starts an edit's line, before the message id and the new text. */
export const EDIT_MARK = '(edit of message';

/**
 * The console stands in for Telegram: each line on standard input is a
 * message in a monitored chat (see console-chats.ts), each reply is printed
 * to standard output, reactions go to standard error.
 *
 * Telegram keeps a chat's history for the catch-up; the console keeps its
 * own: each line is written to the inbox as it is read, and lines the bridge
 * did not take in (it was shutting down for a restart) are handed over
 * first at the next start.
 */
export class ConsoleTransport implements Transport {
  private nextMessageId = 0;
  private lines: readline.Interface | undefined;
  private markEnded: () => void = () => {};
  private readonly endedPromise = new Promise<void>((resolve) => (this.markEnded = resolve));
  private readonly chats: ConsoleChats;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly notes: NodeJS.WritableStream,
    private readonly options: ConsoleOptions = {},
  ) {
    this.chats = options.chats ?? consoleChats(new Map([[CONSOLE_CHAT_ID, 'console']]));
  }

  async start(listener: MessageListener): Promise<void> {
    let delivered: Promise<void> = Promise.resolve();
    const deliver = (message: IncomingMessage): void => {
      delivered = delivered.then(() => listener(message));
    };
    const kept = this.keptLines();
    if (kept.length > 0) this.options.log?.(`console mode: ${kept.length} line(s) read while the last run was stopping: handled first`);
    for (const message of kept) {
      this.nextMessageId = Math.max(this.nextMessageId, message.messageId);
      deliver(message);
    }
    this.lines = readline.createInterface({ input: this.input, terminal: false });
    this.lines.on('line', (line) => {
      if (!line.trim()) return;
      const { chatId, text } = this.chats.route(line);
      if (!text.trim()) return;
      // Ids only grow, across runs too, as Telegram's do: the bridge's per-chat marks rely on it.
      this.nextMessageId = Math.max(this.nextMessageId + 1, Date.now());
      const message: IncomingMessage = {
        chatId,
        messageId: this.nextMessageId,
        senderId: undefined,
        text,
        outgoing: false,
        forwarded: false,
        date: Math.floor(Date.now() / 1000),
      };
      if (this.options.inbox) fs.appendFileSync(this.options.inbox.file, `${JSON.stringify(message)}\n`);
      deliver(message);
    });
    this.lines.on('close', () => void delivered.then(this.markEnded));
  }

  /** The inbox's lines not yet taken in, oldest first; the inbox is rewritten to hold just them. */
  private keptLines(): IncomingMessage[] {
    const inbox = this.options.inbox;
    if (!inbox) return [];
    // A chat no longer in VALOR_PROJECTS would never take its lines in.
    const kept = readInbox(inbox.file).filter(
      (message) => this.chats.chats.has(message.chatId) && message.messageId > (inbox.takenUpTo(message.chatId) ?? 0),
    );
    writeAtomic(inbox.file, kept.map((message) => `${JSON.stringify(message)}\n`).join(''));
    return kept;
  }

  /**
   * In the same parts as Telegram, each written out before it resolves: a
   * pipe is written asynchronously, and the process may exit next.
   */
  async send(target: ReplyTarget, text: string): Promise<number | undefined> {
    for (const part of splitMessage(`${this.chats.replyPrefix(target.chatId)}${text}`)) await this.print(`${part}\n`);
    this.nextMessageId = Math.max(this.nextMessageId + 1, Date.now());
    return this.nextMessageId;
  }

  /** A terminal cannot change what it printed: the new text is printed, marked as an edit. */
  async edit(chatId: string, messageId: number, text: string): Promise<void> {
    await this.print(`${this.chats.replyPrefix(chatId)}${EDIT_MARK} ${messageId}) ${text}\n`);
  }

  private print(text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => this.output.write(text, (error) => (error ? reject(error) : resolve())));
  }

  async react(_chatId: string, messageId: number, emoji: string | null): Promise<void> {
    this.notes.write(emoji === null ? `(reaction removed from message ${messageId})\n` : `(${emoji} on message ${messageId})\n`);
  }

  ownUsername(): undefined {
    return undefined;
  }

  describe(): string {
    return 'console mode';
  }

  /** Resolves when standard input has ended and every line was handed on. */
  ended(): Promise<void> {
    return this.endedPromise;
  }

  /** The console's history is its inbox, handed over at start: the catch-up finds nothing more. */
  async recentMessages(): Promise<IncomingMessage[]> {
    return [];
  }

  lost(): Promise<LostConnection> {
    return new Promise(() => {});
  }

  async stop(): Promise<void> {
    this.lines?.close();
  }
}
