import { Api, errors, type TelegramClient } from 'telegram';
import type { EntityLike } from 'telegram/define.js';
import { NewMessage, type NewMessageEvent } from 'telegram/events/index.js';
import { splitMessage } from './split-message.js';
import { LoginError, type IncomingMessage, type MessageListener, type Transport } from './transport.js';

/** gramjs requests have no deadline of their own: no stuck request may hold a restart back. */
export const REQUEST_TIMEOUT_MS = 30_000;

export class RequestTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeout(`${what}: no answer from Telegram within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** gramjs's message as the bridge sees it; chat ids compared as strings. */
export function toIncoming(message: Api.Message): IncomingMessage {
  return {
    chatId: String(message.chatId),
    messageId: message.id,
    senderId: message.senderId?.toString(),
    text: message.message ?? '',
    outgoing: Boolean(message.out),
    forwarded: message.fwdFrom !== undefined && message.fwdFrom !== null,
  };
}

/**
 * A user-account client. Messages are handed on one at a time in arrival
 * order. gramjs does not catch up on updates missed while offline.
 */
export class TelegramTransport implements Transport {
  private readonly peers = new Map<string, EntityLike>();
  private username: string | undefined;
  private identity: string | undefined;
  private dialogsLoaded = false;
  private delivered: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: TelegramClient,
    private readonly log: (line: string) => void,
    private readonly requestTimeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  private request<T>(work: Promise<T>, what: string): Promise<T> {
    return withTimeout(work, this.requestTimeoutMs, what);
  }

  /**
   * Asks Telegram directly: gramjs's checkAuthorization() answers false for
   * any error, a network failure or a flood wait included.
   */
  private async checkLogin(): Promise<void> {
    try {
      await this.request(this.client.invoke(new Api.updates.GetState()), 'checking the login');
    } catch (error) {
      if (error instanceof errors.RPCError && error.code === 401) {
        throw new LoginError(`TELEGRAM_SESSION is not logged in (${error.errorMessage}): run \`npm run login\` and save the new session string in .env`);
      }
      throw new Error(`could not ask Telegram whether TELEGRAM_SESSION is logged in: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async start(listener: MessageListener): Promise<void> {
    this.log('connecting to Telegram…');
    // Offline, gramjs's connect() answers false rather than throwing.
    if (!(await this.client.connect())) throw new Error('could not connect to Telegram');
    await this.checkLogin();
    const me = await this.request(this.client.getMe(), 'reading the account');
    this.username = me.username ?? undefined;
    this.identity = this.username ? `@${this.username}` : `${me.firstName ?? 'user'} (id ${String(me.id)}, no username)`;
    this.client.addEventHandler((event: NewMessageEvent) => this.receive(event, listener), new NewMessage({}));
  }

  /** Also the entry point for tests, with events built by gramjs's NewMessage. */
  receive(event: NewMessageEvent, listener: MessageListener): Promise<void> {
    const message = event.message;
    const incoming = toIncoming(message);
    if (message.inputChat) this.peers.set(incoming.chatId, message.inputChat);
    this.delivered = this.delivered
      .then(() => listener(incoming))
      .catch((error: unknown) => this.log(`message ${incoming.messageId} in ${incoming.chatId}: ${String(error)}`));
    return this.delivered;
  }

  private async peer(chatId: string): Promise<Api.TypeInputPeer> {
    const known = this.peers.get(chatId);
    if (known) return this.client.getInputEntity(known);
    try {
      return await this.client.getInputEntity(chatId);
    } catch (error) {
      // After a restart nothing is cached yet: the dialogs list carries access hashes.
      if (this.dialogsLoaded) throw error;
      this.dialogsLoaded = true;
      await this.request(this.client.getDialogs({ limit: 200 }), 'reading the dialogs');
      return this.client.getInputEntity(chatId);
    }
  }

  async send(chatId: string, text: string, replyTo?: number): Promise<void> {
    const peer = await this.peer(chatId);
    for (const part of splitMessage(text)) {
      await this.request(this.client.sendMessage(peer, { message: part, replyTo, parseMode: false, linkPreview: false }), `sending to ${chatId}`);
    }
  }

  async react(chatId: string, messageId: number, emoji: string | null): Promise<void> {
    const request = new Api.messages.SendReaction({
      peer: await this.peer(chatId),
      msgId: messageId,
      reaction: emoji === null ? [] : [new Api.ReactionEmoji({ emoticon: emoji })],
    });
    await this.request(this.client.invoke(request), `reacting in ${chatId}`);
  }

  ownUsername(): string | undefined {
    return this.username;
  }
  describe(): string {
    return this.identity === undefined ? 'not connected' : `connected as ${this.identity}`;
  }


  ended(): Promise<void> {
    return new Promise(() => {});
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }
}
