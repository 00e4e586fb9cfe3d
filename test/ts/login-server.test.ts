import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, serverMissing, startLocalTelegram, type LocalTelegram } from './fixtures/local-telegram.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';
import { personEnv } from './fixtures/person-env.js';
import { CTRL_C, runOnTerminal, type TerminalRun } from './fixtures/terminal.js';

/**
 * The whole `npm run login` against the local Telegram server
 * (../shared/telegram-server): a person at a real pseudo-terminal types the
 * phone number, the code the server sent, and the two-step password; the
 * session it prints must log in. Also: Ctrl-C at each question, piped
 * answers, and a data centre that refuses connections.
 */

const PHONE_QUESTION = 'Phone number, international format (e.g. +441234567890):';
const CODE_QUESTION = 'Login code Telegram sent you:';
const PASSWORD_QUESTION = 'Two-step verification password (not shown):';
const PLAIN = { phone: '+15550000101', username: 'login_plain' };
const GUARDED = { phone: '+15550000102', username: 'login_guarded', password: 'correct horse 42' };

let tg: LocalTelegram;
const ids: Record<string, string> = {};
let clone: ProjectClone;
let run: TerminalRun | undefined;

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lines(screen: string): string[] {
  return screen.split('\n');
}

describe.skipIf(serverMissing !== undefined)(`npm run login against a local Telegram server${serverMissing ? ` (${serverMissing})` : ''}`, () => {
  beforeAll(async () => {
    tg = await startLocalTelegram();
    for (const user of [PLAIN, GUARDED]) {
      const made = await tg.client.createUser(tg.home, { phone: user.phone, username: user.username });
      ids[user.phone] = String(made.id);
      if (user === GUARDED) await made.client.updateTwoFaSettings({ newPassword: GUARDED.password });
      await made.client.destroy();
    }
  }, 60_000);
  afterAll(() => tg?.stop());
  beforeEach(() => {
    clone = createProjectClone();
  });
  afterEach(() => {
    run?.kill();
    run = undefined;
    clone.cleanup();
  });

  function login(env: Record<string, string> = tg.env('')): TerminalRun {
    // Wide enough that the session string stays on one screen line.
    run = runOnTerminal(['npm', 'run', 'login'], { cwd: clone.machine, env: personEnv(env), cols: 600 });
    return run;
  }

  async function loginCode(phone: string): Promise<string> {
    return String(await tg.client.loginCode(tg.home, phone));
  }

  async function loggedInAs(session: string): Promise<string> {
    const client = await tg.client.connect(tg.home, session);
    try {
      return String((await client.getMe()).id);
    } finally {
      await client.destroy();
    }
  }

  it('with two-step verification: every question on the screen, a wrong code and password asked again, the password never shown, a session that works', async () => {
    const terminal = login();
    await terminal.waitFor(PHONE_QUESTION);
    terminal.type(`${GUARDED.phone}\r`);
    await terminal.waitFor(CODE_QUESTION);
    terminal.type('99999\r');
    await terminal.waitFor('That is not the code Telegram sent (PHONE_CODE_INVALID): type it again.');
    await terminal.waitFor(new RegExp(`type it again\\.\\n${literally(CODE_QUESTION)}$`));
    terminal.type(`${await loginCode(GUARDED.phone)}\r`);
    await terminal.waitFor(PASSWORD_QUESTION);
    terminal.type('wrong horse\r');
    await terminal.waitFor(new RegExp(`type it again\\.\\n${literally(PASSWORD_QUESTION)}$`));
    terminal.type(`${GUARDED.password}\r`);
    await terminal.waitFor(/^TELEGRAM_SESSION=\S+$/m);
    expect(await terminal.exited).toEqual({ exit: 0, signal: null, left: [] });

    const screen = lines(terminal.screen());
    const from = screen.indexOf(`${PHONE_QUESTION} ${GUARDED.phone}`);
    const session = /^TELEGRAM_SESSION=(\S+)$/m.exec(terminal.screen())![1]!;
    expect(screen.slice(from)).toEqual([
      `${PHONE_QUESTION} ${GUARDED.phone}`,
      'Connecting to Telegram…',
      `${CODE_QUESTION} 99999`,
      'That is not the code Telegram sent (PHONE_CODE_INVALID): type it again.',
      expect.stringMatching(new RegExp(`^${literally(CODE_QUESTION)} \\d{5}$`)),
      PASSWORD_QUESTION,
      'That is not the two-step verification password (PASSWORD_HASH_INVALID): type it again.',
      PASSWORD_QUESTION,
      '',
      `Logged in as @${GUARDED.username}, id ${ids[GUARDED.phone]}. Save this line in .env:`,
      '',
      `TELEGRAM_SESSION=${session}`,
      '',
      'The bridge ignores messages sent by this account: type /update from another account.',
      'Next: npm run chats lists the chats and their ids for VALOR_PROJECTS.',
    ]);
    expect(terminal.raw()).not.toContain('horse');
    expect(await loggedInAs(session)).toBe(ids[GUARDED.phone]);
  }, 90_000);

  it('Ctrl-C at the code question: login cancelled, exit 130, nothing left running', async () => {
    const terminal = login();
    await terminal.waitFor(PHONE_QUESTION);
    terminal.type(`${PLAIN.phone}\r`);
    await terminal.waitFor(CODE_QUESTION);
    terminal.type(`12${CTRL_C}`);
    expect(await terminal.exited).toEqual({ exit: 130, signal: null, left: [] });
    expect(lines(terminal.screen()).slice(-2)).toEqual([`${CODE_QUESTION} 12`, 'login cancelled']);
  }, 60_000);

  it('Ctrl-C at the password question: login cancelled, exit 130, nothing left running', async () => {
    const terminal = login();
    await terminal.waitFor(PHONE_QUESTION);
    terminal.type(`${GUARDED.phone}\r`);
    await terminal.waitFor(CODE_QUESTION);
    terminal.type(`${await loginCode(GUARDED.phone)}\r`);
    await terminal.waitFor(PASSWORD_QUESTION);
    terminal.type(`secr${CTRL_C}`);
    expect(await terminal.exited).toEqual({ exit: 130, signal: null, left: [] });
    expect(lines(terminal.screen()).slice(-2)).toEqual([PASSWORD_QUESTION, 'login cancelled']);
  }, 60_000);

  it('a phone number with no Telegram account: one line after the code, exit 1', async () => {
    const stranger = '+15550000199';
    const terminal = login();
    await terminal.waitFor(PHONE_QUESTION);
    terminal.type(`${stranger}\r`);
    await terminal.waitFor(CODE_QUESTION);
    terminal.type(`${await loginCode(stranger)}\r`);
    expect(await terminal.exited).toEqual({ exit: 1, signal: null, left: [] });
    expect(lines(terminal.screen()).at(-1)).toBe(`${stranger} has no Telegram account: sign up in a Telegram app first, then run npm run login again`);
  }, 60_000);

  it('answers on a pipe: each question is written to standard output, and the session printed works', async () => {
    const child = spawn('npm', ['run', 'login', '--silent'], { cwd: clone.machine, env: personEnv(tg.env('')), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const until = async (text: string) => {
      for (let waited = 0; !stdout.includes(text); waited += 100) {
        if (waited > 20_000) throw new Error(`"${text}" not written; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    child.stdin.write(`${PLAIN.phone}\n`);
    await until(CODE_QUESTION);
    child.stdin.write(`${await loginCode(PLAIN.phone)}\n`);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      `${PHONE_QUESTION} `,
      'Connecting to Telegram…',
      `${CODE_QUESTION} `,
      '',
      `Logged in as @${PLAIN.username}, id ${ids[PLAIN.phone]}. Save this line in .env:`,
    ]);
    const session = /^TELEGRAM_SESSION=(\S+)$/m.exec(stdout)![1]!;
    expect(await loggedInAs(session)).toBe(ids[PLAIN.phone]);
  }, 60_000);

  it('Telegram unreachable (connections refused): one line within 30 s, exit 1, no gramjs output; the first Ctrl-C also ends it at once', async () => {
    const closed = String(await freePort());
    const env = { ...tg.env(''), TELEGRAM_SERVER_PORT: closed };
    const terminal = login(env);
    await terminal.waitFor(PHONE_QUESTION);
    const typedAt = Date.now();
    terminal.type(`${PLAIN.phone}\r`);
    const result = await terminal.exited;
    const seconds = (Date.now() - typedAt) / 1000;
    expect(result).toEqual({ exit: 1, signal: null, left: [] });
    expect(seconds).toBeLessThan(30);
    const screen = lines(terminal.screen());
    expect(screen.slice(screen.indexOf(`${PHONE_QUESTION} ${PLAIN.phone}`))).toEqual([
      `${PHONE_QUESTION} ${PLAIN.phone}`,
      'Connecting to Telegram…',
      `could not reach Telegram in 20 s (ECONNREFUSED 127.0.0.1:${closed}): check this machine's network, then run npm run login again`,
    ]);

    const again = login(env);
    await again.waitFor(PHONE_QUESTION);
    again.type(`${PLAIN.phone}\r`);
    await again.waitFor('Connecting to Telegram…');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pressedAt = Date.now();
    again.type(CTRL_C);
    expect(await again.exited).toEqual({ exit: 130, signal: null, left: [] });
    expect(Date.now() - pressedAt).toBeLessThan(2000);
    expect(lines(again.screen()).slice(-2)).toEqual(['Connecting to Telegram…', 'login cancelled']);
    console.log(`login offline: ended ${seconds.toFixed(1)} s after the phone number`);
  }, 90_000);
});
