/** What the update script is run for: an update, or only a check of one. */
export type UpdateMode = 'update' | 'check';

/** What scripts/valor-service.sh is run for from the chat. */
export type HoldAction = 'hold' | 'resume';

/**
 * /update hold [MACHINE] [for 4h] [REASON] and /update resume [MACHINE]:
 * the machine named (undefined: every machine in the chat), and the words
 * after it, for scripts/valor-service.sh hold or resume, which owns their
 * grammar.
 */
export interface HoldCommand {
  action: HoldAction;
  machine: string | undefined;
  words: string[];
}

/** What an /update message asks for: a run of the script, the machine's status, a hold or its end, or (any other argument) the usage. */
export type UpdateCommand = UpdateMode | 'status' | 'usage' | HoldCommand;

const ARGUMENTS: Record<string, UpdateCommand> = { check: 'check', '--check': 'check', status: 'status', '--status': 'status' };

/** The word that starts a hold's duration (`for 4h`). */
const FOR = 'for';

/**
 * The word right after hold or resume names the machine, unless it starts
 * the duration: to hold every machine with a reason, give the duration first
 * (`/update hold for 24h the demo`). The reason keeps its case; `for` and its
 * duration are passed on as the script reads them, in lower case.
 */
function holdCommand(action: HoldAction, words: string[]): HoldCommand {
  const named = words[0] !== undefined && words[0].toLowerCase() !== FOR;
  const rest = named ? words.slice(1) : words;
  if (rest[0]?.toLowerCase() === FOR) {
    rest[0] = FOR;
    if (rest[1] !== undefined) rest[1] = rest[1].toLowerCase();
  }
  return { action, machine: named ? words[0] : undefined, words: rest };
}

/**
 * Recognises /update, /update check (also --check), /update status (also
 * --status), /update hold … and /update resume …, each also addressed as
 * /update@<own username>; any other argument asks for the usage. Anything
 * else is not a command.
 */
export function parseUpdateCommand(text: string, ownUsername?: string): UpdateCommand | undefined {
  const [word = '', ...args] = text.trim().split(/\s+/);
  const command = word.toLowerCase();
  const addressed = command === '/update' || (ownUsername !== undefined && command === `/update@${ownUsername.toLowerCase()}`);
  if (!addressed) return undefined;
  if (args.length === 0) return 'update';
  const first = args[0]!.toLowerCase();
  if (first === 'hold' || first === 'resume') return holdCommand(first, args.slice(1));
  const argument = args.length === 1 ? first : '';
  return Object.hasOwn(ARGUMENTS, argument) ? ARGUMENTS[argument]! : 'usage';
}

/** Whether a command that names a machine names this one (names compared without regard to case). */
export function namesThisMachine(command: HoldCommand, machineName: string): boolean {
  return command.machine === undefined || command.machine.toLowerCase() === machineName.toLowerCase();
}
