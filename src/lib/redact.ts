/** Cuts secrets out of text that leaves the machine (a chat, an alert). Pure. */

export const REDACTED = '[redacted]';

/** Each secret replaced by `mark`. */
export function cutSecrets(text: string, secrets: readonly string[], mark = REDACTED): string {
  return secrets.reduce((cut, secret) => cut.split(secret).join(mark), text);
}

/** Credentials in URLs (https://user:token@host), and the configured secrets of 4 characters or more (shorter ones would cut ordinary words). */
export function redact(text: string, secrets: readonly string[]): string {
  const urlsCut = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`);
  return cutSecrets(urlsCut, secrets.filter((secret) => secret.length >= 4));
}
