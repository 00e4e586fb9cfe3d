import type { BridgeState, ServiceManager } from '../service-manager.js';

/**
 * What the service manager says of the bridge's job, as the lines about the
 * bridge quote it: "launchd: running, pid 4321", "systemd: not installed".
 * Where no manager was found, "no service manager".
 */
export function managerSays(manager: Pick<ServiceManager, 'name'> | undefined, state: BridgeState | undefined): string {
  return manager && state ? `${manager.name}: ${state.summary}` : 'no service manager';
}
