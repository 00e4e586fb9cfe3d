import type { BridgeState } from '../service-manager.js';
import type { Launchctl } from './launchctl.js';

/** What `launchctl print gui/<uid>/<label>` says of a job; undefined when launchd does not list it. */
export interface ServiceState {
  path?: string;
  state: string;
  pid?: string;
  runs?: string;
  lastExit?: string;
  lastSignal?: string;
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name} = (.+)$`, 'm').exec(text)?.[1]?.trim();
}

export function readServiceState(launchctl: Launchctl, target: string): ServiceState | undefined {
  const result = launchctl('print', target);
  if (result.code !== 0) return undefined;
  const text = result.output;
  return {
    path: field(text, 'path'),
    state: field(text, 'state') ?? 'unknown',
    pid: field(text, 'pid'),
    runs: field(text, 'runs'),
    lastExit: field(text, 'last exit code'),
    lastSignal: field(text, 'last terminating signal'),
  };
}

/** The bridge's job as every manager reports it; the summary: "running, pid 4321", "last exit 78: EX_CONFIG", "not loaded". */
export function bridgeStateOf(state: ServiceState | undefined): BridgeState {
  if (!state) return { managed: false, pid: undefined, lastExit: undefined, summary: 'not loaded' };
  const lastExit = state.lastSignal ?? state.lastExit;
  const pid = state.pid === undefined ? undefined : Number(state.pid);
  return { managed: true, pid, lastExit, summary: state.pid ? `running, pid ${state.pid}` : `last exit ${lastExit ?? 'none yet'}` };
}
