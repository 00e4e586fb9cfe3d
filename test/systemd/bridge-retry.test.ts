import { describe, expect, it } from 'vitest';
import { offlineBridgeEnv } from './fixtures/bridge-env.js';
import { notRunBecause, suiteUser } from './fixtures/suite.js';
import { waitFor } from './fixtures/systemd-user.js';
import { units } from './fixtures/units.js';

/**
 * A bridge that cannot start (a bad setting: the real bridge exits 2 at
 * start) under the real systemd: retried once a minute, never left failed,
 * and started at once by a restart after the fix. About 75 s: it waits out
 * one retry.
 */
const BRIDGE = 'valor-bridge.service';

describe.skipIf(notRunBecause)('a bridge that keeps failing at start, under systemd', () => {
  const user = suiteUser({ env: { VALOR_PROJECTS: 'nonsense' } });



  it('install says it is not running; systemd starts it again once a minute, and never leaves it failed', async () => {
    const mark = user.manager.offset();
    const { code, output } = units(user.manager, user.checkout, ['install', '--jitter', '0']);

    expect(output).toContain(
      '[valor-service] FAIL: valor-bridge.service is installed and enabled, but it is not running (systemd: waiting to start again after a failed start (1 restart(s) so far; see its log)). Read logs/bridge.log.\n',
    );
    expect(code).toBe(1);

    // Every state it goes through until the second retry has started and failed.
    const states = new Set<string>();
    await waitFor(
      'the second retry to fail',
      () => {
        const state = user.manager.show(BRIDGE, 'ActiveState', 'SubState', 'NRestarts');
        states.add(`${state.ActiveState}/${state.SubState}`);
        return Number(state.NRestarts) >= 2 && state.SubState === 'start-pre' ? true : undefined;
      },
      90_000,
      100,
    );
    // Each start logs the bad setting at the same point of its start-up.
    const bridgeLog = user.checkout.read('logs/bridge.log')!;
    const failedAt = [...bridgeLog.matchAll(/^\[bridge\] (\S+) VALOR_PROJECTS has a malformed entry "nonsense"/gm)].map((match) => Date.parse(match[1]!));
    expect(failedAt).toHaveLength(2);
    const retryAfter = (failedAt[1]! - failedAt[0]!) / 1000;

    console.log(`a bridge that exits 2 at start: started again after ${retryAfter.toFixed(1)} s`);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThan(65);
    expect([...states].filter((state) => state.startsWith('failed'))).toEqual([]);
    expect(states).toContain('activating/start-pre');
    const log = user.manager.log(mark);
    expect(log.match(/valor-bridge\.service: Main process exited, code=exited, status=2\/INVALIDARGUMENT/g)).toHaveLength(2);
    expect(log).not.toContain('Start request repeated too quickly');
    expect(bridgeLog).toMatch(
      /\[bridge-throttle\] \S+ the bridge exited with status 2 \d s after its start: the next start is at \S+, once a minute until it starts \(scripts\/valor-service\.sh restart tries at once\)\n/,
    );
  });

  it('with the setting fixed, restart starts it at once, without waiting out the minute', async () => {
    user.checkout.write('.env', await offlineBridgeEnv());
    expect(user.manager.show(BRIDGE, 'SubState').SubState).toBe('start-pre');

    const begun = performance.now();
    const { code, output } = units(user.manager, user.checkout, ['restart']);
    const seconds = (performance.now() - begun) / 1000;

    const pid = Number(user.manager.show(BRIDGE, 'MainPID').MainPID);
    expect(output).toBe(
      `[valor-service] Restarted valor-bridge.service: it was not running (waiting to start again after a failed start (2 restart(s) so far; see its log)); now running, pid ${pid}.\n`,
    );
    expect(code).toBe(0);
    console.log(`restart during the wait: running after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(10);
    await waitFor('the bridge trying to connect', () => (/Telegram unreachable/.test(user.checkout.read('logs/bridge.log') ?? '') ? true : undefined), 15_000);
  });
});
