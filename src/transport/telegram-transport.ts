import { Api, type TelegramClient } from 'telegram';
import type { EntityLike } from 'telegram/define.js';
import { NewMessage, type NewMessageEvent } from 'telegram/events/index.js';
import { SettingsError } from '../config/settings.js';
import { splitMessage } from './split-message.js';
import type { IncomingMessage, MessageListener, Transport } from './transport.js';

/** gramjs's message as the bridge sees it; chat ids compared as strings. */
export function toIncoming(message: Api.Message): IncomingMessage {
  return {
    chatId: String(message.chatId),
    messageId: message.id,
    senderId: message.senderId?.toString(),
    text: message.message ?? '',
    outgoing: Boolean(message.out),
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
  ) {}

  async start(listener: MessageListener): Promise<void> {
    this.log('connecting to Telegram…');
    // Offline, gramjs's connect() answers false rather than throwing.
    if (!(await this.client.connect())) throw new Error('could not connect to Telegram');
    if (!(await this.client.checkAuthorization())) {
      throw new SettingsError('TELEGRAM_SESSION is not logged in: run `npm run login` and save the new session string in .env');
    }
    const me = await this.client.getMe();
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
      await this.client.getDialogs({ limit: 200 });
      return this.client.getInputEntity(chatId);
    }
  }

  async send(chatId: string, text: string, replyTo?: number): Promise<void> {
    const peer = await this.peer(chatId);
    for (const part of splitMessage(text)) {
      await this.client.sendMessage(peer, { message: part, replyTo, parseMode: false, linkPreview: false });
    }
  }

  async react(chatId: string, messageId: number, emoji: string): Promise<void> {
    await this.client.invoke(
      new Api.messages.SendReaction({
        peer: await this.peer(chatId),
        msgId: messageId,
        reaction: [new Api.ReactionEmoji({ emoticon: emoji })],
      }),
    );
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
