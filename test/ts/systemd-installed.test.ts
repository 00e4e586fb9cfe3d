import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';
import { launchdJobs } from '../../src/service/launchd/launchd-jobs.js';
import { scheduleOf } from '../../src/service/launchd/plist-schedule.js';
import { parseSchedule } from '../../src/service/schedule.js';
import { bridgeCommand } from '../../src/service/bridge-command.js';
import { installedPath, installedSchedule, outdatedUnits, type UnitFiles } from '../../src/service/systemd/installed-units.js';
import { renderUnit } from '../../src/service/systemd/render-unit.js';
import { scheduleLines } from '../../src/service/systemd/timer-schedule.js';
import { systemdUnits } from '../../src/service/systemd/unit-templates.js';

/**
 * What status and a reinstall read from the installed units: their PATH and
 * schedule, and whether they are what this checkout installs now. Units
 * written as install writes them, in a folder of their own (no manager needed;
 * test/systemd installs them under the real one).
 */
const root = checkoutRoot();
const fallback = scheduleOf(launchdJobs(projectPaths(root)).update.template)!;
let dir: string;
let deps: UnitFiles;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-units-'));
  deps = { paths: projectPaths(root), units: systemdUnits(projectPaths(root)), unitDir: dir };
});
afterEach(() => fs.removeSync(dir));

const UNIT_PATH = '/home/ana/.nvm/versions/node/v20.12.0/bin:/usr/bin:/bin';

function install(schedule = parseSchedule({ every: '2h', jitter: '1m' }, fallback)): void {
  for (const unit of deps.units.all) {
    fs.writeFileSync(path.join(dir, unit.name), renderUnit(unit.template, unit.name, {
        PROJECT_DIR: root,
        PATH: UNIT_PATH,
        LOG: unit.log,
        BRIDGE_COMMAND: bridgeCommand(projectPaths(root)),
        SCHEDULE: scheduleLines(schedule),
      }));
  }
}

describe('the installed units', () => {
  it('give back their PATH and schedule, for status and for a reinstall that keeps them', () => {
    install();
    expect(installedPath(deps, deps.units.bridge)).toBe(UNIT_PATH);
    expect(installedSchedule(deps)).toEqual({ kind: 'every', seconds: 7200, jitterSeconds: 60 });
  });

  it('none installed: nothing to keep, nothing outdated', () => {
    expect(installedPath(deps, deps.units.bridge)).toBeUndefined();
    expect(installedSchedule(deps)).toBeUndefined();
    expect(outdatedUnits(deps, fallback)).toEqual([]);
  });

  it('as install writes them now: not outdated', () => {
    install();
    expect(outdatedUnits(deps, fallback)).toEqual([]);
  });

  it('one written by an older version, or edited by hand: named, with what to do', () => {
    install();
    const bridge = path.join(dir, 'valor-bridge.service');
    fs.writeFileSync(bridge, fs.readFileSync(bridge, 'utf8').replace('RestartSec=100ms', 'RestartSec=10'));

    expect(outdatedUnits(deps, fallback)).toEqual([
      `${bridge} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again`,
    ]);
  });
});
