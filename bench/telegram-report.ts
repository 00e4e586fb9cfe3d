import { IDLE_BEFORE_UPDATE_MS } from './measure.js';
import { FLAG_TO_READY_GOAL_MS } from './report.js';
import { formatMs, formatSummary, summarize, underGoal, verdict } from './stats.js';
import { markdownTable } from './table.js';
import type { TelegramLoadRound } from './telegram-load.js';
import type { OutageRun } from './telegram-outage.js';
import type { TelegramUpdateRun } from './telegram-update.js';

/** What `npm run bench` measured against the local Telegram server (empty: not measured this time). */
export interface TelegramResults {
  update: TelegramUpdateRun[];
  outage: OutageRun[];
  load: TelegramLoadRound[];
}

/** A message sent as the server returns from an outage is answered within this (median). */
export const BACK_AFTER_OUTAGE_GOAL_MS = 3000;
/** About one connection attempt a second while the server is down (20% for the attempts' own time). */
export const ATTEMPTS_PER_SECOND_GOAL = 1;

type Row = [string, string, string, string, string];

function updateRows(update: TelegramUpdateRun[]): Row[] {
  if (update.length === 0) return [];
  return [
    ['`/update` (one new commit) until its reply arrives', ...cells(update.map((r) => r.replyMs)), '—'],
    ['restart flag written until the reply is edited to "restarted on" (self-test included)', ...cells(update.map((r) => r.flagToNoticeMs)), '—'],
    ['`/update` sent until its reply is edited to "restarted on": the whole wait, as the person sees it', ...cells(update.map((r) => r.updateToNoticeMs)), '—'],
    [
      'restart flag written until the new bridge is ready (self-test and connection to the server included)',
      ...cells(update.map((r) => r.flagToReadyMs)),
      underGoal(summarize(update.map((r) => r.flagToReadyMs)), FLAG_TO_READY_GOAL_MS),
    ],
    ['of which the new process, from `npm start` to ready', ...cells(update.map((r) => r.startToReadyMs)), '—'],
  ];
}

function outageRows(outage: OutageRun[]): Row[] {
  return [...new Set(outage.map((r) => r.outageMs))].flatMap((outageMs): Row[] => {
    const runs = outage.filter((r) => r.outageMs === outageMs);
    const seconds = outageMs / 1000;
    const answered = summarize(runs.map((r) => r.answerMs));
    const rates = runs.flatMap((r) => (r.attempts === undefined ? [] : [(r.attempts * 1000) / r.downMs]));
    const attempts = `connection attempts a second while the server was down (${seconds} s, and its start)`;
    const overBudget = runs.filter((r) => r.logLines > r.lineBudget).length;
    return [
      [`server back after ${seconds} s down until a message sent at that moment is answered`, ...cells(runs.map((r) => r.answerMs)), underGoal(answered, BACK_AFTER_OUTAGE_GOAL_MS)],
      [`bridge log lines from the stop (${seconds} s) to that answer`, ...countCells(runs.map((r) => r.logLines)), `≤ 40 in 150 s, pro rata: ${verdict(overBudget === 0)}`],
      rates.length === 0
        ? [attempts, 'not measured (no strace)', '', '', '']
        : [attempts, ...rateCells(rates), `about ${ATTEMPTS_PER_SECOND_GOAL}: ${verdict(Math.max(...rates) <= ATTEMPTS_PER_SECOND_GOAL * 1.2)}`],
    ];
  });
}

function loadSection(load: TelegramLoadRound[]): string[] {
  if (load.length === 0) return [];
  return [
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
  ];
}

export function renderTelegramResults({ update, outage, load }: TelegramResults): string {
  const rows = [...updateRows(update), ...outageRows(outage)];
  return [
    '## Against the local Telegram server',
    '',
    'The real bridge (`npm start`) and a second user, each with their own connection to the server in',
    '../shared/telegram-server (piltover, on 127.0.0.1); times as the second user\'s client receives the messages.',
    `Before each \`/update\` the bridge is left idle ${formatMs(IDLE_BEFORE_UPDATE_MS)}, as a bridge waits for updates.`,
    '',
    ...(rows.length === 0 ? [] : [markdownTable(['Measure', 'Median (p25–p75)', 'Min–max', 'Runs', 'Goal'], rows), '']),
    ...loadSection(load),
  ].join('\n');
}

function cells(samples: number[]): [string, string, string] {
  const s = summarize(samples);
  return [formatSummary(s), `${formatMs(s.min)}–${formatMs(s.max)}`, String(s.runs)];
}

function rateCells(samples: number[]): [string, string, string] {
  const s = summarize(samples);
  const rate = (value: number) => value.toFixed(2);
  return [`${rate(s.median)} (${rate(s.p25)}–${rate(s.p75)})`, `${rate(s.min)}–${rate(s.max)}`, String(s.runs)];
}

function countCells(samples: number[]): [string, string, string] {
  const s = summarize(samples);
  return [`${s.median} (${s.p25}–${s.p75})`, `${s.min}–${s.max}`, String(s.runs)];
}
