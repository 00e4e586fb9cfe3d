import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeEnvironment, loadAverage } from './environment.js';
import type { RunPlan } from './measure.js';
import { renderResults } from './report.js';
import { measureRestartUnderLoad } from './restart-under-load.js';
import { measureSystemdRestart, renderSystemdRestart, systemdBenchUnavailable, type SystemdRestart } from './systemd-restart.js';
import { measureAgainstTelegram, TELEGRAM_MEASURES } from './telegram-bench.js';
import { renderTelegramResults } from './telegram-report.js';
import { measureTimeToNewCode } from './time-to-new-code.js';
import { measureUpdateReply } from './update-reply.js';
import { measureOverhead } from './update-overhead.js';

/**
 * Measures, prints the tables, and writes them to bench/results.md (see
 * USAGE). Reports only: nothing here passes or fails on a time.
 */
const RESULTS_FILE = fileURLToPath(new URL('results.md', import.meta.url));
const TELEGRAM_RESULTS_FILE = fileURLToPath(new URL('results-telegram.md', import.meta.url));

const LOCAL_MEASURES = ['overhead', 'reply', 'new-code', 'load'] as const;
type LocalMeasure = (typeof LOCAL_MEASURES)[number];
const TELEGRAM_PREFIX = 'telegram-';
/** The bridge under the real systemd, against the local Telegram server: written with the Telegram measures. */
const SYSTEMD_MEASURE = 'systemd';
const MEASURES = [...LOCAL_MEASURES, ...TELEGRAM_MEASURES.map((m) => `${TELEGRAM_PREFIX}${m}`), SYSTEMD_MEASURE];

const USAGE = `Usage: npm run bench [-- OPTIONS]

Measures the update path on this machine and prints each figure against its
goal; the measures against the local Telegram server (../shared/telegram-server)
come last, then the bridge under the real systemd user manager
(../shared/systemd-user, as root) against that server; each is skipped,
saying so, where it cannot run.

  --runs N         timed runs per case (default 10)
  --warmup N       untimed runs first (default 2)
  --load-rounds N  rounds of each kind of restart under load (default 3)
  --e2e            only the measures against the Telegram server, written to
                   bench/results-telegram.md instead of bench/results.md
  --only A,B       only these measures, printed and not written to a file:
                   ${MEASURES.join(', ')}
  --help           this text

Other helpers' work shares the machine: note its load average, and measure
again when it is high.`;

interface Plan {
  plan: RunPlan;
  loadRounds: number;
  e2eOnly: boolean;
  only: Set<string> | undefined;
}

function plan(): Plan | undefined {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'load-rounds': { type: 'string', default: '3' },
      e2e: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const count = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes a whole number of at least ${min}, not ${JSON.stringify(text)}`);
    return value;
  };
  const only = values.only === undefined ? undefined : new Set(values.only.split(',').map((name) => name.trim()));
  for (const name of only ?? []) {
    if (!MEASURES.includes(name)) throw new Error(`--only: no measure ${JSON.stringify(name)}; there are ${MEASURES.join(', ')}`);
  }
  return {
    plan: { runs: count('runs', values.runs, 1), warmup: count('warmup', values.warmup, 0) },
    loadRounds: count('load-rounds', values['load-rounds'], 1),
    e2eOnly: values.e2e,
    only,
  };
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function write(file: string | undefined, markdown: string): void {
  process.stdout.write(markdown);
  if (file === undefined) return;
  fs.writeFileSync(file, markdown);
  progress(`written to ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  const chosen = plan();
  if (!chosen) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { plan: runPlan, loadRounds, e2eOnly, only } = chosen;
  const wanted = (name: string): boolean => only === undefined || only.has(name);
  const local = async <T>(name: LocalMeasure, measure: () => Promise<T>): Promise<T | undefined> => (!e2eOnly && wanted(name) ? measure() : undefined);
  const telegramMeasures = TELEGRAM_MEASURES.filter((m) => wanted(`${TELEGRAM_PREFIX}${m}`));

  const environment = describeEnvironment(new Date());
  const overhead = await local('overhead', () => measureOverhead(runPlan, progress));
  const replies = await local('reply', () => measureUpdateReply(runPlan, progress));
  const timeToNewCode = await local('new-code', () => measureTimeToNewCode(runPlan, progress));
  const load = await local('load', () => measureRestartUnderLoad(loadRounds, progress));
  const telegram = telegramMeasures.length > 0 ? await measureAgainstTelegram(runPlan, loadRounds, progress, telegramMeasures) : undefined;
  const systemdUnavailable = systemdBenchUnavailable();
  let systemd: SystemdRestart | string | undefined;
  if (wanted(SYSTEMD_MEASURE)) systemd = systemdUnavailable ?? (await measureSystemdRestart(runPlan, progress));
  const systemdPart = systemd === undefined ? '' : `\n${renderSystemdRestart(systemd)}`;

  environment.loadAtEnd = loadAverage();
  if (e2eOnly) {
    if (!telegram) throw new Error('no test server at ../shared/telegram-server: nothing to measure');
    const loadAverages = `${environment.loadAtStart.toFixed(2)} at the start, ${environment.loadAtEnd.toFixed(2)} at the end`;
    const heading = `# Benchmark results against the local Telegram server\n\nMeasured ${new Date().toISOString()} by \`npm run bench -- --e2e\`: ${runPlan.runs} runs after ${runPlan.warmup} warm-up runs, ${loadRounds} load round(s) of each kind; load average (1 min) ${loadAverages} on ${environment.cpus}.\n\n`;
    write(only ? undefined : TELEGRAM_RESULTS_FILE, `${heading}${renderTelegramResults(telegram)}${systemdPart}`);
    return;
  }
  const markdown = renderResults({ environment, plan: runPlan, overhead, replies, timeToNewCode, load });
  const telegramPart =
    telegram !== undefined ? renderTelegramResults(telegram) : telegramMeasures.length > 0 ? 'Not measured against Telegram: no test server at ../shared/telegram-server.\n' : '';
  write(only ? undefined : RESULTS_FILE, `${telegramPart === '' ? markdown : `${markdown}\n${telegramPart}`}${systemdPart}`);
}

main().catch((error: unknown) => {
  progress(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
