import { judgeLoginError, NoAccount } from './account/login-errors.js';
import { answered, connectWithin, REACH_TIMEOUT_MS, TelegramUnreachable } from './account/reach-telegram.js';
import { loadEnvFile } from './config/env-file.js';
import { checkoutRoot } from './config/paths.js';
import { parseApiCredentials, SettingsError } from './config/settings.js';
import { createPrompter, type InputEnd } from './terminal/prompter.js';
import { createTelegramClient } from './transport/telegram-client.js';

/**
 * npm run login: asks the phone number, the login code and, when the
 * account has one, the two-step verification password, then prints the
 * session string to save as TELEGRAM_SESSION. Needs TELEGRAM_API_ID and
 * TELEGRAM_API_HASH (from https://my.telegram.org), from .env or the shell.
 * The phone number is asked before connecting, so a closed or empty input
 * fails at once. It signs in to an existing account; it never creates one.
 *
 * Exit codes: 0 logged in, 1 Telegram unreachable or the login refused,
 * 2 bad settings or phone number, 130 cancelled (Ctrl-C).
 */

const EXIT_CANCELLED = 130;

class LoginRefused extends Error {}

function inputEnded(how: InputEnd, questionOpen: boolean): never {
  // The cursor is still after the question on a terminal: end that line first.
  const newLine = questionOpen && process.stdout.isTTY ? '\n' : '';
  if (how === 'cancelled') {
    process.stderr.write(`${newLine}login cancelled\n`);
    process.exit(EXIT_CANCELLED);
  }
  process.stderr.write(`${newLine}Standard input closed before the login finished: run npm run login in a terminal and answer its questions.\n`);
  process.exit(1);
}

async function login(): Promise<number> {
  loadEnvFile(checkoutRoot());
  const credentials = parseApiCredentials(process.env);
  const prompt = createPrompter(process.stdin, process.stdout, inputEnded);
  // Piped input leaves Ctrl-C to the terminal driver: a signal, not a key.
  process.on('SIGINT', () => prompt.cancel());
  const phone = await prompt.ask('Phone number, international format (e.g. +441234567890): ');
  if (!/^\+?[0-9 ]{6,}$/.test(phone)) throw new SettingsError(`"${phone}" is not a phone number: write it with the country code, e.g. +441234567890`);
  console.log('Connecting to Telegram…');
  // The person reads this screen: gramjs's own lines would only bury the questions.
  const client = createTelegramClient(credentials, '', () => {});
  await connectWithin(client, REACH_TIMEOUT_MS, 'npm run login');
  let refusal: string | undefined;
  try {
    await client.start({
      phoneNumber: async () => phone,
      phoneCode: () => prompt.ask('Login code Telegram sent you: '),
      password: () => prompt.ask('Two-step verification password (not shown): ', { secret: true }),
      firstAndLastNames: async () => {
        throw new NoAccount();
      },
      onError: async (error) => {
        const verdict = judgeLoginError(error, phone);
        if (verdict.askAgain) console.error(verdict.line);
        else refusal = verdict.line;
        return !verdict.askAgain;
      },
    });
  } catch (error) {
    throw new LoginRefused(refusal ?? `Login failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  prompt.close();
  const me = await answered(client.getMe(), REACH_TIMEOUT_MS, 'reading the account', 'npm run login');
  const who = me.username ? `@${me.username}` : `${me.firstName ?? 'user'} (no username)`;
  console.log(`\nLogged in as ${who}, id ${String(me.id)}. Save this line in .env:\n`);
  console.log(`TELEGRAM_SESSION=${String(client.session.save())}`);
  console.log('\nThe bridge ignores messages sent by this account: type /update from another account.');
  console.log('Next: npm run chats lists the chats and their ids for VALOR_PROJECTS.');
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
    if (error instanceof TelegramUnreachable || error instanceof LoginRefused) {
      console.error(error.message);
      process.exit(1);
    }
    console.error(`Login failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
