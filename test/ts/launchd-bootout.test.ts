import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';
import type { Launchctl } from '../../src/service/launchd/launchctl.js';
import { launchdManager } from '../../src/service/launchd/launchd-manager.js';

/** The bound on a bootout, in virtual time: the process-level tests (service.test.ts) cannot wait it out. */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

const IN_PROGRESS = 'Boot-out failed: 36: Operation now in progress';

/** A launchd whose bootout always answers 36 and whose jobs never leave its list. */
function stuckLaunchd() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-bootout-'));
  dirs.push(home);
  let slept = 0;
  const launchctl: Launchctl = (...args) => {
    if (args[0] === 'bootout') return { code: 36, output: IN_PROGRESS };
    if (args[0] === 'print') return { code: 0, output: `${args[1]} = {\n\tstate = stopping\n}` };
    return { code: 0, output: '' };
  };
  const manager = launchdManager({ paths: projectPaths(checkoutRoot()), home, xdgConfigHome: undefined, user: 'ana', uid: 501, sudoUid: undefined, launchctl, sleep: async (ms) => void (slept += ms) });
  return { manager, slept: () => slept };
}

describe('a bootout still in progress', () => {
  it("is waited for up to the job's ExitTimeOut (launchd's 20 s when the plist sets none) and 5 s more; then one line saying what to do", async () => {
    const line = `still listed by launchd 25 s after bootout (launchctl bootout: ${IN_PROGRESS}): run this again in a minute; if it is still listed then, log out and back in`;
    for (const job of ['bridge', 'update'] as const) {
      const launchd = stuckLaunchd();
      expect(await launchd.manager.uninstallJob(launchd.manager.jobs[job])).toBe(line);
      expect(launchd.slept()).toBe(25_000);
    }
  });
});
