import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBeacon, writeBeacon } from '../../src/restart/bridge-beacon.js';
import { parseLastUpdate } from '../../src/restart/last-update.js';
import { botApi, type BotApi } from '../ts/fixtures/bot-api.js';
import { notRunBecause, suiteUser } from './fixtures/suite.js';
import { waitFor } from './fixtures/systemd-user.js';
import { units } from './fixtures/units.js';

/**
 * The update run's bridge check under the real systemd: it reads the
 * bridge's state from the manager (MainPID, the last exit), and a bridge left
 * down is recorded in data/last-update and posted, once, to a local stand-in
 * for the Telegram Bot API (VALOR_ALERT_API_URL), as under launchd.
 */
const BRIDGE = 'valor-bridge.service';
const UPDATE = 'valor-update.service';

describe.skipIf(notRunBecause)('the bridge check under systemd', () => {
  let api: BotApi;
  beforeAll(async () => {
    api = await botApi();
  });
  afterAll(() => api.close());
  const user = suiteUser();
  const beaconFile = () => path.join(user.checkout.machine, 'data', 'bridge.json');
  /** When the update service last ended a run (systemd's monotonic clock), '0' before any. */
  const lastEnded = () => user.manager.show(UPDATE, 'InactiveEnterTimestampMonotonic').InactiveEnterTimestampMonotonic ?? '0';
  const runEndedAfter = (ended: string) =>
    waitFor('the update run to end', () => {
      const { ActiveState } = user.manager.show(UPDATE, 'ActiveState');
      return ActiveState === 'inactive' && lastEnded() !== ended ? true : undefined;
    }, 60_000, 200);

  /**
   * Starts the update service as its timer does, and waits for that run to
   * end. --no-block: this process must go on answering as the Bot API.
   */
  async function scheduledRun(): Promise<string> {
    const before = (user.checkout.read('logs/update.log') ?? '').length;
    const ended = lastEnded();
    const started = user.manager.systemctl('start', '--no-block', UPDATE);
    expect(started.code, started.output).toBe(0);
    await runEndedAfter(ended);
    return (user.checkout.read('logs/update.log') ?? '').slice(before);
  }

  it('a bridge running under systemd: the check reads its MainPID and finds nothing to say', async () => {
    user.checkout.write('.env', `${user.checkout.read('.env')}VALOR_ALERT_BOT_TOKEN=42:tok\nVALOR_ALERT_CHAT=-100777\nVALOR_ALERT_API_URL=${api.url}\n`);
    const { code, output } = units(user.manager, user.checkout, ['install', '--jitter', '0']);
    expect(code, output).toBe(0);
    await runEndedAfter('0');

    const log = await scheduledRun();

    expect(log).toContain('[remote-update] Already up to date.');
    expect(log).not.toContain('[bridge-health]');
    expect(api.posts).toEqual([]);
    expect(parseLastUpdate(user.checkout.read('data/last-update') ?? '')?.outcome).toBe('up-to-date');
  });

  it('a bridge left down: recorded with what systemd says of it, and posted once', async () => {
    expect(user.manager.systemctl('stop', BRIDGE).code).toBe(0);
    // Stopped ten minutes ago, as far as the check can tell: past the five minutes a restart may take.
    const beacon = readBeacon(beaconFile())!;
    const stoppedAt = new Date(Date.now() - 10 * 60_000);
    writeBeacon(beaconFile(), { ...beacon, stoppedAt: stoppedAt.toISOString() });

    const log = await scheduledRun();

    const line = `bridge not running since ${stoppedAt.toISOString().replace(/\.\d+Z$/, 'Z')} (systemd: inactive (dead), last exit 143)`;
    expect(log).toContain(`[bridge-health] ${line}\n[bridge-health] alert sent: ${line}\n`);
    expect(api.posts.map((post) => `${post.path} ${post.text}`)).toEqual([`/bot42:tok/sendMessage systemd-test: ${line}`]);
    expect(user.checkout.read('data/last-update')).toContain(`\nbridge=${line}\n`);

    // The same trouble at the next run: recorded again, not posted again.
    await scheduledRun();
    expect(api.posts).toHaveLength(1);

    const { code, output } = units(user.manager, user.checkout, ['status']);
    expect(output).toContain(`[valor-service] valor-bridge.service: loaded from ${path.join(user.manager.home, '.config', 'systemd', 'user', BRIDGE)}, enabled, inactive (dead), last exit 143, 0 restart(s)\n`);
    expect(output).toMatch(/^\[valor-service\] needs attention: .*valor-bridge\.service is not running/m);
    expect(code).toBe(1);
  });
});
