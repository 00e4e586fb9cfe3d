import { execFileSync } from 'node:child_process';
import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';
import { ProcessGroups } from '../../src/process/process-group.js';
import { describeHold, heldLine, parseHold, readHold, type Hold } from '../../src/update/hold.js';
import { holdReply } from '../../src/update/hold-reply.js';
import { holdCommandRunner } from '../../src/update/run-hold-command.js';

/**
 * data/hold as TypeScript reads and tells it, against what
 * scripts/lib/hold.sh writes and says: the chat's /update hold runs the
 * real scripts/valor-service.sh hold here, in a scratch project.
 */

const NOW = Date.parse('2026-11-29T22:30:00Z');
const HOUR = 60 * 60 * 1000;

/** What hold.sh's describe_hold says of a hold, at NOW. */
function bashDescribes(hold: Hold, nowMs: number): string {
  const script = `. "$0"; HOLD_UNTIL=$1 HOLD_BY=$2 HOLD_REASON=$3; describe_hold "$4"; printf '%s' "$HOLD_DESC"`;
  return execFileSync('bash', ['-c', script, path.join(checkoutRoot(), 'scripts', 'lib', 'hold.sh'), String(hold.untilMs / 1000), hold.by, hold.reason, String(nowMs / 1000)], {
    encoding: 'utf8',
  });
}

describe('data/hold as TypeScript reads it', () => {
  it('until, by and reason; a hold with no whole-number until is none, as for the script', () => {
    expect(parseHold('until=1796063400\nsince=1796049000\nby=@alice\nreason=the demo = soon\n')).toEqual({ untilMs: 1796063400_000, by: '@alice', reason: 'the demo = soon' });
    expect(parseHold('until=1796063400\n')).toEqual({ untilMs: 1796063400_000, by: '', reason: '' });
    for (const until of ['', 'soon', '17960634.5', '-1', '1234567890123']) expect(parseHold(`until=${until}\nby=@alice\n`)).toBeUndefined();
  });

  it('in force while now < until; no file, or one whose time has passed, holds nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-hold-'));
    const file = path.join(dir, 'hold');
    try {
      expect(readHold(file, NOW)).toBeUndefined();
      fs.writeFileSync(file, `until=${NOW / 1000 + 60}\nby=@alice\nreason=\n`);
      expect(readHold(file, NOW)).toEqual({ untilMs: NOW + 60_000, by: '@alice', reason: '' });
      expect(readHold(file, NOW + 60_000)).toBeUndefined();
    } finally {
      fs.removeSync(dir);
    }
  });

  it.each<[string, Hold]>([
    ['within a day: the time alone', { untilMs: NOW + 20 * HOUR + 10 * 60_000, by: '@alice', reason: 'debugging the catch-up' }],
    ['more than a day away: with its date', { untilMs: NOW + 3 * 24 * HOUR, by: 'tom', reason: 'the demo' }],
    ['no holder, no reason', { untilMs: NOW + HOUR, by: '', reason: '' }],
  ])('told as the script tells it: %s', (_, hold) => {
    expect(describeHold(hold, NOW)).toBe(bashDescribes(hold, NOW));
  });

  it("the chat's line for a held machine", () => {
    expect(heldLine('studio', { untilMs: Date.parse('2026-11-30T18:40:00Z'), by: '@alice', reason: 'debugging the catch-up' }, NOW)).toBe(
      'studio: held by @alice until 18:40 UTC (debugging the catch-up); /update resume studio to release it',
    );
  });
});

describe("/update hold and resume run valor-service.sh's own", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.removeSync(dir);
  });

  /** A scratch project holding this checkout's scripts/, and the runner the bridge builds for it. */
  function project() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-hold-project-'));
    dirs.push(root);
    fs.copySync(path.join(checkoutRoot(), 'scripts'), path.join(root, 'scripts'));
    const paths = projectPaths(root);
    return { paths, run: holdCommandRunner(new ProcessGroups(), root, paths.serviceScript) };
  }

  it('hold for 4h REASON by @alice: data/hold written by the script, by the sender; the reply is its line', async () => {
    const { paths, run } = project();
    const before = Date.now();
    const result = await run('hold', ['for', '4h', 'debugging', 'the', 'catch-up'], '@alice');
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    const text = fs.readFileSync(paths.hold, 'utf8');
    const key = (name: string) => Number(new RegExp(`^${name}=(\\d+)$`, 'm').exec(text)?.[1]);
    expect(key('until') - key('since')).toBe(4 * 3600);
    expect(key('since') * 1000).toBeGreaterThanOrEqual(before - 1000);
    expect(text).toMatch(/^by=@alice$/m);
    expect(text).toMatch(/^reason=debugging the catch-up$/m);
    const hold = readHold(paths.hold, Date.now());
    expect(hold).toBeDefined();
    expect(holdReply('studio', 'hold', result, hold, Date.now(), []).text).toMatch(
      /^studio: held by @alice until \d\d:\d\d UTC \(debugging the catch-up\); \/update resume studio to release it$/,
    );
  });

  it("resume: the script's line; then nothing to resume", async () => {
    const { paths, run } = project();
    await run('hold', [], '@alice');
    let result = await run('resume', [], '@bob');
    expect(holdReply('studio', 'resume', result, undefined, Date.now(), [])).toEqual({
      text: expect.stringMatching(/^studio: Resumed: the hold by @alice until \d\d:\d\d UTC is lifted; the next scheduled run or \/update updates\.$/),
      ok: true,
    });
    expect(fs.existsSync(paths.hold)).toBe(false);
    result = await run('resume', [], '@bob');
    expect(holdReply('studio', 'resume', result, undefined, Date.now(), []).text).toBe('studio: Not held: nothing to resume.');
  });

  it.each([
    [['for', '4'], "FAIL: 'for' takes a duration such as 30m, 4h or 2d (got '4'). Nothing was changed."],
    [['for', '8d'], "FAIL: a hold lasts at most 7 days (got '8d'). Nothing was changed."],
    [['for'], "FAIL: 'for' needs a duration such as 30m, 4h or 2d. Nothing was changed."],
  ])('a bad duration %j: the FAIL line and the chat usage, not ok, nothing written', async (words, fail) => {
    const { paths, run } = project();
    const result = await run('hold', words, '@alice');
    expect(result.exitCode).toBe(2);
    expect(holdReply('studio', 'hold', result, undefined, Date.now(), [])).toEqual({
      text: `studio: ${fail}\nusage: /update hold [MACHINE] [for 30m|4h|2d] [REASON] (no updates until then: 24 h unless said, at most 7 days), /update resume [MACHINE] (end it)`,
      ok: false,
    });
    expect(fs.existsSync(paths.dataDir)).toBe(false);
  });

  it('resume with a word after the machine: the FAIL line', async () => {
    const { run } = project();
    const reply = holdReply('studio', 'resume', await run('resume', ['now'], '@alice'), undefined, Date.now(), []);
    expect(reply.text.split('\n')[0]).toBe("studio: FAIL: resume takes no argument (got 'now'). Nothing was changed.");
    expect(reply.ok).toBe(false);
  });

  it('a script that cannot run: its output, not ok', () => {
    expect(holdReply('studio', 'hold', { output: 'bash: scripts/valor-service.sh: No such file or directory\n', exitCode: 127, timedOut: false }, undefined, NOW, [])).toEqual({
      text: 'studio:\nbash: scripts/valor-service.sh: No such file or directory',
      ok: false,
    });
    expect(holdReply('studio', 'hold', { output: '', exitCode: null, timedOut: true }, undefined, NOW, []).text).toBe(
      'studio: /update hold timed out after 30 s; /update status says whether it is held',
    );
  });
});
