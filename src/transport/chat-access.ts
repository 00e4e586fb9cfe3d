import { errors } from 'telegram';

/**
 * Telegram's answers that mean the account can no longer use a chat: removed
 * or banned from the group, the group deleted, or an id that was never one
 * of its chats. Retrying cannot help; a person must look.
 */
const NO_LONGER_READABLE = new Set([
  'CHANNEL_PRIVATE',
  'CHANNEL_INVALID',
  'CHANNEL_PUBLIC_GROUP_NA',
  'CHAT_ID_INVALID',
  'CHAT_FORBIDDEN',
  'PEER_ID_INVALID',
  'USER_BANNED_IN_CHANNEL',
  'USER_NOT_PARTICIPANT',
]);
const NOT_WRITABLE = new Set(['CHAT_WRITE_FORBIDDEN', 'CHAT_SEND_PLAIN_FORBIDDEN', 'CHAT_RESTRICTED', 'CHAT_ADMIN_REQUIRED']);

/** The account's access to a chat is gone: `chat -100…: no longer readable (CHANNEL_PRIVATE): …`. */
export class ChatAccessError extends Error {
  constructor(
    readonly chatId: string,
    readonly detail: string,
  ) {
    super(`chat ${chatId}: ${detail}`);
  }
}

/** A chat-access answer as a ChatAccessError; undefined for anything else (network, flood, 401). */
export function chatAccessError(chatId: string, error: unknown): ChatAccessError | undefined {
  if (!(error instanceof errors.RPCError)) return undefined;
  const code = error.errorMessage;
  if (NO_LONGER_READABLE.has(code)) {
    return new ChatAccessError(chatId, `no longer readable (${code}): removed from the group, or the group deleted? Check the account's groups and VALOR_PROJECTS`);
  }
  if (NOT_WRITABLE.has(code)) {
    return new ChatAccessError(chatId, `cannot write there (${code}): removed from the group, or not allowed to post? Check the account's groups and VALOR_PROJECTS`);
  }
  return undefined;
}
