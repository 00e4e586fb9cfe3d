import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkoutRoot } from '../../src/config/paths.js';

/**
 * systemd/bridge-throttle.sh, run as valor-bridge.service runs it (ExecStartPre: wait,
 * ExecStopPost: record, with systemd's EXIT_CODE and EXIT_STATUS), on a runtime folder of
 * its own. Under the real manager: test/systemd/bridge-retry.test.ts.
 */
const SCRIPT = path.join(checkoutRoot(), 'systemd', 'bridge-throttle.sh');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-throttle-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const started = () => path.join(dir, 'valor-bridge.started');
const retryAt = () => path.join(dir, 'valor-bridge.retry-at');
const now = () => Math.floor(Date.now() / 1000);

function throttle(command: string, env: Record<string, string> = {}) {
  const begun = performance.now();
  const result = spawnSync('bash', [SCRIPT, command, dir], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}`, ms: performance.now() - begun };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe.skipIf(process.platform !== 'linux')('bridge-throttle.sh', () => {
  it('a start that failed (exit 2) 10 s after it began: the next start is a minute after that start, and the log says when', () => {
    const begun = now() - 10;
    fs.writeFileSync(started(), `${begun}\n`);

    const { code, output } = throttle('record', { EXIT_CODE: 'exited', EXIT_STATUS: '2' });

    expect(code).toBe(0);
    expect(fs.readFileSync(retryAt(), 'utf8').trim()).toBe(String(begun + 60));
    expect(output).toMatch(/^\[bridge-throttle\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ the bridge exited with status 2 1\d s after its start: /);
    expect(output).toContain(`the next start is at ${iso(begun + 60)}, once a minute until it starts (scripts/valor-service.sh restart tries at once)\n`);
    expect(fs.existsSync(started())).toBe(false);
  });

  it.each([
    ['exit 1 (a commit that cannot start), 3 s after the start: a minute after the start', { EXIT_CODE: 'exited', EXIT_STATUS: '1' }, 3, 57],
    ['exit 143 (SIGTERM: a restart for an update), 3 s after: at once', { EXIT_CODE: 'exited', EXIT_STATUS: '143' }, 3, undefined],
    ['exit 0, 3 s after: a second later', { EXIT_CODE: 'exited', EXIT_STATUS: '0' }, 3, 1],
    ['SIGKILL, 3 s after: a second later', { EXIT_CODE: 'killed', EXIT_STATUS: 'KILL' }, 3, 1],
    ['a crash (SIGSEGV, core dumped), 3 s after: a second later', { EXIT_CODE: 'dumped', EXIT_STATUS: 'SEGV' }, 3, 1],
    ['nothing said, 3 s after: a second later', {}, 3, 1],
    ['SIGKILL after 30 s of running: at once', { EXIT_CODE: 'killed', EXIT_STATUS: 'KILL' }, 30, undefined],
    ['exit 0 after 30 s of running: at once', { EXIT_CODE: 'exited', EXIT_STATUS: '0' }, 30, undefined],
  ])('%s', (_, env, ranSeconds, waitsSeconds) => {
    fs.writeFileSync(started(), `${now() - ranSeconds}\n`);
    const { output } = throttle('record', env);
    const recorded = fs.existsSync(retryAt()) ? Number(fs.readFileSync(retryAt(), 'utf8')) - now() : undefined;
    if (waitsSeconds === undefined) expect(recorded).toBeUndefined();
    else expect(Math.abs(recorded! - waitsSeconds)).toBeLessThanOrEqual(1);
    if (waitsSeconds !== 57) expect(output).toBe('');
  });

  it('a failure after more than a minute of running (a session revoked at night) does not wait', () => {
    fs.writeFileSync(started(), `${now() - 3600}\n`);
    expect(throttle('record', { EXIT_CODE: 'exited', EXIT_STATUS: '2' }).output).toBe('');
    expect(fs.existsSync(retryAt())).toBe(false);
  });

  it('stopped during the wait (restart after fixing .env): no start was noted, so the next start is at once', () => {
    fs.writeFileSync(retryAt(), `${now() + 50}\n`);
    throttle('record', { EXIT_CODE: 'exited', EXIT_STATUS: '2' });
    expect(fs.existsSync(retryAt())).toBe(false);
  });

  it('wait: sleeps until the time recorded, then notes the start', () => {
    fs.writeFileSync(retryAt(), `${now() + 2}\n`);
    const { code, ms } = throttle('wait');
    expect(code).toBe(0);
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(3_500);
    expect(fs.existsSync(retryAt())).toBe(false);
    expect(Number(fs.readFileSync(started(), 'utf8'))).toBeGreaterThanOrEqual(now() - 1);
  });

  it.each([
    ['nothing recorded', undefined],
    ['a time already past', `${now() - 30}\n`],
    ['a stamp that is not a time', 'garbage\n'],
  ])('wait, with %s: at once', (_, content) => {
    if (content !== undefined) fs.writeFileSync(retryAt(), content);
    const { code, ms } = throttle('wait');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(800);
    expect(fs.existsSync(started())).toBe(true);
  });

  it('a bad call says how to call it, exit 2', () => {
    const result = spawnSync('bash', [SCRIPT, 'nap', dir], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("[bridge-throttle] unknown command 'nap' (usage: bridge-throttle.sh wait|record RUNTIME_DIR)\n");
    expect(spawnSync('bash', [SCRIPT, 'wait'], { encoding: 'utf8' }).stderr).toBe('[bridge-throttle] needs two arguments (usage: bridge-throttle.sh wait|record RUNTIME_DIR)\n');
  });
});
