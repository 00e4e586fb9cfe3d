import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { shellAgentRunner } from '../agent/agent-runner.js';
import { Bridge } from './bridge.js';
import { log } from './log.js';
import { rotateLog } from './log-rotation.js';
import { ChatMarks } from '../catchup/chat-marks.js';
import { JsonMapFile } from '../lib/json-map-file.js';
import { checkoutRoot, logFiles, projectPaths, type ProjectPaths } from '../config/paths.js';
import { describeHead, readCheckout } from '../git/checkout.js';
import { readLoadedCommit } from '../git/loaded-commit.js';
import { loadSettings } from '../config/load-settings.js';
import { SettingsError, type Settings } from '../config/settings.js';
import { ProcessGroups } from '../process/process-group.js';
import { systemClock } from '../restart/restart-monitor.js';
import { selfTestRunner } from '../restart/run-self-test.js';
import { consoleSettings } from '../config/console-settings.js';
import { consoleChats, consoleIntro } from '../transport/console-chats.js';
import { ConsoleTransport } from '../transport/console-transport.js';
import { createTelegramClient } from '../transport/telegram-client.js';
import { TelegramTransport } from '../transport/telegram-transport.js';
import type { StoredPeer } from '../transport/stored-peer.js';
import { LoginError, type Transport } from '../transport/transport.js';
import { updateScriptRunner } from '../update/run-update-script.js';
import { holdCommandRunner } from '../update/run-hold-command.js';

/**
 * The bridge process: src/main.ts loads this module only to run the bridge,
 * so that `--self-test` can report a broken module here in one line.
 */

const processStartedAtMs = Date.now() - process.uptime() * 1000;
const LOG_ROTATION_INTERVAL_MS = 60 * 60 * 1000;

/** The service manager appends to the logs forever: cap them at start-up and hourly. */
function keepLogsCapped(paths: ProjectPaths): void {
  const rotate = () => {
    for (const file of logFiles(paths)) {
      const name = path.relative(paths.root, file);
      if (rotateLog(file)) log(`rotated ${name} (previous kept as ${name}.1)`);
    }
  };
  rotate();
  setInterval(rotate, LOG_ROTATION_INTERVAL_MS).unref();
}

function createTransport(settings: Settings, paths: ProjectPaths, marks: ChatMarks): Transport {
  if (!settings.telegram) {
    return new ConsoleTransport(process.stdin, process.stdout, process.stderr, {
      chats: consoleChats(settings.chats),
      inbox: { file: paths.consoleInbox, takenUpTo: (chatId) => marks.get(chatId) },
      log,
    });
  }
  return new TelegramTransport(createTelegramClient(settings.telegram, settings.telegram.session, log), log, {
    peers: new JsonMapFile<StoredPeer>(paths.peers),
  });
}

/**
 * Runs the bridge until it exits. launchEnv: the environment it was started
 * with, before .env was loaded, as a new start after a restart would have it.
 */
export async function runBridge(consoleMode: boolean, launchEnv: NodeJS.ProcessEnv): Promise<void> {
  let bridge: Bridge | undefined;
  try {
    const created = await createBridge(consoleMode, launchEnv);
    bridge = created.bridge;
    await bridge.start();
    const { transport } = created;
    if (transport instanceof ConsoleTransport) void transport.ended().then(() => created.bridge.finishWhenIdle());
  } catch (error) {
    const code = startFailure(error);
    bridge?.recordExit(code);
    process.exit(code);
  }
}

async function createBridge(consoleMode: boolean, launchEnv: NodeJS.ProcessEnv): Promise<{ bridge: Bridge; transport: Transport }> {
  const paths = projectPaths(checkoutRoot());
  // Capped first: a bad setting exits at once, and launchd logs every try.
  keepLogsCapped(paths);
  const settings = loadSettings(paths.root, consoleMode, log);
  if (consoleMode) for (const line of consoleIntro(settings)) log(line);
  const loaded = await readLoadedCommit(paths.root, processStartedAtMs);
  const groups = new ProcessGroups();
  const marks = new ChatMarks(paths.chatMarks);
  const transport = createTransport(settings, paths, marks);
  const bridge = new Bridge({
    settings: consoleMode ? consoleSettings(settings) : settings,
    paths,
    transport,
    marks,
    runUpdate: updateScriptRunner(groups, paths.root, paths.updateScript),
    runHold: holdCommandRunner(groups, paths.root, paths.serviceScript),
    runAgent: settings.agentCommand ? shellAgentRunner(groups, settings.agentCommand, paths.root) : undefined,
    selfTest: selfTestRunner(groups, paths.root, { console: consoleMode, env: launchEnv }),
    loaded,
    readCheckout: () => readCheckout(paths.root),
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
  return { bridge, transport };
}

/** Says why the start failed; the exit code: 2 when a person must fix a setting or log in, else 1. */
function startFailure(error: unknown): number {
  if (error instanceof SettingsError) {
    for (const problem of error.problems) log(problem);
    return 2;
  }
  if (error instanceof LoginError) {
    log(error.message);
    return 2;
  }
  log(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}
