import fs from 'fs-extra';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';
import { parseLastUpdate } from '../../src/restart/last-update.js';
import { flagExists } from '../../src/restart/restart-files.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';

/**
 * The restart protocol's contract between scripts/remote-update.sh and the
 * bridge: the real script runs, and what it wrote is read back through
 * src/restart/ at the paths the bridge uses.
 */

let clone: ProjectClone | undefined;
afterEach(() => clone?.cleanup());

function runScript(machine: string, trigger: string): number | null {
  return spawnSync('bash', ['scripts/remote-update.sh'], { cwd: machine, env: { ...process.env, VALOR_UPDATE_TRIGGER: trigger } }).status;
}

describe('the restart contract', () => {
  it('finds this checkout and the update script in it', () => {
    const paths = projectPaths(checkoutRoot());
    expect(fs.existsSync(path.join(paths.root, 'package.json'))).toBe(true);
    expect(fs.existsSync(paths.updateScript)).toBe(true);
  });

  it('an update writes the flag and a record that the bridge reads where it looks for them', () => {
    clone = createProjectClone();
    clone.push('src/feature.ts', 'export {};', 'Add a feature');
    const paths = projectPaths(clone.machine);

    expect(runScript(clone.machine, 'schedule')).toBe(0);

    expect(flagExists(paths.restartFlag)).toBe(true);
    expect(fs.readFileSync(paths.restartFlag, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 1 commit\(s\)\n$/);
    expect(parseLastUpdate(fs.readFileSync(paths.lastUpdate, 'utf8'))).toMatchObject({
      trigger: 'schedule',
      outcome: 'updated',
      exit: 0,
      head: git(clone.machine, 'rev-parse', 'HEAD'),
      commits: 1,
      summary: 'Update complete. 1 commit(s) pulled, restart queued.',
    });
  });

  it('local edits that conflict with the update: recorded as updated-with-conflict, naming the stash entry, exit 0', () => {
    clone = createProjectClone();
    fs.appendFileSync(path.join(clone.machine, 'tsconfig.json'), '\n// machine edit\n');
    clone.push('tsconfig.json', '{}\n// upstream edit\n', 'Rewrite tsconfig');
    const paths = projectPaths(clone.machine);

    expect(runScript(clone.machine, 'schedule')).toBe(0);

    const text = fs.readFileSync(paths.lastUpdate, 'utf8');
    expect(text).toContain('\nstash=stash@{0}\n');
    expect(parseLastUpdate(text)).toMatchObject({
      outcome: 'updated-with-conflict',
      exit: 0,
      commits: 1,
      summary: 'Update complete. 1 commit(s) pulled, restart queued. Local edits conflicted: kept in stash@{0}.',
    });
    expect(git(clone.machine, 'stash', 'show', '-p', 'stash@{0}')).toContain('+// machine edit');
  });

  it('a failed run is recorded as failed, and writes no flag', () => {
    clone = createProjectClone();
    fs.renameSync(clone.origin, `${clone.origin}.gone`);
    const paths = projectPaths(clone.machine);

    expect(runScript(clone.machine, 'telegram')).toBe(1);

    expect(flagExists(paths.restartFlag)).toBe(false);
    expect(parseLastUpdate(fs.readFileSync(paths.lastUpdate, 'utf8'))).toMatchObject({ trigger: 'telegram', outcome: 'failed', exit: 1 });
  });
});
