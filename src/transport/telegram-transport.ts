import { Api, errors } from 'telegram';
import { NewMessage, type NewMessageEvent } from 'telegram/events/index.js';
import { chatAccessError } from './chat-access.js';
import { ConnectionWatchdog } from './connection-watchdog.js';
import { splitMessage } from './split-message.js';
import type { BridgeTelegramClient } from './telegram-client.js';
import { toInputPeer, toStoredPeer, type PeerStore } from './stored-peer.js';
import { LoginError, type IncomingMessage, type LostConnection, type MessageListener, type ReplyTarget, type Transport } from './transport.js';

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

/** 401: the session is revoked, unregistered or otherwise no longer a login. */
export function isLoginError(error: unknown): boolean {
  return error instanceof errors.RPCError && error.code === 401;
}

/** The forum topic a message was posted in, if any. */
function topicOf(message: Api.Message): number | undefined {
  const reply = message.replyTo;
  if (!(reply instanceof Api.MessageReplyHeader) || !reply.forumTopic) return undefined;
  return reply.replyToTopId ?? reply.replyToMsgId;
}

/** `@username`, else the first and last name, of a sender gramjs has the entity of (sent with the update). */
function senderName(sender: unknown): string | undefined {
  if (!(sender instanceof Api.User)) return undefined;
  if (sender.username) return `@${sender.username}`;
  return [sender.firstName, sender.lastName].filter(Boolean).join(' ') || undefined;
}

/** gramjs's message as the bridge sees it; chat ids compared as strings. */
export function toIncoming(message: Api.Message, chatId = String(message.chatId)): IncomingMessage {
  const topicId = topicOf(message);
  const name = senderName(message.sender);
  return {
    chatId,
    messageId: message.id,
    senderId: message.senderId?.toString(),
    ...(name !== undefined ? { senderName: name } : {}),
    text: message.message ?? '',
    outgoing: Boolean(message.out),
    forwarded: message.fwdFrom !== undefined && message.fwdFrom !== null,
    ...(topicId !== undefined ? { topicId } : {}),
    date: message.date,
  };
}

export interface TelegramTransportOptions {
  peers?: PeerStore;
  requestTimeoutMs?: number;
  every?(ms: number, tick: () => void): () => void;
}

const noPeers: PeerStore = { get: () => undefined, set: () => {} };

/**
 * A user-account client. Messages are handed on one at a time in arrival
 * order. Telegram does not replay what was sent while the bridge was away:
 * recentMessages() lets the bridge fetch it. The peer of every chat heard
 * from is stored, so replies reach it after a restart without a dialog scan.
 */
export class TelegramTransport implements Transport {
  private readonly peers = new Map<string, Api.TypeInputPeer>();
  private readonly store: PeerStore;
  private readonly requestTimeoutMs: number;
  private readonly watchdog: ConnectionWatchdog;
  private username: string | undefined;
  private identity: string | undefined;
  private dialogsLoaded = false;
  private delivered: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: BridgeTelegramClient,
    private readonly log: (line: string) => void,
    options: TelegramTransportOptions = {},
  ) {
    this.store = options.peers ?? noPeers;
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.watchdog = new ConnectionWatchdog({
      check: async () => {
        await this.request(this.client.invoke(new Api.updates.GetState()), 'checking the connection');
      },
      isConnected: () => this.client.connection.isUp(),
      isLoginError,
      every: options.every ?? ((ms, tick) => {
        const timer = setInterval(tick, ms);
        timer.unref();
        return () => clearInterval(timer);
      }),
      log,
    });
  }

  /** Any request's 401 ends the bridge at once, not at the watchdog's next look. */
  private request<T>(work: Promise<T>, what: string): Promise<T> {
    return withTimeout(work, this.requestTimeoutMs, what).catch((error: unknown) => {
      this.watchdog.report(error);
      throw error;
    });
  }

  /** Work on one chat: an answer that means the chat is gone becomes one ChatAccessError naming it. */
  private async inChat<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw chatAccessError(chatId, error) ?? error;
    }
  }

  /**
   * Asks Telegram directly: gramjs's checkAuthorization() answers false for
   * any error, a network failure or a flood wait included.
   */
  private async checkLogin(): Promise<void> {
    try {
      await this.request(this.client.invoke(new Api.updates.GetState()), 'checking the login');
    } catch (error) {
      // The link broke right after connecting: gramjs reconnects (the connection log says so); ask again.
      if (error instanceof RequestTimeout) return this.checkLogin();
      if (isLoginError(error)) {
        throw new LoginError(`TELEGRAM_SESSION is not logged in (${(error as errors.RPCError).errorMessage}): run \`npm run login\` and save the new session string in .env`);
      }
      throw new Error(`could not ask Telegram whether TELEGRAM_SESSION is logged in: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async start(listener: MessageListener): Promise<void> {
    this.log('connecting to Telegram…');
    // Offline, gramjs's connect() keeps trying (the connection log says so); false means it gave up.
    if (!(await this.client.connect())) throw new Error('could not connect to Telegram');
    await this.checkLogin();
    const me = await this.request(this.client.getMe(), 'reading the account');
    this.username = me.username ?? undefined;
    this.identity = this.username ? `@${this.username}` : `${me.firstName ?? 'user'} (id ${String(me.id)}, no username)`;
    this.client.connection.listen({ error: (error) => this.watchdog.report(error) });
    this.client.addEventHandler((event: NewMessageEvent) => this.receive(event, listener), new NewMessage({}));
    this.watchdog.start();
  }

  /** Each message in arrival order, one at a time; its chat's peer remembered. */
  private receive(event: NewMessageEvent, listener: MessageListener): Promise<void> {
    const message = event.message;
    const incoming = toIncoming(message);
    const input: unknown = message.inputChat;
    if (input instanceof Api.InputPeerChannel || input instanceof Api.InputPeerChat || input instanceof Api.InputPeerUser) {
      this.remember(incoming.chatId, input);
    }
    this.delivered = this.delivered
      .then(() => listener(incoming))
      .catch((error: unknown) => this.log(`message ${incoming.messageId} in ${incoming.chatId}: ${String(error)}`));
    return this.delivered;
  }

  private remember(chatId: string, peer: Api.TypeInputPeer): void {
    this.peers.set(chatId, peer);
    const stored = toStoredPeer(peer);
    const known = this.store.get(chatId);
    if (stored && JSON.stringify(known) !== JSON.stringify(stored)) this.store.set(chatId, stored);
  }

  /** From memory, from the peers stored by earlier runs, from gramjs's cache, and last from the dialogs. */
  private async peer(chatId: string): Promise<Api.TypeInputPeer> {
    const known = this.peers.get(chatId);
    if (known) return known;
    const stored = this.store.get(chatId);
    if (stored) return toInputPeer(stored);
    try {
      return await this.client.getInputEntity(chatId);
    } catch (error) {
      if (this.dialogsLoaded) throw error;
      this.dialogsLoaded = true;
      await this.request(this.client.getDialogs({}), 'reading the dialogs');
      return this.client.getInputEntity(chatId);
    }
  }

  async send(target: ReplyTarget, text: string): Promise<number | undefined> {
    return this.inChat(target.chatId, async () => {
      const peer = await this.peer(target.chatId);
      let lastId: number | undefined;
      for (const part of splitMessage(text)) {
        const sent: Api.Message | undefined = await this.request(
          this.client.sendMessage(peer, { message: part, replyTo: target.replyTo, topMsgId: target.topicId, parseMode: false, linkPreview: false }),
          `sending to ${target.chatId}`,
        );
        lastId = sent?.id;
      }
      return lastId;
    });
  }

  async edit(chatId: string, messageId: number, text: string): Promise<void> {
    await this.inChat(chatId, async () => {
      const peer = await this.peer(chatId);
      try {
        await this.request(this.client.editMessage(peer, { message: messageId, text, parseMode: false, linkPreview: false }), `editing in ${chatId}`);
      } catch (error) {
        if (error instanceof errors.RPCError && error.errorMessage === 'MESSAGE_NOT_MODIFIED') return;
        throw error;
      }
    });
  }

  async react(chatId: string, messageId: number, emoji: string | null): Promise<void> {
    await this.inChat(chatId, async () => {
      const request = new Api.messages.SendReaction({
        peer: await this.peer(chatId),
        msgId: messageId,
        reaction: emoji === null ? [] : [new Api.ReactionEmoji({ emoticon: emoji })],
      });
      await this.request(this.client.invoke(request), `reacting in ${chatId}`);
    });
  }

  async recentMessages(chatId: string, afterId: number, limit: number): Promise<IncomingMessage[]> {
    const history = await this.inChat(chatId, async () =>
      this.request(
        this.client.invoke(new Api.messages.GetHistory({ peer: await this.peer(chatId), minId: afterId, limit, offsetId: 0, offsetDate: 0, addOffset: 0, maxId: 0 })),
        `reading the history of ${chatId}`,
      ),
    );
    if (history instanceof Api.messages.MessagesNotModified) return [];
    return history.messages.filter((m): m is Api.Message => m instanceof Api.Message).map((m) => toIncoming(m, chatId));
  }

  ownUsername(): string | undefined {
    return this.username;
  }

  describe(): string {
    return this.identity === undefined ? 'not connected' : `connected as ${this.identity}`;
  }

  onReconnect(listener: () => void): void {
    // At once, from gramjs's "connected" line, before it reads any update: the listener holds them.
    this.client.connection.listen({ reconnected: listener });
  }

  lost(): Promise<LostConnection> {
    return this.watchdog.lost;
  }

  async stop(): Promise<void> {
    this.watchdog.stop();
    await this.client.disconnect();
  }
}
