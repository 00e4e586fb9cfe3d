import { describe, expect, it } from 'vitest';
import { TELEGRAM_MESSAGE_LIMIT } from '../../src/transport/transport.js';
import { redact } from '../../src/lib/redact.js';
import { keepTail, updateReply } from '../../src/update/reply-text.js';
import { splitMessage } from '../../src/transport/split-message.js';
import { namesThisMachine, parseUpdateCommand } from '../../src/update/update-command.js';

const ok = (output: string) => ({ output, exitCode: 0, timedOut: false, timeoutSeconds: 120, durationMs: 250 });

describe('the /update reply', () => {
  it('names the machine first', () => {
    expect(updateReply('studio', ok('[remote-update] Already up to date. (abc1234)\n'), [])).toBe(
      'studio:\n[remote-update] Already up to date. (abc1234)',
    );
  });

  it('says when the update timed out', () => {
    expect(updateReply('studio', { output: 'partial', exitCode: null, timedOut: true, timeoutSeconds: 120, durationMs: 250 }, [])).toBe(
      'studio:\nUpdate timed out after 120s',
    );
  });

  it('redacts credentials in remote URLs and the configured secrets', () => {
    const output = [
      'From https://valor:ghp_abcdef123456@github.com/acme/valor',
      'fatal: could not read from https://x-access-token:tok@host/repo.git',
      'session 1BQANOTAREALSESSION leaked',
    ].join('\n');
    const text = redact(output, ['1BQANOTAREALSESSION']);
    expect(text).toBe(
      [
        'From https://[redacted]@github.com/acme/valor',
        'fatal: could not read from https://[redacted]@host/repo.git',
        'session [redacted] leaked',
      ].join('\n'),
    );
  });

  it('keeps the tail (summary and HEAD lines) when cutting, and marks the cut', () => {
    const commits = Array.from({ length: 400 }, (_, i) => `[remote-update]   abc${i} Commit number ${i}`);
    const output = [
      '[remote-update] Pulled 400 commit(s):',
      ...commits,
      '[remote-update] Update complete. 400 commit(s) pulled, restart queued.',
      '[remote-update] HEAD: abc399 — Commit number 399',
    ].join('\n');
    const reply = updateReply('studio', ok(output), []);
    expect(reply.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    expect(reply.startsWith('…(earlier output cut)\n[remote-update]')).toBe(true);
    expect(reply.endsWith('Update complete. 400 commit(s) pulled, restart queued.\n[remote-update] HEAD: abc399 — Commit number 399')).toBe(
      true,
    );
  });

  it('leaves short text alone', () => {
    expect(keepTail('short', 4096)).toBe('short');
  });
});

describe('splitting long messages', () => {
  it('splits at line breaks within the limit and loses nothing', () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i} `.repeat(5)).join('\n');
    const parts = splitMessage(text, 1000);
    expect(parts.every((p) => p.length <= 1000)).toBe(true);
    expect(parts.join('\n')).toBe(text);
  });

  it('cuts a single over-long line hard', () => {
    expect(splitMessage('x'.repeat(2500), 1000).map((p) => p.length)).toEqual([1000, 1000, 500]);
  });
});

describe('recognising /update', () => {
  it.each([
    ['/update', 'update'],
    ['  /UPDATE \n', 'update'],
    ['/update@ValorBot', 'update'],
    ['/update check', 'check'],
    ['/update --check', 'check'],
    ['/update@ValorBot  CHECK', 'check'],
    ['/update@someoneelse', undefined],
    ['/update status', 'status'],
    ['/update --STATUS', 'status'],
    ['/update now', 'usage'],
    ['/update --help', 'usage'],
    ['/update check now', 'usage'],
    ['/update@ValorBot help', 'usage'],
    ['please /update', undefined],
  ])('%j → %s', (text, expected) => {
    expect(parseUpdateCommand(text, 'valorbot')).toBe(expected);
  });
});

describe('recognising /update hold and /update resume', () => {
  it.each([
    ['/update hold', { action: 'hold', machine: undefined, words: [] }],
    ['/update hold studio', { action: 'hold', machine: 'studio', words: [] }],
    ['/update HOLD Studio for 4h Debugging the catch-up', { action: 'hold', machine: 'Studio', words: ['for', '4h', 'Debugging', 'the', 'catch-up'] }],
    ['/update hold studio debugging the catch-up', { action: 'hold', machine: 'studio', words: ['debugging', 'the', 'catch-up'] }],
    ['/update hold for 2D The Demo', { action: 'hold', machine: undefined, words: ['for', '2d', 'The', 'Demo'] }],
    ['/update hold FOR', { action: 'hold', machine: undefined, words: ['for'] }],
    ['/update@ValorBot hold  mini \n for 30m', { action: 'hold', machine: 'mini', words: ['for', '30m'] }],
    ['/update resume', { action: 'resume', machine: undefined, words: [] }],
    ['/update Resume studio', { action: 'resume', machine: 'studio', words: [] }],
    ['/update resume studio now', { action: 'resume', machine: 'studio', words: ['now'] }],
  ])('%j → %o', (text, expected) => {
    expect(parseUpdateCommand(text, 'valorbot')).toEqual(expected);
  });

  it('a command names this machine when it names none, or this one whatever the case', () => {
    const command = (machine: string | undefined) => ({ action: 'hold' as const, machine, words: [] });
    expect(namesThisMachine(command(undefined), 'studio')).toBe(true);
    expect(namesThisMachine(command('STUDIO'), 'Studio')).toBe(true);
    expect(namesThisMachine(command('mini'), 'studio')).toBe(false);
  });
});
