import { TELEGRAM_MESSAGE_LIMIT } from './transport.js';

/** Splits long text into Telegram-sized messages, preferring line breaks. Pure. */
export function splitMessage(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const lastBreak = rest.lastIndexOf('\n', limit);
    const cut = lastBreak > 0 ? lastBreak : limit;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut === lastBreak ? cut + 1 : cut);
  }
  parts.push(rest);
  return parts;
}
