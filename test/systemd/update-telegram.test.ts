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
    // An agent that takes a few seconds to answer, and says in logs/agent.log when it starts.
    const agent = 'echo started >> logs/agent.log; sleep 5; echo "answered: $(cat)"';
    user.checkout.write('.env', `VALOR_PROJECTS=valor=${chatId}\nVALOR_NOTIFY_CHAT=valor\nVALOR_MACHINE_NAME=${MACHINE}\nVALOR_AGENT_CMD=${agent}\n`);
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

  it('restart waits for a running job: the answer goes out, then the bridge stops and systemd starts it again', async () => {
    const old = mainPid();
    await readyOn(old);
    const messageId = await chat.send('hello from linux');
    await waitFor('the agent to start', () => (user.checkout.read('logs/agent.log')?.includes('started') ? true : undefined), 30_000, 100);
    const agentStarted = performance.now();

    const begun = performance.now();
    const { code, output } = units(user.manager, user.checkout, ['restart']);
    const restartedAt = performance.now();

    const pid = mainPid();
    expect(output).toBe(`[valor-service] Restarted valor-bridge.service: pid ${old} finished its running work and stopped; now running, pid ${pid}.\n`);
    expect(code).toBe(0);
    // The restart returned only once the job's 5 s were over (the test's own clock stands still while it waits).
    console.log(`restart with a job running: ${Math.round(restartedAt - begun)} ms`);
    expect(restartedAt - agentStarted).toBeGreaterThan(4_500);
    const answer = await chat.waitForMessage((m) => m.replyTo === messageId, { timeoutMs: 30_000 });
    expect(answer.text).toBe('answered: hello from linux');
    const bridgeLog = user.checkout.read('logs/bridge.log') ?? '';
    expect(bridgeLog).toContain('waiting up to 15 s for 1 running job(s)');
    expect(bridgeLog).not.toContain('put back in the queue');
    await readyOn(pid);
  });
});
