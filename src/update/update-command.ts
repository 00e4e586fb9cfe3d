/** Recognises /update, also addressed as /update@<own username>. */
export function isUpdateCommand(text: string, ownUsername?: string): boolean {
  const command = text.trim().toLowerCase();
  if (command === '/update') return true;
  return ownUsername !== undefined && command === `/update@${ownUsername.toLowerCase()}`;
}
