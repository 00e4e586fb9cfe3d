import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPrompter, type InputEnd } from '../../src/terminal/prompter.js';

/** The prompter on a pipe (the terminal is covered by login-terminal.test.ts on a real pseudo-terminal). */

function pipe() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const ends: [InputEnd, boolean][] = [];
  const prompt = createPrompter(input, output, (how, open) => ends.push([how, open]));
  return { input, prompt, ends, written: () => written };
}

describe('questions on a pipe', () => {
  it('answers piped ahead of their questions are kept, in order; every question is still written', async () => {
    const { input, prompt, written } = pipe();
    input.write('+15550000001\n12345\n  secret words \n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await prompt.ask('Phone: ')).toBe('+15550000001');
    expect(await prompt.ask('Code: ')).toBe('12345');
    expect(await prompt.ask('Password: ', { secret: true })).toBe('secret words');
    expect(written()).toBe('Phone: \nCode: \nPassword: \n');
    prompt.close();
  });

  it('input that ends with a question open: "closed", once; input that ends after the last answer: nothing', async () => {
    const done = pipe();
    done.input.end('12345\n');
    expect(await done.prompt.ask('Code: ')).toBe('12345');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(done.ends).toEqual([]);

    const cut = pipe();
    void cut.prompt.ask('Code: ');
    cut.input.end();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(cut.ends).toEqual([['closed', true]]);
  });

  it('Ctrl-C as a signal (cancel) wins over the end of the pipe it also causes', async () => {
    const { input, prompt, ends } = pipe();
    void prompt.ask('Code: ');
    input.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    prompt.cancel();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ends).toEqual([['cancelled', true]]);
  });
});
