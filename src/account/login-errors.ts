/** What `npm run login` says about an error during the sign-in, and whether it asks again. */
export interface LoginErrorVerdict {
  line: string;
  askAgain: boolean;
}

/** Thrown by our own sign-up answer: this tool signs in, it never creates accounts. */
export class NoAccount extends Error {}

function rpcMessage(error: unknown): string | undefined {
  const message = (error as { errorMessage?: unknown }).errorMessage;
  return typeof message === 'string' ? message : undefined;
}

export function judgeLoginError(error: unknown, phone: string): LoginErrorVerdict {
  if (error instanceof NoAccount) {
    return { line: `${phone} has no Telegram account: sign up in a Telegram app first, then run npm run login again`, askAgain: false };
  }
  const rpc = rpcMessage(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (rpc) {
    case 'PHONE_CODE_INVALID':
      return { line: 'That is not the code Telegram sent (PHONE_CODE_INVALID): type it again.', askAgain: true };
    case 'PHONE_CODE_EMPTY':
      return { line: 'Type the code Telegram sent to your Telegram app (or by SMS).', askAgain: true };
    case 'PASSWORD_HASH_INVALID':
      return { line: 'That is not the two-step verification password (PASSWORD_HASH_INVALID): type it again.', askAgain: true };
    case 'PHONE_CODE_EXPIRED':
      return { line: 'The login code expired (PHONE_CODE_EXPIRED): run npm run login again and type the new code.', askAgain: false };
    case 'PHONE_NUMBER_INVALID':
    case 'PHONE_NUMBER_BANNED':
      return { line: `Telegram refuses ${phone} (${rpc}): check the number, then run npm run login again`, askAgain: false };
    case undefined:
      break;
    default:
      if ((error as { seconds?: unknown }).seconds !== undefined) {
        return { line: `Telegram asks to wait ${String((error as { seconds: number }).seconds)} s before the next login (${rpc}): run npm run login again then`, askAgain: false };
      }
      return { line: `Login failed: ${rpc}`, askAgain: false };
  }
  // gramjs's own checks of an empty answer.
  if (message === 'Code is empty') return { line: 'Type the code Telegram sent to your Telegram app (or by SMS).', askAgain: true };
  if (message === 'Password is empty') return { line: 'Type your two-step verification password.', askAgain: true };
  return { line: `Login failed: ${message}`, askAgain: false };
}
