import fs from 'fs-extra';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutRoot } from '../../src/config/paths.js';
import { startBridge, type BridgeProcess } from './fixtures/bridge-process.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';
import { makeServerHome } from './fixtures/server-home.js';

/**
 * The bridge ignores what its own account sends, /update included: the real
 * bridge against a real MTProto server (../shared/telegram-server), and the
 * same account typing from a second login, as from a phone.
 */
const SERVER_DIR = path.resolve(checkoutRoot(), '..', 'shared', 'telegram-server');
const haveServer = fs.existsSync(path.join(SERVER_DIR, 'client.mjs'));
const BOT_PHONE = '+15550000302';

/* eslint-disable @typescript-eslint/no-explicit-any -- client.mjs is untyped JavaScript */
let tg: any;
let home = '';
let clone: ProjectClone | undefined;
let bridge: BridgeProcess | undefined;
const clients: any[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterAll(async () => {
  bridge?.kill('SIGKILL');
  if (bridge) await bridge.exited;
  for (const client of clients) await client.destroy();
  clone?.cleanup();
  if (home) {
    tg.stopServer({ home });
    fs.removeSync(home);
  }
});

describe.skipIf(!haveServer)("the bridge's own account (telegram-server)", () => {
  it('its messages are ignored, /update included, and the log says so once for the chat', async () => {
    tg = await import(path.join(SERVER_DIR, 'client.mjs'));
    home = makeServerHome(SERVER_DIR);
    execFileSync(path.join(SERVER_DIR, 'install'), [home], { stdio: 'ignore' });
    tg.startServer({ home, port: await freePort() });
    const alice = (await tg.createUser(home, { phone: '+15550000301', username: 'alice_own' })).client;
    clients.push(alice);
    const bridgeLogin = await tg.createUser(home, { phone: BOT_PHONE, username: 'valor_own' });
    await bridgeLogin.client.destroy();
    const chatId = tg.peerId(await tg.createGroup(alice, 'project', ['valor_own'])) as string;
    const phone = (await tg.createUser(home, { phone: BOT_PHONE, username: 'valor_own' })).client;
    clients.push(phone);

    clone = createProjectClone();
    bridge = startBridge(
      clone.machine,
      { ...tg.bridgeEnv(home, bridgeLogin.session), VALOR_PROJECTS: `valor=${chatId}`, VALOR_AGENT_CMD: 'printf "answer: %s" "$(cat)"' },
      [],
    );
    await bridge.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });

    await phone.sendMessage(chatId, { message: '/update' });
    await phone.sendMessage(chatId, { message: '/update' });
    const answer = tg.nextMessage(alice, chatId, { match: (m: any) => !m.out && m.message === 'answer: hello', timeoutMs: 30_000 });
    await alice.sendMessage(chatId, { message: 'hello' });
    await answer;

    const told = bridge
      .stderr()
      .split('\n')
      .filter((line) => line.includes('sent by the account the bridge is logged in as'))
      .map((line) => line.replace(/^\[bridge\] \S+ /, ''));
    expect(told).toEqual([
      `valor (${chatId}): /update sent by the account the bridge is logged in as is ignored, as all its messages are: the bridge must run as its own Telegram account, and people write from theirs`,
    ]);
    expect(bridge.stderr()).not.toContain(`/update in ${chatId}`);
    expect(bridge.stderr()).not.toContain('refused /update');
    expect(bridge.stdout()).toBe('');
  }, 180_000);
});
