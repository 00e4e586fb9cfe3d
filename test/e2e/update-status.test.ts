import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBeacon } from '../../src/restart/bridge-beacon.js';
import { createProjectClone, git, type ProjectClone } from '../ts/fixtures/project-clone.js';
import { setUpBridge, MACHINE_NAME, type BridgeScenario } from './fixtures/bridge-scenario.js';
import { startBridgeService, type BridgeService } from './fixtures/bridge-service.js';
import { observeChat, type ChatObserver } from './fixtures/chat-observer.js';
import { createBridgeAccount, createGroup, createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

/**
 * What each machine runs, as a person in the group can tell: the beacon the
 * bridge keeps in data/bridge.json, /update status from two bridges in one
 * group, and the /update reply edited through the restart.
 */

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.skipIf(!findTelegramServer())('what runs, told by the bridges in the group', () => {
  let server: TelegramServer;
  let user: Person;
  let scenario: BridgeScenario | undefined;
  const extra: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    server = await startTelegramServer();
    user = await createPerson(server, 'second');
  });

  afterEach(async () => {
    await scenario?.cleanup();
    scenario = undefined;
    for (const undo of extra.splice(0).reverse()) await undo();
  });

  afterAll(async () => {
    await dispose(user);
    server?.dispose();
  });

  it('/update: one reply, "restart queued", then edited by the new process to "restarted on <sha> in N s"; data/bridge.json follows each process', async () => {
    scenario = await setUpBridge(server, user);
    const { chat, clone } = scenario;
    const beaconFile = path.join(clone.machine, 'data', 'bridge.json');
    const service = scenario.start();
    const first = service.current();
    await first.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const loaded = git(clone.machine, 'rev-parse', 'HEAD');
    expect(readBeacon(beaconFile)).toEqual({
      pid: service.bridgePid(),
      commit: loaded,
      subject: 'Initial project',
      machine: MACHINE_NAME,
      startedAt: expect.stringMatching(ISO),
      readyAt: expect.stringMatching(ISO),
      stoppedAt: null,
      exitCode: null,
    });

    const sha = clone.push('notes.txt', 'new', 'Add release notes');
    const updateId = await chat.send('/update');
    const reply = await chat.waitForMessage((m) => m.replyTo === updateId);
    expect(reply.text).toMatch(new RegExp(`^${MACHINE_NAME}:\\n\\[remote-update\\][^]*\\[remote-update\\] HEAD: ${sha} — Add release notes\\nrestart queued$`));
    expect(await first.exited).toBe(143);
    // Read before the next process has loaded far enough to write its own.
    expect(readBeacon(beaconFile)).toMatchObject({ commit: loaded, stoppedAt: expect.stringMatching(ISO), exitCode: 143 });

    const second = await service.nextRun(0);
    await second.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    expect(readBeacon(beaconFile)).toMatchObject({ pid: service.bridgePid(), commit: git(clone.machine, 'rev-parse', 'HEAD'), subject: 'Add release notes', readyAt: expect.stringMatching(ISO), stoppedAt: null });

    // Seen live as an edit by the person in the chat, and so in the server's history.
    const live = await chat.waitForEdit((m) => m.id === reply.id, { timeoutMs: 60_000 });
    expect(live.text).toMatch(new RegExp(`\\nrestarted on ${sha} in \\d+\\.\\d s$`));
    const history = await chat.history(20);
    const edited = history.find((m) => m.id === reply.id);
    expect(edited?.text).toMatch(new RegExp(`^${MACHINE_NAME}:\\n\\[remote-update\\][^]*\\[remote-update\\] HEAD: ${sha} — Add release notes\\nrestarted on ${sha} in \\d+\\.\\d s$`));
    // One message per /update: nothing else from the bridge.
    expect([...history.filter((m) => m.senderId === scenario!.account.id).map((m) => m.id)]).toEqual([reply.id]);
  });

  it('/update status from two bridges in one group: one line each, without running an update; the one behind its checkout is marked', async () => {
    const studio = await createBridgeAccount(server);
    const mini = await createBridgeAccount(server);
    const chatId = await createGroup(server, user, 'valor fleet', [studio as Person, mini as Person]);
    const chat: ChatObserver = await observeChat(server, user.client, chatId);
    extra.push(() => chat.close());
    const machines: Array<{ name: string; account: Omit<Person, 'client'>; clone: ProjectClone; service?: BridgeService }> = [
      { name: 'studio', account: studio, clone: createProjectClone() },
      { name: 'mini', account: mini, clone: createProjectClone() },
    ];
    for (const machine of machines) {
      extra.push(() => machine.clone.cleanup());
      const env = {
        ...server.lib.bridgeEnv(server.home, machine.account.session),
        VALOR_PROJECTS: `fleet=${chatId}`,
        VALOR_MACHINE_NAME: machine.name,
      };
      machine.service = startBridgeService(machine.clone.machine, env);
      extra.push(() => machine.service!.stop(5_000));
    }
    for (const machine of machines) await machine.service!.current().waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const [onStudio, onMini] = machines as [(typeof machines)[0], (typeof machines)[0]];
    const studioSha = onStudio.clone.head(onStudio.clone.machine);
    const running = onMini.clone.head(onMini.clone.machine);
    // Someone pulled on mini by hand: its checkout moved on, and nothing restarts the bridge.
    const pulled = onMini.clone.push('notes.txt', 'new', 'Add release notes');
    git(onMini.clone.machine, 'pull', '-q', '--ff-only');
    const lastUpdate = path.join(onMini.clone.machine, 'data', 'last-update');
    expect(fs.existsSync(lastUpdate)).toBe(false);

    const statusId = await chat.send('/update status');
    await chat.waitForMessage((m) => m.replyTo === statusId && m.text.startsWith('studio:'));
    await chat.waitForMessage((m) => m.replyTo === statusId && m.text.startsWith('⚠️ mini:'));
    const lines = chat.messages.filter((m) => m.replyTo === statusId).map((m) => m.text);
    expect(lines).toHaveLength(2);
    const [studioLine, miniLine] = [lines.find((l) => l.startsWith('studio:')), lines.find((l) => l.startsWith('⚠️ mini:'))];
    expect(miniLine).toMatch(
      new RegExp(`^⚠️ mini: running ${running} "Initial project", up \\d+ s; checkout ${pulled}; upstream ${pulled} \\(fetched \\d+ s ago\\); no update run recorded; no restart pending; needs attention: the checkout is at ${pulled} but no restart is pending$`),
    );
    expect(studioLine).toMatch(
      new RegExp(`^studio: running ${studioSha} "Initial project", up \\d+ s; checkout ${studioSha}; upstream ${studioSha} \\(never fetched\\); no update run recorded; no restart pending$`),
    );
    // Nothing was run: no record, no reaction, no restart.
    expect(fs.existsSync(lastUpdate)).toBe(false);
    expect(chat.reactions).toEqual([]);
    expect(machines.map((m) => m.service!.runs.length)).toEqual([1, 1]);
    process.stdout.write(`\n/update status replies:\n${studioLine}\n${miniLine}\n`);
  });
});
