import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentOutcome } from '../../src/agent/agent-runner.js';
import { ChatMarks } from '../../src/catchup/chat-marks.js';
import { Bridge, LOADED_RETRY_MS } from '../../src/bridge/bridge.js';
import { projectPaths } from '../../src/config/paths.js';
import { parseSettings } from '../../src/config/settings.js';
import type { Commit } from '../../src/git/checkout.js';
import type { LoadedCommit } from '../../src/git/loaded-commit.js';
import type { Job } from '../../src/queue/job.js';
import type { Clock } from '../../src/restart/restart-monitor.js';
import { ConsoleTransport } from '../../src/transport/console-transport.js';
import type { SelfTestRunner } from '../../src/restart/run-self-test.js';
import { readBeacon } from '../../src/restart/bridge-beacon.js';
import { bridgeRestartDeps, checkoutAt } from './fixtures/bridge-restart-deps.js';
import { deferred, eventually } from './fixtures/deferred.js';

const dirs: string[] = [];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

const REFUSED = { passed: false, reason: 'src/a.ts:1:2: ERROR: Unexpected "}"' } as const;

function bridgeHarness(
  options: {
    startedAtMs?: number;
    agent?: (job: Job) => Promise<AgentOutcome>;
    selfTest?: SelfTestRunner;
    notifyChat?: boolean;
    checkoutHead?: string;
    loaded?: LoadedCommit;
    clock?: Clock;
  } = {},
) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-bridge-'));
  dirs.push(root);
  const paths = projectPaths(root);
  fs.ensureDirSync(paths.dataDir);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const kills: Array<[number, string]> = [];
  const exits: number[] = [];
  let groupsEnded = 0;
  const bridge = new Bridge({
    settings: { ...parseSettings(options.notifyChat ? { VALOR_NOTIFY_CHAT: 'console' } : {}, { console: true, defaultName: 'studio' }), agentCommand: 'agent' },
    paths,
    transport: new ConsoleTransport(input, output, new PassThrough()),
    marks: new ChatMarks(paths.chatMarks),
    runUpdate: async () => ({ output: '[remote-update] ok', exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 }),
    runAgent: options.agent ?? (async (job) => ({ reply: `echo: ${job.text}`, ok: true, status: 'exit 0', stderr: '' })),
    ...bridgeRestartDeps(),
    ...(options.selfTest ? { selfTest: options.selfTest } : {}),
    ...(options.checkoutHead
      ? { readCheckout: async () => checkoutAt(`${options.checkoutHead!}0000`, Date.now() - 120_000) }
      : {}),
    ...(options.loaded ? { loaded: options.loaded } : {}),
    endProcessGroups: () => (groupsEnded += 1),
    describeHead: async () => 'abc1234 — Ship it',
    clock: options.clock ?? { every: (ms, tick) => { const t = setInterval(tick, ms); return () => clearInterval(t); } },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    kill: (pid, signal) => kills.push([pid, signal]),
    pid: 4242,
    exit: (code) => exits.push(code),
    processStartedAtMs: options.startedAtMs ?? Date.now(),
    log: () => {},
    pollMs: 20,
    shutdownGraceMs: 200,
  });
  return { bridge, paths, input, printed: () => printed, kills, exits, groupsEnded: () => groupsEnded };
}

describe('exit codes', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 0],
    ['LOGIN_LOST', 2],
  ] as const)('%s exits %d, and data/bridge.json says so', async (reason, code) => {
    const h = bridgeHarness();
    await h.bridge.start();
    await h.bridge.shutdown(reason);
    expect(h.exits).toEqual([code]);
    expect(readBeacon(h.paths.bridgeBeacon)).toMatchObject({ pid: 4242, exitCode: code, stoppedAt: expect.stringMatching(ISO) });
  });
});

describe('bridge start-up', () => {
  it('removes a restart flag written before the process started, and does not restart', async () => {
    const h = bridgeHarness();
    fs.writeFileSync(h.paths.restartFlag, '2026-01-01T00:00:00Z 1 commit(s)\n');
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(h.paths.restartFlag, past, past);

    await h.bridge.start();
    await new Promise((r) => setTimeout(r, 100));

    expect(fs.existsSync(h.paths.restartFlag)).toBe(false);
    expect(h.kills).toEqual([]);
  });

  it('keeps a flag written after the process started, and restarts once idle', async () => {
    const h = bridgeHarness({ startedAtMs: Date.now() - 5_000 });
    fs.writeFileSync(h.paths.restartFlag, 'now 1 commit(s)\n');

    await h.bridge.start();
    await eventually(() => h.kills.length === 1);

    expect(h.kills).toEqual([[4242, 'SIGTERM']]);
  });

  it('a notice without a reply to edit (an older bridge wrote it): says "restarted on <sha>" in a new message, once', async () => {
    const h = bridgeHarness();
    fs.writeJsonSync(h.paths.restartNotice, { chatId: 'console', messageId: 1 });

    await h.bridge.start();

    expect(h.printed()).toBe('studio: restarted on abc1234\n');
    expect(fs.existsSync(h.paths.restartNotice)).toBe(false);
  });

  it('edits the /update reply to say on which commit it restarted and how long it took', async () => {
    const h = bridgeHarness();
    const askedAt = new Date(Date.now() - 2_000).toISOString();
    fs.writeJsonSync(h.paths.restartNotice, { chatId: 'console', messageId: 1, replyId: 77, replyText: 'studio:\n[remote-update] ok', askedAt });

    await h.bridge.start();

    expect(h.printed()).toMatch(/^\(edit of message 77\) studio:\n\[remote-update\] ok\nrestarted on abc1234 in (\d+\.\d) s\n$/);
    expect(Number(/in (\d+\.\d) s/.exec(h.printed())![1])).toBeGreaterThanOrEqual(2);
  });

  it('answers queued messages left by the previous process', async () => {
    const h = bridgeHarness();
    fs.outputJsonSync(path.join(h.paths.jobsDir, '000000000000001-000001.json'), {
      id: '000000000000001-000001', projectKey: 'console', chatId: 'console', messageId: 7, text: 'left over', state: 'running',
    });

    await h.bridge.start();
    await eventually(() => h.printed().includes('echo: left over'));
  });
});

describe('bridge shutdown', () => {
  it('SIGTERM: stops intake, requeues a job still running after the grace, ends its group, exits 143', async () => {
    const never = deferred<AgentOutcome>();
    const h = bridgeHarness({ agent: () => never.promise });
    await h.bridge.start();
    h.input.write('long job\n');
    await eventually(() => h.bridge.queue.runningCount() === 1);

    await h.bridge.shutdown('SIGTERM');

    expect(h.exits).toEqual([143]);
    expect(h.groupsEnded()).toBe(1);
    const [file] = fs.readdirSync(h.paths.jobsDir);
    expect(fs.readJsonSync(path.join(h.paths.jobsDir, file!))).toMatchObject({ text: 'long job', state: 'pending' });
    expect(h.bridge.isShuttingDown()).toBe(true);
  });

  it('SIGTERM with a job that finishes within the grace: answered, nothing requeued', async () => {
    const slow = deferred<AgentOutcome>();
    const h = bridgeHarness({ agent: () => slow.promise });
    await h.bridge.start();
    h.input.write('short job\n');
    await eventually(() => h.bridge.queue.runningCount() === 1);

    const stopping = h.bridge.shutdown('SIGTERM');
    slow.resolve({ reply: 'done', ok: true, status: 'exit 0', stderr: '' });
    await stopping;

    expect(h.printed()).toBe('done\n');
    expect(h.groupsEnded()).toBe(0);
    expect(fs.readdirSync(h.paths.jobsDir)).toEqual([]);
  });

  it('SIGINT exits 0', async () => {
    const h = bridgeHarness();
    await h.bridge.start();
    await h.bridge.shutdown('SIGINT');
    expect(h.exits).toEqual([0]);
  });
});

describe('data/bridge.json, the beacon of what runs', () => {
  it('is written at start with the commit loaded, gets readyAt once connected and caught up, and stays while it runs', async () => {
    const startedAtMs = Date.now() - 3_000;
    const h = bridgeHarness({ startedAtMs });
    const starting = h.bridge.start();
    expect(readBeacon(h.paths.bridgeBeacon)).toEqual({
      pid: 4242,
      commit: 'abc1234def5678abc1234def5678abc1234def56',
      subject: 'Ship it',
      machine: 'studio',
      startedAt: new Date(startedAtMs).toISOString(),
      readyAt: null,
      stoppedAt: null,
      exitCode: null,
    });
    await starting;
    const ready = readBeacon(h.paths.bridgeBeacon)!;
    expect(ready.readyAt).toMatch(ISO);
    expect(Date.parse(ready.readyAt!)).toBeGreaterThanOrEqual(startedAtMs);
    expect(ready.stoppedAt).toBeNull();
  });

  it('while git cannot run: the commit unknown with git\'s words; asked again every minute, and once git answers, the commit', async () => {
    const fault = 'xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools)';
    const shipped: Commit = { sha: 'fedcba9876543210fedcba9876543210fedcba98', short: 'fedcba9', subject: 'Ship it' };
    let gitWorks = false;
    let asked = 0;
    const loaded = {
      commit: undefined as Commit | undefined,
      gitFault: fault as string | undefined,
      async refresh() {
        asked += 1;
        if (gitWorks) [this.commit, this.gitFault] = [shipped, undefined];
      },
    };
    const retries: Array<() => void> = [];
    let stopped = 0;
    const clock: Clock = {
      every: (ms, tick) => {
        if (ms !== LOADED_RETRY_MS) return () => {};
        retries.push(tick);
        return () => (stopped += 1);
      },
    };
    const h = bridgeHarness({ loaded, clock });

    await h.bridge.start();
    expect(readBeacon(h.paths.bridgeBeacon)).toMatchObject({ commit: '', subject: '', gitFault: fault, readyAt: expect.stringMatching(ISO) });
    expect(retries).toHaveLength(1);
    retries[0]!();
    await eventually(() => asked === 2);
    expect(readBeacon(h.paths.bridgeBeacon)?.gitFault).toBe(fault);

    gitWorks = true;
    retries[0]!();
    await eventually(() => readBeacon(h.paths.bridgeBeacon)?.commit === shipped.sha);
    expect(readBeacon(h.paths.bridgeBeacon)).toMatchObject({ subject: 'Ship it', stoppedAt: null });
    expect(readBeacon(h.paths.bridgeBeacon)?.gitFault).toBeUndefined();
    expect(stopped).toBe(1);
    await h.bridge.shutdown('SIGINT');
  });

  it('a start that fails is recorded as stopped, with the exit code', async () => {
    const h = bridgeHarness();
    h.bridge.recordExit(2);
    expect(readBeacon(h.paths.bridgeBeacon)).toMatchObject({ readyAt: null, stoppedAt: expect.stringMatching(ISO), exitCode: 2 });
  });
});

describe('a restart refused by the self-test', () => {
  const line = 'not restarting: def5678 fails its self-test: src/a.ts:1:2: ERROR: Unexpected "}"; still running abc1234';

  it('edits the /update reply to say why, once; records it; removes the flag; keeps running and answering', async () => {
    let tests = 0;
    const h = bridgeHarness({ checkoutHead: 'def5678', selfTest: async () => (tests++, REFUSED) });
    await h.bridge.start();
    // What an /update that pulled a commit leaves.
    fs.writeJsonSync(h.paths.restartNotice, { chatId: 'console', messageId: 1, replyId: 77, replyText: 'studio:\n[remote-update] ok', askedAt: new Date().toISOString() });
    fs.writeFileSync(h.paths.lastUpdate, 'time=2026-11-29T22:10:00Z\ntrigger=telegram\noutcome=updated\nexit=0\nhead=def5678\ncommits=1\nsummary=Update complete.\n');
    fs.writeFileSync(h.paths.restartFlag, 'now 1 commit(s)\n');
    await eventually(() => h.printed().includes('not restarting'));
    await new Promise((r) => setTimeout(r, 100));

    expect(h.printed()).toBe(`(edit of message 77) studio:\n[remote-update] ok\n${line}\n`);
    expect(tests).toBe(1);
    expect(h.kills).toEqual([]);
    expect(fs.existsSync(h.paths.restartFlag)).toBe(false);
    expect(fs.existsSync(h.paths.restartNotice)).toBe(false);
    expect(fs.readFileSync(h.paths.lastUpdate, 'utf8')).toBe(
      `time=2026-11-29T22:10:00Z\ntrigger=telegram\noutcome=updated\nexit=0\nhead=def5678\ncommits=1\nsummary=Update complete.\nrestart=${line}\n`,
    );
    h.input.write('still there?\n');
    await eventually(() => h.printed().includes('echo: still there?'));
  });

  it('a scheduled update (no /update to answer) is told in VALOR_NOTIFY_CHAT', async () => {
    const h = bridgeHarness({ startedAtMs: Date.now() - 5_000, checkoutHead: 'def5678', notifyChat: true, selfTest: async () => REFUSED });
    fs.writeFileSync(h.paths.restartFlag, 'now 1 commit(s)\n');
    await h.bridge.start();
    await eventually(() => h.printed().includes('not restarting'));
    expect(h.printed()).toBe(`studio: ${line}\n`);
    expect(fs.readFileSync(h.paths.lastUpdate, 'utf8')).toBe(`restart=${line}\n`);
  });

  it('with no chat to tell, it is only recorded', async () => {
    const h = bridgeHarness({ startedAtMs: Date.now() - 5_000, checkoutHead: 'def5678', selfTest: async () => REFUSED });
    fs.writeFileSync(h.paths.restartFlag, 'now 1 commit(s)\n');
    await h.bridge.start();
    await eventually(() => fs.existsSync(h.paths.lastUpdate));
    expect(fs.readFileSync(h.paths.lastUpdate, 'utf8')).toBe(`restart=${line}\n`);
    expect(h.printed()).toBe('');
  });
});

describe('/update status and /update with an unknown argument', () => {
  it('status: one line of what runs, from the files and the checkout', async () => {
    const h = bridgeHarness({ startedAtMs: Date.now() - 3_700_000, checkoutHead: 'def5678' });
    fs.writeFileSync(h.paths.lastUpdate, 'time=2026-11-29T22:10:07Z\ntrigger=schedule\noutcome=updated\nexit=0\nhead=def5678\ncommits=1\nsummary=Update complete.\n');
    await h.bridge.start();
    h.input.write('/update status\n');
    await eventually(() => h.printed().includes('\n'));
    expect(h.printed()).toBe(
      '⚠️ studio: running abc1234 "Ship it", up 1 h 1 min; checkout def5678; upstream def5678 (fetched 2 min ago); last update 2026-11-29 22:10 UTC (schedule): updated; no restart pending; needs attention: the checkout is at def5678 but no restart is pending\n',
    );
  });

  it('an unknown argument: the usage, and nothing runs', async () => {
    const h = bridgeHarness();
    await h.bridge.start();
    h.input.write('/update now\n');
    await eventually(() => h.printed().includes('\n'));
    expect(h.printed()).toBe('studio: usage: /update (update and restart), /update check (what an update would bring), /update status (what runs here), /update hold [MACHINE] [for 30m|4h|2d] [REASON] (no updates until then: 24 h unless said, at most 7 days), /update resume [MACHINE] (end it)\n');
  });
});
