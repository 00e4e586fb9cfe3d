import fs from 'fs-extra';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge } from './fixtures/bridge-process.js';
import { brokenGit, XCRUN_ERROR } from './fixtures/broken-git.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';

let clone: ProjectClone | undefined;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
afterEach(() => clone?.cleanup());

describe('the real bridge in console mode', () => {
  it('/update after a push replies with the pulled commit and "restart queued", and exits; started again it edits that reply to "restarted on"', async () => {
    clone = createProjectClone();
    const sha = clone.push('notes.txt', 'new', 'Add release notes');

    const first = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await first.waitFor('stderr', 'ready:');
    first.write('/update');
    const code = await first.exited;

    expect(code).toBe(143);
    expect(first.stdout()).toContain('studio:\n[remote-update]');
    expect(first.stdout()).toContain(`[remote-update]   ${sha} Add release notes`);
    expect(first.stdout()).toContain(`[remote-update] HEAD: ${sha} — Add release notes\nrestart queued\n`);
    expect(first.stderr()).toContain('running the self-test of the updated checkout');
    expect(first.stderr()).toContain('self-test passed: restarting for the update');
    expect(fs.existsSync(path.join(clone.machine, 'data', 'restart-requested'))).toBe(false);

    const second = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await second.waitFor('stdout', 'restarted on');
    const reply = first.stdout().trimEnd().replace(/\nrestart queued$/, '');
    expect(second.stdout()).toMatch(/^\(edit of message \d+\) /);
    expect(second.stdout().replace(/^\(edit of message \d+\) /, '')).toMatch(new RegExp(`^${escape(reply)}\nrestarted on ${sha} in \\d+\\.\\d s\n$`));
    await second.waitFor('stderr', 'ready:');
    second.write('/update');
    await second.waitFor('stdout', `Already up to date. (${sha})`);
    second.endInput();
    expect(await second.exited).toBe(0);
  });

  it('/update check after a push says what would come, pulls nothing and keeps running', async () => {
    clone = createProjectClone();
    const sha = clone.push('notes.txt', 'new', 'Add release notes');
    const before = git(clone.machine, 'rev-parse', 'HEAD');
    const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await bridge.waitFor('stderr', 'ready:');
    bridge.write('/update check');
    await bridge.waitFor('stdout', 'Check: an update would succeed.');

    expect(bridge.stdout()).toContain(`studio:\n[remote-update] Check only: nothing is changed but the remote-tracking refs.\n[remote-update] 1 incoming commit(s):\n[remote-update]   ${sha} Add release notes\n`);
    expect(fs.existsSync(path.join(clone.machine, 'data', 'restart-requested'))).toBe(false);
    expect(git(clone.machine, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(clone.machine, 'rev-parse', 'origin/main')).not.toBe(before);
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
  });

  it('/update when up to date replies and keeps running; SIGTERM then exits non-zero', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await bridge.waitFor('stderr', 'ready:');
    bridge.write('/update');
    await bridge.waitFor('stdout', 'Already up to date. (');
    await new Promise((r) => setTimeout(r, 600));
    bridge.kill('SIGTERM');
    expect(await bridge.exited).toBe(143);
  });

  it('VALOR_NOTIFY_CHAT hears a scheduled run fail once, then the scheduled update and the restart on it', async () => {
    clone = createProjectClone();
    const machine = clone.machine;
    const scheduledRun = () =>
      spawnSync('bash', ['scripts/remote-update.sh'], { cwd: machine, env: { ...process.env, VALOR_UPDATE_TRIGGER: 'schedule' } }).status;
    const env = { VALOR_MACHINE_NAME: 'studio', VALOR_NOTIFY_CHAT: 'console' };
    const first = startBridge(machine, env);
    await first.waitFor('stderr', 'ready:');

    fs.renameSync(clone.origin, `${clone.origin}.away`);
    expect(scheduledRun()).toBe(1);
    await first.waitFor('stdout', 'scheduled update failed');
    expect(scheduledRun()).toBe(1);
    fs.renameSync(`${clone.origin}.away`, clone.origin);
    const sha = clone.push('notes.txt', 'new', 'Add release notes');
    expect(scheduledRun()).toBe(0);
    expect(await first.exited).toBe(143);
    expect(first.stdout()).toBe(
      `studio: scheduled update failed (exit 1): FAIL: Could not fetch from ${clone.origin}: the remote is unreachable or refused. Nothing was pulled; the next run tries again.\n`,
    );

    const second = startBridge(machine, env);
    await second.waitFor('stdout', 'restarted on');
    expect(second.stdout()).toBe(`studio: updates working again\nupdated by schedule: 1 commit(s), restarted on ${sha} — Add release notes\n`);
    second.endInput();
    expect(await second.exited).toBe(0);
  });

  it('messages go to VALOR_AGENT_CMD on stdin and its output is the reply', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_AGENT_CMD: 'tr a-z A-Z' });
    bridge.write('hello $(whoami)');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toBe('HELLO $(WHOAMI)\n');
  });

  it('on a terminal, as a person meets it: npm start -- --console says what it is, echoes the line, prints the reply, Ctrl-D ends it', () => {
    clone = createProjectClone();
    fs.writeFileSync(path.join(clone.machine, '.env'), 'VALOR_PROJECTS=valor=-1001234567890\nVALOR_AGENT_CMD=tr a-z A-Z\n');
    const result = spawnSync('python3', ['test/ts/fixtures/console-on-pty.py', clone.machine, 'hello there', 'HELLO THERE'], { encoding: 'utf8' });
    const { code, screen } = JSON.parse(result.stdout) as { code: number; screen: string };
    const lines = screen.split('\r\n').map((line) => line.replace(/^\[bridge\] \S+ /, ''));
    expect(code).toBe(0);
    const intro = lines.indexOf('console mode: your settings are checked as for Telegram; type a message, or /update');
    expect(intro).toBeGreaterThan(0);
    expect(lines.slice(intro + 1, intro + 3)).toEqual([
      'console mode: a line goes to valor (-1001234567890)',
      'console mode: not set, and needed to run with Telegram: TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_SESSION (see .env.example)',
    ]);
    const typed = lines.indexOf('hello there');
    expect(typed).toBeGreaterThan(intro);
    expect(lines[typed + 1]).toBe('HELLO THERE');
    expect(lines[typed + 2]).toBe('shutting down (END_OF_INPUT)');
  });

  it('missing settings stop start-up with one line each, naming them', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { TELEGRAM_API_ID: '1', TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef' }, []);
    const code = await bridge.exited;
    const lines = bridge.stderr().trim().split('\n');
    expect(code).toBe(2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('TELEGRAM_SESSION is not set: run `npm run login`');
    expect(lines[1]).toContain('VALOR_PROJECTS is not set: list the monitored chats');
  });

  it('lines read while it shuts down are kept, and the next start answers them first, each once', async () => {
    clone = createProjectClone();
    const env = { VALOR_AGENT_CMD: 'text=$(cat); sleep 1; echo "answer to $text"' };
    const first = startBridge(clone.machine, env);
    await first.waitFor('stderr', 'ready:');
    first.write('first');
    await new Promise((r) => setTimeout(r, 300));
    first.kill('SIGTERM');
    await first.waitFor('stderr', 'waiting up to 15 s for 1 running job(s)');
    first.write('second');
    first.write('third');
    expect(await first.exited).toBe(143);
    expect(first.stdout()).toBe('answer to first\n');

    const second = startBridge(clone.machine, env);
    second.endInput();
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toBe('answer to second\nanswer to third\n');
    expect(second.stderr()).toContain('console mode: 2 line(s) read while the last run was stopping: handled first');

    const third = startBridge(clone.machine, env);
    third.endInput();
    expect(await third.exited).toBe(0);
    expect(third.stdout()).toBe('');
  });

  it('git that cannot run (a macOS upgrade) does not stop the bridge: it serves its chats with the commit unknown, and names it once git answers', async () => {
    clone = createProjectClone();
    const broken = brokenGit(clone.dir);
    const sha = clone.head(clone.machine);
    const beaconFile = path.join(clone.machine, 'data', 'bridge.json');
    const beacon = () => JSON.parse(fs.readFileSync(beaconFile, 'utf8')) as Record<string, unknown>;
    const brokenPath = `${broken.binDir}:${process.env.PATH}`;
    const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio', VALOR_AGENT_CMD: 'tr a-z A-Z', VALOR_NOTIFY_CHAT: 'console', PATH: brokenPath });

    await bridge.waitFor('stderr', 'ready:');
    expect(bridge.stderr()).toContain(
      `running commit unknown (git: ${XCRUN_ERROR}); git cannot run: install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install; asked again every 60 s\n`,
    );
    expect(beacon()).toMatchObject({ commit: '', subject: '', gitFault: XCRUN_ERROR, pid: bridge.pid, stoppedAt: null });
    expect(beacon().readyAt).not.toBeNull();
    bridge.write('hello');
    await bridge.waitFor('stdout', 'HELLO\n');
    // The scheduled run fails in the script's words, and the notify chat hears it.
    const scheduled = spawnSync('bash', ['scripts/remote-update.sh'], { cwd: clone.machine, env: { ...process.env, PATH: brokenPath, VALOR_UPDATE_TRIGGER: 'schedule' } });
    expect(scheduled.status).toBe(1);
    await bridge.waitFor('stdout', `studio: scheduled update failed (exit 1): FAIL: git cannot run: ${XCRUN_ERROR}.`);
    const asked = bridge.length('stdout');
    bridge.write('/update status');
    await bridge.waitFor('stdout', 'needs attention', { from: asked });
    await bridge.waitFor('stdout', '\n', { from: asked });
    expect(bridge.stdout().slice(asked)).toContain(`⚠️ studio: running commit unknown (git: ${XCRUN_ERROR}), up `);
    expect(bridge.stdout().slice(asked)).toMatch(/; checkout unknown; upstream unknown; last update \S+ \S+ UTC \(schedule\): failed; no restart pending; needs attention: git cannot run: install the Command Line Tools again \(a macOS upgrade removes them\): xcode-select --install; the last update failed: FAIL: git cannot run: .*\n$/);

    broken.fix();
    const from = bridge.length('stdout');
    bridge.write('/update status');
    await bridge.waitFor('stdout', `studio: running ${sha} "Initial project", up `, { from });
    // Only the failed run is left to look at, until the next one.
    expect(bridge.stdout().slice(from)).toContain(`checkout ${sha}; upstream ${sha} (never fetched); last update `);
    expect(bridge.stdout().slice(from)).toContain('; needs attention: the last update failed: FAIL: git cannot run: ');
    expect(bridge.stderr()).toContain(`git answers again: running ${sha}\n`);
    expect(beacon()).toMatchObject({ commit: git(clone.machine, 'rev-parse', 'HEAD'), subject: 'Initial project' });
    expect(beacon().gitFault).toBeUndefined();
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
  });
});
