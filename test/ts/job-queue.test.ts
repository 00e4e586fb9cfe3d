import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, NewJob } from '../../src/queue/job.js';
import { JobQueue } from '../../src/queue/job-queue.js';
import { JobStore } from '../../src/queue/job-store.js';
import { RestartMonitor, type Clock } from '../../src/restart/restart-monitor.js';
import { deferred, eventually, flush, type Deferred } from './fixtures/deferred.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

function jobsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-jobs-'));
  dirs.push(dir);
  return path.join(dir, 'jobs');
}

const message = (projectKey: string, messageId: number): NewJob => ({
  projectKey,
  chatId: `chat-${projectKey}`,
  messageId,
  text: `message ${messageId}`,
});

/** A queue whose jobs run until the test finishes them. */
function controlledQueue(dir = jobsDir()) {
  const started: Job[] = [];
  const finishers = new Map<number, Deferred<string>>();
  const delivered: Array<[number, string]> = [];
  const queue = new JobQueue<string>({
    store: new JobStore(dir),
    execute: (job) => {
      started.push(job);
      const d = deferred<string>();
      finishers.set(job.messageId, d);
      return d.promise;
    },
    deliver: async (job, reply) => {
      delivered.push([job.messageId, reply]);
    },
    log: () => {},
  });
  const startedIds = () => started.map((j) => j.messageId);
  const waitStarted = (count: number) => eventually(() => started.length >= count);
  const finish = async (messageId: number) => {
    await eventually(() => finishers.has(messageId));
    finishers.get(messageId)!.resolve(`reply ${messageId}`);
    await eventually(() => delivered.some(([id]) => id === messageId));
    await flush();
  };
  return { queue, started, startedIds, waitStarted, delivered, finish, dir };
}

function manualClock(): Clock & { tick(): void } {
  const ticks: Array<() => void> = [];
  return {
    every(_ms, tick) {
      ticks.push(tick);
      return () => ticks.splice(ticks.indexOf(tick), 1);
    },
    tick: () => [...ticks].forEach((tick) => tick()),
  };
}

function monitor(queue: JobQueue<string>, flag: { exists: boolean }) {
  const clock = manualClock();
  const kills: number[] = [];
  const restart = new RestartMonitor({
    flagWrittenAtMs: () => (flag.exists ? 1 : undefined),
    clearFlag: () => (flag.exists = false),
    queue,
    selfTest: async () => ({ passed: true }),
    refuseRestart: async () => {},
    requestRestart: () => kills.push(Date.now()),
    clock,
    pollMs: 250,
    log: () => {},
  });
  restart.start();
  return { clock, kills };
}

describe('job queue', () => {
  it('runs one job at a time per project, in arrival order, projects side by side', async () => {
    const { queue, startedIds, waitStarted, finish, delivered } = controlledQueue();
    await queue.enqueue(message('valor', 1));
    await queue.enqueue(message('valor', 2));
    await queue.enqueue(message('docs', 3));
    await waitStarted(2);
    await flush();
    // Each job is marked running on disk before it starts: the two projects' writes may land in either order.
    expect(startedIds().sort()).toEqual([1, 3]);

    await finish(1);
    await waitStarted(3);
    expect(startedIds()[2]).toBe(2);
    await finish(2);
    await finish(3);
    expect(delivered).toEqual([
      [1, 'reply 1'],
      [2, 'reply 2'],
      [3, 'reply 3'],
    ]);
  });

  it('writes a job to disk before enqueue resolves and removes it once answered', async () => {
    const { queue, finish, dir, waitStarted } = controlledQueue();
    await queue.enqueue(message('valor', 1));
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(fs.readJsonSync(path.join(dir, files[0]!))).toMatchObject({ messageId: 1, text: 'message 1' });
    await waitStarted(1);
    await finish(1);
    await eventually(() => fs.readdirSync(dir).length === 0);
  });

  it('after a crash, running and pending jobs are run again in order', async () => {
    const dir = jobsDir();
    const first = controlledQueue(dir);
    await first.queue.enqueue(message('valor', 1));
    await first.queue.enqueue(message('valor', 2));
    await first.queue.enqueue(message('docs', 3));
    await first.waitStarted(2);
    await flush();
    // One worker per project: the two projects' first jobs run side by side, in either order.
    expect(first.startedIds().sort()).toEqual([1, 3]);
    // The process dies here: nothing is finished, nothing is cleaned up.

    const second = controlledQueue(dir);
    expect(await second.queue.recover()).toBe(3);
    await second.waitStarted(2);
    await flush();
    expect(second.startedIds().sort()).toEqual([1, 3]);
    await second.finish(1);
    await second.waitStarted(3);
    expect(second.startedIds()[2]).toBe(2);
    await second.finish(3);
    await second.finish(2);
    expect(second.delivered.map(([id]) => id).sort()).toEqual([1, 2, 3]);
    await eventually(() => fs.readdirSync(dir).length === 0);
  });

  it('stop() puts jobs still running after the grace back as pending and ends them', async () => {
    const { queue, dir, waitStarted } = controlledQueue();
    await queue.enqueue(message('valor', 1));
    await waitStarted(1);
    let ended = 0;
    const interrupted = await queue.stop(new Promise((r) => setTimeout(r, 100)), () => (ended += 1));
    expect(interrupted.map((j) => j.messageId)).toEqual([1]);
    expect(ended).toBe(1);
    const [file] = fs.readdirSync(dir);
    expect(fs.readJsonSync(path.join(dir, file!)).state).toBe('pending');
  });
});

describe('durability edges', () => {
  it('an unreadable job file (empty after a power loss) is moved aside as .bad and logged; the rest still run', async () => {
    const dir = jobsDir();
    fs.ensureDirSync(dir);
    fs.writeFileSync(path.join(dir, '000000000000001-000001.json'), '');
    fs.writeJsonSync(path.join(dir, '000000000000002-000001.json'), { ...message('valor', 2), id: '000000000000002-000001', state: 'pending' });
    const logs: string[] = [];
    const ran: number[] = [];
    const queue = new JobQueue<string>({
      store: new JobStore(dir),
      execute: async (job) => {
        ran.push(job.messageId);
        return 'ok';
      },
      deliver: async () => {},
      log: (line) => logs.push(line),
    });

    expect(await queue.recover()).toBe(1);
    await eventually(() => ran.length === 1);

    expect(ran).toEqual([2]);
    expect(fs.existsSync(path.join(dir, '000000000000001-000001.json.bad'))).toBe(true);
    expect(logs[0]).toMatch(/^unreadable job file moved aside: .*000000000000001-000001\.json\.bad \(/);
  });

  it('a job whose reply is being sent when the grace ends is not put back, and not answered again after a restart', async () => {
    const dir = jobsDir();
    const sending = deferred<void>();
    const delivered: number[] = [];
    const queue = new JobQueue<string>({
      store: new JobStore(dir),
      execute: async () => 'reply',
      deliver: async (job) => {
        delivered.push(job.messageId);
        await sending.promise;
      },
      log: () => {},
    });
    await queue.enqueue(message('valor', 1));
    await eventually(() => delivered.length === 1);

    const interrupted = await queue.stop(Promise.resolve(), () => {});

    expect(interrupted).toEqual([]);
    const [file] = fs.readdirSync(dir);
    expect(fs.readJsonSync(path.join(dir, file!)).state).toBe('delivering');

    const logs: string[] = [];
    const again: number[] = [];
    const restarted = new JobQueue<string>({
      store: new JobStore(dir),
      execute: async (job) => {
        again.push(job.messageId);
        return 'reply';
      },
      deliver: async () => {},
      log: (line) => logs.push(line),
    });
    expect(await restarted.recover()).toBe(0);
    expect(again).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(logs[0]).toMatch(/was being answered when the bridge stopped: not answered again$/);
  });

  it('onIdle() resolves once the running job is answered and nothing waits', async () => {
    const { queue, finish, waitStarted } = controlledQueue();
    let idle = false;
    await queue.enqueue(message('valor', 1));
    await waitStarted(1);
    void queue.onIdle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);

    await finish(1);
    await eventually(() => idle);
  });
});

describe('queued restart', () => {
  it('restarts on the next poll when idle', async () => {
    const { queue } = controlledQueue();
    const flag = { exists: false };
    const { clock, kills } = monitor(queue, flag);
    clock.tick();
    expect(kills).toHaveLength(0);

    flag.exists = true;
    clock.tick();
    await eventually(() => kills.length === 1);
    expect(flag.exists).toBe(false);
  });

  it('is deferred while a job runs, and happens as soon as it finishes', async () => {
    const { queue, finish, delivered, waitStarted } = controlledQueue();
    const flag = { exists: false };
    const { clock, kills } = monitor(queue, flag);
    await queue.enqueue(message('valor', 1));
    await waitStarted(1);

    flag.exists = true;
    clock.tick();
    clock.tick();
    expect(kills).toHaveLength(0);

    await finish(1);
    expect(delivered).toEqual([[1, 'reply 1']]);
    await eventually(() => kills.length === 1);
  });

  it('is deferred while an /update is in flight', async () => {
    const { queue } = controlledQueue();
    const flag = { exists: false };
    const { clock, kills } = monitor(queue, flag);
    const update = deferred<void>();
    const tracked = queue.track(() => update.promise);

    flag.exists = true;
    clock.tick();
    expect(kills).toHaveLength(0);

    update.resolve();
    await tracked;
    await eventually(() => kills.length === 1);
  });

  it('drains: once the flag is seen no new job starts in any project, new ones are stored', async () => {
    const { queue, startedIds, waitStarted, finish, dir } = controlledQueue();
    const flag = { exists: false };
    const { clock, kills } = monitor(queue, flag);
    await queue.enqueue(message('valor', 1));
    await queue.enqueue(message('valor', 2));
    await waitStarted(1);
    flag.exists = true;
    clock.tick();

    await queue.enqueue(message('docs', 3));
    await finish(1);
    await eventually(() => kills.length === 1);
    await flush();
    expect(startedIds()).toEqual([1]);
    expect(fs.readdirSync(dir)).toHaveLength(2);
    expect(queue.pendingCount()).toBe(2);
  });
});
