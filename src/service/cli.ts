import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkoutRoot, projectPaths } from '../config/paths.js';
import { findOnPath } from './launch-path.js';
import { systemLaunchctl } from './launchctl.js';
import { install, restart, status, uninstall, type ServiceDeps } from './service.js';

/** Entry point of scripts/valor-service.sh. */
const COMMANDS = { install, uninstall, restart, status } as const;
const USAGE = 'usage: scripts/valor-service.sh install | uninstall | restart | status';

function print(line: string): void {
  console.log(`[valor-service] ${line}`);
}

async function main(): Promise<number> {
  const name = process.argv[2] ?? '';
  if (!Object.hasOwn(COMMANDS, name)) {
    print(USAGE);
    return 64;
  }
  const searchPath = process.env.PATH ?? '';
  if (!findOnPath('launchctl', searchPath)) {
    print('launchctl not found: the service runs under launchd, which needs macOS. Nothing was changed.');
    return 2;
  }
  const deps: ServiceDeps = {
    paths: projectPaths(checkoutRoot()),
    home: process.env.HOME || os.homedir(),
    uid: process.getuid?.() ?? 0,
    searchPath,
    nodeBinary: process.execPath,
    launchctl: systemLaunchctl,
    sleep: (ms) => sleep(ms),
    print,
  };
  return COMMANDS[name as keyof typeof COMMANDS](deps);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
