import fs from 'fs-extra';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutRoot } from '../../src/config/paths.js';
import { startBridge } from './fixtures/bridge-process.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';

/**
 * The self-test between an update and the restart, with the real bridge in
 * console mode, the real update script and real commits pushed to a local
 * origin: a commit that cannot load is pulled but not restarted into.
 */

let clone: ProjectClone | undefined;
afterEach(() => clone?.cleanup());

const MODULE = 'src/update/reply-text.ts';
const original = fs.readFileSync(path.join(checkoutRoot(), MODULE), 'utf8');
const brokenLine = original.split('\n').length;

describe('restarting only into code that starts', () => {
  it('a pulled commit with a syntax error: the bridge stays up on its code, says why once, records it and drops the flag; a fix pushed next restarts it', async () => {
    clone = createProjectClone();
    const running = clone.head(clone.machine);
    const broken = clone.push(MODULE, `${original}export const broken = ;\n`, 'Break the reply text');
    const data = path.join(clone.machine, 'data');

    const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await bridge.waitFor('stderr', 'ready:');
    bridge.write('/update');
    await bridge.waitFor('stdout', 'not restarting');

    const refusal = `not restarting: ${broken} fails its self-test: ${MODULE}:${brokenLine}:22: ERROR: Unexpected ";"; still running ${running}`;
    const lines = bridge.stdout().trimEnd().split('\n');
    expect(lines.at(-1)).toBe(refusal);
    expect(bridge.stdout().match(/not restarting/g)).toHaveLength(1);
    expect(bridge.stdout()).toMatch(/\nrestart queued\n\(edit of message \d+\) studio:\n\[remote-update\]/);
    expect(fs.readFileSync(path.join(data, 'last-update'), 'utf8')).toContain(`\nrestart=${refusal}\n`);
    expect(fs.existsSync(path.join(data, 'restart-requested'))).toBe(false);
    expect(fs.existsSync(path.join(data, 'restart-notice.json'))).toBe(false);
    expect(git(clone.machine, 'rev-parse', '--short', 'HEAD')).toBe(broken);

    // Still up, and says what it runs.
    const before = bridge.length('stdout');
    bridge.write('/update status');
    await bridge.waitFor('stdout', 'needs attention', { from: before });
    expect(bridge.stdout().slice(before)).toMatch(
      new RegExp(`^⚠️ studio: running ${running} "Initial project", up \\d+ s; checkout ${broken}; upstream ${broken} \\(fetched \\d+ s ago\\); last update \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(telegram\\): updated; no restart pending; needs attention: not restarting: ${broken} fails its self-test: .*; still running ${running}\\n$`),
    );

    const fixed = clone.push(MODULE, original, 'Fix the reply text');
    bridge.write('/update');
    expect(await bridge.exited).toBe(143);
    expect(bridge.stdout()).toContain(`[remote-update] HEAD: ${fixed} — Fix the reply text\nrestart queued\n`);
    expect(bridge.stdout().match(/not restarting/g)).toHaveLength(2); // the refusal, and the status line quoting it
    expect(fs.existsSync(path.join(data, 'restart-requested'))).toBe(false);
  });
});
