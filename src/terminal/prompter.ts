import readline from 'node:readline';
import { Writable } from 'node:stream';

const SIGNAL_GRACE_MS = 200;

/** How the person stopped answering: Ctrl-C (or Ctrl-D) on a terminal, or the end of piped input. */
export type InputEnd = 'cancelled' | 'closed';

export interface Prompter {
  /** The next answer, trimmed. Never settles once the input has ended: onEnd is called instead. */
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
  /** Ctrl-C that arrived as a signal (piped input): ends as the key does. */
  cancel(): void;
  close(): void;
}

/**
 * Questions on a terminal or a pipe. On a terminal each question is
 * readline's own prompt, so readline's redraws (it clears the line and
 * writes prompt + answer on every key) keep it on the screen; a secret
 * answer is not echoed. Ctrl-C reaches readline as a key there (raw mode),
 * not as a signal. Answers piped ahead of their question are kept.
 * `questionOpen` tells onEnd whether the cursor is still after a question.
 */
export function createPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
  onEnd: (how: InputEnd, questionOpen: boolean) => void,
): Prompter {
  const terminal = input.isTTY === true;
  let muted = false;
  const screen = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const lines = readline.createInterface({ input, output: screen, terminal });
  const early: string[] = [];
  let answer: ((line: string) => void) | undefined;
  let ended = false;
  let closing = false;

  const end = (how: InputEnd) => {
    if (ended) return;
    ended = true;
    const questionOpen = answer !== undefined;
    answer = undefined;
    muted = false;
    onEnd(how, questionOpen);
  };
  let inputClosed = false;
  lines.on('SIGINT', () => end('cancelled'));
  lines.on('close', () => {
    inputClosed = true;
    if (closing) return;
    // Ctrl-D on a terminal is giving up; on a pipe, the answers may all be in already.
    if (terminal) end('cancelled');
    // Ctrl-C at `… | npm run login` ends the pipe too: the signal, a moment behind, wins.
    else if (answer) setTimeout(() => end('closed'), SIGNAL_GRACE_MS);
  });
  lines.on('line', (line) => {
    const take = answer;
    if (!take) {
      early.push(line);
      return;
    }
    answer = undefined;
    // A terminal echoed the answer and its Enter, except a secret one; a pipe echoes nothing.
    if (muted || !terminal) output.write('\n');
    muted = false;
    lines.setPrompt('');
    take(line.trim());
  });

  return {
    ask(question, options = {}) {
      return new Promise<string>((resolve) => {
        const ready = early.shift();
        if (ready !== undefined) {
          output.write(`${question}\n`);
          resolve(ready.trim());
          return;
        }
        answer = resolve;
        if (inputClosed) {
          output.write(question);
          end(terminal ? 'cancelled' : 'closed');
          return;
        }
        lines.setPrompt(question);
        lines.prompt();
        muted = terminal && options.secret === true;
      });
    },
    cancel: () => end('cancelled'),
    close() {
      closing = true;
      lines.close();
    },
  };
}
