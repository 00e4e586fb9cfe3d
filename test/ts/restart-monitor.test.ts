import { describe, expect, it } from 'vitest';
import { RestartMonitor, type Clock } from '../../src/restart/restart-monitor.js';
import type { SelfTestFailure, SelfTestVerdict } from '../../src/restart/run-self-test.js';
import { deferred, eventually, flush, type Deferred } from './fixtures/deferred.js';

/** The restart gate: a flag, an idle bridge, then the self-test decides. */

function harness() {
  const ticks: Array<() => void> = [];
  const clock: Clock & { tick(): void } = {
    every(_ms, tick) {
      ticks.push(tick);
      return () => ticks.splice(ticks.indexOf(tick), 1);
    },
    tick: () => [...ticks].forEach((tick) => tick()),
  };
  const h = {
    flag: undefined as number | undefined,
    busy: false,
    drained: 0,
    resumed: 0,
    tests: [] as Array<Deferred<SelfTestVerdict>>,
    restarts: 0,
    refusals: [] as SelfTestFailure[],
    prepared: 0,
    watching: undefined as (() => void) | undefined,
    clock,
  };
  const selfTest = Object.assign(
    () => {
      const test = deferred<SelfTestVerdict>();
      h.tests.push(test);
      return test.promise;
    },
    { prepare: () => (h.prepared += 1) },
  );
  const monitor = new RestartMonitor({
    flagWrittenAtMs: () => h.flag,
    clearFlag: () => (h.flag = undefined),
    queue: {
      drain: () => (h.drained += 1),
      resume: () => (h.resumed += 1),
      isBusy: () => h.busy,
      onSettled: () => {},
    },
    selfTest,
    requestRestart: () => (h.restarts += 1),
    refuseRestart: async (failure) => {
      h.refusals.push(failure);
    },
    clock,
    pollMs: 250,
    watchFlag: (changed) => {
      h.watching = changed;
      return () => (h.watching = undefined);
    },
    log: () => {},
  });
  monitor.start();
  return { h, monitor };
}

describe('the restart gate', () => {
  it('starts the self-test as soon as the flag appears, beside the running jobs; restarts once idle and passed, removing the flag then', async () => {
    const { h } = harness();
    h.busy = true;
    h.flag = 1;
    h.clock.tick();
    expect(h.drained).toBe(1);
    expect(h.tests).toHaveLength(1);
    h.tests[0]!.resolve({ passed: true });
    await flush();
    h.clock.tick();
    expect(h.restarts).toBe(0);
    expect(h.flag).toBe(1);

    h.busy = false;
    h.clock.tick();
    expect(h.restarts).toBe(1);
    expect(h.flag).toBeUndefined();
    expect(h.tests).toHaveLength(1);
  });

  it('idle: restarts as soon as the test passes', async () => {
    const { h } = harness();
    h.flag = 1;
    h.clock.tick();
    h.clock.tick();
    expect(h.tests).toHaveLength(1);
    expect(h.restarts).toBe(0);
    h.tests[0]!.resolve({ passed: true });
    await eventually(() => h.restarts === 1);
    expect(h.refusals).toEqual([]);
  });

  it('failed: once idle, no restart, the flag removed, jobs start again, the reason told once; only a new flag tries again', async () => {
    const { h } = harness();
    h.flag = 1;
    h.busy = true;
    h.clock.tick();
    h.tests[0]!.resolve({ passed: false, reason: 'src/a.ts:1:2: ERROR: Unexpected "}"' });
    await flush();
    expect(h.refusals).toEqual([]);
    h.busy = false;
    h.clock.tick();
    await eventually(() => h.refusals.length === 1);
    expect(h.resumed).toBe(1);
    expect(h.restarts).toBe(0);
    expect(h.flag).toBeUndefined();

    h.clock.tick();
    h.clock.tick();
    expect(h.tests).toHaveLength(1);
    expect(h.refusals).toEqual([{ passed: false, reason: 'src/a.ts:1:2: ERROR: Unexpected "}"' }]);

    h.flag = 2;
    h.clock.tick();
    expect(h.drained).toBe(2);
    expect(h.tests).toHaveLength(2);
    h.tests[1]!.resolve({ passed: true });
    await eventually(() => h.restarts === 1);
  });

  it('a newer update while it runs: that checkout is tested, and the older answer does not count', async () => {
    const { h } = harness();
    h.flag = 1;
    h.clock.tick();
    h.flag = 2;
    h.clock.tick();
    expect(h.tests).toHaveLength(2);
    h.tests[0]!.resolve({ passed: true });
    await flush();
    expect(h.restarts).toBe(0);
    h.tests[1]!.resolve({ passed: false, reason: 'broken' });
    await eventually(() => h.refusals.length === 1);
    expect(h.restarts).toBe(0);
  });

  it('passed, then a newer update before the restart: tested again', async () => {
    const { h } = harness();
    h.busy = true;
    h.flag = 1;
    h.clock.tick();
    h.tests[0]!.resolve({ passed: true });
    await flush();
    h.flag = 2;
    h.busy = false;
    h.clock.tick();
    expect(h.restarts).toBe(0);
    expect(h.tests).toHaveLength(2);
  });

  it('a self-test runner that throws: refused as a self-test that could not run', async () => {
    const { h } = harness();
    h.flag = 1;
    h.clock.tick();
    h.tests[0]!.resolve(Promise.reject(new Error('spawn node ENOENT')) as unknown as SelfTestVerdict);
    await eventually(() => h.refusals.length === 1);
    expect(h.refusals).toEqual([{ passed: false, couldNotRun: true, reason: 'spawn node ENOENT' }]);
    expect(h.restarts).toBe(0);
  });

  it('stopped (shutting down) while it runs: no restart and no refusal', async () => {
    const { h, monitor } = harness();
    h.flag = 1;
    h.clock.tick();
    monitor.stop();
    h.tests[0]!.resolve({ passed: true });
    await flush();
    expect(h.restarts).toBe(0);
    expect(h.refusals).toEqual([]);
  });

  it('a flag the watch reports is tested at once, without waiting for the poll; stopping ends the watch', () => {
    const { h, monitor } = harness();
    h.flag = 1;
    h.watching?.();
    expect(h.tests).toHaveLength(1);
    monitor.stop();
    expect(h.watching).toBeUndefined();
  });

  it('gets the next self-test ready once idle: not while jobs run or an update is tested, once, and again after a refusal', async () => {
    const { h } = harness();
    expect(h.prepared).toBe(0);
    h.busy = true;
    h.clock.tick();
    expect(h.prepared).toBe(0);
    h.busy = false;
    h.clock.tick();
    h.clock.tick();
    expect(h.prepared).toBe(1);

    h.flag = 1;
    h.clock.tick();
    h.tests[0]!.resolve({ passed: false, reason: 'broken' });
    await eventually(() => h.refusals.length === 1);
    expect(h.prepared).toBe(1);
    h.clock.tick();
    expect(h.prepared).toBe(2);
  });
});
