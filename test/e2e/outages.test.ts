import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpBridge, type BridgeScenario } from './fixtures/bridge-scenario.js';
import { createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { lineCount, offlineLineBudget, strayLines } from './fixtures/log-budget.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

const OUTAGE_MS = 60_000;
/** "Within a few seconds of the server's return": the bridge retries at least every 5 s. */
const BACK_WITHIN_MS = 10_000;

describe.skipIf(!findTelegramServer())('the bridge through a Telegram outage (the server stopped and started again)', () => {
  let server: TelegramServer;
  let user: Person;
  let scenario: BridgeScenario | undefined;

  beforeAll(async () => {
    server = await startTelegramServer();
    user = await createPerson(server, 'second');
  });

  afterEach(async () => {
    if (!server.running()) server.start();
    await scenario?.cleanup();
    scenario = undefined;
  });

  afterAll(async () => {
    await dispose(user);
    server?.dispose();
  });

  it('60 s without the server: a calm log, back within seconds of its return, and a message sent at that moment is answered', async () => {
    scenario = await setUpBridge(server, user);
    const { chat } = scenario;
    const service = scenario.start();
    const bridge = service.current();
    await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const beforeId = await chat.send('before the outage');
    await chat.waitForMessage((m) => m.replyTo === beforeId);

    const from = bridge.length('stderr');
    const stoppedAt = performance.now();
    server.stop();
    await sleep(OUTAGE_MS);
    server.start();
    const backAt = performance.now();
    // Sent at once, through a new connection of the second user (theirs reconnects by itself
    // about a second later): the bridge is still between two attempts.
    const sender = await server.lib.connect(server.home, user.session);
    const peer = await server.lib.resolveChat(sender, scenario.chatId);
    const sent = await sender.sendMessage(peer, { message: 'sent as the server came back' });
    const sentAt = performance.now();
    await sender.destroy();

    const answer = await chat.waitForMessage((m) => m.replyTo === sent.id, { timeoutMs: 60_000 });
    expect(answer.text).toBe('echo: sent as the server came back');
    expect(answer.at - backAt).toBeLessThan(BACK_WITHIN_MS);
    const outageLog = bridge.stderr().slice(from);
    expect(strayLines(outageLog)).toEqual([]);
    expect(lineCount(outageLog)).toBeLessThanOrEqual(offlineLineBudget(answer.at - stoppedAt));
    expect(bridge.exitedAt()).toBeUndefined();

    // The message did land before the bridge was back: otherwise this would not test the gap.
    const reconnectedAt = await bridge.waitFor('stderr', 'connected', { from });
    expect(sentAt).toBeLessThan(reconnectedAt);
    // Once: the server's history holds one answer to it.
    const history = await chat.history();
    expect(history.filter((m) => m.replyTo === sent.id)).toHaveLength(1);
  });
});
