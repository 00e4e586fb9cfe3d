import fs from 'node:fs';
import path from 'node:path';
import type { ProjectPaths } from '../../config/paths.js';

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
  /** A service's log (StandardOutput=append:); a timer has none. */
  log: string | undefined;
}

export interface SystemdUnits {
  bridge: SystemdUnit;
  update: SystemdUnit;
  timer: SystemdUnit;
  all: readonly SystemdUnit[];
}

function readUnit(root: string, templateFile: string, log: string | undefined): SystemdUnit {
  return { name: path.basename(templateFile), template: fs.readFileSync(path.join(root, templateFile), 'utf8'), log };
}

export function systemdUnits(paths: ProjectPaths): SystemdUnits {
  const bridge = readUnit(paths.root, UNIT_TEMPLATES.bridge, paths.bridgeLog);
  const update = readUnit(paths.root, UNIT_TEMPLATES.update, paths.updateLog);
  const timer = readUnit(paths.root, UNIT_TEMPLATES.timer, undefined);
  return { bridge, update, timer, all: [bridge, update, timer] };
}

/** Where the user's manager reads units from: $XDG_CONFIG_HOME/systemd/user, ~/.config by default. */
export function userUnitDir(home: string, xdgConfigHome: string | undefined): string {
  return path.join(xdgConfigHome || path.join(home, '.config'), 'systemd', 'user');
}

export function installedUnitFile(unitDir: string, unit: SystemdUnit): string {
  return path.join(unitDir, unit.name);
}
