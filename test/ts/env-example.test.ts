import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BRIDGE_SETTINGS, OTHER_SETTINGS, PER_RUN_NAMES, unknownNameWarnings } from '../../src/config/setting-names.js';
import { parseSettings } from '../../src/config/settings.js';

/** .env.example lists exactly the settings the code reads, each with a comment; the names list knows them all. */

const settingsSource = fs.readFileSync('src/config/settings.ts', 'utf8');
const example = fs.readFileSync('.env.example', 'utf8');
const scripts = fs
  .readdirSync('scripts')
  .filter((name) => name.endsWith('.sh'))
  .map((name) => fs.readFileSync(`scripts/${name}`, 'utf8'))
  .join('\n');

const readBySettings = new Set([...settingsSource.matchAll(/'((?:VALOR|TELEGRAM)_[A-Z_]+)'/g)].map((m) => m[1]!));
const active = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!);
const commentedOut = [...example.matchAll(/^# ([A-Z_]+)=/gm)].map((m) => m[1]!);

describe('.env.example', () => {
  it('lists every setting the bridge reads, to fill in, and nothing else', () => {
    expect([...readBySettings].sort()).toEqual([...BRIDGE_SETTINGS].sort());
    expect([...active].sort()).toEqual([...BRIDGE_SETTINGS].sort());
  });

  it("lists the update script's and the health check's settings, commented out, but not what is set per run", () => {
    expect([...commentedOut].sort()).toEqual([...OTHER_SETTINGS].sort());
    for (const name of PER_RUN_NAMES) expect(example).not.toContain(name);
  });

  it('every VALOR_* name the scripts read is a known name', () => {
    const read = [...scripts.matchAll(/\$\{?(VALOR_[A-Z_]+)/g)].map((m) => m[1]!);
    expect(read).toContain('VALOR_FETCH_TIMEOUT');
    expect(unknownNameWarnings(read)).toEqual([]);
  });

  it('gives each setting a comment line just above it', () => {
    const lines = example.split('\n');
    for (const name of [...active, ...commentedOut]) {
      let above = lines.findIndex((line) => line.startsWith(`${name}=`) || line.startsWith(`# ${name}=`)) - 1;
      while (above >= 0 && /^(# )?[A-Z_]+=/.test(lines[above]!)) above -= 1;
      expect(lines[above], name).toMatch(/^# \S/);
    }
  });

  it('copied as it is, its empty values mean "unset": console mode starts, anyone may /update', () => {
    const settings = parseSettings(parseEnv(example), { console: true, defaultName: 'host' });
    expect(settings.updateUsers).toBeUndefined();
    expect(settings.agentCommand).toBeUndefined();
    expect(settings.machineName).toBe('host');
    expect(settings.notifyChatId).toBeUndefined();
    expect(settings.notSetForTelegram).toEqual(['TELEGRAM_API_ID', 'TELEGRAM_API_HASH', 'TELEGRAM_SESSION']);
  });
});
