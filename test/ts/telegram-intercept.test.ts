import { Api } from 'telegram';
import { RPCError } from 'telegram/errors/index.js';
import { describe, expect, it } from 'vitest';
import { createMessageHandler } from '../../src/bridge/message-handler.js';
import type { NewJob } from '../../src/queue/job.js';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import type { Hold } from '../../src/update/hold.js';
import type { UpdateOutcome } from '../../src/restart/last-update.js';
import type { HoldResult } from '../../src/update/run-hold-command.js';
import type { UpdateResult } from '../../src/update/run-update-script.js';
import type { HoldAction, UpdateMode } from '../../src/update/update-command.js';
import { createUpdateHandler, refusal } from '../../src/update/update-handler.js';
import { CHANNEL_CHAT_ID, deliverLive, recordingClient, startTransport, withAccount, type MessageSpec } from './fixtures/recording-telegram.js';

const UP_TO_DATE = '[remote-update] Already up to date. (abc1234)\n';

interface Harness {
  deliver(spec: MessageSpec): Promise<void>;
  settle(): Promise<void>;
  recording: ReturnType<typeof recordingClient>;
  enqueued: NewJob[];
  updates: number;
  modes: UpdateMode[];
  /** What /update hold and /update resume ran: the action, the words, by whom. */
  holds: Array<[HoldAction, readonly string[], string | undefined]>;
  notices: Array<[string, number]>;
  logs: string[];
}

function harness(options: {
  result?: UpdateResult;
  updateUsers?: Set<string>;
  chats?: Map<string, string>;
  secrets?: string[];
  restartQueued?: boolean;
  shuttingDown?: boolean;
  username?: string;
  answer?: Parameters<typeof recordingClient>[0];
  requestTimeoutMs?: number;
  runningJobs?: number;
  holdResult?: HoldResult;
  /** data/hold's hold in force, as the handler reads it. */
  hold?: Hold;
  lastOutcome?: UpdateOutcome;
} = {}): Harness {
  const recording = recordingClient(withAccount(options.answer));
  const transport = new TelegramTransport(recording.client, () => {}, { requestTimeoutMs: options.requestTimeoutMs });
  const inFlight: Array<Promise<unknown>> = [];
  let started: Promise<void> | undefined;
  const h: Harness = {
    recording,
    enqueued: [],
    updates: 0,
    modes: [],
    holds: [],
    notices: [],
    logs: [],
    deliver: async (spec) => {
      started ??= startTransport(recording, transport, onMessage);
      await started;
      await deliverLive(recording, spec);
    },
    settle: async () => {
      await Promise.all(inFlight);
    },
  };
  const handleUpdate = createUpdateHandler({
    transport,
    runUpdate: async (mode) => {
      h.updates += 1;
      h.modes.push(mode);
      return options.result ?? { output: UP_TO_DATE, exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 };
    },
    runHold: async (action, words, by) => {
      h.holds.push([action, words, by]);
      return options.holdResult ?? { output: '[valor-service] Held by @alice until 18:40 UTC: …\n', exitCode: 0, timedOut: false };
    },
    currentHold: () => options.hold,
    lastOutcome: () => options.lastOutcome,
    machineName: 'studio',
    statusLine: async () => 'studio: running abc1234',
    runningJobs: () => options.runningJobs ?? 0,
    updateUsers: options.updateUsers,
    secrets: options.secrets ?? [],
    track: (work) => {
      const promise = work();
      inFlight.push(promise);
      return promise;
    },
    restartQueued: () => options.restartQueued ?? false,
    recordRestartNotice: async (notice) => {
      h.notices.push([notice.chatId, notice.messageId]);
    },
    log: (line) => h.logs.push(line),
  });
  const onMessage = createMessageHandler({
    chats: options.chats ?? new Map([[CHANNEL_CHAT_ID, 'valor']]),
    isShuttingDown: () => options.shuttingDown ?? false,
    ownUsername: () => options.username,
    handleUpdate,
    enqueue: async (job) => {
      h.enqueued.push(job);
    },
    agentConfigured: true,
    taken: () => {},
    log: (line) => h.logs.push(line),
  });
  return h;
}

const emoticons = (h: Harness) =>
  h.recording.reactions().map((r) => (r.reaction?.[0] as { emoticon?: string } | undefined)?.emoticon);

describe('/update through gramjs events', () => {
  it('is handled before the queue: it never becomes a job', async () => {
    const h = harness();
    await h.deliver({ id: 10, text: '/update' });
    await h.settle();
    expect(h.updates).toBe(1);
    expect(h.enqueued).toEqual([]);
  });

  it('/update check runs the check, replies like /update, and never records a restart notice', async () => {
    const h = harness({ restartQueued: true });
    await h.deliver({ id: 10, text: '/update check' });
    await h.deliver({ id: 11, text: '/update --check' });
    await h.settle();
    expect(h.modes).toEqual(['check', 'check']);
    expect(h.notices).toEqual([]);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([`studio:\n${UP_TO_DATE.trim()}`, `studio:\n${UP_TO_DATE.trim()}`]);
    expect(h.logs).toContain(`/update check in ${CHANNEL_CHAT_ID}: exit 0 after 250 ms`);
    expect(h.enqueued).toEqual([]);
  });

  it('a plain /update runs the update and records the restart notice when one is queued', async () => {
    const h = harness({ restartQueued: true });
    await h.deliver({ id: 10, text: '/update' });
    await h.settle();
    expect(h.modes).toEqual(['update']);
    expect(h.notices).toEqual([[CHANNEL_CHAT_ID, 10]]);
  });

  it('logs the exit code and how long the script took', async () => {
    const h = harness();
    await h.deliver({ id: 10, text: '/update' });
    await h.settle();
    expect(h.logs).toContain(`/update in ${CHANNEL_CHAT_ID}: exit 0 after 250 ms`);
  });

  it('other messages in a monitored chat are queued with their project key', async () => {
    const h = harness();
    await h.deliver({ id: 11, text: 'hello valor' });
    expect(h.enqueued).toEqual([{ projectKey: 'valor', chatId: CHANNEL_CHAT_ID, messageId: 11, text: 'hello valor' }]);
    expect(h.recording.requests).toEqual([]);
  });

  it('replies to the command message, plain text, machine named first', async () => {
    const h = harness({ result: { output: '[remote-update] HEAD: abc1234 — fix __init__ **now**\n', exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 } });
    await h.deliver({ id: 12, text: '/update' });
    await h.settle();
    const [sent] = h.recording.sentMessages();
    expect(sent?.message).toBe('studio:\n[remote-update] HEAD: abc1234 — fix __init__ **now**');
    expect(sent?.entities ?? []).toEqual([]);
    expect((sent?.replyTo as { replyToMsgId?: number } | undefined)?.replyToMsgId).toBe(12);
    expect(sent?.noWebpage).toBe(true);
  });

  it('reacts 👀 on receipt and 👍 after a successful update', async () => {
    const h = harness();
    await h.deliver({ id: 13, text: '/update' });
    await h.settle();
    expect(emoticons(h)).toEqual(['👀', '👍']);
    expect(h.recording.reactions().every((r) => r.msgId === 13)).toBe(true);
    expect(h.recording.requests.map((r) => r.className)).toEqual(['messages.SendReaction', 'messages.SendMessage', 'messages.SendReaction']);
  });

  it('a final reaction Telegram refuses: the 👀 is removed rather than left to say "still working"', async () => {
    const h = harness({
      answer: (r) =>
        r instanceof Api.messages.SendReaction && (r.reaction?.[0] as { emoticon?: string } | undefined)?.emoticon === '👍'
          ? new RPCError('REACTION_INVALID', new Api.messages.SendReaction({ peer: new Api.InputPeerEmpty(), msgId: 1 }), 400)
          : undefined,
    });
    await h.deliver({ id: 13, text: '/update' });
    await h.settle();
    expect(h.recording.reactions().map((r) => r.reaction?.map((x) => (x as { emoticon?: string }).emoticon))).toEqual([['👀'], ['👍'], []]);
    expect(h.logs.some((line) => line.includes('could not react 👍') && line.includes('REACTION_INVALID'))).toBe(true);
  });

  it('a reply that cannot be sent still gets the failure mark', async () => {
    const h = harness({ answer: (r) => (r instanceof Api.messages.SendMessage ? new Error('network down') : undefined) });
    await h.deliver({ id: 13, text: '/update' });
    await h.settle().catch(() => {});
    expect(emoticons(h)).toEqual(['👀', '👎']);
  });

  it('a send that never returns is given up after the request timeout: the /update ends, so no restart waits on it', async () => {
    const h = harness({ answer: (r) => (r instanceof Api.messages.SendMessage ? 'never' : undefined), requestTimeoutMs: 50 });
    await h.deliver({ id: 13, text: '/update' });
    await expect(h.settle()).rejects.toThrow('no answer from Telegram within 0.05 s');
    expect(emoticons(h)).toEqual(['👀', '👎']);
  });

  it('a forwarded /update is not a command', async () => {
    const h = harness();
    await h.deliver({ id: 13, text: '/update', forwarded: true });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.enqueued).toEqual([{ projectKey: 'valor', chatId: CHANNEL_CHAT_ID, messageId: 13, text: '/update' }]);
  });

  it('reacts 👎 after a failed update', async () => {
    const h = harness({ result: { output: '[remote-update] FAIL: git pull --ff-only failed (branches diverged?)\n', exitCode: 1, timedOut: false, timeoutSeconds: 120, durationMs: 250 } });
    await h.deliver({ id: 14, text: '/update' });
    await h.settle();
    expect(emoticons(h)).toEqual(['👀', '👎']);
    expect(h.recording.sentMessages()[0]?.message).toContain('FAIL: git pull --ff-only failed');
  });

  it('cuts a long output to 4096 characters keeping the tail', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `[remote-update]   abc${i} commit ${i}`).join('\n');
    const h = harness({ result: { output: `${lines}\n[remote-update] HEAD: abc499 — last\n`, exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 } });
    await h.deliver({ id: 15, text: '/update' });
    await h.settle();
    const sent = h.recording.sentMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message.length).toBeLessThanOrEqual(4096);
    expect(sent[0]!.message.endsWith('[remote-update] HEAD: abc499 — last')).toBe(true);
    expect(sent[0]!.message.startsWith('…(earlier output cut)')).toBe(true);
  });

  it('redacts credentials before anything is sent', async () => {
    const output = '[remote-update] From https://bot:ghp_secret123@github.com/acme/valor\n[remote-update] session SESSIONSECRET\n';
    const h = harness({ result: { output, exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 }, secrets: ['SESSIONSECRET'] });
    await h.deliver({ id: 16, text: '/update' });
    await h.settle();
    const text = h.recording.sentMessages()[0]!.message;
    expect(text).not.toContain('ghp_secret123');
    expect(text).not.toContain('SESSIONSECRET');
    expect(text).toContain('https://[redacted]@github.com/acme/valor');
  });

  it('refuses users not in VALOR_UPDATE_USERS and runs nothing', async () => {
    const h = harness({ updateUsers: new Set(['1001']) });
    await h.deliver({ id: 17, text: '/update', fromUserId: 666 });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([refusal('studio')]);
    expect(emoticons(h)).toEqual([]);
  });

  it('/update status and /update --status reply with the status line, run nothing, react with nothing; read-only, so open to every user of the chat', async () => {
    const h = harness({ updateUsers: new Set(['1001']) });
    await h.deliver({ id: 40, text: '/update status', fromUserId: 666 });
    await h.deliver({ id: 41, text: '/update --status', fromUserId: 1001 });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.recording.sentMessages().map((m) => [m.message, (m.replyTo as { replyToMsgId?: number }).replyToMsgId])).toEqual([
      ['studio: running abc1234', 40],
      ['studio: running abc1234', 41],
    ]);
    expect(emoticons(h)).toEqual([]);
    expect(h.enqueued).toEqual([]);
  });

  it('/update with an unknown argument replies with the usage instead of going to the agent', async () => {
    const h = harness();
    await h.deliver({ id: 42, text: '/update now' });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.enqueued).toEqual([]);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([
      'studio: usage: /update (update and restart), /update check (what an update would bring), /update status (what runs here), /update hold [MACHINE] [for 30m|4h|2d] [REASON] (no updates until then: 24 h unless said, at most 7 days), /update resume [MACHINE] (end it)',
    ]);
  });

  it('lets listed users update', async () => {
    const h = harness({ updateUsers: new Set(['1001']) });
    await h.deliver({ id: 18, text: '/update', fromUserId: 1001 });
    await h.settle();
    expect(h.updates).toBe(1);
  });

  it('accepts /update@<own username>', async () => {
    const h = harness({ username: 'ValorBot' });
    await h.deliver({ id: 19, text: '/update@valorbot' });
    await h.settle();
    expect(h.updates).toBe(1);
  });

  it('records where to announce the restart when the update queued one', async () => {
    const h = harness({ restartQueued: true });
    await h.deliver({ id: 20, text: '/update' });
    await h.settle();
    expect(h.notices).toEqual([[CHANNEL_CHAT_ID, 20]]);
  });

  it('ignores outgoing messages', async () => {
    const h = harness();
    await h.deliver({ id: 21, text: '/update', out: true });
    await h.deliver({ id: 22, text: 'hello', out: true });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.enqueued).toEqual([]);
  });

  it('ignores unmonitored chats completely, /update included', async () => {
    const h = harness();
    await h.deliver({ id: 23, text: '/update', channelId: 55555 });
    await h.deliver({ id: 24, text: 'hello', channelId: 55555 });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.enqueued).toEqual([]);
    expect(h.recording.requests).toEqual([]);
  });

  it('ignores everything while shutting down', async () => {
    const h = harness({ shuttingDown: true });
    await h.deliver({ id: 25, text: '/update' });
    await h.deliver({ id: 26, text: 'hello' });
    await h.settle();
    expect(h.updates).toBe(0);
    expect(h.enqueued).toEqual([]);
  });
});

/** The next 18:40 UTC: within a day, so that the hold's line gives the time alone. */
function next1840(): number {
  const day = 24 * 60 * 60 * 1000;
  const now = Date.now();
  const at = now - (now % day) + (18 * 60 + 40) * 60 * 1000;
  return at > now ? at : at + day;
}

const HOLD: Hold = { untilMs: next1840(), by: '@alice', reason: 'Debugging the catch-up' };
const HELD_LINE = 'studio: held by @alice until 18:40 UTC (Debugging the catch-up); /update resume studio to release it';

describe('/update hold and /update resume through gramjs events', () => {
  it('/update hold studio for 4h REASON: valor-service.sh hold gets the words after the name, by the sender; the reply is the hold\'s line; 👀 then 👍', async () => {
    const h = harness({ hold: HOLD });
    await h.deliver({ id: 50, text: '/update HOLD Studio FOR 4H Debugging the catch-up', fromUsername: 'alice' });
    await h.settle();
    expect(h.holds).toEqual([['hold', ['for', '4h', 'Debugging', 'the', 'catch-up'], '@alice']]);
    expect(h.recording.sentMessages().map((m) => [m.message, (m.replyTo as { replyToMsgId?: number }).replyToMsgId])).toEqual([[HELD_LINE, 50]]);
    expect(emoticons(h)).toEqual(['👀', '👍']);
    expect(h.updates).toBe(0);
    expect(h.enqueued).toEqual([]);
  });

  it('/update hold and /update resume naming another machine: left to it, in silence (nothing run, sent or marked, nor queued)', async () => {
    const h = harness({ hold: HOLD });
    await h.deliver({ id: 51, text: '/update hold mini for 4h the demo', fromUsername: 'alice' });
    await h.deliver({ id: 52, text: '/update resume mini' });
    await h.settle();
    expect(h.holds).toEqual([]);
    expect(h.recording.requests).toEqual([]);
    expect(h.enqueued).toEqual([]);
    expect(h.logs).toContain(`/update hold in ${CHANNEL_CHAT_ID} names mini, not this machine: nothing to do`);
  });

  it('/update resume with no machine: every machine runs it; the reply is the script\'s line; a sender with no username is named by id', async () => {
    const h = harness({ holdResult: { output: '[valor-service] Resumed: the hold by @alice until 18:40 UTC (the demo) is lifted; the next scheduled run or /update updates.\n', exitCode: 0, timedOut: false } });
    await h.deliver({ id: 53, text: '/update resume', fromUserId: 1001 });
    await h.settle();
    expect(h.holds).toEqual([['resume', [], 'user 1001']]);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([
      'studio: Resumed: the hold by @alice until 18:40 UTC (the demo) is lifted; the next scheduled run or /update updates.',
    ]);
    expect(emoticons(h)).toEqual(['👀', '👍']);
  });

  it('a bad duration: the script\'s FAIL line and the chat\'s usage, 👎', async () => {
    const output = "[valor-service] FAIL: 'for' takes a duration such as 30m, 4h or 2d (got '4'). Nothing was changed.\n[valor-service] usage: scripts/valor-service.sh hold [for 30m|4h|2d] [REASON] | resume\n";
    const h = harness({ holdResult: { output, exitCode: 2, timedOut: false } });
    await h.deliver({ id: 54, text: '/update hold for 4 the demo', fromUsername: 'alice' });
    await h.settle();
    expect(h.holds).toEqual([['hold', ['for', '4', 'the', 'demo'], '@alice']]);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([
      "studio: FAIL: 'for' takes a duration such as 30m, 4h or 2d (got '4'). Nothing was changed.\nusage: /update hold [MACHINE] [for 30m|4h|2d] [REASON] (no updates until then: 24 h unless said, at most 7 days), /update resume [MACHINE] (end it)",
    ]);
    expect(emoticons(h)).toEqual(['👀', '👎']);
  });

  it('/update on a held machine: the script ran (and recorded the skip); the reply is the hold\'s one line, marked 😴', async () => {
    const output = '[remote-update] Held by @alice until 18:40 UTC (Debugging the catch-up); update skipped. /update resume or scripts/valor-service.sh resume releases it.\n';
    const h = harness({ result: { output, exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 30 }, hold: HOLD, lastOutcome: 'skipped', restartQueued: true });
    await h.deliver({ id: 55, text: '/update' });
    await h.settle();
    expect(h.modes).toEqual(['update']);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([HELD_LINE]);
    expect(emoticons(h)).toEqual(['👀', '😴']);
    expect(h.notices).toEqual([]);
  });

  it('/update skipped for another run holding the lock, on a machine with no hold: the script\'s reply, 👍', async () => {
    const output = '[remote-update] Another update is already running. Skipping.\n';
    const h = harness({ result: { output, exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 30 }, lastOutcome: 'skipped' });
    await h.deliver({ id: 56, text: '/update' });
    await h.settle();
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([`studio:\n${output.trim()}`]);
    expect(emoticons(h)).toEqual(['👀', '👍']);
  });

  it('/update hold from a user not in VALOR_UPDATE_USERS: refused, nothing run', async () => {
    const h = harness({ updateUsers: new Set(['1001']) });
    await h.deliver({ id: 57, text: '/update hold studio', fromUserId: 666 });
    await h.settle();
    expect(h.holds).toEqual([]);
    expect(h.recording.sentMessages().map((m) => m.message)).toEqual([refusal('studio')]);
  });
});
