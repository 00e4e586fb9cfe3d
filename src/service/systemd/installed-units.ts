import fs from 'fs-extra';
import type { ProjectPaths } from '../../config/paths.js';
import { bridgeCommand } from '../bridge-command.js';
import type { Schedule } from '../schedule.js';
import { renderUnit } from './render-unit.js';
import { scheduleLines, scheduleOfTimer } from './timer-schedule.js';
import { parseUnit, unitEnvironment, type UnitEntry } from './unit-file.js';
import { installedUnitFile, type SystemdUnit, type SystemdUnits } from './unit-templates.js';

/**
 * The units as install writes them for this checkout, and as they are
 * installed: their PATH and schedule (kept by a reinstall, shown by status)
 * and whether they are what install writes now. Files only: no manager.
 */
export interface UnitFiles {
  paths: ProjectPaths;
  /** The three units, read once from their templates. */
  units: SystemdUnits;
  /** ~/.config/systemd/user (./unit-templates.ts). */
  unitDir: string;
}

/** The unit as install writes it, with this PATH and schedule (the timer's); throws a TemplateError. */
export function renderedUnit(files: UnitFiles, unit: SystemdUnit, path: string, schedule: Schedule): string {
  return renderUnit(unit.template, unit.name, {
    PROJECT_DIR: files.paths.root,
    PATH: path,
    LOG: unit.log,
    BRIDGE_COMMAND: bridgeCommand(files.paths),
    SCHEDULE: scheduleLines(schedule),
  });
}

/** The installed unit, parsed; undefined when there is none. */
export function installedUnit(files: UnitFiles, unit: SystemdUnit): UnitEntry[] | undefined {
  try {
    return parseUnit(fs.readFileSync(installedUnitFile(files.unitDir, unit), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The schedule the installed timer holds, if any. */
export function installedSchedule(files: UnitFiles): Schedule | undefined {
  const timer = installedUnit(files, files.units.timer);
  return timer && scheduleOfTimer(timer);
}

/** The PATH an installed service runs with, if any. */
export function installedPath(files: UnitFiles, unit: SystemdUnit): string | undefined {
  const entries = installedUnit(files, unit);
  return entries && unitEnvironment(entries).PATH;
}

/**
 * An installed unit that differs from what install would write now, with the
 * same PATH and schedule: installed by an older version, or edited by hand.
 */
export function outdatedUnits(files: UnitFiles, fallback: Schedule): string[] {
  const path = installedPath(files, files.units.bridge);
  const schedule = installedSchedule(files) ?? fallback;
  const outdated: string[] = [];
  for (const unit of files.units.all) {
    const file = installedUnitFile(files.unitDir, unit);
    if (!path || !fs.existsSync(file)) continue;
    let expected: string;
    try {
      expected = renderedUnit(files, unit, path, schedule);
    } catch {
      continue;
    }
    if (fs.readFileSync(file, 'utf8') !== expected) {
      outdated.push(`${file} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again`);
    }
  }
  return outdated;
}
