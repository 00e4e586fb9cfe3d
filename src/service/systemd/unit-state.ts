import os from 'node:os';
import { keyValueLines } from '../../lib/key-value-lines.js';
import type { Systemctl } from './systemctl.js';

/**
 * What the user's manager says of a unit (`systemctl --user show`) and of
 * the timer's next run (`list-timers`), read for status, install and the
 * bridge check. The parsers are pure; the readers take systemctl.
 */
export const UNIT_PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'Result',
  'MainPID',
  'ExecMainCode',
  'ExecMainStatus',
  'NRestarts',
  'UnitFileState',
  'FragmentPath',
  'DropInPaths',
  'NeedDaemonReload',
] as const;

export interface UnitState {
  /** loaded, not-found, bad-setting, masked… */
  loadState: string;
  /** active, activating, deactivating, inactive, failed. */
  activeState: string;
  /** running, start-pre (the bridge's throttle waiting), auto-restart, dead, exited… */
  subState: string;
  /** success, exit-code, signal, start-limit-hit… */
  result: string;
  mainPid: number | undefined;
  /** "exit 2", "signal KILL"; undefined before the first exit. */
  lastExit: string | undefined;
  /** Starts by Restart= since the unit was last started by hand. */
  restarts: number;
  /** enabled, disabled, static… */
  unitFileState: string;
  fragmentPath: string;
  dropIns: string[];
  /** The file changed since the manager read it: daemon-reload not done. */
  needsReload: boolean;
}

/** `show`'s Key=value lines, read as the scripts' records are. */
export const parseProperties = keyValueLines;

/** waitpid's codes as `show` gives them: ExecMainCode 1 exited, 2 killed, 3 dumped core. */
function lastExit(code: string | undefined, status: string | undefined): string | undefined {
  const number = Number(status);
  if (code === '1') return `exit ${number}`;
  if (code !== '2' && code !== '3') return undefined;
  const name = Object.entries(os.constants.signals).find(([, value]) => value === number)?.[0];
  return `signal ${name?.replace(/^SIG/, '') ?? number}${code === '3' ? ' (core dumped)' : ''}`;
}

export function unitStateOf(properties: Map<string, string>): UnitState | undefined {
  const loadState = properties.get('LoadState') ?? '';
  if (loadState === '' || loadState === 'not-found') return undefined;
  const pid = Number(properties.get('MainPID'));
  return {
    loadState,
    activeState: properties.get('ActiveState') ?? '',
    subState: properties.get('SubState') ?? '',
    result: properties.get('Result') ?? '',
    mainPid: pid > 0 ? pid : undefined,
    lastExit: lastExit(properties.get('ExecMainCode'), properties.get('ExecMainStatus')),
    restarts: Number(properties.get('NRestarts') ?? 0) || 0,
    unitFileState: properties.get('UnitFileState') ?? '',
    fragmentPath: properties.get('FragmentPath') ?? '',
    dropIns: (properties.get('DropInPaths') ?? '').split(' ').filter(Boolean),
    needsReload: properties.get('NeedDaemonReload') === 'yes',
  };
}

/** undefined when the manager does not know the unit (or cannot be asked). */
export function readUnitState(systemctl: Systemctl, unit: string): UnitState | undefined {
  const result = systemctl('show', ...UNIT_PROPERTIES.flatMap((name) => ['-p', name]), unit);
  return result.code === 0 ? unitStateOf(parseProperties(result.stdout)) : undefined;
}

/** For one line, as describeLaunchdState: "running, pid 4321", "failed (exit-code), last exit 2", "not installed". */
export function describeUnitState(state: UnitState | undefined): string {
  if (!state) return 'not installed';
  const last = `last ${state.lastExit ?? 'exit: none yet'}`;
  if (state.mainPid) return `running, pid ${state.mainPid}`;
  // The throttle's wait (systemd/bridge-throttle.sh); the exit that caused it is in the unit's log, not in `show`.
  if (state.activeState === 'activating' && state.subState === 'start-pre' && state.restarts > 0) {
    return `waiting to start again after a failed start (${state.restarts} restart(s) so far; see its log)`;
  }
  if (state.activeState === 'activating') return `starting, ${last}`;
  if (state.activeState === 'failed') return `failed (${state.result}), ${last}`;
  return `${state.activeState} (${state.subState}), ${last}`;
}

/** status's line for one unit. */
export function unitStatusLine(unit: string, state: UnitState | undefined): string {
  if (!state) return `${unit}: not installed`;
  const from = state.dropIns.length > 0 ? `${state.fragmentPath} (with ${state.dropIns.join(', ')})` : state.fragmentPath;
  // A timer has no process: its state alone ("active (waiting)"); its next run is readNextRun's.
  const what = unit.endsWith('.service') ? `${describeUnitState(state)}, ${state.restarts} restart(s)` : `${state.activeState} (${state.subState})`;
  return `${unit}: loaded from ${from}, ${state.unitFileState}, ${what}`;
}

/** "Sat 2026-12-05 18:00:00 UTC" (systemctl's format under TZ=UTC) → ms; undefined for anything else ("-", "n/a"). */
export function parseTimestamp(text: string): number | undefined {
  const match = /^[A-Z][a-z]{2} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/.exec(text.trim());
  return match ? Date.parse(`${match[1]}T${match[2]}Z`) : undefined;
}

/**
 * When the timer starts its next run (its random delay included), from
 * `list-timers`, which gives calendar and monotonic timers alike as a time;
 * undefined when none is due (the timer is stopped) or it is not known.
 */
export function readNextRun(systemctl: Systemctl, timer: string): number | undefined {
  const result = systemctl('list-timers', '--all', '--no-legend', timer);
  if (result.code !== 0) return undefined;
  const line = result.stdout.split('\n').find((row) => row.includes(timer)) ?? '';
  const match = /^([A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)/.exec(line.trim());
  return match ? parseTimestamp(match[1]!) : undefined;
}
