import bigInt from 'big-integer';
import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { Api } from 'telegram';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatMarks } from '../../src/catchup/chat-marks.js';
import { Bridge } from '../../src/bridge/bridge.js';
import { selectMissed } from '../../src/catchup/select-missed.js';
import { JsonMapFile } from '../../src/lib/json-map-file.js';
import { projectPaths } from '../../src/config/paths.js';
import { parseSettings } from '../../src/config/settings.js';
import type { StoredPeer } from '../../src/transport/stored-peer.js';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import type { IncomingMessage, MessageListener, Transport } from '../../src/transport/transport.js';
import { deferred } from './fixtures/deferred.js';
import { eventually } from './fixtures/deferred.js';
import { CHANNEL_CHAT_ID, CHANNEL_ID, deliverLive, recordingClient, rpcError, type Answer } from './fixtures/recording-telegram.js';
import { bridgeRestartDeps } from './fixtures/bridge-restart-deps.js';

/**
 * The bridge over gramjs's real invoke (only the MTProto sender faked):
 * messages missed while it was away, stored peers, topics, the watchdog.
 */

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

const NOW = Math.floor(Date.now() / 1000);
const channel = new Api.Channel({ id: bigInt(CHANNEL_ID), accessHash: bigInt(987654321), title: 'Valor', photo: new Api.ChatPhotoEmpty(), date: 0, megagroup: true });

function message(id: number, text: string, extra: Partial<{ out: boolean; forwarded: boolean; ageSeconds: number }> = {}): Api.Message {
  return new Api.Message({
    id,
    peerId: new Api.PeerChannel({ channelId: bigInt(CHANNEL_ID) }),
    fromId: new Api.PeerUser({ userId: bigInt(777) }),
    message: text,
    date: NOW - (extra.ageSeconds ?? 60),
    out: extra.out ?? false,
    fwdFrom: extra.forwarded ? new Api.MessageFwdHeader({ date: 0, fromId: new Api.PeerUser({ userId: bigInt(555) }) }) : undefined,
  });
}

/** Telegram's side: the chat's history (answered as GetHistory does: newer than minId, newest first), the account. */
function telegram(history: Api.Message[], extra: Answer = () => undefined): Answer {
  return (request) => {
    const special = extra(request);
    if (special !== undefined) return special;
    if (request instanceof Api.users.GetUsers) return [new Api.User({ id: bigInt(42), self: true, accessHash: bigInt(1), username: 'valorbot', firstName: 'Valor' })];
    if (request instanceof Api.messages.GetHistory) {
      const newer = history.filter((m) => m.id > (request.minId ?? 0)).sort((a, b) => b.id - a.id).slice(0, request.limit);
      return new Api.messages.ChannelMessages({ messages: newer, chats: [channel], users: [], pts: 1, count: newer.length, topics: [] });
    }
    return undefined;
  };
}

function machine() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-catchup-'));
  dirs.push(root);
  const paths = projectPaths(root);
  fs.ensureDirSync(paths.dataDir);
  return paths;
}

async function startBridge(paths: ReturnType<typeof projectPaths>, answer: Answer, chats = new Map([[CHANNEL_CHAT_ID, 'valor']])) {
  const logs: string[] = [];
  const recording = recordingClient(answer, (line) => logs.push(line));
  recording.client.connect = async () => {
    recording.client.logger.info(CONNECTED);
    return true;
  };
  const updates: string[] = [];
  const agentRuns: string[] = [];
  const exits: number[] = [];
  const transport = new TelegramTransport(recording.client, (line) => logs.push(line), { peers: new JsonMapFile<StoredPeer>(paths.peers) });
  const settings = parseSettings(
    { TELEGRAM_API_ID: '1', TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef', TELEGRAM_SESSION: '', VALOR_PROJECTS: `valor=${CHANNEL_CHAT_ID}` },
    { console: true, defaultName: 'studio' },
  );
  const bridge = new Bridge({
    settings: { ...settings, chats, agentCommand: 'agent' },
    paths,
    transport,
    marks: new ChatMarks(paths.chatMarks),
    runUpdate: async (mode) => {
      updates.push(mode);
      return { output: '[remote-update] Already up to date. (abc1234)', exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 5 };
    },
    runAgent: async (job) => {
      agentRuns.push(job.text);
      return { reply: `echo: ${job.text}`, ok: true, status: 'exit 0', stderr: '' };
    },
    ...bridgeRestartDeps(),
    endProcessGroups: () => {},
    describeHead: async () => 'abc1234 — Ship it',
    clock: { every: () => () => {} },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    kill: () => {},
    pid: 4242,
    exit: (code) => exits.push(code),
    processStartedAtMs: Date.now(),
    log: (line) => logs.push(line),
    pollMs: 20,
    shutdownGraceMs: 200,
  });
  await bridge.start();
  return { bridge, recording, transport, logs, updates, agentRuns, exits };
}

/** What gramjs's MTProtoSender logs once connected. */
const CONNECTED = 'Connection to 127.0.0.1:443/TCPFull complete!';

const MISSED = [
  message(100, 'answered before the restart'),
  message(101, 'a day and more ago', { ageSeconds: 2 * 24 * 3600 }),
  message(102, '/update'),
  message(103, 'sent by the bridge itself', { out: true }),
  message(104, '/update', { forwarded: true }),
  message(105, 'hello valor'),
];

describe('catching up on messages sent while the bridge was away', () => {
  it('a chat seen for the first time starts from its newest message: nothing old is answered', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const b = await startBridge(paths, telegram(MISSED));

    expect(b.updates).toEqual([]);
    expect(b.agentRuns).toEqual([]);
    expect(fs.readJsonSync(paths.chatMarks)).toEqual({ [CHANNEL_CHAT_ID]: 105 });
    expect(b.logs).toContain(`valor (${CHANNEL_CHAT_ID}): first start with this chat; messages from message 105 on are answered`);
  });

  it('after a restart: the missed /update runs once and the missed message is answered, in order; outgoing, forwarded and too old ones are skipped and logged; never twice', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 100 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });

    const first = await startBridge(paths, telegram(MISSED));
    await eventually(() => first.agentRuns.length === 1 && first.updates.length === 1);
    await first.bridge.shutdown('SIGTERM');

    expect(first.updates).toEqual(["update"]);
    expect(first.agentRuns).toEqual(['hello valor']);
    expect(first.logs).toContain(`valor (${CHANNEL_CHAT_ID}): 1 missed message(s) left out (older than 24 h, or beyond the newest 50)`);
    expect(first.logs).toContain(`valor (${CHANNEL_CHAT_ID}): answering 2 message(s) sent while the bridge was away`);
    expect(fs.readJsonSync(paths.chatMarks)).toEqual({ [CHANNEL_CHAT_ID]: 105 });
    // The stored peer reached the chat: no dialog scan, nothing resolved by name.
    expect(first.recording.requests.some((r) => r instanceof Api.messages.GetDialogs || r instanceof Api.contacts.ResolveUsername)).toBe(false);
    const history = first.recording.requests.find((r): r is Api.messages.GetHistory => r instanceof Api.messages.GetHistory)!;
    expect(history.minId).toBe(100);
    expect(history.peer).toBeInstanceOf(Api.InputPeerChannel);

    const second = await startBridge(paths, telegram(MISSED));
    await new Promise((r) => setTimeout(r, 100));
    expect(second.updates).toEqual([]);
    expect(second.agentRuns).toEqual([]);
  });

  it('a flood wait on the history is slept through by gramjs, then the catch-up goes on', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 104 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    let floods = 0;
    const startedAt = Date.now();
    const b = await startBridge(
      paths,
      telegram(MISSED, (r) => (r instanceof Api.messages.GetHistory && floods++ === 0 ? rpcError(r, 420, 'FLOOD_WAIT_1') : undefined)),
    );
    await eventually(() => b.agentRuns.length === 1);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(b.recording.requests.filter((r) => r instanceof Api.messages.GetHistory)).toHaveLength(2);
    expect(b.agentRuns).toEqual(['hello valor']);
  });

  it('a configured chat that cannot be read is reported with its id, and the bridge still starts', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 100 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const b = await startBridge(paths, telegram(MISSED, (r) => (r instanceof Api.messages.GetHistory ? rpcError(r, 500, 'INTERNAL') : undefined)));

    expect(b.logs.some((l) => l.startsWith(`configured chat ${CHANNEL_CHAT_ID} (valor) could not be read:`) && l.includes('INTERNAL') && l.includes('check VALOR_PROJECTS'))).toBe(true);
    expect(b.logs.some((l) => l.startsWith('ready: connected as @valorbot'))).toBe(true);
  });

  it('a chat the account lost (CHANNEL_PRIVATE): one line naming it, skipped by later rounds; replies there fail once with that line; the other chat goes on', async () => {
    const paths = machine();
    const OTHER = '-1009';
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 100, [OTHER]: 5 });
    fs.writeJsonSync(paths.peers, {
      [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' },
      [OTHER]: { type: 'chat', id: '9' },
    });
    const b = await startBridge(
      paths,
      telegram(MISSED, (r) => {
        if (r instanceof Api.messages.GetHistory && r.peer instanceof Api.InputPeerChannel) return rpcError(r, 400, 'CHANNEL_PRIVATE');
        if (r instanceof Api.messages.GetHistory) return new Api.messages.Messages({ messages: [], chats: [], users: [] });
        if (r instanceof Api.messages.SendMessage && r.peer instanceof Api.InputPeerChannel) return rpcError(r, 400, 'CHANNEL_PRIVATE');
        return undefined;
      }),
      new Map([
        [CHANNEL_CHAT_ID, 'valor'],
        [OTHER, 'other'],
      ]),
    );
    b.recording.client.logger.warn('Connection closed while receiving data');
    b.recording.client.logger.info(CONNECTED);
    await eventually(() => b.recording.requests.filter((r) => r instanceof Api.messages.GetHistory).length === 3);
    await expect(b.transport.send({ chatId: CHANNEL_CHAT_ID, replyTo: 105 }, 'an answer')).rejects.toThrow(
      `chat ${CHANNEL_CHAT_ID}: no longer readable (CHANNEL_PRIVATE): removed from the group, or the group deleted?`,
    );

    const lost = b.logs.filter((l) => l.includes(CHANNEL_CHAT_ID));
    expect(lost).toEqual([
      `valor (${CHANNEL_CHAT_ID}): no longer readable (CHANNEL_PRIVATE): removed from the group, or the group deleted? Check the account's groups and VALOR_PROJECTS; skipped until the bridge restarts`,
    ]);
    // The lost chat read once (start-up), the other twice (start-up and the reconnection).
    const read = b.recording.requests.filter((r): r is Api.messages.GetHistory => r instanceof Api.messages.GetHistory);
    expect(read.map((r) => (r.peer as Api.TypeInputPeer).className)).toEqual(['InputPeerChannel', 'InputPeerChat', 'InputPeerChat']);
  });
});

describe('forum topics', () => {
  function inTopic(m: Api.Message, topicId: number): Api.Message {
    m.replyTo = new Api.MessageReplyHeader({ forumTopic: true, replyToMsgId: topicId, replyToTopId: topicId });
    return m;
  }

  it('a message and an /update posted in a topic are answered in that topic (replyTo with topMsgId)', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 400 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const history = [inTopic(message(401, 'hello from the topic'), 77), inTopic(message(402, '/update'), 77)];

    const b = await startBridge(paths, telegram(history));
    await eventually(() => b.recording.sentMessages().length === 2);

    for (const sent of b.recording.sentMessages()) {
      expect((sent.replyTo as Api.InputReplyToMessage).topMsgId).toBe(77);
    }
    expect(b.recording.sentMessages().map((m) => (m.replyTo as Api.InputReplyToMessage).replyToMsgId).sort()).toEqual([401, 402]);
  });
});

describe('live messages during the catch-up', () => {
  it('wait until the missed ones are answered, in order; a live copy of a missed one is not handled again', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 10 });
    const history = deferred<IncomingMessage[]>();
    let listener: MessageListener = async () => {};
    const incoming = (id: number, text: string): IncomingMessage => ({ chatId: CHANNEL_CHAT_ID, messageId: id, senderId: '777', text, outgoing: false, forwarded: false, date: NOW });
    const transport: Transport = {
      start: async (l) => {
        listener = l;
      },
      send: async () => undefined,
      edit: async () => {},
      react: async () => {},
      recentMessages: () => history.promise,
      ownUsername: () => undefined,
      describe: () => 'a stub',
      lost: () => new Promise(() => {}),
      stop: async () => {},
    };
    const answered: string[] = [];
    const settings = parseSettings({}, { console: true, defaultName: 'studio' });
    const bridge = new Bridge({
      settings: { ...settings, chats: new Map([[CHANNEL_CHAT_ID, 'valor']]), agentCommand: 'agent' },
      paths,
      transport,
      marks: new ChatMarks(paths.chatMarks),
      runUpdate: async () => ({ output: '', exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 1 }),
      runAgent: async (job) => {
        answered.push(job.text);
        return { reply: 'ok', ok: true, status: 'exit 0', stderr: '' };
      },
      ...bridgeRestartDeps(),
      endProcessGroups: () => {},
      describeHead: async () => 'abc1234 — Ship it',
      clock: { every: () => () => {} },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      kill: () => {},
      pid: 4242,
      exit: () => {},
      processStartedAtMs: Date.now(),
      log: () => {},
    });

    const starting = bridge.start();
    await eventually(() => listener !== undefined);
    await new Promise((r) => setTimeout(r, 20));
    await listener(incoming(12, 'live, sent during the catch-up'));
    await listener(incoming(11, 'missed while away'));
    history.resolve([incoming(11, 'missed while away')]);
    await starting;
    await eventually(() => answered.length === 2);
    await new Promise((r) => setTimeout(r, 50));

    expect(answered).toEqual(['missed while away', 'live, sent during the catch-up']);
  });
});

describe('after a reconnection', () => {
  /** What gramjs's MTProtoSender logs when its connection breaks and when a new one is made. */
  function reconnect(b: Awaited<ReturnType<typeof startBridge>>) {
    b.recording.client.logger.warn('Connection closed while receiving data');
    b.recording.client.logger.info(CONNECTED);
  }
  /** A live message as gramjs dispatches it to the handlers the transport registered. */
  async function live(b: Awaited<ReturnType<typeof startBridge>>, id: number, text: string) {
    await deliverLive(b.recording, { id, text });
  }

  it('messages sent while it was down are fetched and answered before the first live one, in order, once each; the mark never skips one', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 100 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const history = [message(100, 'answered before')];
    const b = await startBridge(paths, telegram(history));
    await live(b, 101, 'before the drop');
    await eventually(() => b.agentRuns.length === 1);

    history.push(message(102, 'sent while the connection was down'), message(103, 'sent as it came back'));
    reconnect(b);
    await live(b, 103, 'sent as it came back');
    await eventually(() => b.agentRuns.length >= 3);
    await live(b, 104, 'later');
    await eventually(() => b.agentRuns.length >= 4);
    await new Promise((r) => setTimeout(r, 50));

    expect(b.agentRuns).toEqual(['before the drop', 'sent while the connection was down', 'sent as it came back', 'later']);
    expect(fs.readJsonSync(paths.chatMarks)).toEqual({ [CHANNEL_CHAT_ID]: 104 });
    expect(b.logs).toContain('connection to Telegram lost; reconnecting');
    expect(b.logs.filter((l) => l.startsWith('connected again after'))).toHaveLength(1);
    expect(b.logs).toContain(`valor (${CHANNEL_CHAT_ID}): answering 2 message(s) sent while the bridge was away`);
  });

  it('a chat with no history at start-up: what arrives later is answered, even when a reconnection round sees it first', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const history: Api.Message[] = [];
    const b = await startBridge(paths, telegram(history));
    history.push(message(50, 'the first message in the chat'));
    reconnect(b);
    await live(b, 50, 'the first message in the chat');
    await eventually(() => b.agentRuns.length === 1);

    expect(b.agentRuns).toEqual(['the first message in the chat']);
    expect(b.logs.some((l) => l.includes('first start with this chat'))).toBe(false);
  });

  it('a reconnection gramjs starts itself (unanswered pings) that succeeds at the first attempt also catches up', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 100 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const history = [message(100, 'answered before')];
    const b = await startBridge(paths, telegram(history));
    history.push(message(101, 'sent while the pings went unanswered'));
    b.recording.client.logger.info('Started reconnecting');
    b.recording.client.logger.warn('[Reconnect] Closing current connection...');
    b.recording.client.logger.info(CONNECTED);
    await eventually(() => b.agentRuns.length === 1);

    expect(b.agentRuns).toEqual(['sent while the pings went unanswered']);
  });

  it('a reconnection during a catch-up round asks for another round after it', async () => {
    const paths = machine();
    fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 100 });
    fs.writeJsonSync(paths.peers, { [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' } });
    const history = [message(100, 'answered before')];
    let slow: ReturnType<typeof deferred<void>> | undefined;
    const b = await startBridge(paths, async (request) => {
      if (request instanceof Api.messages.GetHistory && slow) {
        await slow.promise;
      }
      return telegram(history)(request);
    });
    slow = deferred<void>();
    history.push(message(101, 'first outage'));
    reconnect(b);
    await eventually(() => b.recording.requests.filter((r) => r instanceof Api.messages.GetHistory).length === 2);
    history.push(message(102, 'second outage'));
    reconnect(b);
    slow.resolve();
    await eventually(() => b.agentRuns.length === 2);

    expect(b.agentRuns).toEqual(['first outage', 'second outage']);
    expect(b.recording.requests.filter((r) => r instanceof Api.messages.GetHistory)).toHaveLength(3);
  });
});

describe('selecting the missed messages', () => {
  const incoming = (id: number, extra: Partial<IncomingMessage> = {}): IncomingMessage => ({
    chatId: 'c',
    messageId: id,
    senderId: '1',
    text: `m${id}`,
    outgoing: false,
    forwarded: false,
    date: NOW,
    ...extra,
  });

  it('keeps the newest within the count, oldest first, and counts the rest', () => {
    const picked = selectMissed([incoming(5), incoming(3), incoming(4), incoming(6)], 2, { maxMessages: 2, maxAgeSeconds: 3600 }, NOW);
    expect(picked.handle.map((m) => m.messageId)).toEqual([5, 6]);
    expect(picked.leftOut).toBe(2);
  });

  it('skips what is not newer than the mark', () => {
    expect(selectMissed([incoming(2), incoming(3)], 2, { maxMessages: 10, maxAgeSeconds: 3600 }, NOW).handle.map((m) => m.messageId)).toEqual([3]);
  });
});
