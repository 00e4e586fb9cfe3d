import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentOutcome } from '../../src/agent/agent-runner.js';
import { Bridge } from '../../src/bridge/bridge.js';
import { projectPaths } from '../../src/config/paths.js';
import { parseSettings } from '../../src/config/settings.js';
import type { Job } from '../../src/queue/job.js';
import { ConsoleTransport } from '../../src/transport/console-transport.js';
import { deferred, eventually } from './fixtures/deferred.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

function bridgeHarness(options: { startedAtMs?: number; agent?: (job: Job) => Promise<AgentOutcome> } = {}) {
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
    settings: { ...parseSettings({}, { console: true, hostName: 'studio' }), agentCommand: 'agent' },
    paths,
    transport: new ConsoleTransport(input, output, new PassThrough()),
    runUpdate: async () => ({ output: '[remote-update] ok', exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 }),
    runAgent: options.agent ?? (async (job) => ({ reply: `echo: ${job.text}`, ok: true, status: 'exit 0', stderr: '' })),
    endProcessGroups: () => (groupsEnded += 1),
    describeHead: async () => 'abc1234 — Ship it',
    clock: { every: (ms, tick) => { const t = setInterval(tick, ms); return () => clearInterval(t); } },
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
  ] as const)('%s exits %d', async (reason, code) => {
    const h = bridgeHarness();
    await h.bridge.start();
    await h.bridge.shutdown(reason);
    expect(h.exits).toEqual([code]);
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

  it('announces "Restarted on <sha> — <subject>" in the chat of the /update, once', async () => {
    const h = bridgeHarness();
    fs.writeJsonSync(h.paths.restartNotice, { chatId: 'console', messageId: 1 });

    await h.bridge.start();

    expect(h.printed()).toBe('studio: Restarted on abc1234 — Ship it\n');
    expect(fs.existsSync(h.paths.restartNotice)).toBe(false);
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
