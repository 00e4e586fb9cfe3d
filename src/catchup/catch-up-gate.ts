import type { IncomingMessage } from '../transport/transport.js';

/**
 * Between the transport and the message handler. While a catch-up round runs
 * (at start-up, and after every reconnection: Telegram does not replay what
 * was sent while the connection was down), live messages wait; the round's
 * messages go first, oldest first, then the waiting ones, and none is handled
 * twice. A round asked for while one runs is run after it.
 */
export interface CatchUpGateDeps {
  handle(message: IncomingMessage): Promise<void>;
  /** The highest message id taken in per chat: anything at or below it was handled. */
  mark(chatId: string): number | undefined;
  /** One round: fetches what was missed and passes each message, oldest first, to `handle`. */
  catchUp(handle: (message: IncomingMessage) => Promise<void>): Promise<void>;
  log(line: string): void;
}

export class CatchUpGate {
  /** Live messages held while a round runs; undefined when none does. */
  private waiting: IncomingMessage[] | undefined = [];
  /** Handled during the current round and its drain (the marks cover the rest). */
  private seen = new Set<string>();
  private started = false;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: CatchUpGateDeps) {}

  /** The transport's listener. Until the first round has run, everything waits. */
  readonly live = async (message: IncomingMessage): Promise<void> => {
    if (this.waiting) this.waiting.push(message);
    else await this.once(message);
  };

  /**
   * A round now, or after the one running. Before the first (start-up) round
   * is asked for, nothing: that round covers it.
   */
  round(): Promise<void> {
    if (!this.started && this.running === undefined) return Promise.resolve();
    return this.request();
  }

  /** The start-up round. */
  start(): Promise<void> {
    this.started = true;
    return this.request();
  }

  private request(): Promise<void> {
    // Held from this moment: a live message may already be on its way.
    this.waiting ??= [];
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runRounds().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runRounds(): Promise<void> {
    // Let the transport finish its reconnection before asking it anything.
    await new Promise((resolve) => setImmediate(resolve));
    do {
      this.again = false;
      this.waiting ??= [];
      try {
        await this.deps.catchUp((message) => this.once(message));
      } catch (error) {
        this.deps.log(`catching up failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      // Still open while it drains: for…of also visits what arrives meanwhile, in order.
      if (!this.again) {
        for (const message of this.waiting) await this.once(message);
        this.waiting = undefined;
        this.seen = new Set();
      }
    } while (this.again);
  }

  private async once(message: IncomingMessage): Promise<void> {
    const key = `${message.chatId}:${message.messageId}`;
    if (this.seen.has(key) || (this.deps.mark(message.chatId) ?? 0) >= message.messageId) return;
    if (this.waiting) this.seen.add(key);
    await this.deps.handle(message);
  }
}
