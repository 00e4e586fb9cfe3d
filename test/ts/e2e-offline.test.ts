import fs from 'fs-extra';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRoot } from '../../src/config/paths.js';
import { startBridge, type BridgeProcess } from './fixtures/bridge-process.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';
import { makeServerHome } from './fixtures/server-home.js';
import { tcpGate, type TcpGate } from './fixtures/tcp-gate.js';

/**
 * The real bridge process (`npm start`'s command) against a real MTProto
 * server (../shared/telegram-server, piltover), reached through a port the
 * test closes and opens (a data centre refusing connections, for the bridge
 * only: the second user, Alice, keeps her connection). Telegram unreachable
 * at start-up and while running, a session logged out elsewhere, the account
 * removed from a group. The server's preload points the bridge's unmodified
 * gramjs at the port.
 */
const SERVER_DIR = path.resolve(checkoutRoot(), '..', 'shared', 'telegram-server');
const haveServer = fs.existsSync(path.join(SERVER_DIR, 'client.mjs'));
if (!haveServer) process.stdout.write(`e2e-offline: not run: no test server (${SERVER_DIR} is absent)\n`);
const OFFLINE_SECONDS = 150;
const MAX_OFFLINE_LINES = 40;
const AGENT = 'printf "answer: %s" "$(cat)"';

/* eslint-disable @typescript-eslint/no-explicit-any -- client.mjs is untyped JavaScript */
let tg: any;
let home = '';
let port = 0;
let alice: any;
let gate: TcpGate;
const BOT_PHONE = '+15550000202';
const measured: string[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/** A fresh login of the bridge's account (earlier tests log sessions out). */
async function botSession(): Promise<string> {
  const bot = await tg.createUser(home, { phone: BOT_PHONE, username: 'valor_bridge' });
  await bot.client.destroy();
  return bot.session as string;
}

async function group(title: string): Promise<string> {
  return tg.peerId(await tg.createGroup(alice, title, ['valor_bridge'])) as string;
}

function stopServer(): void {
  tg.stopServer({ home });
}

let clone: ProjectClone | undefined;
let bridge: BridgeProcess | undefined;

function runBridge(session: string, chats: Record<string, string>): BridgeProcess {
  clone = createProjectClone();
  const projects = Object.entries(chats)
    .map(([key, id]) => `${key}=${id}`)
    .join(',');
  const env = { ...tg.bridgeEnv(home, session), TELEGRAM_SERVER_PORT: String(gate.port) };
  bridge = startBridge(clone.machine, { ...env, VALOR_PROJECTS: projects, VALOR_AGENT_CMD: AGENT, VALOR_MACHINE_NAME: 'studio' }, []);
  return bridge;
}

/** Alice sends `text` and waits for the bridge's answer to it; milliseconds from sending to the answer. */
async function ask(chatId: string, text: string, timeoutMs = 15_000): Promise<number> {
  const answer = tg.nextMessage(alice, chatId, { match: (m: any) => !m.out && m.message === `answer: ${text}`, timeoutMs });
  const sentAt = performance.now();
  await alice.sendMessage(chatId, { message: text });
  try {
    await answer;
  } catch (error) {
    throw new Error(`${String(error)}; the bridge said:\n${bridge ? linesSince(bridge).join('\n') : '(not running)'}`);
  }
  return performance.now() - sentAt;
}

/** Output lines of the bridge (both streams), from a length() of each taken earlier. */
function linesSince(b: BridgeProcess, from = { stdout: 0, stderr: 0 }): string[] {
  const text = b.stdout().slice(from.stdout) + b.stderr().slice(from.stderr);
  return text.split('\n').filter((l) => l !== '');
}

function offsets(b: BridgeProcess) {
  return { stdout: b.length('stdout'), stderr: b.length('stderr') };
}

/** A stack frame or a dumped object; the bridge's own lines all start with its prefix. */
function isDump(line: string): boolean {
  return !line.startsWith('[bridge] ') || /^\s+at /.test(line) || /[{}]/.test(line);
}

describe.skipIf(!haveServer)('the real bridge with Telegram unreachable (telegram-server)', () => {
  beforeAll(async () => {
    tg = await import(path.join(SERVER_DIR, 'client.mjs'));
    home = makeServerHome(SERVER_DIR);
    port = await freePort();
    execFileSync(path.join(SERVER_DIR, 'install'), [home], { stdio: 'ignore' });
    tg.startServer({ home, port });
    gate = await tcpGate(port);
    const a = await tg.createUser(home, { phone: '+15550000201', username: 'alice_valor' });
    alice = a.client;
    alice.setLogLevel('none');
    await botSession();
  }, 120_000);

  afterEach(async () => {
    bridge?.kill('SIGKILL');
    if (bridge) await bridge.exited;
    bridge = undefined;
    clone?.cleanup();
    clone = undefined;
    await gate.open().catch(() => {
      // Open already.
    });
  });

  afterAll(async () => {
    await alice?.destroy().catch(() => {});
    if (home) {
      try {
        stopServer();
      } catch {
        // Never started.
      }
      fs.removeSync(home);
    }
    if (measured.length > 0) process.stdout.write(`\ne2e-offline measurements:\n${measured.map((m) => `  ${m}`).join('\n')}\n`);
  });

  it(`start-up with the data centre refusing connections: retries quietly (≤ ${MAX_OFFLINE_LINES} lines in ${OFFLINE_SECONDS} s, no dumps), connects within seconds of its return, answers`, async () => {
    const chatId = await group('offline start');
    const session = await botSession();
    await gate.close();
    const b = runBridge(session, { valor: chatId });

    await b.waitFor('stderr', `Telegram unreachable (ECONNREFUSED 127.0.0.1:${gate.port}); retrying`);
    await new Promise((r) => setTimeout(r, OFFLINE_SECONDS * 1000));
    const offline = linesSince(b);
    expect(b.exitedAt()).toBeUndefined();
    expect(offline.length).toBeLessThanOrEqual(MAX_OFFLINE_LINES);
    expect(offline.filter(isDump)).toEqual([]);
    expect(offline.map((l) => l.replace(/^\[bridge\] \S+ /, ''))).toEqual([
      'connecting to Telegram…',
      `Telegram unreachable (ECONNREFUSED 127.0.0.1:${gate.port}); retrying`,
    ]);

    await gate.open();
    const back = performance.now();
    const connectedAt = await b.waitFor('stderr', 'connected after', { timeoutMs: 15_000 });
    await b.waitFor('stderr', 'ready: connected as @valor_bridge');
    const answerMs = await ask(chatId, 'hello after the outage');
    measured.push(
      `start-up offline: ${offline.length} lines in ${OFFLINE_SECONDS} s; connected ${((connectedAt - back) / 1000).toFixed(1)} s after the server was back; answered in ${(answerMs / 1000).toFixed(1)} s`,
    );
    expect(connectedAt - back).toBeLessThan(10_000);
  }, (OFFLINE_SECONDS + 90) * 1000);

  it('Ctrl-C while Telegram is unreachable at start-up ends the bridge at once', async () => {
    const session = await botSession();
    await gate.close();
    const b = runBridge(session, { valor: '-1009999' });
    await b.waitFor('stderr', 'Telegram unreachable (ECONNREFUSED');
    const sent = performance.now();
    b.kill('SIGINT');
    expect(await b.exited).toBe(0);
    measured.push(`Ctrl-C while unreachable: exited in ${((b.exitedAt()! - sent) / 1000).toFixed(2)} s`);
    expect(b.exitedAt()! - sent).toBeLessThan(3_000);
  }, 60_000);

  it('unreachable for 20 s while running: a few calm lines; a message sent meanwhile is answered once it is back, before later ones, once', async () => {
    const chatId = await group('outage while running');
    const b = runBridge(await botSession(), { valor: chatId });
    await b.waitFor('stderr', 'ready: connected as @valor_bridge');
    await ask(chatId, 'before the outage');
    const from = offsets(b);

    await gate.close();
    await b.waitFor('stderr', 'connection to Telegram lost; reconnecting', { from: from.stderr });
    await new Promise((r) => setTimeout(r, 20_000));
    // Alice writes while the bridge cannot hear: Telegram will not replay it to the bridge.
    const missed = tg.nextMessage(alice, chatId, { match: (m: any) => !m.out, timeoutMs: 20_000 });
    await alice.sendMessage(chatId, { message: 'sent while the bridge was away' });
    await gate.open();
    const back = performance.now();
    const first = await missed;
    const answeredAt = performance.now();
    const connectedAt = await b.waitFor('stderr', 'connected again after', { from: from.stderr });
    await ask(chatId, 'after the outage');
    await new Promise((r) => setTimeout(r, 1_000));

    expect(first.message).toBe('answer: sent while the bridge was away');
    const lines = linesSince(b, from).map((l) => l.replace(/^\[bridge\] \S+ /, ''));
    expect(lines.filter((l) => l.startsWith('connection to Telegram lost') || l.startsWith('Telegram unreachable') || l.startsWith('connected again'))).toEqual([
      'connection to Telegram lost; reconnecting',
      `Telegram unreachable (ECONNREFUSED 127.0.0.1:${gate.port}); retrying`,
      expect.stringMatching(/^connected again after \d+ s$/),
    ]);
    expect(linesSince(b, from).filter(isDump)).toEqual([]);
    const history = (await alice.getMessages(chatId, { limit: 20 })).map((m: any) => m.message);
    expect(history.filter((t: string) => t === 'answer: sent while the bridge was away')).toHaveLength(1);
    expect(history.filter((t: string) => t === 'answer: after the outage')).toHaveLength(1);
    measured.push(
      `unreachable 20 s while running: ${lines.length} lines; reconnected ${((connectedAt - back) / 1000).toFixed(1)} s after the port opened; the message sent meanwhile answered ${((answeredAt - back) / 1000).toFixed(1)} s after`,
    );
  }, 120_000);

  it('a session logged out from another client: the bridge ends with exit 2 and one line naming npm run login', async () => {
    const session = await botSession();
    const b = runBridge(session, { valor: await group('logged out') });
    await b.waitFor('stderr', 'ready: connected as @valor_bridge');
    const other = await tg.connect(home, session);
    other.setLogLevel('none');
    await other.invoke(new (tg.gramjs().Api.auth.LogOut)());
    await other.destroy().catch(() => {});
    const loggedOut = performance.now();
    // Telegram answers the logged-out key's next request with 401 on any connection; this server keeps
    // an open connection's login (its requests fail with 500) and answers 401 on a new one: drop it.
    await gate.close();
    await gate.open();

    expect(await b.exited).toBe(2);
    const lines = linesSince(b).map((l) => l.replace(/^\[bridge\] \S+ /, ''));
    expect(lines.filter((l) => l.includes('npm run login'))).toEqual([
      expect.stringMatching(/^Telegram no longer accepts TELEGRAM_SESSION \(.*AUTH_KEY_UNREGISTERED.*\): run `npm run login` and save the new session string in \.env$/),
    ]);
    expect(linesSince(b).filter(isDump)).toEqual([]);
    measured.push(`session logged out: the bridge ended (exit 2) ${((b.exitedAt()! - loggedOut) / 1000).toFixed(1)} s after`);
  }, 120_000);

  it('one group deleted, removed from another: one line for each, nothing retried, the other chat still answered', async () => {
    const kept = await group('kept');
    const deleted = await group('deleted');
    const kicked = await group('kicked');
    const b = runBridge(await botSession(), { kept, deleted, kicked });
    await b.waitFor('stderr', 'ready: connected as @valor_bridge');
    await ask(kicked, 'before the removal');
    const { Api } = tg.gramjs();
    await alice.invoke(new Api.channels.DeleteChannel({ channel: await alice.getInputEntity(deleted) }));
    await alice.kickParticipant(kicked, 'valor_bridge');
    // Telegram refuses a removed member the history (CHANNEL_PRIVATE): the catch-up's line. This
    // server still serves it and refuses the answer (CHAT_SEND_PLAIN_FORBIDDEN): the reply's line.
    await alice.sendMessage(kicked, { message: 'after the removal' });
    // Two reconnections: two catch-up rounds; the lost chats are read at most once.
    for (let round = 0; round < 2; round++) {
      const from = b.length('stderr');
      await gate.close();
      await gate.open();
      await b.waitFor('stderr', 'connected again after', { from });
    }
    await ask(kept, 'the other chat');
    await new Promise((r) => setTimeout(r, 2_000));

    const lines = linesSince(b).map((l) => l.replace(/^\[bridge\] \S+ /, ''));
    expect(lines.filter((l) => l.includes(deleted))).toEqual([
      expect.stringMatching(
        new RegExp(`^deleted \\(${deleted}\\): no longer readable \\([A-Z_]+\\): removed from the group, or the group deleted\\? .*; skipped until the bridge restarts$`),
      ),
    ]);
    const problems = lines.filter((l) => l.includes(kicked) && !l.includes('answering 1 message(s) sent while the bridge was away'));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`(no longer readable|cannot write there) \\([A-Z_]+\\): removed from the group`))]);
    expect(linesSince(b).filter(isDump)).toEqual([]);
    expect(b.exitedAt()).toBeUndefined();
  }, 120_000);
});
