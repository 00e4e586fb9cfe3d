import path from 'node:path';
import { TemplateError } from '../service-manager.js';
import { SCHEDULE_PLACEHOLDER } from './timer-schedule.js';
import { parseUnit, unitValue, unitEnvironment, type UnitEntry } from './unit-file.js';

/**
 * Fills a template from systemd/ for one checkout and checks what systemd
 * needs from it. Pure. Each value is escaped for the key it lands in, so
 * that systemd reads back the very path given (spaces, accents, %, $, "):
 * % is a specifier everywhere; Exec lines and Environment= are split into
 * "…"-quoted words with C escapes, and Exec lines expand $VARIABLES.
 */
export interface UnitValues {
  PROJECT_DIR: string;
  PATH: string;
  /** A service's log (../../config/paths.ts's). */
  LOG?: string;
  /** How the bridge is started, word by word (../bridge-command.ts): plain words, written as they are. */
  BRIDGE_COMMAND?: readonly string[];
  /** The timer's schedule lines (./timer-schedule.ts), in place of the {{SCHEDULE}} line. */
  SCHEDULE?: readonly string[];
}

/** A template systemd would not take (a TemplateError, as the interface's). */
export class UnitError extends TemplateError {}


const QUOTED_KEY = /^(Exec[A-Za-z]+|Environment)$/;
const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

function escapeFor(key: string, name: string, value: string): string {
  if (/[\n\r\0]/.test(value)) throw new UnitError(`${name} (${JSON.stringify(value)}) has a line break, which a unit file cannot hold`);
  const specifiers = value.replace(/%/g, '%%');
  if (!QUOTED_KEY.test(key)) return specifiers;
  const quoted = specifiers.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return key.startsWith('Exec') ? quoted.replace(/\$/g, '$$$$') : quoted;
}

function fillLine(line: string, unitName: string, values: UnitValues): string {
  if (/^\s*[#;]/.test(line)) return line;
  const key = line.slice(0, Math.max(0, line.indexOf('='))).trim();
  return line.replace(PLACEHOLDER, (placeholder, name: string, offset: number) => {
    if (name === 'BRIDGE_COMMAND' && values.BRIDGE_COMMAND && key.startsWith('Exec')) return values.BRIDGE_COMMAND.join(' ');
    const value = name === 'SCHEDULE' || name === 'BRIDGE_COMMAND' ? undefined : values[name as 'PROJECT_DIR' | 'PATH' | 'LOG'];
    if (value === undefined) throw new UnitError(`${unitName}: template has an unknown placeholder ${placeholder}`);
    if (QUOTED_KEY.test(key) && (line.slice(0, offset).split('"').length - 1) % 2 === 0) {
      throw new UnitError(`${unitName}: ${placeholder} in ${key}= must be inside "…"`);
    }
    if (!QUOTED_KEY.test(key) && value !== value.trim()) {
      throw new UnitError(`${unitName}: ${name} (${JSON.stringify(value)}) starts or ends with a space, which ${key}= cannot hold`);
    }
    return escapeFor(key, name, value);
  });
}

function absolute(value: string | undefined): boolean {
  return value !== undefined && path.isAbsolute(value);
}

/** What systemd needs from each unit here; throws naming the first thing missing. */
function checkUnit(entries: UnitEntry[], unitName: string): void {
  if (unitName.endsWith('.timer')) {
    if (!unitValue(entries, 'Timer', 'Unit')) throw new UnitError(`${unitName}: the timer must name its Unit=`);
    if (!entries.some((entry) => entry.section === 'Timer' && /^On(Calendar|UnitActiveSec)$/.test(entry.key))) {
      throw new UnitError(`${unitName}: the timer has no schedule`);
    }
    return;
  }
  const program = unitValue(entries, 'Service', 'ExecStart')?.replace(/^[-@:+!]+/, '').split(/\s+/)[0];
  if (!absolute(program)) throw new UnitError(`${unitName}: ExecStart must start with an absolute path`);
  if (!absolute(unitValue(entries, 'Service', 'WorkingDirectory'))) throw new UnitError(`${unitName}: WorkingDirectory must be an absolute path`);
  for (const key of ['StandardOutput', 'StandardError']) {
    if (!absolute(unitValue(entries, 'Service', key)?.replace(/^append:/, ''))) {
      throw new UnitError(`${unitName}: ${key} must be append: an absolute path`);
    }
  }
  if (!unitEnvironment(entries).PATH) throw new UnitError(`${unitName}: Environment= needs PATH`);
}

export function renderUnit(template: string, unitName: string, values: UnitValues): string {
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    if (line.trim() !== SCHEDULE_PLACEHOLDER) {
      lines.push(fillLine(line, unitName, values));
    } else if (values.SCHEDULE) {
      lines.push(...values.SCHEDULE);
    } else {
      throw new UnitError(`${unitName}: template has ${SCHEDULE_PLACEHOLDER} but no schedule was given`);
    }
  }
  const text = lines.join('\n');
  checkUnit(parseUnit(text), unitName);
  return text;
}
