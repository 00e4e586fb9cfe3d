import readline from 'node:readline';
import { splitMessage } from './split-message.js';
import type { IncomingMessage, LostConnection, MessageListener, ReplyTarget, Transport } from './transport.js';

/** The one chat of console mode. */
export const CONSOLE_CHAT_ID = 'console';

/** Starts an edit's line, before the message id and the new text. */
export const EDIT_MARK = '(edit of message';

/**
 * The console stands in for Telegram: each line on standard input is a
 * message in the monitored chat "console", each reply is printed to standard
 * output, reactions go to standard error.
 */
export class ConsoleTransport implements Transport {
  private nextMessageId = 0;
  private lines: readline.Interface | undefined;
  private markEnded: () => void = () => {};
  private readonly endedPromise = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly notes: NodeJS.WritableStream,
  ) {}

  async start(listener: MessageListener): Promise<void> {
    let delivered: Promise<void> = Promise.resolve();
    this.lines = readline.createInterface({ input: this.input, terminal: false });
    this.lines.on('line', (line) => {
      if (!line.trim()) return;
      // Ids only grow, across runs too, as Telegram's do: the bridge's per-chat marks rely on it.
      this.nextMessageId = Math.max(this.nextMessageId + 1, Date.now());
      const message: IncomingMessage = {
        chatId: CONSOLE_CHAT_ID,
        messageId: this.nextMessageId,
        senderId: undefined,
        text: line,
        outgoing: false,
        forwarded: false,
        date: Math.floor(Date.now() / 1000),
      };
      delivered = delivered.then(() => listener(message));
    });
    this.lines.on('close', () => void delivered.then(this.markEnded));
  }

  /**
   * In the same parts as Telegram, each written out before it resolves: a
   * pipe is written asynchronously, and the process may exit next.
   */
  async send(_target: ReplyTarget, text: string): Promise<number | undefined> {
    for (const part of splitMessage(text)) await this.print(`${part}\n`);
    this.nextMessageId = Math.max(this.nextMessageId + 1, Date.now());
    return this.nextMessageId;
  }

  /** A terminal cannot change what it printed: the new text is printed, marked as an edit. */
  async edit(_chatId: string, messageId: number, text: string): Promise<void> {
    await this.print(`${EDIT_MARK} ${messageId}) ${text}\n`);
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

  /** The console keeps no history: nothing is missed while it is not running. */
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
