/** What the bridge needs from a chat network; Telegram and the console implement it. */

export interface IncomingMessage {
  chatId: string;
  messageId: number;
  senderId: string | undefined;
  text: string;
  outgoing: boolean;
  /** Forwarded from elsewhere: content, never a command. */
  forwarded: boolean;
}

export type MessageListener = (message: IncomingMessage) => Promise<void>;

export interface Transport {
  /** Starts delivering messages; resolves once connected. */
  start(listener: MessageListener): Promise<void>;
  /** Sends text as plain text (no markdown), split at Telegram's limit. */
  send(chatId: string, text: string, replyTo?: number): Promise<void>;
  /** Sets the message's reaction; null removes it. */
  react(chatId: string, messageId: number, emoji: string | null): Promise<void>;
  /** The account's own username, for /update@username. */
  ownUsername(): string | undefined;
  /** Who the bridge is on this transport, for the start-up line: "connected as @valor". */
  describe(): string;
  /** Resolves when the transport has no more messages to deliver (console EOF); never for Telegram. */
  ended(): Promise<void>;
  stop(): Promise<void>;
}

/** The login in use is not (or no longer) valid: a person must run `npm run login`. */
export class LoginError extends Error {}
