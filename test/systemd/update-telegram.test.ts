import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBeacon } from '../../src/restart/bridge-beacon.js';
import { parseLastUpdate } from '../../src/restart/last-update.js';
import { observeChat, type ChatObserver } from '../e2e/fixtures/chat-observer.js';
import { createBridgeAccount, createGroup, createPerson, dispose, type Person } from '../e2e/fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from '../e2e/fixtures/telegram-server.js';
import { notRunBecause, suiteUser } from './fixtures/suite.js';
import { waitFor } from './fixtures/systemd-user.js';
import { units } from './fixtures/units.js';

/**
 * All of it together: the real bridge under the real systemd, connected to
 * the local Telegram server (../shared/telegram-server), a commit pushed to
 * the origin, the update service started as its timer starts it; the bridge
 * passes the new checkout's self-test, exits, systemd starts it on the new
 * commit, and the person in the notify chat reads that it did.
 */
const BRIDGE = 'valor-bridge.service';
const MACHINE = 'linux-box';

describe.skipIf(notRunBecause || !findTelegramServer())('an update under systemd, end to end', () => {
  const user = suiteUser();
  let server: TelegramServer;
  let second: Person;
  let chat: ChatObserver;
  const mainPid = () => Number(user.manager.show(BRIDGE, 'MainPID').MainPID);
  const beacon = () => readBeacon(path.join(user.checkout.machine, 'data', 'bridge.json'));
  const readyOn = (pid: number) => waitFor(`the bridge (pid ${pid}) ready`, () => (beacon()?.pid === pid && beacon()?.readyAt ? beacon() : undefined), 90_000, 200);

  beforeAll(async () => {
    server = await startTelegramServer();
    // The bridge runs as the test user: it reads the server's port and key from its home.
    spawnSync('chmod', ['-R', 'a+rX', server.home]);
    second = await createPerson(server, 'second');
    const account = await createBridgeAccount(server);
    const chatId = await createGroup(server, second, 'valor on linux', [account as Person]);
    chat = await observeChat(server, second.client, chatId);
    // What gramjs needs at every start of node (NODE_OPTIONS), given as a host's environment.d gives it: to the manager.
    const env = Object.entries(server.lib.bridgeEnv(server.home, account.session)).map(([name, value]) => `${name}=${value}`);
    expect(user.manager.systemctl('set-environment', ...env).code).toBe(0);
    user.checkout.write('.env', `VALOR_PROJECTS=valor=${chatId}\nVALOR_NOTIFY_CHAT=valor\nVALOR_MACHINE_NAME=${MACHINE}\n`);
  }, 180_000);

  afterAll(async () => {
    chat?.close();
    await dispose(second);
    server?.dispose();
  });

  it('the update service pulls a pushed commit; the bridge restarts on it under systemd, and the notify chat reads "restarted on <sha>"', async () => {
    expect(units(user.manager, user.checkout, ['install', '--jitter', '0']).code).toBe(0);
    const first = mainPid();
    await readyOn(first);
    await waitFor('the run at install', () => (user.manager.show('valor-update.service', 'ActiveState').ActiveState === 'inactive' && parseLastUpdate(user.checkout.read('data/last-update') ?? '') ? true : undefined), 60_000, 200);
    const restarts = Number(user.manager.show(BRIDGE, 'NRestarts').NRestarts);
    const mark = user.manager.offset();
    const sha = user.checkout.push('docs/linux.md', 'systemd user units\n', 'Linux notes');

    expect(user.manager.systemctl('start', 'valor-update.service').code).toBe(0);
    const flagAt = performance.now();

    expect(parseLastUpdate(user.checkout.read('data/last-update') ?? '')).toMatchObject({ trigger: 'schedule', outcome: 'updated', commits: 1 });
    const next = await waitFor('a new bridge process', () => {
      const pid = mainPid();
      return pid > 0 && pid !== first ? pid : undefined;
    }, 60_000, 50);
    const newProcessMs = performance.now() - flagAt;
    const ready = await readyOn(next);
    const readyMs = performance.now() - flagAt;
    expect(ready.commit.slice(0, sha.length)).toBe(sha);
    expect(ready.subject).toBe('Linux notes');
    const notice = await chat.waitForMessage((m) => m.text.startsWith(`${MACHINE}: updated by schedule`), { timeoutMs: 60_000 });

    console.log(`update run done → new bridge process ${Math.round(newProcessMs)} ms, → ready ${Math.round(readyMs)} ms`);
    expect(notice.text).toBe(`${MACHINE}: updated by schedule: 1 commit(s), restarted on ${sha} — Linux notes`);
    expect(Number(user.manager.show(BRIDGE, 'NRestarts').NRestarts)).toBe(restarts + 1);
    expect(user.manager.log(mark)).not.toContain('valor-bridge.service: Failed with result');
    const bridgeLog = user.checkout.read('logs/bridge.log') ?? '';
    expect(bridgeLog).toContain('self-test passed: restarting for the update');
    expect(fs.existsSync(path.join(user.checkout.machine, 'data', 'restart-requested'))).toBe(false);
  });
});
