import type { ServiceManager } from './service-manager.js';

/** `valor-service.sh restart`: the bridge stops gracefully and the manager starts it again. */
export async function restart(manager: ServiceManager, print: (line: string) => void): Promise<number> {
  const wrongUser = manager.wrongUser();
  if (wrongUser) {
    print(`FAIL: ${wrongUser}`);
    return 2;
  }
  const { ok, line } = await manager.restartBridge();
  print(ok ? line : `FAIL: ${line}`);
  return ok ? 0 : 1;
}
