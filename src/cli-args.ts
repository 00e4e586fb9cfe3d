import { parseArgs } from 'node:util';

/** The bridge's command line. Pure. */

export type Command = { kind: 'run'; console: boolean } | { kind: 'self-test'; console: boolean } | { kind: 'help' } | { kind: 'version' };

export class UsageError extends Error {}

export const USAGE = `Usage: npm start [-- --console | --self-test [--console] | --help | --version]
       node --import tsx src/main.ts [--console | --self-test [--console] | --help | --version]

Runs the Valor bridge: a Telegram user client that answers in the chats of
VALOR_PROJECTS, runs /update, and restarts itself when an update asks.

  --console   use this terminal instead of Telegram: each line you type is a
              message in a monitored chat ("key: text" picks the project),
              each reply is printed here. The settings are checked as for
              Telegram; the Telegram credentials are not needed.
  --self-test check that this checkout can start, without connecting:
              load every module of src/, check the settings (those of
              console mode with --console) and the installed
              dependencies; prints "self-test passed: <commit>" (exit 0)
              or "self-test failed: <first error>" (exit 1). The bridge
              runs it on an updated checkout before restarting into it.
  --help      show this help
  --version   show the version

Settings come from the environment and from .env in the project root (see
.env.example). Telegram unreachable is no exit: the bridge retries by itself.
Exit status: 0 after Ctrl-C or the end of console input; 1 on an unexpected
failure; 2 on a bad setting or argument, or a session Telegram does not (or
no longer) accept (one line says which); 143 after SIGTERM (a restart for an
update, or the service stopping it).`;

export function parseCommandLine(argv: readonly string[]): Command {
  let values: { console?: boolean; 'self-test'?: boolean; help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        console: { type: 'boolean' },
        'self-test': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]!.replace(/\. To specify.*$/, '') : String(error);
    throw new UsageError(`${reason}. Run with --help for usage.`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values['self-test']) return { kind: 'self-test', console: values.console === true };
  return { kind: 'run', console: values.console === true };
}
