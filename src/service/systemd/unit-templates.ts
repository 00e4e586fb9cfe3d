import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_DIR_PLACEHOLDER } from '../launchd-jobs.js';
import { parseUnit, unitValue } from './unit-file.js';

/**
 * The three systemd user units this project installs. Their templates in
 * systemd/ own every fact about them (name, program, schedule keys, logs);
 * this module only knows where the templates are, and reads the rest from them.
 */
export const UNIT_TEMPLATES = {
  bridge: 'systemd/valor-bridge.service',
  update: 'systemd/valor-update.service',
  timer: 'systemd/valor-update.timer',
} as const;

export interface SystemdUnit {
  /** The unit's name, as systemctl knows it: the template's file name. */
  name: string;
  /** The template's text: placeholders still in place. */
  template: string;
  /** A service's log, relative to the project root (StandardOutput=append:). */
  log: string | undefined;
}

export interface SystemdUnits {
  bridge: SystemdUnit;
  update: SystemdUnit;
  timer: SystemdUnit;
  all: readonly SystemdUnit[];
}

function readUnit(root: string, templateFile: string): SystemdUnit {
  const template = fs.readFileSync(path.join(root, templateFile), 'utf8');
  const output = unitValue(parseUnit(template), 'Service', 'StandardOutput');
  const prefix = `append:${PROJECT_DIR_PLACEHOLDER}/`;
  const log = output?.startsWith(prefix) ? output.slice(prefix.length) : undefined;
  return { name: path.basename(templateFile), template, log };
}

export function systemdUnits(root: string): SystemdUnits {
  const bridge = readUnit(root, UNIT_TEMPLATES.bridge);
  const update = readUnit(root, UNIT_TEMPLATES.update);
  const timer = readUnit(root, UNIT_TEMPLATES.timer);
  for (const [file, unit] of [[UNIT_TEMPLATES.bridge, bridge], [UNIT_TEMPLATES.update, update]] as const) {
    if (!unit.log) throw new Error(`${file}: a service template needs StandardOutput=append:${PROJECT_DIR_PLACEHOLDER}/<log>`);
  }
  return { bridge, update, timer, all: [bridge, update, timer] };
}

/** Where the user's manager reads units from: $XDG_CONFIG_HOME/systemd/user, ~/.config by default. */
export function userUnitDir(home: string, xdgConfigHome: string | undefined): string {
  return path.join(xdgConfigHome || path.join(home, '.config'), 'systemd', 'user');
}

export function installedUnitFile(unitDir: string, unit: SystemdUnit): string {
  return path.join(unitDir, unit.name);
}
