import type { BridgeState, ServiceManager } from '../service-manager.js';

/**
 * What the service manager says of the bridge's job, as the lines about the
 * bridge quote it: "launchd: running, pid 4321". Where no manager was
 * found, "launchd: not available", as these lines have always read.
 */
export function managerSays(manager: Pick<ServiceManager, 'name'> | undefined, state: BridgeState | undefined): string {
  return manager && state ? `${manager.name}: ${state.summary}` : 'launchd: not available';
}
