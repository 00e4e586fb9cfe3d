import type { Environment } from './environment.js';
import { IDLE_BEFORE_UPDATE_MS, type RunPlan } from './measure.js';
import type { LoadRound } from './restart-under-load.js';
import { formatMs, formatRatio, formatSummary, underGoal, verdict } from './stats.js';
import { markdownTable } from './table.js';
import type { TimeToNewCode } from './time-to-new-code.js';
import type { ReplyCase } from './update-reply.js';
import type { Overhead } from './update-overhead.js';

/** Everything one `npm run bench` measured, rendered as results.md; with --only, some measures are absent. */
export interface Results {
  environment: Environment;
  plan: RunPlan;
  overhead?: Overhead;
  replies?: ReplyCase[];
  timeToNewCode?: TimeToNewCode;
  load?: LoadRound[];
}

export const OVERHEAD_GOAL = 1.3;
export const PROCESS_GOAL_UP_TO_DATE = 6;
export const PROCESS_GOAL_NEW_COMMITS = 9;
export const FLAG_TO_EXIT_GOAL_MS = 1000;
export const COLD_START_GOAL_MS = 1500;
export const FLAG_TO_READY_GOAL_MS = 1000;

function environmentSection(results: Results): string {
  const { environment: env, plan } = results;
  return [
    '# Benchmark results',
    '',
    `Measured ${env.date} by \`npm run bench\`: ${plan.runs} runs per case after ${plan.warmup} warm-up runs.`,
    'Times are the median, with the middle half of the runs (p25–p75) in brackets.',
    '',
    markdownTable(
      ['Machine', ''],
      [
        ['node', env.node],
        ['git', env.git],
        ['bash', env.bash],
        ['system', env.system],
        ['CPUs', env.cpus],
        ['load average (1 min)', `${env.loadAtStart.toFixed(2)} at the start${env.loadAtEnd === undefined ? '' : `, ${env.loadAtEnd.toFixed(2)} at the end`}`],
      ],
    ),
  ].join('\n');
}

function overheadSection(overhead: Overhead): string {
  const rows = overhead.cases.map((c) => [
    c.repository,
    c.state,
    formatSummary(c.script),
    formatSummary(c.git),
    formatMs(c.script.median - c.git.median),
    formatRatio(c.script, c.git),
    `≤ ${OVERHEAD_GOAL}×: ${verdict(c.script.median <= c.git.median * OVERHEAD_GOAL)}`,
  ]);
  const processRows = overhead.cases.map((c) => {
    const goal = c.state === 'up to date' ? PROCESS_GOAL_UP_TO_DATE : PROCESS_GOAL_NEW_COMMITS;
    if (c.processes === undefined) return [c.repository, c.state, 'n/a', 'n/a', 'n/a', `≤ +${goal}: not measured (no strace)`];
    const added = c.processes.script - c.processes.git;
    return [c.repository, c.state, String(c.processes.script), String(c.processes.git), `+${added}`, `≤ +${goal}: ${verdict(added <= goal)}`];
  });
  const cost = overhead.processCost;
  return [
    '## 1. Script overhead vs raw git',
    '',
    '`bash scripts/remote-update.sh` and `git pull --ff-only` in two identical clones of one local bare origin, runs interleaved.',
    '',
    markdownTable(['Repository', 'State', 'remote-update.sh', 'git pull --ff-only', 'Added', 'Ratio', 'Goal'], rows),
    '',
    'Processes each started (successful `execve` under `strace -f`, one run after the timed ones; the tree is clean):',
    '',
    markdownTable(['Repository', 'State', 'remote-update.sh', 'git pull --ff-only', 'Added', 'Goal'], processRows),
    '',
    'What one process costs on this machine:',
    '',
    markdownTable(
      ['Process', 'Time'],
      [
        ['`git rev-parse HEAD`', formatSummary(cost.gitRevParse)],
        ['`bash -c :`', formatSummary(cost.bashNoop)],
      ],
    ),
  ].join('\n');
}

function replySection(replies: ReplyCase[]): string {
  const rows = replies.map((c) => [
    c.state,
    formatSummary(c.reply),
    formatSummary(c.script),
    formatMs(c.reply.median - c.script.median),
  ]);
  return [
    '## 2. `/update` answer time',
    '',
    'The bridge in `--console` mode: from writing `/update` to its reply being printed; the script\'s own time is the one the bridge logged for the same run.',
    '',
    markdownTable(['State', 'Reply printed', 'Script alone', "Bridge's share"], rows),
  ].join('\n');
}

function timeToNewCodeSection(t: TimeToNewCode): string {
  return [
    '## 3. Time to new code',
    '',
    `Idle: the bridge is left idle ${formatMs(IDLE_BEFORE_UPDATE_MS)} before its flag, as a bridge waits for updates (its next self-test is started ahead, once it is ready).`,
    '',
    markdownTable(
      ['From → to', 'Time', 'Goal'],
      [
        ['`data/restart-requested` written → bridge exits, idle (self-test included)', formatSummary(t.flagToExitIdle), underGoal(t.flagToExitIdle, FLAG_TO_EXIT_GOAL_MS)],
        ["of which the checkout's self-test (from the bridge's \"running the self-test\" to its \"self-test passed\")", formatSummary(t.selfTest), '—'],
        ["last running job's reply → bridge exits, busy", formatSummary(t.jobEndToExitBusy), '—'],
        ['process start → ready, console mode (cold start)', formatSummary(t.coldStart), underGoal(t.coldStart, COLD_START_GOAL_MS)],
        ['`data/restart-requested` written → new bridge ready, respawned at once (self-test included)', formatSummary(t.flagToNewBridgeReady), underGoal(t.flagToNewBridgeReady, FLAG_TO_READY_GOAL_MS)],
      ],
    ),
    '',
    "launchd's own respawn delay is not included: nothing here runs launchd.",
  ].join('\n');
}

function loadSection(load: LoadRound[]): string {
  const rows = load.map((r) => [
    r.interruption === 'update' ? '/update lands' : 'SIGKILL',
    String(r.messages),
    String(r.answeredOnce),
    r.lost.length === 0 ? '0' : `${r.lost.length} (${r.lost.join(', ')})`,
    r.doubled.length === 0 ? '0' : `${r.doubled.length} (${r.doubled.join(', ')})`,
    `${r.answeredBefore} / ${r.answeredAfter}`,
    String(r.firstExitCode ?? 'signal'),
    formatMs(r.restartGapMs),
    formatMs(r.totalMs),
  ]);
  return [
    '## 4. Restart under load',
    '',
    'Messages 1–50, then `/update` with a new commit on the origin (or, for SIGKILL, nothing), then messages 51–100, written at once to a bridge whose agent takes 20 ms a message. A second bridge starts as soon as the first exits and answers what is left on disk.',
    '',
    markdownTable(
      ['Interruption', 'Messages', 'Answered once', 'Lost', 'Answered twice', 'Answered before / after', 'First exit', 'Exit → ready', 'Total'],
      rows,
    ),
  ].join('\n');
}

export function renderResults(results: Results): string {
  const { overhead, replies, timeToNewCode, load } = results;
  const sections = [
    environmentSection(results),
    overhead && overheadSection(overhead),
    replies && replySection(replies),
    timeToNewCode && timeToNewCodeSection(timeToNewCode),
    load && loadSection(load),
  ];
  return `${sections.filter((section) => section !== undefined).join('\n\n')}\n`;
}
