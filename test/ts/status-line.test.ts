import { describe, expect, it } from 'vitest';
import type { Checkout, Commit } from '../../src/git/checkout.js';
import type { LastUpdate } from '../../src/restart/last-update.js';
import { formatDuration } from '../../src/lib/duration.js';
import { statusLine, type StatusFacts } from '../../src/update/status-line.js';

const NOW = Date.parse('2026-11-29T22:30:00Z');
const MIN = 60_000;
const commit = (sha: string, subject = ''): Commit => ({ sha, short: sha.slice(0, 7), subject });
const RUNNING = commit('1a2b3c4d5e6f', 'Add release notes');

/** The checkout at `head`, its upstream (origin/main) at `upstream`. */
function checkout(head: string, upstream: string | undefined, fetchedAtMs: number | undefined): Checkout {
  return { head: commit(head), upstream: upstream === undefined ? undefined : { ...commit(upstream), name: 'origin/main', behind: 0 }, fetchedAtMs };
}
const UPDATED: LastUpdate = { time: '2026-11-29T22:10:07Z', trigger: 'telegram', outcome: 'updated', exit: 0, head: '1a2b3c4d5e6f', commits: 1, summary: 'Update complete. 1 commit(s) pulled, restart queued.', stash: '', restartQueued: true };

function facts(change: Partial<StatusFacts> = {}): StatusFacts {
  return {
    machine: 'studio',
    running: RUNNING,
    startedAtMs: NOW - 19 * MIN,
    checkout: checkout('1a2b3c4d5e6f', '1a2b3c4d5e6f', NOW - 20 * MIN),
    lastUpdate: UPDATED,
    refusedRestart: undefined,
    restartPending: undefined,
    hold: undefined,
    nowMs: NOW,
    ...change,
  };
}

describe('/update status line', () => {
  it('two machines in one group: one up to date, one behind its checkout with no restart pending', () => {
    const studio = statusLine(facts());
    const mini = statusLine(
      facts({
        machine: 'mini',
        running: commit('9f8e7d6c5b4a', 'Catch up on messages sent while the bridge was away'),
        startedAtMs: NOW - (2 * 24 * 60 + 4 * 60) * MIN,
        checkout: checkout('1a2b3c4d5e6f', '1a2b3c4d5e6f', NOW - 12 * 60 * MIN),
        lastUpdate: { ...UPDATED, time: '2026-11-29T18:00:02Z', trigger: 'schedule' },
      }),
    );
    expect([studio, mini]).toEqual([
      'studio: running 1a2b3c4 "Add release notes", up 19 min; checkout 1a2b3c4; upstream 1a2b3c4 (fetched 20 min ago); last update 2026-11-29 22:10 UTC (telegram): updated; no restart pending',
      '⚠️ mini: running 9f8e7d6 "Catch up on messages sent while the bridge was aw…", up 2 d 4 h; checkout 1a2b3c4; upstream 1a2b3c4 (fetched 12 h 0 min ago); last update 2026-11-29 18:00 UTC (schedule): updated; no restart pending; needs attention: the checkout is at 1a2b3c4 but no restart is pending',
    ]);
  });

  it('a restart pending: how long, and the jobs it waits for; no mark while it is young', () => {
    const line = statusLine(facts({ checkout: checkout('5e6f7a8b9c', '5e6f7a8b9c', NOW - MIN), restartPending: { sinceMs: NOW - 2 * MIN, waitingJobs: 2 } }));
    expect(line).toBe(
      'studio: running 1a2b3c4 "Add release notes", up 19 min; checkout 5e6f7a8; upstream 5e6f7a8 (fetched 1 min ago); last update 2026-11-29 22:10 UTC (telegram): updated; restart pending for 2 min (waiting for 2 jobs)',
    );
  });

  it('a restart pending for more than a few minutes needs attention', () => {
    const line = statusLine(facts({ restartPending: { sinceMs: NOW - 7 * MIN, waitingJobs: 1 } }));
    expect(line).toMatch(/^⚠️ studio: .*; restart pending for 7 min \(waiting for 1 job\); needs attention: the restart has waited more than 5 min$/);
  });

  it('a refused restart: the reason is the refusal', () => {
    const refusal = 'not restarting: 5e6f7a8 fails its self-test: src/a.ts:1:2: ERROR: Unexpected "}"; still running 1a2b3c4';
    const line = statusLine(facts({ checkout: checkout('5e6f7a8b9c', '5e6f7a8b9c', NOW - MIN), refusedRestart: refusal }));
    expect(line).toMatch(new RegExp(`^⚠️ studio: .*; no restart pending; needs attention: ${refusal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('an update whose local edits conflicted, and a failed one, need attention', () => {
    expect(statusLine(facts({ lastUpdate: { ...UPDATED, outcome: 'updated-with-conflict' } }))).toMatch(
      /^⚠️ studio: .*\(telegram\): updated-with-conflict; no restart pending; needs attention: local edits conflicted with the update and wait in a stash$/,
    );
    expect(statusLine(facts({ lastUpdate: { ...UPDATED, outcome: 'failed', exit: 1, summary: 'FAIL: Could not fetch.' } }))).toMatch(
      /^⚠️ studio: .*: failed; no restart pending; needs attention: the last update failed: FAIL: Could not fetch\.$/,
    );
  });

  it('a held machine: ⏸ and the hold first, in the words of its held /update; still marked when something needs attention', () => {
    const hold = { untilMs: Date.parse('2026-11-30T18:40:00Z'), by: '@alice', reason: 'debugging the catch-up' };
    const skipped: LastUpdate = { ...UPDATED, outcome: 'skipped', commits: 0, summary: 'Held by @alice until 18:40 UTC (debugging the catch-up); update skipped.' };
    expect(statusLine(facts({ hold, lastUpdate: skipped }))).toBe(
      '⏸ studio: held by @alice until 18:40 UTC (debugging the catch-up); /update resume studio to release it; running 1a2b3c4 "Add release notes", up 19 min; checkout 1a2b3c4; upstream 1a2b3c4 (fetched 20 min ago); last update 2026-11-29 22:10 UTC (telegram): skipped; no restart pending',
    );
    const failed: LastUpdate = { ...UPDATED, outcome: 'failed', exit: 1, summary: 'FAIL: Could not fetch.' };
    expect(statusLine(facts({ hold: { ...hold, by: '', reason: '', untilMs: Date.parse('2026-12-03T09:05:00Z') }, lastUpdate: failed }))).toMatch(
      /^⚠️ ⏸ studio: held until 2026-12-03 09:05 UTC; \/update resume studio to release it; running .*; needs attention: the last update failed: FAIL: Could not fetch\.$/,
    );
  });

  it('no upstream, never fetched, no run recorded', () => {
    expect(statusLine(facts({ checkout: checkout('1a2b3c4d5e6f', undefined, undefined), lastUpdate: undefined }))).toBe(
      'studio: running 1a2b3c4 "Add release notes", up 19 min; checkout 1a2b3c4; no upstream; no update run recorded; no restart pending',
    );
    expect(statusLine(facts({ checkout: checkout('1a2b3c4d5e6f', '1a2b3c4d5e6f', undefined) }))).toContain(
      '; upstream 1a2b3c4 (never fetched);',
    );
  });

  it("git that cannot run: the commit unknown in git's words, said once, and the fix", () => {
    const fault = 'xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools)';
    const fix = 'needs attention: git cannot run: install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install';
    const noCheckout: Checkout = { head: undefined, upstream: undefined, fetchedAtMs: undefined, gitFault: fault };
    expect(statusLine(facts({ running: undefined, runningGitFault: fault, checkout: noCheckout, lastUpdate: undefined }))).toBe(
      `⚠️ studio: running commit unknown (git: ${fault}), up 19 min; checkout unknown; upstream unknown; no update run recorded; no restart pending; ${fix}`,
    );
    // The bridge knew its commit at start; git broke since.
    expect(statusLine(facts({ checkout: noCheckout, lastUpdate: undefined }))).toBe(
      `⚠️ studio: running 1a2b3c4 "Add release notes", up 19 min; checkout unknown (git: ${fault}); upstream unknown; no update run recorded; no restart pending; ${fix}`,
    );
  });

  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [3_599_999, '59 min'],
    [3_600_000, '1 h 0 min'],
    [47 * 3_600_000 + 59 * MIN, '47 h 59 min'],
    [48 * 3_600_000, '2 d 0 h'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
