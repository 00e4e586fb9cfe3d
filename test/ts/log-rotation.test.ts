import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rotateLog } from '../../src/bridge/log-rotation.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

function logFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-logs-'));
  dirs.push(dir);
  const file = path.join(dir, 'bridge.log');
  fs.writeFileSync(file, content);
  return file;
}

describe('log rotation', () => {
  it('leaves a log under the cap alone', () => {
    const file = logFile('small\n');
    expect(rotateLog(file, 100)).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('small\n');
    expect(fs.existsSync(`${file}.1`)).toBe(false);
  });

  it('keeps one previous generation and empties the log in place, so an open appender keeps writing to it', () => {
    const file = logFile('x'.repeat(200));
    const appender = fs.openSync(file, 'a');

    expect(rotateLog(file, 100)).toBe(true);
    fs.writeSync(appender, 'after rotation\n');
    fs.closeSync(appender);

    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('x'.repeat(200));
    expect(fs.readFileSync(file, 'utf8')).toBe('after rotation\n');
  });

  it('a missing log is not an error', () => {
    expect(rotateLog(path.join(os.tmpdir(), 'valor-no-such-dir', 'update.log'))).toBe(false);
  });
});
