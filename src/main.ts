import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { shellAgentRunner } from './agent/agent-runner.js';
import { Bridge } from './bridge/bridge.js';
import { describeHead } from './bridge/head-commit.js';
import { rotateLog } from './bridge/log-rotation.js';
import { parseCommandLine, USAGE, UsageError } from './cli-args.js';
import { loadEnvFile } from './config/env-file.js';
import { JsonMapFile } from './config/json-map-file.js';
import { checkoutRoot, projectPaths, type ProjectPaths } from './config/paths.js';
import { parseSettings, SettingsError, type Settings } from './config/settings.js';
import { ProcessGroups } from './process/process-group.js';
import { systemClock } from './restart/restart-monitor.js';
import { launchdJobs } from './service/launchd-jobs.js';
import { ConsoleTransport } from './transport/console-transport.js';
import { createTelegramClient } from './transport/telegram-client.js';
import { TelegramTransport } from './transport/telegram-transport.js';
import type { StoredPeer } from './transport/stored-peer.js';
import { LoginError, type Transport } from './transport/transport.js';
import { updateScriptRunner } from './update/run-update-script.js';

const processStartedAtMs = Date.now() - process.uptime() * 1000;
const LOG_ROTATION_INTERVAL_MS = 60 * 60 * 1000;

function log(line: string): void {
  process.stderr.write(`[bridge] ${new Date().toISOString()} ${line}\n`);
}

/** launchd appends to the agents' logs forever: cap them at start-up and hourly. */
function keepLogsCapped(root: string): void {
  const jobs = launchdJobs(root).all;
  const rotate = () => {
    for (const job of jobs) {
      if (rotateLog(path.join(root, job.log))) log(`rotated ${job.log} (previous kept as ${job.log}.1)`);
    }
  };
  rotate();
  setInterval(rotate, LOG_ROTATION_INTERVAL_MS).unref();
}

function loadSettings(root: string, consoleMode: boolean): Settings {
  loadEnvFile(root);
  return parseSettings(process.env, { console: consoleMode, hostName: os.hostname() });
}

function version(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${manifest.name} ${manifest.version}`;
}

function createTransport(settings: Settings, paths: ProjectPaths): Transport {
  if (!settings.telegram) {
    return new ConsoleTransport(process.stdin, process.stdout, process.stderr);
  }
  return new TelegramTransport(createTelegramClient(settings.telegram, settings.telegram.session, log), log, {
    peers: new JsonMapFile<StoredPeer>(paths.peers),
  });
}

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2));
  const paths = projectPaths(checkoutRoot());
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${version(paths.root)}\n`);
    return;
  }
  const consoleMode = command.console;
  // Capped first: a bad setting exits at once, and launchd logs every try.
  keepLogsCapped(paths.root);
  const settings = loadSettings(paths.root, consoleMode);
  const groups = new ProcessGroups();
  const transport = createTransport(settings, paths);
  const bridge = new Bridge({
    settings,
    paths,
    transport,
    runUpdate: updateScriptRunner(groups, paths.root, paths.updateScript),
    runAgent: settings.agentCommand ? shellAgentRunner(groups, settings.agentCommand, paths.root) : undefined,
    endProcessGroups: () => groups.endAll(),
    describeHead: () => describeHead(paths.root),
    clock: systemClock,
    sleep: (ms) => sleep(ms),
    kill: (pid, signal) => process.kill(pid, signal),
    pid: process.pid,
    exit: (code) => process.exit(code),
    processStartedAtMs,
    log,
  });
  process.on('SIGTERM', () => void bridge.shutdown('SIGTERM'));
  process.on('SIGINT', () => void bridge.shutdown('SIGINT'));
  void transport.lost().then((lost) => {
    log(lost.reason);
    void bridge.shutdown('LOGIN_LOST');
  });
  await bridge.start();
  if (transport instanceof ConsoleTransport) void transport.ended().then(() => bridge.finishWhenIdle());
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError || error instanceof UsageError || error instanceof LoginError) {
    log(error.message);
    process.exit(2);
  }
  log(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
