import readline from 'node:readline/promises';
import { createTelegramClient } from './transport/telegram-client.js';

/**
 * npm run login: gramjs's phone / code / 2FA login, then prints the session
 * string to save as TELEGRAM_SESSION. Needs TELEGRAM_API_ID and
 * TELEGRAM_API_HASH (from https://my.telegram.org), from .env or the shell.
 */
async function login(): Promise<void> {
  const fs = await import('node:fs');
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const apiId = Number(process.env.TELEGRAM_API_ID);
  const apiHash = process.env.TELEGRAM_API_HASH ?? '';
  if (!apiId || !apiHash) {
    console.error('Set TELEGRAM_API_ID and TELEGRAM_API_HASH (from https://my.telegram.org) in .env first.');
    process.exit(2);
  }
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  const client = createTelegramClient({ apiId, apiHash });
  await client.start({
    phoneNumber: () => prompt.question('Phone number (international format): '),
    phoneCode: () => prompt.question('Login code Telegram sent you: '),
    password: () => prompt.question('Two-step verification password: '),
    onError: (error) => console.error(`Login failed: ${error.message}`),
  });
  prompt.close();
  console.log('\nLogged in. Save this line in .env:\n');
  console.log(`TELEGRAM_SESSION=${String(client.session.save())}`);
  await client.disconnect();
  process.exit(0);
}

void login();
