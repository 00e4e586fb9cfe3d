import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryName, writeAtomic, writeAtomicAsync } from '../../src/lib/atomic-write.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the atomic write', () => {
  it('replaces the file whole, creating its folder, and leaves no temporary file', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-atomic-'));
    const file = path.join(dir, 'data', 'record');
    writeAtomic(file, 'one\n');
    await writeAtomicAsync(file, 'two\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('two\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['record']);
  });

  it('gives every write a temporary name of its own: the pid and a random part', () => {
    const names = new Set(Array.from({ length: 100 }, () => temporaryName('/x/data/last-update')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(new RegExp(`^/x/data/last-update\\.tmp\\.${process.pid}\\.[0-9a-f]{8}$`));
  });

  it('many writes at once: each lands whole, none into another\'s temporary file', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-atomic-'));
    const file = path.join(dir, 'state.json');
    const contents = Array.from({ length: 50 }, (_, i) => `${JSON.stringify({ writer: i, pad: 'x'.repeat(10_000) })}\n`);
    await Promise.all(contents.map((content) => writeAtomicAsync(file, content)));
    expect(contents).toContain(fs.readFileSync(file, 'utf8'));
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  it('a write that cannot land throws, keeps the old file, and removes its temporary file', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-atomic-'));
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    expect(() => writeAtomic(target, 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });
});
