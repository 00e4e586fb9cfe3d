/** What the update script is run for: an update, or only a check of one. */
export type UpdateMode = 'update' | 'check';

/** What an /update message asks for: a run of the script, the machine's status, or (any other argument) the usage. */
export type UpdateCommand = UpdateMode | 'status' | 'usage';

const ARGUMENTS: Record<string, UpdateCommand> = { check: 'check', '--check': 'check', status: 'status', '--status': 'status' };

/**
 * Recognises /update, /update check (also --check) and /update status (also
 * --status), each also addressed as /update@<own username>; any other
 * argument asks for the usage. Anything else is not a command.
 */
export function parseUpdateCommand(text: string, ownUsername?: string): UpdateCommand | undefined {
  const [command, ...args] = text.trim().toLowerCase().split(/\s+/);
  const addressed = command === '/update' || (ownUsername !== undefined && command === `/update@${ownUsername.toLowerCase()}`);
  if (!addressed) return undefined;
  if (args.length === 0) return 'update';
  const argument = args.length === 1 ? args[0]! : '';
  return Object.hasOwn(ARGUMENTS, argument) ? ARGUMENTS[argument]! : 'usage';
}
