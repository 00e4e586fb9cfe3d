import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/config/env-file.js';
import { COMPUTER_NAME_TIMEOUT_MS, defaultMachineName, readComputerName, thisMachinesName } from '../../src/config/machine-name.js';
import { editDistance, unknownNameWarnings } from '../../src/config/setting-names.js';
import { parseAlertSettings } from '../../src/config/alert-settings.js';
import { agentCommand, machineName, parseApiCredentials, parseSession, parseSettings, SettingsError } from '../../src/config/settings.js';
import { fakeScutil } from './fixtures/fake-scutil.js';
import { wellFormedSession } from './fixtures/session.js';

const SESSION = await wellFormedSession();

const telegramEnv = {
  TELEGRAM_API_ID: '12345',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_SESSION: SESSION,
  VALOR_PROJECTS: 'valor=-1001234567890,docs=-1009876543210',
};

function problemsOf(env: Record<string, string>, consoleMode = false): string[] {
  try {
    parseSettings(env, { console: consoleMode, defaultName: 'host' });
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  throw new Error('expected a SettingsError');
}

function errorOf(env: Record<string, string>, consoleMode = false): string {
  const problems = problemsOf(env, consoleMode);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('settings', () => {
  it('VALOR_NOTIFY_CHAT names a project key: its chat is told about scheduled runs', () => {
    const settings = parseSettings({ ...telegramEnv, VALOR_NOTIFY_CHAT: 'docs' }, { console: false, defaultName: 'host' });
    expect(settings.notifyChatId).toBe('-1009876543210');
    expect(parseSettings(telegramEnv, { console: false, defaultName: 'host' }).notifyChatId).toBeUndefined();
    expect(errorOf({ ...telegramEnv, VALOR_NOTIFY_CHAT: '-1009876543210' })).toBe(
      'VALOR_NOTIFY_CHAT is "-1009876543210", which is not a project key of VALOR_PROJECTS (valor, docs): name one of them',
    );
  });

  it('maps chat ids (strings) to project keys', () => {
    const projects = parseSettings({ ...telegramEnv, VALOR_PROJECTS: 'valor=-1001234567890, docs=-1009876543210' }, { console: false, defaultName: 'h' }).chats;
    expect([...projects]).toEqual([
      ['-1001234567890', 'valor'],
      ['-1009876543210', 'docs'],
    ]);
  });

  it.each([
    ['TELEGRAM_API_ID', 'TELEGRAM_API_ID is not set: get it from https://my.telegram.org and put it in .env'],
    ['TELEGRAM_API_HASH', 'TELEGRAM_API_HASH is not set: get it from https://my.telegram.org and put it in .env'],
    ['TELEGRAM_SESSION', 'TELEGRAM_SESSION is not set: run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env'],
    ['VALOR_PROJECTS', 'VALOR_PROJECTS is not set: list the monitored chats, e.g. VALOR_PROJECTS=valor=-1001234567890'],
  ])('names a missing %s and how to fix it', (name, message) => {
    const env: Record<string, string> = { ...telegramEnv };
    delete env[name];
    expect(errorOf(env)).toBe(message);
  });

  it('names malformed settings', () => {
    expect(errorOf({ ...telegramEnv, TELEGRAM_API_ID: 'abc' })).toContain('TELEGRAM_API_ID must be a number');
    expect(errorOf({ ...telegramEnv, TELEGRAM_API_HASH: 'short' })).toContain('TELEGRAM_API_HASH must be 32 hexadecimal');
    expect(errorOf({ ...telegramEnv, VALOR_PROJECTS: 'valor:-100123' })).toContain('VALOR_PROJECTS has a malformed entry "valor:-100123"');
    expect(errorOf({ ...telegramEnv, VALOR_UPDATE_USERS: '12,bob' })).toContain('VALOR_UPDATE_USERS has "bob"');
    expect(errorOf({ ...telegramEnv, VALOR_CATCHUP_HOURS: '1.5' })).toBe(
      'VALOR_CATCHUP_HOURS must be a whole number above 0, got "1.5": write e.g. VALOR_CATCHUP_HOURS=24, or leave it empty for the default',
    );
  });

  it('every problem at once, one line each, in the order of .env.example', () => {
    expect(problemsOf({ VALOR_PROJECTS: 'valor=-1,bad,docs=-1', VALOR_UPDATE_USERS: 'bob', VALOR_CATCHUP_MESSAGES: '0' })).toEqual([
      'TELEGRAM_API_ID is not set: get it from https://my.telegram.org and put it in .env',
      'TELEGRAM_API_HASH is not set: get it from https://my.telegram.org and put it in .env',
      'TELEGRAM_SESSION is not set: run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env',
      'VALOR_PROJECTS has a malformed entry "bad": write key=chatId pairs, e.g. valor=-1001234567890,docs=-1009876543210',
      'VALOR_PROJECTS lists chat -1 twice (valor=-1 and docs=-1): a chat belongs to one project, remove one entry',
      'VALOR_UPDATE_USERS has "bob", which is not a Telegram user id: write numeric ids separated by commas',
      'VALOR_CATCHUP_MESSAGES must be a whole number above 0, got "0": write e.g. VALOR_CATCHUP_MESSAGES=50, or leave it empty for the default',
    ]);
  });

  it('a VALOR_PROJECTS with problems of its own gets no second complaint from VALOR_NOTIFY_CHAT', () => {
    expect(problemsOf({ ...telegramEnv, VALOR_PROJECTS: 'valor:-1', VALOR_NOTIFY_CHAT: 'valor' })).toEqual([
      'VALOR_PROJECTS has a malformed entry "valor:-1": write key=chatId pairs, e.g. valor=-1001234567890,docs=-1009876543210',
    ]);
  });

  it('npm run login asks only for the app credentials, and names both when both are missing', () => {
    expect(parseApiCredentials(telegramEnv)).toEqual({ apiId: 12345, apiHash: telegramEnv.TELEGRAM_API_HASH });
    expect(() => parseApiCredentials({})).toThrow(
      'TELEGRAM_API_ID is not set: get it from https://my.telegram.org and put it in .env\nTELEGRAM_API_HASH is not set: get it from https://my.telegram.org and put it in .env',
    );
  });

  it('keeps the secrets it must redact, and the machine name if given', () => {
    const settings = parseSettings({ ...telegramEnv, VALOR_MACHINE_NAME: 'studio' }, { console: false, defaultName: 'h' });
    expect(settings.secrets).toEqual([telegramEnv.TELEGRAM_API_HASH, telegramEnv.TELEGRAM_SESSION]);
    expect(settings.machineName).toBe('studio');
  });
});

describe('settings in console mode', () => {
  it('with no settings at all: the console chat, and what Telegram would still need', () => {
    const settings = parseSettings({}, { console: true, defaultName: 'mac-mini' });
    expect(settings.telegram).toBeUndefined();
    expect([...settings.chats]).toEqual([['console', 'console']]);
    expect(settings.machineName).toBe('mac-mini');
    expect(settings.updateUsers).toBeUndefined();
    expect(settings.notSetForTelegram).toEqual(['TELEGRAM_API_ID', 'TELEGRAM_API_HASH', 'TELEGRAM_SESSION', 'VALOR_PROJECTS']);
  });

  it('a production .env is accepted as it is: its chats, its notify chat, its secrets; it never connects', () => {
    const settings = parseSettings({ ...telegramEnv, VALOR_NOTIFY_CHAT: 'valor' }, { console: true, defaultName: 'h' });
    expect([...settings.chats]).toEqual([...parseSettings(telegramEnv, { console: false, defaultName: 'h' }).chats]);
    expect(settings.notifyChatId).toBe('-1001234567890');
    expect(settings.telegram).toBeUndefined();
    expect(settings.notSetForTelegram).toEqual([]);
    expect(settings.secrets).toEqual([telegramEnv.TELEGRAM_API_HASH, telegramEnv.TELEGRAM_SESSION]);
  });

  it('every setting present is checked exactly as for Telegram', () => {
    const bad = { ...telegramEnv, TELEGRAM_API_ID: 'abc', TELEGRAM_SESSION: 'abc', VALOR_PROJECTS: 'valor:-1', VALOR_CATCHUP_HOURS: 'x' };
    expect(problemsOf(bad, true)).toEqual(problemsOf(bad, false));
    expect(problemsOf(bad, true)).toHaveLength(4);
    expect(errorOf({ VALOR_PROJECTS: 'valor=-100123', VALOR_NOTIFY_CHAT: 'docs' }, true)).toBe(
      'VALOR_NOTIFY_CHAT is "docs", which is not a project key of VALOR_PROJECTS (valor): name one of them',
    );
  });
});

describe('.env lines', () => {
  it('reads NAME=value as Node does: quotes, export, comments, a value over several lines', () => {
    const { values, warnings } = parseEnvFile('# comment\n\nA=1\nexport B=2 # note\nC="x y"\nD="two\nlines"\nE=\n');
    expect(values).toEqual({ A: '1', B: '2', C: 'x y', D: 'two\nlines', E: '' });
    expect(warnings).toEqual([]);
  });

  it('a line that is not NAME=value is named by its number, and cannot swallow the next setting', () => {
    const { values, warnings } = parseEnvFile('VALOR_MACHINE_NAME=studio\nVALOR_PROJECTS\n-1001234567890\nTELEGRAM_API_ID=1\n');
    expect(values).toEqual({ VALOR_MACHINE_NAME: 'studio', TELEGRAM_API_ID: '1' });
    expect(warnings).toEqual([
      'WARN: .env line 2 is not NAME=value and is ignored: write NAME=value, or start the line with # for a comment',
      'WARN: .env line 3 is not NAME=value and is ignored: write NAME=value, or start the line with # for a comment',
    ]);
  });
});

describe('names that are not settings', () => {
  it('a typo gets the nearest known name', () => {
    expect(unknownNameWarnings(['VALOR_PROJETS', 'TELEGRAM_API_HSAH', 'VALOR_AGENT_COMMAND', 'VALOR_PROJECT'])).toEqual([
      'WARN: TELEGRAM_API_HSAH: not a setting; did you mean TELEGRAM_API_HASH?',
      'WARN: VALOR_AGENT_COMMAND: not a setting; did you mean VALOR_AGENT_CMD?',
      'WARN: VALOR_PROJECT: not a setting; did you mean VALOR_PROJECTS?',
      'WARN: VALOR_PROJETS: not a setting; did you mean VALOR_PROJECTS?',
    ]);
  });

  it('a VALOR_* name near none is still named; other prefixes and every known name pass', () => {
    const passing = ['HOME', 'VALORANT', 'VALOR_FETCH_TIMEOUT', 'VALOR_UPDATE_TRIGGER', 'VALOR_ALERT_API_URL'];
    expect(unknownNameWarnings(['VALOR_COLOUR', 'VALOR_TEST_BASH', ...passing])).toEqual([
      'WARN: VALOR_COLOUR: not a setting (the settings are listed in .env.example); it is ignored',
      'WARN: VALOR_TEST_BASH: not a setting (the settings are listed in .env.example); it is ignored',
    ]);
  });

  it("other Telegram tools' TELEGRAM_* names pass; one near ours is named", () => {
    expect(unknownNameWarnings(['TELEGRAM_BOT_TOKEN', 'TELEGRAM_SERVER_PORT', 'TELEGRAM_SERVER_PUBKEY', 'TELEGRAM_NODE_MODULES', 'TELEGRAM_API_KEY', 'TELEGRAM_SESION'])).toEqual([
      'WARN: TELEGRAM_API_KEY: not a setting; did you mean TELEGRAM_API_ID?',
      'WARN: TELEGRAM_SESION: not a setting; did you mean TELEGRAM_SESSION?',
    ]);
  });

  it('counts a swap of two letters as one edit', () => {
    expect(editDistance('HSAH', 'HASH')).toBe(1);
    expect(editDistance('', 'ABC')).toBe(3);
  });
});

describe('the settings the other programs read, through this module too', () => {
  it('npm run chats: TELEGRAM_SESSION checked as a start checks it', () => {
    expect(parseSession({ TELEGRAM_SESSION: ` ${SESSION} ` })).toBe(SESSION);
    const problem = (env: Record<string, string>) => {
      try {
        parseSession(env);
      } catch (error) {
        return error instanceof SettingsError ? error.message : String(error);
      }
      return 'no problem';
    };
    expect(problem({})).toBe('TELEGRAM_SESSION is not set: run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env');
    expect(problem({ TELEGRAM_SESSION: 'abc' })).toBe('TELEGRAM_SESSION is not a session string (it does not decode): run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env');
    const noDataCentre = `1${Buffer.alloc(10).toString('base64')}`;
    expect(problem({ TELEGRAM_SESSION: noDataCentre })).toBe('TELEGRAM_SESSION is not a session string (it names no data centre): run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env');
  });

  it('the machine name and the agent command, as the bridge reads them', () => {
    expect(machineName({ VALOR_MACHINE_NAME: ' studio ' }, 'Studio')).toBe('studio');
    expect(machineName({ VALOR_MACHINE_NAME: ' ' }, 'Studio')).toBe('Studio');
    expect(agentCommand({ VALOR_AGENT_CMD: ' claude -p ' })).toBe('claude -p');
    expect(agentCommand({ VALOR_AGENT_CMD: '' })).toBeUndefined();
  });

  it("the bridge check's alert: off unless both the token and the chat are set; the API URL without its trailing slash", () => {
    expect(parseAlertSettings({ VALOR_ALERT_BOT_TOKEN: '1:t' })).toBeUndefined();
    expect(parseAlertSettings({ VALOR_ALERT_BOT_TOKEN: ' 1:t ', VALOR_ALERT_CHAT: '-100' })).toEqual({ token: '1:t', chat: '-100', apiUrl: 'https://api.telegram.org' });
    expect(parseAlertSettings({ VALOR_ALERT_BOT_TOKEN: '1:t', VALOR_ALERT_CHAT: '-100', VALOR_ALERT_API_URL: 'http://127.0.0.1:8081//' })?.apiUrl).toBe('http://127.0.0.1:8081');
  });
});

describe("the machine's default name", () => {
  const PATH = process.env.PATH;
  const dirs: string[] = [];
  afterEach(() => {
    process.env.PATH = PATH;
    dirs.splice(0).forEach((dir) => fs.removeSync(dir));
  });
  const withScutil = (behaviour: Parameters<typeof fakeScutil>[1]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-scutil-'));
    dirs.push(dir);
    const scutil = fakeScutil(dir, behaviour);
    process.env.PATH = `${scutil.binDir}:${PATH}`;
    return scutil;
  };

  it("the computer's name as Sharing shows it; else the host name without .local, in any case", () => {
    expect(defaultMachineName('José’s Mac mini', 'Joses-Mac-mini.local')).toBe('José’s Mac mini');
    expect(defaultMachineName(undefined, 'Johns-MacBook-Pro.local')).toBe('Johns-MacBook-Pro');
    expect(defaultMachineName(' ', 'studio.LOCAL')).toBe('studio');
    expect(defaultMachineName(undefined, 'build-01.example.com')).toBe('build-01.example.com');
    expect(defaultMachineName(undefined, 'localhost')).toBe('localhost');
  });

  it('is read with scutil --get ComputerName, where there is a scutil (a Mac)', () => {
    const scutil = withScutil({ name: 'Studio' });
    expect(readComputerName()).toBe('Studio');
    expect(thisMachinesName()).toBe('Studio');
    expect(scutil.calls()).toEqual(['--get ComputerName', '--get ComputerName']);
  });

  it('a scutil that fails, or none at all (not a Mac): the host name without .local', () => {
    withScutil('fails');
    expect(readComputerName()).toBeUndefined();
    expect(thisMachinesName()).toBe(os.hostname().replace(/\.local$/i, ''));
    process.env.PATH = path.join(os.tmpdir(), 'no-such-folder');
    expect(readComputerName()).toBeUndefined();
  });

  it('a scutil that hangs is given up after a short timeout', () => {
    withScutil('hangs');
    const started = Date.now();
    expect(readComputerName()).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(COMPUTER_NAME_TIMEOUT_MS - 100);
    expect(Date.now() - started).toBeLessThan(COMPUTER_NAME_TIMEOUT_MS + 3_000);
  });
});
