import type { ServiceManager } from './service-manager.js';

/** `valor-service.sh uninstall`: both jobs stopped and their files removed; exit 1 when one stays. */
export async function uninstall(manager: ServiceManager, print: (line: string) => void): Promise<number> {
  const wrongUser = manager.wrongUser();
  if (wrongUser) {
    print(`FAIL: ${wrongUser}`);
    return 2;
  }
  let status = 0;
  for (const job of [manager.jobs.bridge, manager.jobs.update]) {
    const stillLoaded = await manager.uninstallJob(job);
    if (stillLoaded) {
      print(`FAIL: ${job.label} is still loaded: ${stillLoaded}`);
      status = 1;
      continue;
    }
    print(`Removed ${job.label}`);
  }
  return status;
}
