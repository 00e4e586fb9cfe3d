import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';

/** .env.example lists exactly the settings the settings code reads, each with a comment. */

const settingsSource = fs.readFileSync('src/config/settings.ts', 'utf8');
const example = fs.readFileSync('.env.example', 'utf8');

const read = [...settingsSource.matchAll(/(?:required|nonEmpty|positiveInteger)\(env, '([A-Z_]+)'/g)].map((m) => m[1]);
const listed = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);

describe('.env.example', () => {
  it('lists every setting the code reads, and nothing else', () => {
    expect(read.length).toBeGreaterThanOrEqual(8);
    expect([...listed].sort()).toEqual([...new Set(read)].sort());
  });

  it('gives each setting a comment line just above it', () => {
    const lines = example.split('\n');
    for (const name of listed) {
      const at = lines.findIndex((line) => line.startsWith(`${name}=`));
      let above = at - 1;
      while (above >= 0 && /^[A-Z_]+=/.test(lines[above]!)) above -= 1;
      expect(lines[above], name).toMatch(/^# \S/);
    }
  });

  it('copied as it is, its empty values mean "unset": console mode starts, anyone may /update', () => {
    const settings = parseSettings(parseEnv(example), { console: true, hostName: 'host' });
    expect(settings.updateUsers).toBeUndefined();
    expect(settings.agentCommand).toBeUndefined();
    expect(settings.machineName).toBe('host');
    expect(settings.notifyChatId).toBeUndefined();
  });
});
