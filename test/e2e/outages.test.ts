import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { observeChat } from './fixtures/chat-observer.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpBridge, type BridgeScenario } from './fixtures/bridge-scenario.js';
import { createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { lineCount, offlineLineBudget, strayLines } from './fixtures/log-budget.js';
import { outageThenSend, type Outage } from './fixtures/outage.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

const OUTAGE_MS = 60_000;
/** "Within a few seconds of the server's return": the bridge retries at least every 5 s. */
const BACK_WITHIN_MS = 10_000;
const DOWN_AT_START_MS = 20_000;
const SHORT_OUTAGE_MS = 10_000;

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
    const { stoppedAt, backAt, sent: [sent] } = await outageThenSend(server, user, OUTAGE_MS, [{ chatId: scenario.chatId, text: 'sent as the server came back' }]);
    if (!sent) throw new Error('nothing sent');

    const answer = await chat.waitForMessage((m) => m.replyTo === sent.id, { timeoutMs: 60_000 });
    expect(answer.text).toBe('echo: sent as the server came back');
    expect(answer.at - backAt).toBeLessThan(BACK_WITHIN_MS);
    const outageLog = bridge.stderr().slice(from);
    expect(strayLines(outageLog)).toEqual([]);
    expect(lineCount(outageLog)).toBeLessThanOrEqual(offlineLineBudget(answer.at - stoppedAt));
    expect(bridge.exitedAt()).toBeUndefined();

    // Whether the message landed just before the bridge was back (taken in by
    // the reconnection's catch-up) or just after (live) is a race that
    // retrying every second often loses; either way it is answered, once.
    await bridge.waitFor('stderr', 'connected', { from });
    // Once: the server's history holds one answer to it.
    const history = await chat.history();
    expect(history.filter((m) => m.replyTo === sent.id)).toHaveLength(1);
  });

  it("a group's first message, sent as the server comes back, is answered (the reconnection's catch-up does not take it for old history)", async () => {
    // `e2e` in use before the outage; in `quiet` nothing has been said until the server is back.
    scenario = await setUpBridge(server, user, { otherGroups: ['quiet'] });
    const { chat } = scenario;
    const quietId = scenario.otherChats.get('quiet') as string;
    const quiet = await observeChat(server, user.client, quietId);
    const service = scenario.start();
    const bridge = service.current();
    await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const beforeId = await chat.send('before the outage');
    await chat.waitForMessage((m) => m.replyTo === beforeId);

    const { sent } = await outageThenSend(server, user, SHORT_OUTAGE_MS, [
      { chatId: scenario.chatId, text: 'in the group in use' },
      { chatId: quietId, text: 'first word here' },
    ]);
    const [inUse, firstWord] = sent as [Outage['sent'][number], Outage['sent'][number]];
    await chat.waitForMessage((m) => m.replyTo === inUse.id, { timeoutMs: 60_000 });
    const answer = await quiet.waitForMessage((m) => m.replyTo === firstWord.id, { timeoutMs: 30_000 });
    quiet.close();
    expect(answer.text).toBe('echo: first word here');
  });

  it('started while the server is down: it waits quietly, connects once the server is up, and answers', async () => {
    // The start-up behaviour chosen for the bridge: no exit (launchd would only start it again),
    // retries at most 5 s apart, one line per change of state, then connected and caught up.
    scenario = await setUpBridge(server, user);
    const { chat } = scenario;
    server.stop();
    const service = scenario.start();
    const bridge = service.current();
    const startedAt = performance.now();
    await sleep(DOWN_AT_START_MS);
    expect(bridge.exitedAt()).toBeUndefined();
    const downLog = bridge.stderr();
    expect(strayLines(downLog)).toEqual([]);
    expect(lineCount(downLog)).toBeLessThanOrEqual(offlineLineBudget(performance.now() - startedAt));

    server.start();
    const backAt = performance.now();
    const readyAt = await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    expect(readyAt - backAt).toBeLessThan(BACK_WITHIN_MS);
    const helloId = await chat.send('hello after the start');
    const answer = await chat.waitForMessage((m) => m.replyTo === helloId);
    expect(answer.text).toBe('echo: hello after the start');
    expect(service.exitCodes).toEqual([]);
  });
});
