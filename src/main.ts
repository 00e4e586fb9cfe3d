import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { log } from './bridge/log.js';
import { parseCommandLine, USAGE, UsageError } from './cli-args.js';
import { runSelfTest } from './restart/self-test.js';

/**
 * `npm start`. Imports only what reads the command line and the self-test:
 * the bridge itself is loaded when it runs, so that the self-test reports a
 * broken module of the bridge in one line instead of failing to load.
 */

// What a new start would have: .env is loaded into process.env later.
const launchEnv = { ...process.env };

// The checkout this file is in, without ./config/paths.js and the packages that it loads.
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

function version(): string {
  const manifest = JSON.parse(fs.readFileSync(`${root}/package.json`, 'utf8')) as { name: string; version: string };
  return `${manifest.name} ${manifest.version}`;
}

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return;
  }
  if (command.kind === 'self-test') {
    process.exitCode = await runSelfTest(root, command.console, process.stdout, process.stderr);
    return;
  }
  const { runBridge } = await import('./bridge/run-bridge.js');
  await runBridge(command.console, launchEnv);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    log(error.message);
    process.exit(2);
  }
  log(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
