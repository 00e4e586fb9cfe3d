import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseLastUpdate } from '../../src/restart/last-update.js';
import { createProjectClone, git, type ProjectClone } from '../ts/fixtures/project-clone.js';
import { startBridgeService, type BridgeService } from './fixtures/bridge-service.js';
import { observeChat, type ChatObserver } from './fixtures/chat-observer.js';
import { createBridgeAccount, createGroup, createPerson, dispose, type Person } from './fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer, type TelegramServer } from './fixtures/telegram-server.js';

/**
 * Holding a machine, as a fleet's people meet it: two bridges in one group,
 * one held by name from the chat, the other updating; a hold set on the
 * machine's command line, the update job's run and a manual run on a held
 * machine, and a hold that ends on its own. Every hold is data/hold, written
 * by scripts/valor-service.sh and obeyed by scripts/remote-update.sh.
 */

const UNTIL = '\\d\\d:\\d\\d UTC';

interface Machine {
  name: string;
  clone: ProjectClone;
  service: BridgeService;
  hold: string;
  lastUpdate: string;
}

interface Fleet {
  chat: ChatObserver;
  studio: Machine;
  mini: Machine;
}

/** A script of the machine's checkout, run there as a person at the machine would, with the login name `tom`. */
function runOn(machine: Machine, script: string, ...args: string[]): { code: number | null; output: string } {
  const result = spawnSync('bash', [path.join('scripts', script), ...args], {
    cwd: machine.clone.machine,
    env: { ...process.env, USER: 'tom', VALOR_UPDATE_TRIGGER: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function recorded(machine: Machine) {
  return parseLastUpdate(fs.readFileSync(machine.lastUpdate, 'utf8'));
}

describe.skipIf(!findTelegramServer())('holding a machine: from the chat, by name, and on the machine itself', () => {
  let server: TelegramServer;
  let user: Person;
  const undo: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    server = await startTelegramServer();
    user = await createPerson(server, 'alice');
  });

  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step();
  });

  afterAll(async () => {
    await dispose(user);
    server?.dispose();
  });

  /** studio and mini: each its own account, clone and origin, both in one group with the user. */
  async function startFleet(): Promise<Fleet> {
    const accounts = [await createBridgeAccount(server), await createBridgeAccount(server)];
    const chatId = await createGroup(server, user, 'valor fleet', accounts as Person[]);
    const chat = await observeChat(server, user.client, chatId);
    undo.push(() => chat.close());
    const machines = ['studio', 'mini'].map((name, i): Machine => {
      const clone = createProjectClone();
      undo.push(() => clone.cleanup());
      const env = { ...server.lib.bridgeEnv(server.home, accounts[i]!.session), VALOR_PROJECTS: `fleet=${chatId}`, VALOR_MACHINE_NAME: name };
      const service = startBridgeService(clone.machine, env);
      undo.push(() => service.stop(5_000));
      const data = path.join(clone.machine, 'data');
      return { name, clone, service, hold: path.join(data, 'hold'), lastUpdate: path.join(data, 'last-update') };
    });
    for (const machine of machines) await machine.service.current().waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    const [studio, mini] = machines as [Machine, Machine];
    return { chat, studio, mini };
  }

  /** The replies to one message, once `count` of them are in. */
  async function repliesTo(chat: ChatObserver, messageId: number, ...starts: string[]): Promise<string[]> {
    for (const start of starts) await chat.waitForMessage((m) => m.replyTo === messageId && m.text.startsWith(start), { timeoutMs: 90_000 });
    return starts.map((start) => chat.messages.find((m) => m.replyTo === messageId && m.text.startsWith(start))!.text);
  }

  it('/update hold studio: studio holds and says so in one line, mini stays silent; /update skips on studio (😴) and updates mini; /update status shows ⏸; /update resume studio lifts it', async () => {
    const { chat, studio, mini } = await startFleet();
    const studioHead = studio.clone.head(studio.clone.machine);
    studio.clone.push('notes.txt', 'new', 'Add release notes');
    const miniNew = mini.clone.push('notes.txt', 'new', 'Add release notes');
    const held = new RegExp(`^studio: held by @${user.username} until ${UNTIL} \\(debugging the catch-up\\); /update resume studio to release it$`);

    const holdId = await chat.send('/update hold studio for 4h debugging the catch-up');
    const [holdReply] = await repliesTo(chat, holdId, 'studio:');
    expect(holdReply).toMatch(held);
    await chat.waitForReaction((r) => r.messageId === holdId && r.emoticons.includes('👍'));
    const file = fs.readFileSync(studio.hold, 'utf8');
    expect(file).toMatch(new RegExp(`^until=\\d+\\nsince=\\d+\\nby=@${user.username}\\nreason=debugging the catch-up\\n$`));
    const [, until, since] = /^until=(\d+)\nsince=(\d+)/.exec(file)!;
    expect(Number(until) - Number(since)).toBe(4 * 3600);
    expect(fs.existsSync(mini.hold)).toBe(false);

    const updateId = await chat.send('/update');
    const [studioSaid, miniSaid] = await repliesTo(chat, updateId, 'studio:', 'mini:');
    expect(studioSaid).toMatch(held);
    expect(miniSaid).toMatch(new RegExp(`\\[remote-update\\] HEAD: ${miniNew} — Add release notes\\nrestart queued$`));
    await chat.waitForReaction((r) => r.messageId === updateId && r.emoticons.includes('😴'));
    expect(studio.clone.head(studio.clone.machine)).toBe(studioHead);
    expect(recorded(studio)).toMatchObject({ trigger: 'telegram', outcome: 'skipped', exit: 0 });
    expect(recorded(studio)?.summary).toMatch(new RegExp(`^Held by @${user.username} until ${UNTIL} \\(debugging the catch-up\\); update skipped\\.`));
    const miniRestarted = await mini.service.nextRun(0);
    await miniRestarted.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });

    const statusId = await chat.send('/update status');
    const [studioStatus, miniStatus] = await repliesTo(chat, statusId, '⏸ studio:', 'mini:');
    expect(studioStatus).toMatch(
      new RegExp(`^⏸ studio: held by @${user.username} until ${UNTIL} \\(debugging the catch-up\\); /update resume studio to release it; running ${studioHead} "Initial project", .*; last update \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(telegram\\): skipped; no restart pending$`),
    );
    expect(miniStatus).toMatch(new RegExp(`^mini: running ${miniNew} "Add release notes"`));

    const resumeId = await chat.send('/update resume studio');
    const [resumed] = await repliesTo(chat, resumeId, 'studio:');
    expect(resumed).toMatch(new RegExp(`^studio: Resumed: the hold by @${user.username} until ${UNTIL} \\(debugging the catch-up\\) is lifted; the next scheduled run or /update updates\\.$`));
    expect(fs.existsSync(studio.hold)).toBe(false);

    // mini never answered a command that named studio: one reply from it in all, to /update and /update status.
    const fromMini = chat.messages.filter((m) => m.text.startsWith('mini:'));
    expect(fromMini.map((m) => m.replyTo)).toEqual([updateId, statusId]);
    process.stdout.write(`\nheld: ${holdReply}\nstatus: ${studioStatus}\nresumed: ${resumed}\n`);
  }, 300_000);

  it('a hold from the command line: the update job and a manual run skip, /update says who held it; it ends on its own; --ignore-hold updates and the hold stays', async () => {
    const { chat, studio } = await startFleet();
    const studioHead = studio.clone.head(studio.clone.machine);
    const studioNew = studio.clone.push('notes.txt', 'new', 'Add release notes');

    const hold = runOn(studio, 'valor-service.sh', 'hold', 'for', '30m', 'the', 'demo');
    expect(hold.code).toBe(0);
    expect(hold.output).toMatch(new RegExp(`^\\[valor-service\\] Held by tom until ${UNTIL} \\(the demo\\): scheduled runs and /update skip the update until then\\. scripts/valor-service\\.sh resume releases it\\.\\n$`));

    // The update job on its schedule.
    const scheduled = runOn(studio, 'scheduled-update.sh', '--jitter', '0');
    expect(scheduled.code).toBe(0);
    expect(scheduled.output).toMatch(new RegExp(`^\\[remote-update\\] Held by tom until ${UNTIL} \\(the demo\\); update skipped\\. /update resume or scripts/valor-service\\.sh resume releases it\\.$`, 'm'));
    expect(recorded(studio)).toMatchObject({ trigger: 'schedule', outcome: 'skipped', exit: 0 });
    expect(studio.clone.head(studio.clone.machine)).toBe(studioHead);

    // By hand, without the option.
    const manual = runOn(studio, 'remote-update.sh');
    expect(manual).toEqual({
      code: 0,
      output: expect.stringMatching(new RegExp(`^\\[remote-update\\] Held by tom until ${UNTIL} \\(the demo\\); not updating\\. Run with --ignore-hold to update anyway, or release it: scripts/valor-service\\.sh resume\\.\\n$`)),
    });
    expect(studio.clone.head(studio.clone.machine)).toBe(studioHead);
    expect(git(studio.clone.machine, 'rev-parse', '--short', 'origin/main')).toBe(studioHead);

    const updateId = await chat.send('/update');
    const [studioSaid, miniSaid] = await repliesTo(chat, updateId, 'studio:', 'mini:');
    expect(studioSaid).toMatch(new RegExp(`^studio: held by tom until ${UNTIL} \\(the demo\\); /update resume studio to release it$`));
    expect(miniSaid).toMatch(/Already up to date/);

    // A hold that ends in two seconds, as data/hold says it (replaced whole): once past, it holds nothing.
    const shortHold = `${studio.hold}.tmp.e2e`;
    fs.writeFileSync(shortHold, `until=${Math.floor(Date.now() / 1000) + 2}\nsince=${Math.floor(Date.now() / 1000)}\nby=tom\nreason=a short one\n`);
    fs.renameSync(shortHold, studio.hold);
    let statusId = await chat.send('/update status');
    const [whileHeld] = await repliesTo(chat, statusId, '⏸ studio:');
    expect(whileHeld).toMatch(new RegExp(`^⏸ studio: held by tom until ${UNTIL} \\(a short one\\); /update resume studio to release it; `));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    statusId = await chat.send('/update status');
    const [afterIt] = await repliesTo(chat, statusId, 'studio:');
    expect(afterIt).toMatch(new RegExp(`^studio: running ${studioHead} "Initial project", .*\\(telegram\\): skipped; no restart pending$`));
    const check = runOn(studio, 'remote-update.sh', '--check');
    expect(check.code).toBe(0);
    expect(check.output).not.toContain('Held');

    // Held again; --ignore-hold updates anyway, and the hold stays through the restart.
    expect(runOn(studio, 'valor-service.sh', 'hold', 'for', '1h').code).toBe(0);
    const ignored = runOn(studio, 'remote-update.sh', '--ignore-hold');
    expect(ignored.code).toBe(0);
    expect(ignored.output).toMatch(new RegExp(`^\\[remote-update\\] WARN: Held by tom until ${UNTIL}; updating anyway \\(--ignore-hold\\)\\.\\n`));
    expect(ignored.output).toContain(`[remote-update] HEAD: ${studioNew} — Add release notes`);
    expect(recorded(studio)).toMatchObject({ trigger: 'manual', outcome: 'updated', restartQueued: true });
    const restarted = await studio.service.nextRun(0);
    await restarted.waitFor('stderr', 'ready:', { timeoutMs: 60_000 });
    statusId = await chat.send('/update status');
    const [stillHeld] = await repliesTo(chat, statusId, '⏸ studio:');
    expect(stillHeld).toMatch(new RegExp(`^⏸ studio: held by tom until ${UNTIL}; /update resume studio to release it; running ${studioNew} "Add release notes"`));
    expect(fs.readFileSync(studio.hold, 'utf8')).toMatch(/^by=tom$/m);
  }, 300_000);
});
