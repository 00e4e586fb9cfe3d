/** Cuts secrets out of text that leaves the machine (a chat, an alert). Pure. */

export const REDACTED = '[redacted]';

/** Each secret (4 characters or more: shorter ones would cut ordinary words) replaced by `mark`. */
export function cutSecrets(text: string, secrets: readonly string[], mark = REDACTED): string {
  let cut = text;
  for (const secret of secrets) {
    if (secret.length >= 4) cut = cut.split(secret).join(mark);
  }
  return cut;
}

/** Credentials in URLs (https://user:token@host) and the given secrets. */
export function redact(text: string, secrets: readonly string[]): string {
  return cutSecrets(text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`), secrets);
}
