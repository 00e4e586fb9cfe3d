import { spawn, spawnSync } from 'node:child_process';
import fs from 'fs-extra';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBeacon, type BridgeBeacon } from '../../src/restart/bridge-beacon.js';
import { botApi, type BotApi } from './fixtures/bot-api.js';
import { brokenGit, XCRUN_ERROR } from './fixtures/broken-git.js';
import { fakeLaunchctl, type FakeLaunchctl } from './fixtures/fake-launchctl.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';

/**
 * The update job's health check (src/service/bridge-health-cli.ts) as it
 * runs after a scheduled update: the real checkout and files, the fake
 * launchctl, the real curl, and a local HTTP server standing in for the
 * Telegram Bot API (VALOR_ALERT_API_URL).
 */
const BRIDGE = 'com.valor.bridge';
const TOKEN = '123456:AAE-secret-token-xyz';
const CHAT = '-1001234567890';


/** A port nothing listens on: the Bot API down. */
async function closedPort(): Promise<number> {
  const api = await botApi();
  const port = Number(new URL(api.url).port);
  await api.close();
  return port;
}

let clone: ProjectClone | undefined;
let server: BotApi | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  clone?.cleanup();
});

interface World {
  machine: string;
  launchctl: FakeLaunchctl;
  home: string;
  argvLog: string;
  check(env?: Record<string, string>): Promise<string>;
  file(relative: string): string;
}

function world(): World {
  clone = createProjectClone();
  const machine = clone.machine;
  const home = path.join(clone.dir, 'home');
  fs.ensureDirSync(home);
  const launchctl = fakeLaunchctl(clone.dir);
  // Records curl's arguments, then runs the real curl.
  const shimDir = path.join(clone.dir, 'curl-shim');
  const argvLog = path.join(clone.dir, 'curl-argv.log');
  const realCurl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
  fs.outputFileSync(path.join(shimDir, 'curl'), `#!/bin/sh\necho "$@" >> "${argvLog}"\nexec "${realCurl}" "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${launchctl.binDir}:${shimDir}:${process.env.PATH}`, HOME: home, FAKE_LAUNCHD_DIR: launchctl.stateDir };
  const install = spawnSync('bash', [path.join(machine, 'scripts', 'valor-service.sh'), 'install', '--jitter', '0'], { env, encoding: 'utf8' });
  expect(install.status).toBe(0);
  return {
    machine,
    launchctl,
    home,
    argvLog,
    file: (relative) => {
      const file = path.join(machine, relative);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    },
    check: (extra = {}) =>
      new Promise((resolve) => {
        const child = spawn('node', ['--import', 'tsx', 'src/service/bridge-health-cli.ts'], {
          cwd: machine,
          env: { ...env, VALOR_MACHINE_NAME: 'studio', ...extra },
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('close', (code) => {
          expect(code).toBe(0);
          resolve(output);
        });
      }),
  };
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const iso = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

function beacon(w: World, change: Partial<BridgeBeacon>): BridgeBeacon {
  const value: BridgeBeacon = {
    pid: w.launchctl.service(BRIDGE)?.pid ?? 1,
    commit: git(w.machine, 'rev-parse', 'HEAD'),
    subject: 'Initial project',
    machine: 'studio',
    startedAt: minutesAgo(60).toISOString(),
    readyAt: minutesAgo(60).toISOString(),
    stoppedAt: null,
    exitCode: null,
    ...change,
  };
  writeBeacon(path.join(w.machine, 'data', 'bridge.json'), value);
  return value;
}

/** An update pulled a commit and asked for a restart `minutes` ago; the old bridge stopped for it and launchd's restarts exit 1. */
function brokenRestart(w: World, minutes: number): { stoppedAt: Date; head: string } {
  const stoppedAt = minutesAgo(minutes);
  beacon(w, { stoppedAt: stoppedAt.toISOString(), exitCode: 0 });
  clone!.push('src/broken.ts', 'export const x = ;\n', 'A commit that cannot start');
  git(w.machine, 'pull', '-q', '--ff-only');
  const flag = path.join(w.machine, 'data', 'restart-requested');
  fs.outputFileSync(flag, 'x 1 commit(s)\n');
  fs.utimesSync(flag, stoppedAt, stoppedAt);
  fs.outputFileSync(
    path.join(w.machine, 'data', 'last-update'),
    `time=${iso(stoppedAt)}\ntrigger=schedule\noutcome=updated\nexit=0\nhead=abc\ncommits=1\nsummary=Update complete. 1 commit(s) pulled, restart queued.\n`,
  );
  w.launchctl.exited(BRIDGE, 1);
  const log = Array.from({ length: 30 }, (_, i) => `log line ${i + 1}`).join('\n');
  fs.outputFileSync(path.join(w.machine, 'logs', 'bridge.log'), `${log}\nSyntaxError: Unexpected token ';'\n`);
  return { stoppedAt, head: git(w.machine, 'rev-parse', 'HEAD') };
}

/** The bridge came back on the checkout's commit. */
function recover(w: World): string {
  const state = path.join(w.launchctl.stateDir, 'state.json');
  const json = fs.readJsonSync(state) as { services: Record<string, { pid?: number; state: string }> };
  json.services[BRIDGE]!.pid = 5000;
  json.services[BRIDGE]!.state = 'running';
  fs.writeJsonSync(state, json);
  fs.removeSync(path.join(w.machine, 'data', 'restart-requested'));
  return beacon(w, { pid: 5000, startedAt: new Date().toISOString(), readyAt: new Date().toISOString() }).commit;
}

function everythingSaid(w: World, outputs: string[]): string {
  const dataDir = path.join(w.machine, 'data');
  const dataFiles = fs.readdirSync(dataDir).map((name) => w.file(path.join('data', name)));
  return [...outputs, ...dataFiles, w.file('logs/bridge.log'), w.file('logs/update.log'), fs.existsSync(w.argvLog) ? fs.readFileSync(w.argvLog, 'utf8') : ''].join('\n');
}

describe('the update job\'s bridge health check', () => {
  it('a restart that did not come back: recorded with the log\'s last lines, posted once per cause from .env, then "bridge back on <sha>"', async () => {
    server = await botApi();
    const w = world();
    fs.writeFileSync(path.join(w.machine, '.env'), `VALOR_ALERT_BOT_TOKEN=${TOKEN}\nVALOR_ALERT_CHAT=${CHAT}\nVALOR_ALERT_API_URL=${server.url}/\n`);
    const { stoppedAt, head } = brokenRestart(w, 10);
    const line = `bridge not running since ${iso(stoppedAt)} (launchd: last exit 1)`;

    const first = await w.check();

    expect(first).toBe(`[bridge-health] ${line}\n[bridge-health] alert sent: ${line}\n`);
    expect(server.posts).toEqual([{ path: `/bot${TOKEN}/sendMessage`, chatId: CHAT, text: `studio: ${line}` }]);
    const record = w.file('data/last-update');
    expect(record).toContain(`\nbridge=${line}\n`);
    const tail = [...Array.from({ length: 14 }, (_, i) => `log line ${i + 17}`), "SyntaxError: Unexpected token ';'"].join(' | ');
    expect(record).toContain(`\nbridge_log=${tail}\n`);

    const second = await w.check();
    expect(second).toBe(`[bridge-health] ${line}\n`);
    expect(server.posts).toHaveLength(1);

    const sha = recover(w);
    const third = await w.check();
    expect(third).toBe(`[bridge-health] bridge running ${sha.slice(0, 7)}, the checkout's commit\n[bridge-health] alert sent: bridge back on ${sha.slice(0, 7)}\n`);
    expect(sha).toBe(head);
    expect(server.posts.map((p) => p.text)).toEqual([`studio: ${line}`, `studio: bridge back on ${sha.slice(0, 7)}`]);
    expect(w.file('data/last-update')).toContain(`\nbridge=bridge back on ${sha.slice(0, 7)}\n`);

    const fourth = await w.check();
    expect(server.posts).toHaveLength(2);

    expect(everythingSaid(w, [first, second, third, fourth])).not.toContain(TOKEN);
    expect(fs.readFileSync(w.argvLog, 'utf8')).toContain('--config -');
  });

  it('a new cause (another commit that cannot start) is posted again', async () => {
    server = await botApi();
    const w = world();
    const env = { VALOR_ALERT_BOT_TOKEN: TOKEN, VALOR_ALERT_CHAT: CHAT, VALOR_ALERT_API_URL: server.url };
    brokenRestart(w, 10);
    await w.check(env);
    clone!.push('src/broken2.ts', 'export const y = ;\n', 'Another commit that cannot start');
    git(w.machine, 'pull', '-q', '--ff-only');

    await w.check(env);

    expect(server.posts).toHaveLength(2);
  });

  it("a git that cannot run (a macOS upgrade): one WARN in git's words with the fix; nothing judged, recorded or posted", async () => {
    server = await botApi();
    const w = world();
    brokenRestart(w, 10);
    const before = w.file('data/last-update');

    const output = await w.check({ PATH: `${brokenGit(clone!.dir).binDir}:${w.launchctl.binDir}:${process.env.PATH}`, VALOR_ALERT_BOT_TOKEN: TOKEN, VALOR_ALERT_CHAT: CHAT, VALOR_ALERT_API_URL: server.url });

    expect(output).toBe(
      `[bridge-health] WARN: git cannot run: install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install (git: ${XCRUN_ERROR}); nothing checked\n`,
    );
    expect(w.file('data/last-update')).toBe(before);
    expect(server.posts).toEqual([]);
  });

  it('within a few minutes of the restart nothing is recorded or posted', async () => {
    server = await botApi();
    const w = world();
    brokenRestart(w, 1);

    const output = await w.check({ VALOR_ALERT_BOT_TOKEN: TOKEN, VALOR_ALERT_CHAT: CHAT, VALOR_ALERT_API_URL: server.url });

    expect(output).toBe('');
    expect(server.posts).toEqual([]);
    expect(w.file('data/last-update')).not.toContain('bridge=');
  });

  it('a bridge alive on the old commit long after the restart was asked: its own line', async () => {
    const w = world();
    const old = beacon(w, {});
    clone!.push('notes.txt', 'new', 'Add notes');
    git(w.machine, 'pull', '-q', '--ff-only');
    const head = git(w.machine, 'rev-parse', 'HEAD');
    const flag = path.join(w.machine, 'data', 'restart-requested');
    fs.outputFileSync(flag, 'x 1 commit(s)\n');
    fs.utimesSync(flag, minutesAgo(8), minutesAgo(8));

    const output = await w.check();

    const asked = iso(new Date(fs.statSync(flag).mtimeMs));
    expect(output).toBe(
      `[bridge-health] bridge still on ${old.commit.slice(0, 7)}: the restart asked at ${asked} for ${head.slice(0, 7)} has not happened (launchd: running, pid ${old.pid})\n`,
    );
  });

  it('without VALOR_ALERT_BOT_TOKEN and VALOR_ALERT_CHAT: recorded, nothing posted, no warning', async () => {
    server = await botApi();
    const w = world();
    brokenRestart(w, 10);

    const output = await w.check({ VALOR_ALERT_CHAT: CHAT, VALOR_ALERT_API_URL: server.url });

    expect(output).toMatch(/^\[bridge-health\] bridge not running since \S+ \(launchd: last exit 1\)\n$/);
    expect(server.posts).toEqual([]);
    expect(w.file('data/last-update')).toContain('\nbridge=bridge not running since');
  });

  it('a Bot API that is down: one WARN line without the token, and the next run sends it', async () => {
    const port = await closedPort();
    const w = world();
    const env = { VALOR_ALERT_BOT_TOKEN: TOKEN, VALOR_ALERT_CHAT: CHAT, VALOR_ALERT_API_URL: `http://127.0.0.1:${port}` };
    const { stoppedAt } = brokenRestart(w, 10);

    const down = await w.check(env);

    const line = `bridge not running since ${iso(stoppedAt)} (launchd: last exit 1)`;
    expect(down).toMatch(
      new RegExp(`^\\[bridge-health\\] ${line.replace(/[()]/g, '\\$&')}\n\\[bridge-health\\] WARN: alert not sent \\(could not reach the Bot API at 127\\.0\\.0\\.1:${port}: [^\n]+\\); the next run tries again\n$`),
    );
    expect(down).not.toContain(TOKEN);

    server = await botApi(port);
    const up = await w.check(env);
    expect(up).toContain(`[bridge-health] alert sent: ${line}\n`);
    expect(server.posts).toHaveLength(1);
  });

  it('a Bot API that refuses (401 Unauthorized): one WARN line with its reason, retried at the next run', async () => {
    server = await botApi();
    server.mode = 'refuse';
    const w = world();
    const env = { VALOR_ALERT_BOT_TOKEN: TOKEN, VALOR_ALERT_CHAT: CHAT, VALOR_ALERT_API_URL: server.url };
    brokenRestart(w, 10);

    const refused = await w.check(env);
    expect(refused).toContain('[bridge-health] WARN: alert not sent (the Bot API refused the message: HTTP 401: Unauthorized); the next run tries again\n');

    server.mode = 'ok';
    const accepted = await w.check(env);
    expect(accepted).toContain('[bridge-health] alert sent: bridge not running since');
    expect(server.posts).toHaveLength(2);
    expect(everythingSaid(w, [refused, accepted])).not.toContain(TOKEN);
  });
});
