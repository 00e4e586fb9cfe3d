import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from 'telegram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpBridge, type BridgeScenario } from './fixtures/bridge-scenario.js';
import { observeChat } from './fixtures/chat-observer.js';
import { createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { ageLogins } from './fixtures/server-clock.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

const linesWith = (log: string, text: string): string[] => log.split('\n').filter((line) => line.includes(text));

describe.skipIf(!findTelegramServer())('the bridge losing its login or a chat, against a Telegram server', () => {
  let server: TelegramServer;
  let user: Person;
  let phone: Person | undefined;
  let scenario: BridgeScenario | undefined;

  beforeAll(async () => {
    server = await startTelegramServer();
    user = await createPerson(server, 'second');
  });

  afterEach(async () => {
    await scenario?.cleanup();
    scenario = undefined;
    await dispose(phone);
  });

  afterAll(async () => {
    await dispose(user);
    server?.dispose();
  });

  it('a session reset from the account\'s phone: the bridge ends with exit 2 and one line naming `npm run login`', async () => {
    scenario = await setUpBridge(server, user);
    const service = scenario.start({ keepAlive: false });
    const bridge = service.current();
    await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });

    // The account's phone: another login of the same account, logged in long ago.
    const { account } = scenario;
    phone = { ...(await server.lib.createUser(server.home, { phone: account.phone })), name: 'phone', phone: account.phone, username: account.username };
    ageLogins(server, account.id);
    expect(await phone.client.invoke(new Api.auth.ResetAuthorizations())).toBe(true);

    // The bridge notices at its next check of the connection (its watchdog, once a minute): the
    // server, like Telegram, answers the next request with 401 AUTH_KEY_UNREGISTERED.
    expect(await bridge.exited).toBe(2);
    expect(linesWith(bridge.stderr(), 'npm run login')).toEqual([expect.stringContaining('Telegram no longer accepts TELEGRAM_SESSION')]);

    // launchd starts it again (a minute later): it refuses at start-up, the same way.
    const again = scenario.start({ keepAlive: false }).current();
    expect(await again.exited).toBe(2);
    expect(linesWith(again.stderr(), 'npm run login')).toEqual([expect.stringContaining('TELEGRAM_SESSION is not logged in (AUTH_KEY_UNREGISTERED)')]);
  });

  /**
   * The bridge serves `e2e` and `side`; `side` is in use (answered once), then
   * `loseSide` takes it away. Whatever the server does next, the bridge must
   * keep serving `e2e`, say it once, and not try `side` again and again.
   */
  async function loseOneGroup(loseSide: (side: Api.TypeInputPeer, bridgeUser: Api.TypeInputPeer) => Promise<unknown>): Promise<{ log: string; sideId: string }> {
    scenario = await setUpBridge(server, user, { otherGroups: ['side'] });
    const { chat, account } = scenario;
    const sideId = scenario.otherChats.get('side') as string;
    const sideChat = await observeChat(server, user.client, sideId);
    const service = scenario.start();
    await service.current().waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const sideFirst = await sideChat.send('side one');
    await sideChat.waitForMessage((m) => m.replyTo === sideFirst);

    const from = service.log().length;
    await loseSide(await server.lib.resolveChat(user.client, sideId), await user.client.getInputEntity(account.username));
    // Sent after the loss: Telegram no longer shows it to the bridge; the test server still
    // delivers a removed member's channel messages (a difference), and refuses the reply.
    await sideChat.send('side after the loss').catch(() => {});
    const stillId = await chat.send('still here?');
    await chat.waitForMessage((m) => m.replyTo === stillId);

    // A restart (as after an update) reads every monitored chat again.
    const first = service.current();
    service.kill('SIGTERM');
    expect(await first.exited).toBe(143);
    const second = await service.nextRun(0);
    await second.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const afterId = await chat.send('after the restart');
    await chat.waitForMessage((m) => m.replyTo === afterId);
    await sleep(5_000);
    expect(second.exitedAt()).toBeUndefined();
    sideChat.close();
    return { log: service.log().slice(from), sideId };
  }

  it('the bridge removed from one of its groups: one line about it, nothing retried, the other group still answered', async () => {
    const { log } = await loseOneGroup((side, bridgeUser) =>
      user.client.invoke(
        new Api.channels.EditBanned({
          channel: side as Api.InputPeerChannel,
          participant: bridgeUser,
          bannedRights: new Api.ChatBannedRights({ untilDate: 0, viewMessages: true }),
        }),
      ),
    );
    // Telegram: the restart's catch-up cannot read the group (CHANNEL_PRIVATE) and says so, naming it.
    // The test server: the catch-up still reads it, but the reply to the message it still delivered
    // is refused (CHAT_SEND_PLAIN_FORBIDDEN) and logged. Either way: one line naming the group.
    expect(linesWith(log, '(side)')).toHaveLength(1);
  });

  it('one of its groups deleted: one line naming it, nothing retried, the other group still answered', async () => {
    const { log, sideId } = await loseOneGroup((side) => user.client.invoke(new Api.channels.DeleteChannel({ channel: side as Api.InputPeerChannel })));
    // Telegram answers CHANNEL_PRIVATE for a deleted group; the test server PEER_ID_INVALID.
    expect(linesWith(log, sideId)).toEqual([expect.stringContaining('side')]);
  });
});
