/** What the bridge needs from a chat network; Telegram and the console implement it. */

export interface IncomingMessage {
  chatId: string;
  messageId: number;
  senderId: string | undefined;
  /** Who sent it, as people know them: `@username`, else their name; for lines that say who asked. */
  senderName?: string;
  text: string;
  outgoing: boolean;
  /** Forwarded from elsewhere: content, never a command. */
  forwarded: boolean;
  /** The forum topic it was posted in; replies go there too. */
  topicId?: number;
  /** When it was sent, in seconds since the epoch. */
  date: number;
}

export type MessageListener = (message: IncomingMessage) => Promise<void>;

/** Where a reply goes: the chat, the message it answers, that message's topic. */
export interface ReplyTarget {
  chatId: string;
  replyTo?: number;
  topicId?: number;
}

/**
 * Why the transport cannot go on: the login is gone and a person must log in.
 * An outage is not a reason: the transport reconnects by itself.
 */
export interface LostConnection {
  kind: 'login';
  reason: string;
}

export interface Transport {
  /** Starts delivering messages; resolves once connected. */
  start(listener: MessageListener): Promise<void>;
  /** Sends text as plain text (no markdown), split at Telegram's limit; the id of the last part sent, when known. */
  send(target: ReplyTarget, text: string): Promise<number | undefined>;
  /**
   * Replaces the text of a message the bridge sent (plain text, one
   * message's length). Rejects when it cannot be edited (too old, deleted);
   * the same text again is not a failure.
   */
  edit(chatId: string, messageId: number, text: string): Promise<void>;
  /** Sets the message's reaction; null removes it. */
  react(chatId: string, messageId: number, emoji: string | null): Promise<void>;
  /** The chat's messages newer than afterId, newest first, at most limit; afterId 0: the newest. */
  recentMessages(chatId: string, afterId: number, limit: number): Promise<IncomingMessage[]>;
  /** The account's own username, for /update@username. */
  ownUsername(): string | undefined;
  /** Who the bridge is on this transport, for the start-up line: "connected as @valor". */
  describe(): string;
  /**
   * Called at each reconnection, before any update from the new connection
   * is delivered: messages may have been missed meanwhile. The console has none.
   */
  onReconnect?(listener: () => void): void;
  /** Resolves when the connection is lost for good; never for the console. */
  lost(): Promise<LostConnection>;
  stop(): Promise<void>;
}

/** The login in use is not (or no longer) valid: a person must run `npm run login`. */
export class LoginError extends Error {}

/** The transport's own limit: one Telegram message. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;
