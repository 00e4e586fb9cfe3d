/**
 * The update job's bridge alert: a bot that posts to a chat through the
 * Telegram Bot API, never through the bridge it may be reporting on. Set in
 * .env or the environment; the alert is off unless both the token and the
 * chat are set. Pure.
 */
export interface AlertSettings {
  token: string;
  chat: string;
  /** The Bot API's base URL: Telegram's, or a self-hosted Bot API server. */
  apiUrl: string;
}

export const DEFAULT_API_URL = 'https://api.telegram.org';

/** The settings from the environment (.env already loaded), or undefined when the alert is not set up. */
export function parseAlertSettings(env: Record<string, string | undefined>): AlertSettings | undefined {
  const token = env.VALOR_ALERT_BOT_TOKEN?.trim();
  const chat = env.VALOR_ALERT_CHAT?.trim();
  if (!token || !chat) return undefined;
  return { token, chat, apiUrl: (env.VALOR_ALERT_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '') };
}
