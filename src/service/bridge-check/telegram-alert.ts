import { spawn } from 'node:child_process';
import type { AlertSettings } from '../../config/alert-settings.js';
import { cutSecrets } from '../../lib/redact.js';

/**
 * Posts one message through the Telegram Bot API with curl, never through
 * the bridge it may be reporting on. The token travels in curl's config on
 * its standard input (`--config -`), so it is in no process's arguments, and
 * it is cut from anything said back.
 */
export const CURL_TIMEOUT_SECONDS = 20;

/** A value in double quotes for curl's config file. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

export function curlConfig(settings: AlertSettings, text: string): string {
  return [
    `url = ${quoted(`${settings.apiUrl}/bot${settings.token}/sendMessage`)}`,
    `data-urlencode = ${quoted(`chat_id=${settings.chat}`)}`,
    `data-urlencode = ${quoted(`text=${text}`)}`,
    `write-out = ${quoted('\n%{http_code}')}`,
    '',
  ].join('\n');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function redact(text: string, settings: AlertSettings): string {
  return cutSecrets(text, [settings.token], '<token>');
}

/** Why the Bot API's answer is not a success; undefined when it is. */
export function refusalOf(body: string, httpCode: string): string | undefined {
  let answer: { ok?: boolean; description?: string } = {};
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    // not JSON: a proxy's page, a wrong URL
  }
  if (httpCode === '200' && answer.ok === true) return undefined;
  return `HTTP ${httpCode}${answer.description ? `: ${answer.description}` : ''}`;
}

/** Resolves to undefined once posted, or to why not (one line, without the token). */
export function postAlert(settings: AlertSettings, text: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const childEnv = { ...env };
  delete childEnv.VALOR_ALERT_BOT_TOKEN;
  return new Promise((resolve) => {
    const curl = spawn('curl', ['--silent', '--show-error', '--max-time', String(CURL_TIMEOUT_SECONDS), '--config', '-'], {
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    curl.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    curl.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    curl.on('error', (error) => resolve(redact(`curl could not run: ${error.message}`, settings)));
    curl.on('close', (code) => {
      if (code !== 0) {
        const reason = stderr.trim().split('\n')[0] || `exit ${code}`;
        resolve(redact(`could not reach the Bot API at ${hostOf(settings.apiUrl)}: ${reason.replace(/^curl: \(\d+\) /, '')}`, settings));
        return;
      }
      const newline = stdout.lastIndexOf('\n');
      const refusal = refusalOf(stdout.slice(0, Math.max(newline, 0)), stdout.slice(newline + 1).trim());
      resolve(refusal === undefined ? undefined : redact(`the Bot API refused the message: ${refusal}`, settings));
    });
    curl.stdin.end(curlConfig(settings, text));
  });
}
