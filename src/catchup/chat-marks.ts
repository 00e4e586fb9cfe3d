import { JsonMapFile } from '../lib/json-map-file.js';

/**
 * Per monitored chat, the highest message id the bridge has durably taken in
 * (a job written, an /update handled, a message deliberately dropped). A
 * message ignored during a shutdown does not move it, so the next start
 * fetches it again.
 */
export class ChatMarks {
  private readonly marks: JsonMapFile<number>;

  constructor(file: string) {
    this.marks = new JsonMapFile<number>(file);
  }

  get(chatId: string): number | undefined {
    return this.marks.get(chatId);
  }

  /** Also from nothing to 0: a chat with no history yet is known from then on. */
  advance(chatId: string, messageId: number): void {
    const mark = this.marks.get(chatId);
    if (mark === undefined || mark < messageId) this.marks.set(chatId, messageId);
  }
}
