import bigInt from 'big-integer';
import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { Api } from 'telegram';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatMarks } from '../../src/catchup/chat-marks.js';
import { Bridge } from '../../src/bridge/bridge.js';
import { JsonMapFile } from '../../src/lib/json-map-file.js';
import { projectPaths } from '../../src/config/paths.js';
import { parseSettings } from '../../src/config/settings.js';
import type { SelfTestVerdict } from '../../src/restart/run-self-test.js';
import type { StoredPeer } from '../../src/transport/stored-peer.js';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import { bridgeRestartDeps, checkoutAt } from './fixtures/bridge-restart-deps.js';
import { eventually } from './fixtures/deferred.js';
import { CHANNEL_CHAT_ID, CHANNEL_ID, deliverLive, recordingClient, rpcError, type Answer, type MessageSpec } from './fixtures/recording-telegram.js';

/**
 * The restart's stages in Telegram, over gramjs's real invoke with only the
 * sender faked: the /update reply edited (plain text), a new reply when the
 * edit is refused, /update status and the usage line as sent.
 */

const dirs: string[] = [];
const DOCS_CHANNEL_ID = 5555555555;
const DOCS_CHAT_ID = `-100${DOCS_CHANNEL_ID}`;
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

const REPLY = 'studio:\n[remote-update] Update complete. 1 commit(s) pulled, restart queued.\n[remote-update] HEAD: def5678 — **Bold** _move_';

function sent(id: number): Api.UpdateShortSentMessage {
  return new Api.UpdateShortSentMessage({ id, date: Math.floor(Date.now() / 1000), pts: 1, ptsCount: 1, out: true });
}

/** Telegram's side: the account, and what the test says about edits and sends. */
function telegram(extra: Answer = () => undefined): Answer {
  let nextId = 500;
  return (request) => {
    const special = extra(request);
    if (special !== undefined) return special;
    if (request instanceof Api.users.GetUsers) return [new Api.User({ id: bigInt(42), self: true, accessHash: bigInt(1), username: 'valorbot', firstName: 'Valor' })];
    if (request instanceof Api.messages.SendMessage) return sent(++nextId);
    if (request instanceof Api.messages.GetHistory) return new Api.messages.ChannelMessages({ messages: [], chats: [], users: [], pts: 1, count: 0, topics: [] });
    return undefined;
  };
}

function machine() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-stages-'));
  dirs.push(root);
  const paths = projectPaths(root);
  fs.ensureDirSync(paths.dataDir);
  fs.writeJsonSync(paths.peers, {
    [CHANNEL_CHAT_ID]: { type: 'channel', id: String(CHANNEL_ID), accessHash: '987654321' },
    [DOCS_CHAT_ID]: { type: 'channel', id: String(DOCS_CHANNEL_ID), accessHash: '987654321' },
  });
  fs.writeJsonSync(paths.chatMarks, { [CHANNEL_CHAT_ID]: 1, [DOCS_CHAT_ID]: 1 });
  return paths;
}

async function startBridge(paths: ReturnType<typeof projectPaths>, answer: Answer, options: { selfTest?: () => Promise<SelfTestVerdict> } = {}) {
  const recording = recordingClient(answer);
  recording.client.connect = async () => true;
  const logs: string[] = [];
  const kills: number[] = [];
  const transport = new TelegramTransport(recording.client, (line) => logs.push(line), { peers: new JsonMapFile<StoredPeer>(paths.peers) });
  const settings = parseSettings({}, { console: true, defaultName: 'studio' });
  let agentJobs = 0;
  const bridge = new Bridge({
    settings: { ...settings, chats: new Map([[CHANNEL_CHAT_ID, 'valor'], [DOCS_CHAT_ID, 'docs']]), agentCommand: 'agent' },
    paths,
    transport,
    marks: new ChatMarks(paths.chatMarks),
    runUpdate: async () => {
      fs.writeFileSync(paths.restartFlag, 'now 1 commit(s)\n');
      return { output: REPLY.replace('studio:\n', ''), exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 5 };
    },
    // Agent jobs that run until the test ends: a restart waits for them.
    runAgent: async () => {
      agentJobs += 1;
      return new Promise(() => {});
    },
    ...bridgeRestartDeps(),
    ...(options.selfTest ? { selfTest: options.selfTest } : {}),
    readCheckout: async () => checkoutAt('def5678def5678', Date.now() - 60_000),
    endProcessGroups: () => {},
    describeHead: async () => 'abc1234 — Ship it',
    clock: { every: (ms, tick) => { const t = setInterval(tick, ms); return () => clearInterval(t); } },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    kill: () => kills.push(1),
    pid: 4242,
    exit: () => {},
    processStartedAtMs: Date.now() - 90_000,
    log: (line) => logs.push(line),
    pollMs: 20,
    shutdownGraceMs: 200,
  });
  await bridge.start();
  /** Through the handler the transport gave gramjs, as a live message arrives. */
  const deliver = (spec: MessageSpec) => deliverLive(recording, spec);
  return { bridge, recording, transport, logs, kills, deliver, agentJobs: () => agentJobs };
}

const edits = (recording: ReturnType<typeof recordingClient>) =>
  recording.requests.filter((r): r is Api.messages.EditMessage => r instanceof Api.messages.EditMessage);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function withNotice() {
  const paths = machine();
  fs.writeJsonSync(paths.restartNotice, { chatId: CHANNEL_CHAT_ID, messageId: 10, replyId: 501, replyText: REPLY, askedAt: new Date(Date.now() - 1_400).toISOString() });
  return paths;
}

describe('the restarted bridge edits the /update reply', () => {
  it('to its last stage, as plain text, in the same message', async () => {
    const b = await startBridge(withNotice(), telegram());
    const [edit] = edits(b.recording);
    expect(edit?.id).toBe(501);
    expect(edit?.message).toMatch(new RegExp(`^${escape(REPLY)}\nrestarted on abc1234 in 1\\.\\d s$`));
    expect(edit?.entities ?? []).toEqual([]);
    expect(edit?.noWebpage).toBe(true);
    expect((edit?.peer as Api.InputPeerChannel).channelId.toString()).toBe(String(CHANNEL_ID));
    expect(b.recording.sentMessages()).toEqual([]);
  });

  it.each(['MESSAGE_ID_INVALID', 'MESSAGE_EDIT_TIME_EXPIRED'])('%s: says it in a new reply to the /update instead, and logs why', async (error) => {
    const b = await startBridge(withNotice(), telegram((r) => (r instanceof Api.messages.EditMessage ? rpcError(r, 400, error) : undefined)));
    expect(edits(b.recording)).toHaveLength(1);
    const [reply] = b.recording.sentMessages();
    expect(reply?.message).toMatch(/^studio: restarted on abc1234 in 1\.\d s$/);
    expect((reply?.replyTo as Api.InputReplyToMessage).replyToMsgId).toBe(10);
    expect(b.logs.some((line) => line.startsWith(`could not edit the /update reply 501 in ${CHANNEL_CHAT_ID}`) && line.includes(error))).toBe(true);
  });

  it('MESSAGE_NOT_MODIFIED (the text was already so) is not a failure: no new message', async () => {
    const b = await startBridge(withNotice(), telegram((r) => (r instanceof Api.messages.EditMessage ? rpcError(r, 400, 'MESSAGE_NOT_MODIFIED') : undefined)));
    expect(edits(b.recording)).toHaveLength(1);
    expect(b.recording.sentMessages()).toEqual([]);
  });
});

describe('/update through gramjs, one message through its stages', () => {
  it('the reply says "restart queued (waiting for 2 jobs)", and the notice keeps its id and text for the edits to come', async () => {
    const paths = machine();
    const b = await startBridge(paths, telegram());
    await b.deliver({ id: 20, text: 'a job in valor' });
    await b.deliver({ id: 21, text: 'a job in docs', channelId: DOCS_CHANNEL_ID });
    await eventually(() => b.agentJobs() === 2);
    await b.deliver({ id: 22, text: '/update' });
    await eventually(() => b.recording.sentMessages().length === 1);
    expect(b.recording.sentMessages()[0]!.message).toBe(`${REPLY}\nrestart queued (waiting for 2 jobs)`);
    // Written once the reply is sent (it holds the reply's id), a moment after.
    await eventually(() => fs.existsSync(paths.restartNotice));
    expect(fs.readJsonSync(paths.restartNotice)).toMatchObject({ chatId: CHANNEL_CHAT_ID, messageId: 22, replyId: 501, replyText: REPLY });
  });
});

describe('/update status and the usage through gramjs', () => {
  it('status: one plain-text line in reply, with the mark when the checkout is ahead and no restart waits', async () => {
    const b = await startBridge(machine(), telegram());
    await b.deliver({ id: 30, text: '/update status' });
    await eventually(() => b.recording.sentMessages().length === 1);
    const [reply] = b.recording.sentMessages();
    expect(reply?.message).toBe(
      '⚠️ studio: running abc1234 "Ship it", up 1 min; checkout def5678; upstream def5678 (fetched 1 min ago); no update run recorded; no restart pending; needs attention: the checkout is at def5678 but no restart is pending',
    );
    expect((reply?.replyTo as Api.InputReplyToMessage).replyToMsgId).toBe(30);
    expect(reply?.entities ?? []).toEqual([]);
  });

  it.each(['/update now', '/update --help', '/update@valorbot what'])('%s: the usage line, and nothing runs', async (text) => {
    const b = await startBridge(machine(), telegram());
    await b.deliver({ id: 31, text });
    await eventually(() => b.recording.sentMessages().length === 1);
    expect(b.recording.sentMessages()[0]?.message).toBe(
      'studio: usage: /update (update and restart), /update check (what an update would bring), /update status (what runs here), /update hold [MACHINE] [for 30m|4h|2d] [REASON] (no updates until then: 24 h unless said, at most 7 days), /update resume [MACHINE] (end it)',
    );
    expect(b.recording.reactions()).toEqual([]);
    expect(b.agentJobs()).toBe(0);
  });
});
