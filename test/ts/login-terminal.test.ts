import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';
import { API, personEnv } from './fixtures/person-env.js';
import { CTRL_C, runOnTerminal, type TerminalRun } from './fixtures/terminal.js';

/**
 * `npm run login` on a real pseudo-terminal, before it connects anywhere:
 * what a person sees on the screen, and how Ctrl-C and Ctrl-D end it.
 */

const PHONE_QUESTION = 'Phone number, international format (e.g. +441234567890):';

let clone: ProjectClone;
let run: TerminalRun | undefined;
beforeEach(() => {
  clone = createProjectClone();
});
afterEach(() => {
  run?.kill();
  clone.cleanup();
});

function lastLines(screen: string, n: number): string[] {
  return screen.split('\n').slice(-n);
}

describe('npm run login on a terminal', () => {
  it('the phone question stays on the screen with what is typed; Ctrl-C: login cancelled, exit 130, nothing left running', async () => {
    run = runOnTerminal(['npm', 'run', 'login'], { cwd: clone.machine, env: personEnv(API) });
    await run.waitFor(PHONE_QUESTION);
    run.type('+1555');
    await run.waitFor(`${PHONE_QUESTION} +1555`);
    run.type(CTRL_C);
    expect(await run.exited).toEqual({ exit: 130, signal: null, left: [] });
    expect(lastLines(run.screen(), 2)).toEqual([`${PHONE_QUESTION} +1555`, 'login cancelled']);
  });

  it('Ctrl-D at the question is giving up too, not "standard input closed"', async () => {
    run = runOnTerminal(['npm', 'run', 'login'], { cwd: clone.machine, env: personEnv(API) });
    await run.waitFor(PHONE_QUESTION);
    run.type('\x04');
    expect(await run.exited).toEqual({ exit: 130, signal: null, left: [] });
    expect(lastLines(run.screen(), 2)).toEqual([PHONE_QUESTION, 'login cancelled']);
  });

  it('answers piped in while the screen is a terminal: Ctrl-C is a signal then, and ends it the same way', async () => {
    run = runOnTerminal(['sh', '-c', 'sleep 60 | npm run login'], { cwd: clone.machine, env: personEnv(API) });
    await run.waitFor(PHONE_QUESTION);
    run.type(CTRL_C);
    const exit = await run.exited;
    expect(exit.left).toEqual([]);
    // The terminal itself echoes ^C when it is not in raw mode.
    expect(lastLines(run.screen(), 2)).toEqual([`${PHONE_QUESTION} ^C`, 'login cancelled']);
  });
});
