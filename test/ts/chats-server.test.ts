import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { freePort, serverMissing, startLocalTelegram, type LocalTelegram } from './fixtures/local-telegram.js';
import { personEnv } from './fixtures/person-env.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';
import { runCommand, type CommandResult } from './fixtures/run-command.js';

/**
 * `npm run chats` against the local Telegram server: the bridge's account
 * is in a megagroup, a basic group and a private chat; the ids it prints are
 * the ones gramjs reports for those chats, and its VALOR_PROJECTS line is
 * one the bridge accepts.
 */

const LOGIN_FIX = 'run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env';

let tg: LocalTelegram;
let clone: ProjectClone;
let bridgeSession: string;
let bridgeId: string;
let aliceId: string;
let megagroupId: string;
let basicGroupId: string;

describe.skipIf(serverMissing !== undefined)(`npm run chats against a local Telegram server${serverMissing ? ` (${serverMissing})` : ''}`, () => {
  beforeAll(async () => {
    tg = await startLocalTelegram();
    const alice = await tg.client.createUser(tg.home, { phone: '+15550000201', username: 'chats_alice', firstName: 'Alice' });
    const bridge = await tg.client.createUser(tg.home, { phone: '+15550000202', username: 'chats_bridge', firstName: 'Valor', lastName: 'Bridge' });
    aliceId = String(alice.id);
    bridgeId = String(bridge.id);
    bridgeSession = bridge.session;
    megagroupId = String(tg.client.peerId(await tg.client.createGroup(alice.client, 'Valor project', ['chats_bridge'])));
    basicGroupId = String(tg.client.peerId(await tg.client.createGroup(alice.client, 'Docs & notes', ['chats_bridge'], { megagroup: false })));
    await alice.client.sendMessage('chats_bridge', { message: 'hello' });
    await alice.client.destroy();
    await bridge.client.destroy();
  }, 60_000);
  afterAll(() => tg?.stop());
  beforeEach(() => {
    clone = createProjectClone();
  });
  afterEach(() => clone.cleanup());

  function chats(env: Record<string, string>): Promise<CommandResult> {
    return runCommand('npm', ['run', 'chats', '--silent'], { cwd: clone.machine, env: personEnv(env), timeoutMs: 40_000 });
  }

  it('who the account is, its groups and private chats with their ids, a VALOR_PROJECTS line the bridge accepts; it reads only and ends by itself', async () => {
    const result = await chats(tg.env(bridgeSession));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const width = Math.max(megagroupId.length, basicGroupId.length);
    expect(lines.slice(0, 4)).toEqual([
      `Logged in as @chats_bridge (Valor Bridge, id ${bridgeId}).`,
      'The bridge runs as this account and ignores what it sends: people type /update from their own accounts.',
      '',
      'Groups (their ids go in VALOR_PROJECTS):',
    ]);
    // Telegram's order: the most recent first.
    expect(lines.slice(4, 6).sort()).toEqual(
      [`  ${megagroupId.padEnd(width)}  megagroup  Valor project`, `  ${basicGroupId.padEnd(width)}  group      Docs & notes`].sort(),
    );
    expect(lines.slice(6)).toEqual([
      '',
      'Private chats:',
      `  ${aliceId}  user       Alice (@chats_alice)`,
      '',
      'For .env, keeping the groups the bridge should serve (a key names a project; rename at will):',
      expect.stringMatching(/^VALOR_PROJECTS=/),
      '',
    ]);
    expect(megagroupId).toMatch(/^-100\d+$/);
    expect(basicGroupId).toMatch(/^-\d+$/);
    const projects = parseSettings({ VALOR_PROJECTS: lines.at(-2)!.slice('VALOR_PROJECTS='.length) }, { console: true, defaultName: 'h' }).chats;
    expect(Object.fromEntries(projects)).toEqual({ [megagroupId]: 'valor_project', [basicGroupId]: 'docs_notes' });

    // Read only: Alice's message to the bridge is still unread.
    const bridge = await tg.client.connect(tg.home, bridgeSession);
    try {
      const dialogs = await bridge.getDialogs({});
      const withAlice = dialogs.find((d: { id: { toString(): string } }) => d.id.toString() === aliceId);
      expect(withAlice.unreadCount).toBe(1);
    } finally {
      await bridge.destroy();
    }
    console.log(`npm run chats: ${result.ms} ms`);
  }, 60_000);

  it('a session Telegram no longer accepts (logged out): one line naming npm run login, exit 2', async () => {
    const { Api } = tg.client.gramjs();
    const gone = await tg.client.createUser(tg.home, { phone: '+15550000203', username: 'chats_gone' });
    await gone.client.invoke(new Api.auth.LogOut());
    await gone.client.destroy();
    const result = await chats(tg.env(gone.session));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^TELEGRAM_SESSION is not logged in \\([A-Z_]+\\): ${LOGIN_FIX.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')}\\n$`));
  }, 60_000);

  it('no TELEGRAM_SESSION: one line naming npm run login, exit 2, without connecting', async () => {
    const result = await chats({ ...tg.env(''), TELEGRAM_SERVER_PORT: '1' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`TELEGRAM_SESSION is not set: ${LOGIN_FIX}\n`);
  });

  it('Telegram unreachable (connections refused): one line within 30 s, exit 1, no gramjs output', async () => {
    const closed = String(await freePort());
    const result = await chats({ ...tg.env(bridgeSession), TELEGRAM_SERVER_PORT: closed });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `could not reach Telegram in 20 s (ECONNREFUSED 127.0.0.1:${closed}): check this machine's network, then run npm run chats again\n`,
    );
    expect(result.ms).toBeLessThan(30_000);
    console.log(`npm run chats offline: ${result.ms} ms`);
  }, 60_000);
});
