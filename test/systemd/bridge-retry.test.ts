import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineBridgeEnv } from './fixtures/bridge-env.js';
import { freshManager, notRunBecause, resetUser } from './fixtures/suite.js';
import { waitFor, type UserManager } from './fixtures/systemd-user.js';
import { units } from './fixtures/units.js';
import { createUserCheckout, type UserCheckout } from './fixtures/user-checkout.js';

/**
 * A bridge that cannot start (a bad setting: the real bridge exits 2 at
 * start) under the real systemd: retried once a minute, never left failed,
 * and started at once by a restart after the fix. About 75 s: it waits out
 * one retry.
 */
const BRIDGE = 'valor-bridge.service';

describe.skipIf(notRunBecause)('a bridge that keeps failing at start, under systemd', () => {
  let manager: UserManager;
  let checkout: UserCheckout;

  beforeAll(async () => {
    manager = freshManager();
    checkout = createUserCheckout(manager, 'valor-tests');
    checkout.write('.env', await offlineBridgeEnv({ VALOR_PROJECTS: 'nonsense' }));
  });

  afterAll(() => {
    if (!manager) return;
    resetUser(manager);
    checkout?.remove();
  });

  it('install says it is not running; systemd starts it again once a minute, and never leaves it failed', async () => {
    const mark = manager.offset();
    const { code, output } = units(manager, checkout, ['install', '--jitter', '0']);

    expect(output).toContain(
      '[valor-service] FAIL: valor-bridge.service is installed and enabled, but it is not running (systemd: waiting to start again after a failed start (1 restart(s) so far; see its log)). Read logs/bridge.log.\n',
    );
    expect(code).toBe(1);

    // Every state it goes through until the second retry has started and failed.
    const states = new Set<string>();
    await waitFor(
      'the second retry to fail',
      () => {
        const state = manager.show(BRIDGE, 'ActiveState', 'SubState', 'NRestarts');
        states.add(`${state.ActiveState}/${state.SubState}`);
        return Number(state.NRestarts) >= 2 && state.SubState === 'start-pre' ? true : undefined;
      },
      90_000,
      100,
    );
    // Each start logs the bad setting at the same point of its start-up.
    const bridgeLog = checkout.read('logs/bridge.log')!;
    const failedAt = [...bridgeLog.matchAll(/^\[bridge\] (\S+) VALOR_PROJECTS has a malformed entry "nonsense"/gm)].map((match) => Date.parse(match[1]!));
    expect(failedAt).toHaveLength(2);
    const retryAfter = (failedAt[1]! - failedAt[0]!) / 1000;

    console.log(`a bridge that exits 2 at start: started again after ${retryAfter.toFixed(1)} s`);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThan(65);
    expect([...states].filter((state) => state.startsWith('failed'))).toEqual([]);
    expect(states).toContain('activating/start-pre');
    const log = manager.log(mark);
    expect(log.match(/valor-bridge\.service: Main process exited, code=exited, status=2\/INVALIDARGUMENT/g)).toHaveLength(2);
    expect(log).not.toContain('Start request repeated too quickly');
    expect(bridgeLog).toMatch(
      /\[bridge-throttle\] \S+ the bridge exited with status 2 \d s after its start: the next start is at \S+, once a minute until it starts \(scripts\/valor-service\.sh restart tries at once\)\n/,
    );
  });

  it('with the setting fixed, restart starts it at once, without waiting out the minute', async () => {
    checkout.write('.env', await offlineBridgeEnv());
    expect(manager.show(BRIDGE, 'SubState').SubState).toBe('start-pre');

    const begun = performance.now();
    const { code, output } = units(manager, checkout, ['restart']);
    const seconds = (performance.now() - begun) / 1000;

    const pid = Number(manager.show(BRIDGE, 'MainPID').MainPID);
    expect(output).toBe(
      `[valor-service] Restarted valor-bridge.service: it was not running (waiting to start again after a failed start (2 restart(s) so far; see its log)); now running, pid ${pid}.\n`,
    );
    expect(code).toBe(0);
    console.log(`restart during the wait: running after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(10);
    await waitFor('the bridge trying to connect', () => (/Telegram unreachable/.test(checkout.read('logs/bridge.log') ?? '') ? true : undefined), 15_000);
  });
});
