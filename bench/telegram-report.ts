import { formatMs, formatSummary, summarize } from './stats.js';
import { markdownTable } from './table.js';
import type { TelegramLoadRound } from './telegram-load.js';
import type { OutageRun } from './telegram-outage.js';
import type { TelegramUpdateRun } from './telegram-update.js';

/** What `npm run bench` measured against the local Telegram server. */
export interface TelegramResults {
  update: TelegramUpdateRun[];
  outage: OutageRun[];
  load: TelegramLoadRound[];
}

export function renderTelegramResults({ update, outage, load }: TelegramResults): string {
  const outageSeconds = outage[0] ? outage[0].outageMs / 1000 : 0;
  return [
    '## Against the local Telegram server',
    '',
    'The real bridge (`npm start`) and a second user, each with their own connection to the server in',
    '../shared/telegram-server (piltover, on 127.0.0.1); times as the second user\'s client receives the messages.',
    '',
    markdownTable(
      ['Measure', 'Median (p25–p75)', 'Min–max', 'Runs'],
      [
        ['`/update` (one new commit) until its reply arrives', ...cells(update.map((r) => r.replyMs))],
        ['restart flag written until the reply is edited to "restarted on" (self-test included)', ...cells(update.map((r) => r.flagToNoticeMs))],
        [`server back after ${outageSeconds} s down until a message sent at that moment is answered`, ...cells(outage.map((r) => r.answerMs))],
        [`bridge log lines during those ${outageSeconds} s and the reconnection`, ...lineCells(outage.map((r) => r.logLines))],
      ],
    ),
    '',
    `Restart under load: ${load[0]?.messages ?? 0} messages from the second user, an \`/update\` sent after the 50th`,
    '(or the bridge killed with SIGKILL after 30 answers), the bridge started again at once as launchd would;',
    'answers counted in the chat\'s history on the server.',
    '',
    markdownTable(
      ['Round', 'Interruption', 'Answered once', 'Lost', 'Answered twice', 'Before / after', 'First exit', 'Exit → ready', 'All answered after'],
      load.map((r, i) => [
        String(i + 1),
        r.interruption === 'update' ? '/update' : 'SIGKILL',
        `${r.answeredOnce}/${r.messages}`,
        String(r.lost),
        String(r.doubled),
        `${r.answeredBefore} / ${r.answeredAfter}`,
        String(r.firstExitCode),
        formatMs(r.restartGapMs),
        formatMs(r.totalMs),
      ]),
    ),
    '',
  ].join('\n');
}

function cells(samples: number[]): [string, string, string] {
  const s = summarize(samples);
  return [formatSummary(s), `${formatMs(s.min)}–${formatMs(s.max)}`, String(s.runs)];
}

function lineCells(samples: number[]): [string, string, string] {
  const s = summarize(samples);
  return [`${s.median} (${s.p25}–${s.p75})`, `${s.min}–${s.max}`, String(s.runs)];
}
