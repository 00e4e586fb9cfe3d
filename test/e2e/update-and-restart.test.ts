import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpBridge, MACHINE_NAME, type BridgeScenario } from './fixtures/bridge-scenario.js';
import { createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

let server: TelegramServer;
let user: Person;
let scenario: BridgeScenario | undefined;

beforeAll(async () => {
  server = await startTelegramServer();
  user = await createPerson(server, 'second');
});

afterAll(async () => {
  await scenario?.cleanup();
  await dispose(user);
  server?.dispose();
});

describe.skipIf(!findTelegramServer())('the real bridge against a Telegram server, as the second user sees it', () => {
  it('/update: the reply with the machine and the result, 👀 then 👍, the restart, "Restarted on <sha>"; a message answered by VALOR_AGENT_CMD', async () => {
    scenario = await setUpBridge(server, user);
    const { chat, clone } = scenario;
    const service = scenario.start();
    const first = service.current();
    await first.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const sha = clone.push('notes.txt', 'new', 'Add release notes');

    const updateId = await chat.send('/update');
    const reply = await chat.waitForMessage((m) => m.replyTo === updateId && m.text.includes('[remote-update]'));
    expect(reply.text.startsWith(`${MACHINE_NAME}:\n[remote-update]`)).toBe(true);
    expect(reply.text).toContain(`[remote-update]   ${sha} Add release notes`);
    expect(reply.text).toContain(`[remote-update] HEAD: ${sha} — Add release notes`);

    expect(await first.exited).toBe(143);
    const second = await service.nextRun(0);
    const restarted = await chat.waitForMessage((m) => m.text.includes('Restarted on'), { timeoutMs: 60_000 });
    expect(restarted.text).toBe(`${MACHINE_NAME}: Restarted on ${sha} — Add release notes`);
    await second.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    // 👀 while the script ran, then 👍 for its success, on the /update message.
    expect(chat.reactions.filter((r) => r.messageId === updateId).map((r) => r.emoticons)).toEqual([['👀'], ['👍']]);
    expect(chat.reactions[0]!.at).toBeLessThan(reply.at);

    const helloId = await chat.send('hello there');
    const answer = await chat.waitForMessage((m) => m.replyTo === helloId);
    expect(answer.text).toBe('echo: hello there');
  });
});
