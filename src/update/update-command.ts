/** What an /update message asks for: an update, or only a check of one. */
export type UpdateMode = 'update' | 'check';

/**
 * Recognises /update and /update check (also /update --check), each also
 * addressed as /update@<own username>. Anything else is not a command.
 */
export function parseUpdateCommand(text: string, ownUsername?: string): UpdateMode | undefined {
  const [command, argument, ...rest] = text.trim().toLowerCase().split(/\s+/);
  if (rest.length > 0) return undefined;
  const addressed = command === '/update' || (ownUsername !== undefined && command === `/update@${ownUsername.toLowerCase()}`);
  if (!addressed) return undefined;
  if (argument === undefined) return 'update';
  return argument === 'check' || argument === '--check' ? 'check' : undefined;
}
