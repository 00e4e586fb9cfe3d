import readline from 'node:readline';
import { Writable } from 'node:stream';
import { loadEnvFile } from './config/env-file.js';
import { checkoutRoot } from './config/paths.js';
import { parseApiCredentials, SettingsError } from './config/settings.js';
import { createTelegramClient } from './transport/telegram-client.js';

/**
 * npm run login: gramjs's phone / code / 2FA login, then prints the session
 * string to save as TELEGRAM_SESSION. Needs TELEGRAM_API_ID and
 * TELEGRAM_API_HASH (from https://my.telegram.org), from .env or the shell.
 * The phone number is asked before connecting, so a closed or empty input
 * fails at once; the 2FA password is not echoed.
 */

class InputClosed extends Error {}

/** Questions on a terminal or a pipe; the answers to secret ones are not echoed. */
function prompter() {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const lines = readline.createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  let closed = false;
  let waiting: ((error: Error) => void) | undefined;
  lines.on('close', () => {
    closed = true;
    waiting?.(new InputClosed());
  });
  const ask = (question: string, secret = false): Promise<string> => {
    if (closed) return Promise.reject(new InputClosed());
    process.stdout.write(question);
    muted = secret;
    return new Promise<string>((resolve, reject) => {
      waiting = reject;
      lines.question('', (answer) => {
        waiting = undefined;
        if (secret) process.stdout.write('\n');
        muted = false;
        resolve(answer.trim());
      });
    });
  };
  return { ask, close: () => lines.close() };
}

async function login(): Promise<number> {
  loadEnvFile(checkoutRoot());
  const credentials = parseApiCredentials(process.env);
  const prompt = prompter();
  const phone = await prompt.ask('Phone number, international format (e.g. +441234567890): ');
  if (!/^\+?[0-9 ]{6,}$/.test(phone)) throw new SettingsError(`"${phone}" is not a phone number: write it with the country code, e.g. +441234567890`);
  console.log('Connecting to Telegram…');
  const client = createTelegramClient(credentials);
  await client.start({
    phoneNumber: async () => phone,
    phoneCode: () => prompt.ask('Login code Telegram sent you: '),
    password: () => prompt.ask('Two-step verification password (not shown): ', true),
    onError: async (error) => {
      if (error instanceof InputClosed) return true;
      console.error(`Login failed: ${error.message}`);
      return false;
    },
  });
  prompt.close();
  console.log('\nLogged in. Save this line in .env:\n');
  console.log(`TELEGRAM_SESSION=${String(client.session.save())}`);
  await client.disconnect();
  return 0;
}

login().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof SettingsError) {
      console.error(error.message);
      process.exit(2);
    }
    if (error instanceof InputClosed) {
      console.error('Standard input closed before the login finished: run npm run login in a terminal and answer its questions.');
      process.exit(1);
    }
    console.error(`Login failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
