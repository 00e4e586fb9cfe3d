import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLastUpdate, type LastUpdate } from '../../src/restart/last-update.js';
import type { Systemctl } from '../../src/service/systemd/systemctl.js';
import { parseTimestamp, readNextRun } from '../../src/service/systemd/unit-state.js';
import { notRunBecause, suiteUser } from './fixtures/suite.js';
import { waitFor } from './fixtures/systemd-user.js';
import { units } from './fixtures/units.js';

/**
 * The update service and its timer under the real systemd: the schedule
 * install writes, the run at load, a run as the timer starts it (the real
 * scripts/scheduled-update.sh pulling a commit pushed to the local origin),
 * and a time missed while the machine was off. The times of day are chosen
 * hours away from now, so that none comes due during the test by itself.
 */
const UPDATE = 'valor-update.service';
const TIMER = 'valor-update.timer';

describe.skipIf(notRunBecause)('the update timer under systemd', () => {
  const user = suiteUser();
  /** The reader status uses, on the real systemctl. */
  const systemctl: Systemctl = (...args) => {
    const result = user.manager.systemctl(...args);
    return { code: result.code, output: result.output.trim(), stdout: result.stdout };
  };
  const record = (): LastUpdate | undefined => parseLastUpdate(user.checkout.read('data/last-update') ?? '');
  const stampFile = () => path.join(user.manager.home, '.local', 'share', 'systemd', 'timers', `stamp-${TIMER}`);
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const noRunGoing = () => waitFor('the update service to be idle', () => (user.manager.show(UPDATE, 'ActiveState').ActiveState === 'inactive' ? true : undefined), 60_000, 200);

  /** A run has recorded itself since `after` (ms). */
  const runAfter = (after: number, timeoutMs = 30_000) =>
    waitFor('an update run', () => {
      const last = record();
      return last && Date.parse(last.time) >= Math.floor(after / 1000) * 1000 ? last : undefined;
    }, timeoutMs, 200);



  it('install --every 30m: a run at install, and the next 30 min after it started', async () => {
    const begun = Date.now();
    const { code, output } = units(user.manager, user.checkout, ['install', '--every', '30m', '--jitter', '0']);

    expect(output).toContain('[valor-service] Update schedule: every 30 min, and at load (login, boot); with no random delay\n');
    expect(code).toBe(0);
    const run = await runAfter(begun);
    expect(run.trigger).toBe('schedule');
    await noRunGoing();
    // show leaves out what is empty: no calendar time.
    const timer = user.manager.show(TIMER, 'TimersMonotonic', 'TimersCalendar', 'RandomizedDelayUSec');
    expect(timer.TimersCalendar).toBeUndefined();
    expect(timer.RandomizedDelayUSec).toBe('0');
    expect(timer.TimersMonotonic).toMatch(/^\{ OnUnitActiveUSec=30min ; next_elapse=/);
    const ranAt = parseTimestamp(user.manager.show(UPDATE, 'InactiveExitTimestamp').InactiveExitTimestamp ?? '')!;
    const next = await waitFor('the next run to be due', () => readNextRun(systemctl, TIMER), 10_000);
    expect(Math.abs(next - (ranAt + 30 * 60_000))).toBeLessThanOrEqual(2_000);
  });

  it('a reinstall without options keeps the schedule', async () => {
    await noRunGoing();
    const { code, output } = units(user.manager, user.checkout, ['install']);

    expect(output).toContain('[valor-service] Update schedule: every 30 min, and at load (login, boot); with no random delay\n');
    expect(code).toBe(0);
    expect(user.manager.show(TIMER, 'TimersMonotonic').TimersMonotonic).toMatch(/^\{ OnUnitActiveUSec=30min ;/);
  });

  it('install --at two times --jitter 5m: a calendar time each, a random delay of up to 5 min, the next run at the next of them', async () => {
    await noRunGoing();
    const now = Date.now();
    const [first, second] = [now + 6 * 3600_000, now + 18 * 3600_000];
    const { code, output } = units(user.manager, user.checkout, ['install', '--at', `${hhmm(second)},${hhmm(first)}`, '--jitter', '5m']);

    const times = [hhmm(first), hhmm(second)].sort();
    expect(output).toContain(`[valor-service] Update schedule: at ${times.join(', ')} (local time), and at load (login, boot); each after a random delay of up to 5 min\n`);
    expect(code).toBe(0);
    const timer = user.manager.show(TIMER, 'TimersCalendar', 'TimersMonotonic', 'RandomizedDelayUSec', 'Persistent');
    expect(timer).toMatchObject({ RandomizedDelayUSec: '5min', Persistent: 'yes' });
    expect(timer.TimersMonotonic).toBeUndefined();
    for (const time of times) expect(timer.TimersCalendar).toContain(`OnCalendar=*-*-* ${time}:00 ;`);
    await noRunGoing();
    const next = await waitFor('the next run to be due', () => readNextRun(systemctl, TIMER), 10_000);
    const slot = Math.floor(first / 60_000) * 60_000;
    expect(next).toBeGreaterThanOrEqual(slot);
    expect(next).toBeLessThanOrEqual(slot + 5 * 60_000);
  });

  it('the update service, started as its timer starts it, runs scripts/scheduled-update.sh: a pushed commit is pulled', async () => {
    expect(units(user.manager, user.checkout, ['install', '--jitter', '0']).code).toBe(0);
    await noRunGoing();
    const sha = user.checkout.push('docs/notes.md', 'pulled by the timer\n', 'Notes');
    const begun = Date.now();

    const started = user.manager.systemctl('start', UPDATE);

    expect(started.code).toBe(0);
    expect(user.checkout.head(user.checkout.machine)).toBe(sha);
    const run = await runAfter(begun, 5_000);
    expect(run).toMatchObject({ trigger: 'schedule', outcome: 'updated', exit: 0, commits: 1 });
    expect(user.manager.show(UPDATE, 'Result', 'ExecMainCode', 'ExecMainStatus')).toEqual({ Result: 'success', ExecMainCode: '1', ExecMainStatus: '0' });
    expect(user.checkout.read('logs/update.log')).toContain(`Update complete. 1 commit(s) pulled`);
    expect(fs.existsSync(path.join(user.checkout.machine, 'data', 'restart-requested'))).toBe(true);
  });

  it('a reboot with a scheduled time missed while down: the bridge is back and the missed update runs', async () => {
    await noRunGoing();
    const bridgeBefore = user.manager.show('valor-bridge.service', 'MainPID').MainPID;
    const sha = user.checkout.push('docs/notes.md', 'pulled at boot\n', 'More notes');

    user.manager.stop();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    fs.utimesSync(stampFile(), twoDaysAgo, twoDaysAgo);
    const begun = Date.now();
    user.manager.start();

    const run = await runAfter(begun, 30_000);
    expect(run).toMatchObject({ trigger: 'schedule', outcome: 'updated' });
    expect(user.checkout.head(user.checkout.machine)).toBe(sha);
    const bridge = await waitFor('the bridge', () => {
      const pid = user.manager.show('valor-bridge.service', 'MainPID').MainPID;
      return pid !== '0' && pid !== bridgeBefore ? pid : undefined;
    }, 15_000);
    expect(Number(bridge)).toBeGreaterThan(0);
  });

  it('Persistent=true alone (the run at load turned off) catches up a time missed while down, and only a missed one', async () => {
    await noRunGoing();
    expect(user.manager.systemctl('disable', UPDATE).code).toBe(0);
    const before = user.checkout.head(user.checkout.machine);
    const sha = user.checkout.push('docs/notes.md', 'missed at 06:00\n', 'Notes missed');

    // Off for a moment only: no scheduled time passed, nothing runs at start.
    user.manager.stop();
    const recent = new Date();
    fs.utimesSync(stampFile(), recent, recent);
    user.manager.start();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(user.checkout.head(user.checkout.machine)).toBe(before);
    expect(user.manager.show(UPDATE, 'ActiveState').ActiveState).toBe('inactive');

    // Off for two days: the missed time runs at start.
    user.manager.stop();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    fs.utimesSync(stampFile(), twoDaysAgo, twoDaysAgo);
    const begun = Date.now();
    user.manager.start();

    await runAfter(begun, 30_000);
    expect(user.checkout.head(user.checkout.machine)).toBe(sha);
    expect(parseTimestamp(user.manager.show(TIMER, 'LastTriggerUSec').LastTriggerUSec ?? '')).toBeGreaterThanOrEqual(Math.floor(begun / 1000) * 1000);
  });
});
