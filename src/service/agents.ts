import path from 'node:path';

/** The two launchd agents this project installs. */
export interface Agent {
  label: string;
  template: string;
  log: string;
}

export const BRIDGE_AGENT: Agent = { label: 'com.valor.bridge', template: 'launchd/com.valor.bridge.plist', log: 'logs/bridge.log' };
export const UPDATE_AGENT: Agent = { label: 'com.valor.update', template: 'launchd/com.valor.update.plist', log: 'logs/update.log' };
export const AGENTS: readonly Agent[] = [BRIDGE_AGENT, UPDATE_AGENT];

export function launchAgentsDir(home: string): string {
  return path.join(home, 'Library', 'LaunchAgents');
}

export function installedPlist(home: string, agent: Agent): string {
  return path.join(launchAgentsDir(home), `${agent.label}.plist`);
}
