import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBeacon, type BridgeBeacon } from '../src/restart/bridge-beacon.js';
import { createBridgeAccount, createGroup, createPerson, dispose, type Person } from '../test/e2e/fixtures/chat-world.js';
import { findTelegramServer, startTelegramServer } from '../test/e2e/fixtures/telegram-server.js';
import { harnessUnavailable, resetUserManager, userManager, waitFor } from '../test/systemd/fixtures/systemd-user.js';
import { createUserCheckout } from '../test/systemd/fixtures/user-checkout.js';
import { units } from '../test/systemd/fixtures/units.js';
import { IDLE_BEFORE_UPDATE_MS, repeat, type RunPlan } from './measure.js';
import { formatSummary, summarize, type Summary } from './stats.js';
import { markdownTable } from './table.js';

/**
 * The bridge under the real systemd user manager (../shared/systemd-user),
 * connected to the local Telegram server, installed by the checkout's own
 * valor-service.sh: from the restart flag written to the new bridge ready
 * (the self-test, the exit, systemd's RestartSec, the start), and from a
 * SIGKILL to ready. "Ready" is the new process's data/bridge.json with its
 * readyAt: connected to Telegram.
 */
export interface SystemdRestart {
  flagToReady: Summary;
  killToReady: Summary;
}

const BRIDGE = 'valor-bridge.service';
/** How often the beacon is looked at: well under what is measured. */
const POLL_MS = 20;

/** Why it cannot be measured here; undefined when it can. */
export function systemdBenchUnavailable(): string | undefined {
  return harnessUnavailable() ?? (findTelegramServer() ? undefined : 'no test server at ../shared/telegram-server');
}

export async function measureSystemdRestart(plan: RunPlan, progress: (line: string) => void): Promise<SystemdRestart> {
  const manager = userManager();
  if (manager.uid < 0) manager.start();
  resetUserManager(manager);
  manager.start();
  const checkout = createUserCheckout(manager, 'valor-bench');
  const server = await startTelegramServer();
  let second: Person | undefined;
  try {
    // The bridge runs as the manager's user: it reads the server's port and key from its home.
    spawnSync('chmod', ['-R', 'a+rX', server.home]);
    second = await createPerson(server, 'second');
    const account = await createBridgeAccount(server);
    const chatId = await createGroup(server, second, 'valor bench', [account as Person]);
    const env = Object.entries(server.lib.bridgeEnv(server.home, account.session)).map(([name, value]) => `${name}=${value}`);
    if (manager.systemctl('set-environment', ...env).code !== 0) throw new Error('systemctl --user set-environment failed');
    checkout.write('.env', `VALOR_PROJECTS=valor=${chatId}\nVALOR_MACHINE_NAME=bench\n`);
    const installed = units(manager, checkout, ['install', '--jitter', '0']);
    if (installed.code !== 0) throw new Error(`install failed:\n${installed.output}`);

    const beaconFile = path.join(checkout.machine, 'data', 'bridge.json');
    const mainPid = () => Number(manager.show(BRIDGE, 'MainPID').MainPID);
    const readyOther = (old: number | undefined) =>
      waitFor('a new bridge ready', () => {
        const beacon: BridgeBeacon | undefined = readBeacon(beaconFile);
        return beacon && beacon.pid !== old && beacon.readyAt && beacon.stoppedAt === null ? beacon : undefined;
      }, 90_000, POLL_MS);
    let current = (await readyOther(undefined)).pid;

    progress('systemd: restart flag → new bridge ready');
    const flagToReady = await repeat(plan, async () => {
      // Idle long enough for the standby self-test, as a bridge between two updates is.
      await sleep(IDLE_BEFORE_UPDATE_MS);
      const begun = performance.now();
      checkout.write('data/restart-requested', `${new Date().toISOString()} 1 commit(s)\n`);
      current = (await readyOther(current)).pid;
      return performance.now() - begun;
    });

    progress('systemd: SIGKILL → new bridge ready');
    const killToReady = await repeat(plan, async () => {
      // Past the throttle's 10 s: a bridge killed after running a while (the OOM killer at night), not a crash loop.
      await sleep(11_000);
      const pid = mainPid();
      if (!(pid > 0)) throw new Error(`no bridge running (MainPID ${pid})`);
      const begun = performance.now();
      process.kill(pid, 'SIGKILL');
      current = (await readyOther(pid)).pid;
      return performance.now() - begun;
    });
    return { flagToReady: summarize(flagToReady), killToReady: summarize(killToReady) };
  } finally {
    await dispose(second);
    resetUserManager(manager);
    checkout.remove();
    server.dispose();
  }
}

export function renderSystemdRestart(results: SystemdRestart | string): string {
  const heading = '## Under systemd\n\n';
  if (typeof results === 'string') return `${heading}Not measured: ${results}.\n`;
  const rows = [
    ['restart flag written → new bridge ready (self-test, exit 143, RestartSec=100ms, start, connected)', formatSummary(results.flagToReady), String(results.flagToReady.runs)],
    ['bridge killed (SIGKILL) after 11 s of running → new bridge ready (RestartSec=100ms, start, connected)', formatSummary(results.killToReady), String(results.killToReady.runs)],
  ];
  return `${heading}The real bridge run by a real \`systemd --user\` (../shared/systemd-user), installed by \`valor-service.sh install\`, connected to the local Telegram server; ready as its data/bridge.json says (polled every ${POLL_MS} ms).\n\n${markdownTable(['From → to', 'Median (p25–p75)', 'Runs'], rows)}`;
}
