import { describe, expect, it } from 'vitest';
import type { BridgeBeacon } from '../../src/restart/bridge-beacon.js';
import { judgeBridge, RESTART_GRACE_MS, type BridgeFacts } from '../../src/service/bridge-check/judge-bridge.js';
import { curlConfig } from '../../src/service/bridge-check/telegram-alert.js';

/** The cases the process-level tests (service, bridge-health) do not reach. */
const NOW = Date.parse('2026-11-29T12:00:00Z');
const HEAD = 'b'.repeat(40);
const OLD = 'a'.repeat(40);
const minutesAgo = (m: number) => NOW - m * 60_000;

function facts(change: Partial<BridgeFacts> = {}, beacon: Partial<BridgeBeacon> | null = {}): BridgeFacts {
  return {
    now: NOW,
    beacon:
      beacon === null
        ? undefined
        : { pid: 1, commit: HEAD, subject: '', machine: 'm', startedAt: new Date(minutesAgo(60)).toISOString(), readyAt: new Date(minutesAgo(60)).toISOString(), stoppedAt: null, exitCode: null, ...beacon },
    alive: true,
    head: HEAD,
    flagWrittenAt: undefined,
    lastUpdateAt: undefined,
    restartRefused: false,
    ...change,
  };
}

describe('judgeBridge', () => {
  it('ready on the checkout\'s commit', () => {
    expect(judgeBridge(facts())).toEqual({ kind: 'ready', commit: HEAD });
  });

  it('no beacon (a bridge from before the beacon): fine, until a restart asked for it is older than the grace', () => {
    expect(judgeBridge(facts({}, null)).kind).toBe('fine-for-now');
    expect(judgeBridge(facts({ flagWrittenAt: minutesAgo(2) }, null)).kind).toBe('fine-for-now');
    expect(judgeBridge(facts({ flagWrittenAt: minutesAgo(6) }, null))).toEqual({
      kind: 'problem',
      problem: { kind: 'not-running', since: '2026-11-29T11:54:00Z' },
    });
  });

  it('a bridge down for an hour is a problem even when an update has just asked for a restart', () => {
    const stoppedAt = new Date(minutesAgo(60)).toISOString();
    expect(judgeBridge(facts({ alive: false, flagWrittenAt: minutesAgo(0) }, { stoppedAt }))).toEqual({
      kind: 'problem',
      problem: { kind: 'not-running', since: '2026-11-29T11:00:00Z' },
    });
    expect(judgeBridge(facts({ alive: false, flagWrittenAt: minutesAgo(0) }, { stoppedAt: new Date(minutesAgo(0)).toISOString() })).kind).toBe('fine-for-now');
  });

  it('up and ready with its commit unknown (its git cannot run): not judged against the checkout, status names the git; down is still down', () => {
    const fault = 'xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools)';
    expect(judgeBridge(facts({}, { commit: '', gitFault: fault })).kind).toBe('fine-for-now');
    expect(judgeBridge(facts({ alive: false }, { commit: '', gitFault: fault })).kind).toBe('problem');
  });

  it('a process that is gone without a stop record: not running since it was last seen (ready)', () => {
    expect(judgeBridge(facts({ alive: false }, { readyAt: '2026-11-29T11:00:00.123Z' }))).toEqual({
      kind: 'problem',
      problem: { kind: 'not-running', since: '2026-11-29T11:00:00Z' },
    });
  });

  it('started but never ready: fine for the grace, then not ready since its start', () => {
    const started = new Date(minutesAgo(4)).toISOString();
    expect(judgeBridge(facts({}, { readyAt: null, startedAt: started })).kind).toBe('fine-for-now');
    const long = new Date(NOW - RESTART_GRACE_MS - 1000).toISOString();
    expect(judgeBridge(facts({}, { readyAt: null, startedAt: long }))).toEqual({
      kind: 'problem',
      problem: { kind: 'not-ready', since: '2026-11-29T11:54:59Z' },
    });
  });

  it('on an older commit: the bridge\'s own refusal (the `restart` key) is not reported again', () => {
    expect(judgeBridge(facts({ restartRefused: true }, { commit: OLD })).kind).toBe('fine-for-now');
    expect(judgeBridge(facts({ restartRefused: true, flagWrittenAt: minutesAgo(30) }, { commit: OLD })).kind).toBe('fine-for-now');
  });

  it('on an older commit with an update before the start and no flag: the checkout moved without a restart', () => {
    expect(judgeBridge(facts({ lastUpdateAt: minutesAgo(90) }, { commit: OLD }))).toEqual({
      kind: 'problem',
      problem: { kind: 'not-on-checkout', since: '2026-11-29T11:00:00Z' },
    });
  });
});

describe('the alert\'s curl config', () => {
  it('quotes what curl reads from stdin: quotes, backslashes and newlines cannot end a value early', () => {
    const config = curlConfig({ token: '1:t', chat: '-100"1', apiUrl: 'http://127.0.0.1:1' }, 'a "b" \\c\nd');
    expect(config).toBe(
      'url = "http://127.0.0.1:1/bot1:t/sendMessage"\n' +
        'data-urlencode = "chat_id=-100\\"1"\n' +
        'data-urlencode = "text=a \\"b\\" \\\\c\\nd"\n' +
        'write-out = "\\n%{http_code}"\n',
    );
  });
});
