import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import { parseLastUpdate, type LastUpdate } from '../../src/restart/last-update.js';
import { decideNotice, type NoticeState } from '../../src/update/schedule-notices.js';
import { ScheduleReporter } from '../../src/update/schedule-reporter.js';
import { CHANNEL_CHAT_ID, deliverLive, recordingClient, startTransport, withAccount } from './fixtures/recording-telegram.js';

const HEAD = 'abc1234 — Add notes';
const FETCH_FAILED = 'FAIL: Could not fetch from git@example.com:valor.git: the remote is unreachable or refused. Nothing was pulled; the next run tries again.';

function record(overrides: Partial<LastUpdate>): LastUpdate {
  return { time: '2026-11-24T06:00:00Z', trigger: 'schedule', outcome: 'up-to-date', exit: 0, head: 'abc1234ffff', commits: 0, summary: 'Already up to date. (abc1234)', stash: '', restartQueued: false, ...overrides };
}

const failed = (time: string, summary = FETCH_FAILED) => record({ time, outcome: 'failed', exit: 1, summary });
const updated = (time: string, summary = 'Update complete. 2 commit(s) pulled, restart queued.', restartQueued = true) =>
  record({ time, outcome: 'updated', commits: 2, summary, restartQueued });

function tell(records: LastUpdate[], phase: 'startup' | 'running' = 'running'): Array<string | undefined> {
  let state: NoticeState = {};
  return records.map((r) => {
    const decision = decideNotice(r, state, { machineName: 'studio', phase, head: HEAD });
    state = decision.state;
    return decision.message;
  });
}

describe('what a scheduled run tells the notify chat', () => {
  it('a failure is told once; the same cause again is not; another cause is', () => {
    expect(tell([failed('t1'), failed('t2'), failed('t3', 'FAIL: npm ci failed. Dependencies NOT synced and restart NOT queued; the next run retries.')])).toEqual([
      `studio: scheduled update failed (exit 1): ${FETCH_FAILED}`,
      undefined,
      'studio: scheduled update failed (exit 1): FAIL: npm ci failed. Dependencies NOT synced and restart NOT queued; the next run retries.',
    ]);
  });

  it('after a told failure, any success says "updates working again"; then a repeat failure is told again', () => {
    expect(tell([failed('t1'), record({ time: 't2', trigger: 'manual' }), failed('t3')])).toEqual([
      `studio: scheduled update failed (exit 1): ${FETCH_FAILED}`,
      'studio: updates working again',
      `studio: scheduled update failed (exit 1): ${FETCH_FAILED}`,
    ]);
  });

  it('an update that queued a restart is told after the restart, on the code now running', () => {
    expect(tell([updated('t1')], 'running')).toEqual([undefined]);
    expect(tell([updated('t1')], 'startup')).toEqual([`studio: updated by schedule: 2 commit(s), restarted on ${HEAD}`]);
  });

  it('a scheduled update whose local edits conflicted is told, after the restart, with the stash entry that holds them', () => {
    const conflicted = record({
      time: 't1',
      outcome: 'updated-with-conflict',
      commits: 2,
      summary: 'Update complete. 2 commit(s) pulled, restart queued. Local edits conflicted: kept in stash@{1}.',
      stash: 'stash@{1}',
      restartQueued: true,
    });
    expect(tell([conflicted], 'running')).toEqual([undefined]);
    expect(tell([conflicted], 'startup')).toEqual([
      `studio: updated by schedule: 2 commit(s), restarted on ${HEAD}\nneeds attention: local edits on this machine conflicted with the update and are kept in stash@{1}: git stash pop stash@{1} brings them back`,
    ]);
    expect(tell([{ ...conflicted, trigger: 'telegram' }], 'startup')).toEqual([undefined]);
  });

  it('an update that needed no restart is told at once', () => {
    expect(tell([updated('t1', 'Update complete. 2 commit(s) pulled, no restart needed.', false)])).toEqual([
      `studio: updated by schedule: 2 commit(s), no restart needed (HEAD ${HEAD})`,
    ]);
  });

  it('up-to-date and skipped scheduled runs, and failures of runs started by hand or /update, say nothing', () => {
    expect(
      tell([
        record({ time: 't1' }),
        record({ time: 't2', outcome: 'skipped', summary: 'Another update is already running. Skipping.' }),
        { ...failed('t3'), trigger: 'manual' },
        { ...failed('t4'), trigger: 'telegram' },
      ]),
    ).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('the same record is never told twice', () => {
    let state: NoticeState = {};
    const first = decideNotice(failed('t1'), state, { machineName: 'studio', phase: 'running', head: HEAD });
    state = first.state;
    expect(decideNotice(failed('t1'), { handled: state.handled }, { machineName: 'studio', phase: 'startup', head: HEAD }).message).toBeUndefined();
  });
});

describe('reading data/last-update', () => {
  it('parses what the script writes, and refuses what it does not', () => {
    const text = 'time=2026-11-24T06:00:00Z\ntrigger=schedule\noutcome=failed\nexit=1\nhead=abc\ncommits=0\nsummary=FAIL: x=y\n';
    expect(parseLastUpdate(text)).toEqual({
      time: '2026-11-24T06:00:00Z',
      trigger: 'schedule',
      outcome: 'failed',
      exit: 1,
      head: 'abc',
      commits: 0,
      summary: 'FAIL: x=y',
      stash: '',
      restartQueued: false,
    });
    expect(parseLastUpdate('')).toBeUndefined();
    expect(parseLastUpdate(text.replace('outcome=failed', 'outcome=exploded'))).toBeUndefined();
  });

  it('whether a restart was queued: the restart_queued key; a record from before it, its summary', () => {
    const head = 'time=2026-11-24T06:00:00Z\ntrigger=schedule\noutcome=updated\nexit=0\nhead=abc\ncommits=2\n';
    const run = (lines: string) => parseLastUpdate(`${head}${lines}`)?.restartQueued;
    expect(run('restart_queued=yes\nsummary=Update complete. 2 commit(s) pulled.\n')).toBe(true);
    expect(run('restart_queued=no\nsummary=Update complete. 2 commit(s) pulled, restart queued.\n')).toBe(false);
    expect(run('summary=Update complete. 2 commit(s) pulled, restart queued.\n')).toBe(true);
    expect(run('summary=Update complete. 2 commit(s) pulled, no restart needed.\n')).toBe(false);
  });
});

describe('the reporter, through gramjs', () => {
  let dir: string;
  afterEach(() => fs.removeSync(dir));

  async function setup() {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-notices-'));
    const recording = recordingClient(withAccount());
    const transport = new TelegramTransport(recording.client, () => {});
    // The chat's peer, as a message from it leaves it cached.
    await startTransport(recording, transport, async () => {});
    await deliverLive(recording, { id: 1, text: 'hello' });
    recording.requests.length = 0;
    const logs: string[] = [];
    const reporter = () =>
      new ScheduleReporter({
        recordPath: path.join(dir, 'last-update'),
        statePath: path.join(dir, 'update-notices.json'),
        chatId: CHANNEL_CHAT_ID,
        machineName: 'studio',
        send: (chatId, text) => transport.send({ chatId }, text),
        describeHead: async () => HEAD,
        log: (line) => logs.push(line),
      });
    const write = async (r: LastUpdate) => {
      const { restartQueued, ...keys } = r;
      const text = [...Object.entries(keys).map(([k, v]) => `${k}=${v}`), `restart_queued=${restartQueued ? 'yes' : 'no'}`].join('\n') + '\n';
      await fs.writeFile(path.join(dir, 'last-update'), text);
      const later = new Date(Date.now() + (++ticks) * 1000);
      await fs.utimes(path.join(dir, 'last-update'), later, later);
    };
    let ticks = 0;
    return { recording, reporter, write, logs };
  }

  it('sends each notice once as plain text, and a restarted bridge does not send it again', async () => {
    const s = await setup();
    await s.write(failed('2026-11-24T06:00:00Z'));
    const first = s.reporter();
    await first.check('running');
    await first.check('running');
    await s.reporter().check('startup');

    const sent = s.recording.sentMessages();
    expect(sent.map((m) => m.message)).toEqual([`studio: scheduled update failed (exit 1): ${FETCH_FAILED}`]);
    expect(sent[0]?.entities ?? []).toEqual([]);
  });

  it('a queued restart is told by the bridge that starts after it', async () => {
    const s = await setup();
    await s.write(updated('2026-11-24T18:00:00Z'));
    await s.reporter().check('running');
    expect(s.recording.sentMessages()).toEqual([]);

    await s.reporter().check('startup');

    expect(s.recording.sentMessages().map((m) => m.message)).toEqual([`studio: updated by schedule: 2 commit(s), restarted on ${HEAD}`]);
  });

  it('no record yet: nothing sent, nothing logged', async () => {
    const s = await setup();
    await s.reporter().check('startup');
    expect(s.recording.requests).toEqual([]);
    expect(s.logs).toEqual([]);
  });
});
