import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { addLastUpdateFields, parseLastUpdate } from '../../src/restart/last-update.js';

/** data/last-update's keys added by TypeScript: under data/last-update.lock, so that writers at once lose none. */

let root: string | undefined;
afterEach(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const RECORD = 'time=2026-11-24T06:00:00Z\ntrigger=schedule\noutcome=updated\nexit=0\nhead=abc\ncommits=2\nrestart_queued=yes\nsummary=Update complete. 2 commit(s) pulled, restart queued.\n';
const WRITER = path.join(import.meta.dirname, 'fixtures', 'last-update-writer.ts');

interface Writer {
  ready: Promise<void>;
  done: Promise<{ code: number | null; output: string }>;
}

function startWriter(machine: string, key: string, rounds: number, go: string): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, machine, key, String(rounds), go], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.startsWith('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => resolve({ code, output })));
  return { ready: Promise.race([ready, done.then(() => undefined)]), done };
}

describe('adding keys to data/last-update', () => {
  it("three writers in processes of their own, 150 rounds at once: no key is lost, the script's record is kept", async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-record-'));
    const paths = projectPaths(root);
    fs.mkdirSync(paths.dataDir);
    fs.writeFileSync(paths.lastUpdate, RECORD);
    const go = path.join(root, 'go');
    const rounds = 150;
    const writers = ['restart', 'bridge', 'bridge_log'].map((key) => startWriter(root!, key, rounds, go));
    await Promise.all(writers.map((writer) => writer.ready));
    fs.writeFileSync(go, '');
    const results = await Promise.all(writers.map((writer) => writer.done));

    expect(results).toEqual(writers.map(() => ({ code: 0, output: 'ready\nlost 0\n' })));
    const text = fs.readFileSync(paths.lastUpdate, 'utf8');
    expect(text.startsWith(RECORD)).toBe(true);
    expect(text.slice(RECORD.length).split('\n').sort()).toEqual(['', `bridge=${rounds - 1}`, `bridge_log=${rounds - 1}`, `restart=${rounds - 1}`]);
    expect(parseLastUpdate(text)).toMatchObject({ outcome: 'updated', restartQueued: true });
    expect(fs.readdirSync(paths.dataDir)).toEqual(['last-update']);
  }, 120_000);

  it('several keys at once go in together; a key already there is replaced; newlines become " | "', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-record-'));
    const paths = projectPaths(root);
    await addLastUpdateFields(paths, { bridge: 'bridge not running since 2026-11-24T06:00:00Z (launchd: last exit 1)' });
    await addLastUpdateFields(paths, { bridge: 'bridge back on abc1234', bridge_log: 'line 1\nline 2' });
    expect(fs.readFileSync(paths.lastUpdate, 'utf8')).toBe('bridge=bridge back on abc1234\nbridge_log=line 1 | line 2\n');
  });

  it('a lock left by a writer that died (older than 10 s) is taken over at once', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-record-'));
    const paths = projectPaths(root);
    fs.mkdirSync(paths.lastUpdateLock, { recursive: true });
    const old = new Date(Date.now() - 11_000);
    fs.utimesSync(paths.lastUpdateLock, old, old);
    const startedAt = Date.now();
    await addLastUpdateFields(paths, { restart: 'x' });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(fs.readFileSync(paths.lastUpdate, 'utf8')).toBe('restart=x\n');
    expect(fs.existsSync(paths.lastUpdateLock)).toBe(false);
  });

  it('a lock held for good by a live writer is waited for about 5 s, then broken: the key is written', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-record-'));
    const paths = projectPaths(root);
    fs.mkdirSync(paths.lastUpdateLock, { recursive: true });
    const startedAt = Date.now();
    await addLastUpdateFields(paths, { restart: 'x' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(5_000);
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    expect(fs.readFileSync(paths.lastUpdate, 'utf8')).toBe('restart=x\n');
    expect(fs.existsSync(paths.lastUpdateLock)).toBe(false);
  });
});
