import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpBridge, MACHINE_NAME, type BridgeScenario } from './fixtures/bridge-scenario.js';
import { createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

describe.skipIf(!findTelegramServer())('the real bridge against a Telegram server, as the second user sees it', () => {
  let server: TelegramServer;
  let user: Person;
  let scenario: BridgeScenario | undefined;

  beforeAll(async () => {
    server = await startTelegramServer();
    user = await createPerson(server, 'second');
  });

  afterEach(async () => {
    await scenario?.cleanup();
    scenario = undefined;
  });

  afterAll(async () => {
    await dispose(user);
    server?.dispose();
  });

  it('/update: the reply with the machine and the result, 👀 then 👍, the restart, the reply edited to "restarted on <sha>"; a message answered by VALOR_AGENT_CMD', async () => {
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
    await second.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    // The new process edits the same reply to say how the restart went (see update-status.test.ts).
    const edited = (await chat.history(20)).find((m) => m.id === reply.id);
    expect(edited?.text).toMatch(new RegExp(`\nrestarted on ${sha} in \\d+\\.\\d s$`));
    // 👀 while the script ran, then 👍 for its success, on the /update message.
    expect(chat.reactions.filter((r) => r.messageId === updateId).map((r) => r.emoticons)).toEqual([['👀'], ['👍']]);
    expect(chat.reactions[0]!.at).toBeLessThan(reply.at);

    const helloId = await chat.send('hello there');
    const answer = await chat.waitForMessage((m) => m.replyTo === helloId);
    expect(answer.text).toBe('echo: hello there');
  });

  it('messages sent while the bridge is stopped are answered after it starts, once each, in order', async () => {
    scenario = await setUpBridge(server, user);
    const { chat } = scenario;
    const service = scenario.start();
    await service.current().waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    // A first message answered: the chat has a mark, so the next start catches up from it.
    const firstId = await chat.send('before the stop');
    await chat.waitForMessage((m) => m.replyTo === firstId);
    await service.stop();

    const sent: number[] = [];
    for (const text of ['one', 'two', 'three']) sent.push(await chat.send(text));
    const from = chat.messages.length;
    const again = scenario.start();
    await again.current().waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    await chat.waitForMessage((m) => m.replyTo === sent[2], { from });
    const live = await chat.send('after the start');
    await chat.waitForMessage((m) => m.replyTo === live, { from });

    const answers = chat.messages.slice(from).map((m) => [m.replyTo, m.text]);
    expect(answers).toEqual([
      [sent[0], 'echo: one'],
      [sent[1], 'echo: two'],
      [sent[2], 'echo: three'],
      [live, 'echo: after the start'],
    ]);
    // The server's history agrees with what the events showed: each answered once.
    const history = await chat.history();
    for (const id of [firstId, ...sent, live]) expect(history.filter((m) => m.replyTo === id)).toHaveLength(1);
    expect(again.current().stderr()).toContain('answering 3 message(s) sent while the bridge was away');
  });
});
