import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeEnvironment } from './environment.js';
import type { RunPlan } from './measure.js';
import { renderResults } from './report.js';
import { measureRestartUnderLoad } from './restart-under-load.js';
import { measureAgainstTelegram } from './telegram-bench.js';
import { renderTelegramResults } from './telegram-report.js';
import { measureTimeToNewCode } from './time-to-new-code.js';
import { measureUpdateReply } from './update-reply.js';
import { measureOverhead } from './update-overhead.js';

/**
 * npm run bench [-- --runs N --warmup N --load-rounds N] [-- --e2e]: measures,
 * prints the tables, and writes them to bench/results.md; the measures
 * against the local Telegram server come last (skipped, and said so, without
 * one). --e2e: only those, written to bench/results-telegram.md. Reports
 * only: nothing here passes or fails on a time.
 */
const RESULTS_FILE = fileURLToPath(new URL('results.md', import.meta.url));
const TELEGRAM_RESULTS_FILE = fileURLToPath(new URL('results-telegram.md', import.meta.url));

function plan(): { plan: RunPlan; loadRounds: number; e2eOnly: boolean } {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'load-rounds': { type: 'string', default: '3' },
      e2e: { type: 'boolean', default: false },
    },
  });
  const count = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes a whole number of at least ${min}, not ${JSON.stringify(text)}`);
    return value;
  };
  return {
    plan: { runs: count('runs', values.runs, 1), warmup: count('warmup', values.warmup, 0) },
    loadRounds: count('load-rounds', values['load-rounds'], 1),
    e2eOnly: values.e2e,
  };
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function write(file: string, markdown: string): void {
  process.stdout.write(markdown);
  fs.writeFileSync(file, markdown);
  progress(`written to ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  const { plan: runPlan, loadRounds, e2eOnly } = plan();
  if (e2eOnly) {
    const telegram = await measureAgainstTelegram(runPlan, loadRounds, progress);
    if (!telegram) throw new Error('no test server at ../shared/telegram-server: nothing to measure');
    write(TELEGRAM_RESULTS_FILE, `# Benchmark results against the local Telegram server\n\nMeasured ${new Date().toISOString()} by \`npm run bench -- --e2e\`: ${runPlan.runs} runs after ${runPlan.warmup} warm-up runs, ${loadRounds} load round(s) of each kind.\n\n${renderTelegramResults(telegram)}`);
    return;
  }
  const environment = describeEnvironment(new Date());
  const overhead = await measureOverhead(runPlan, progress);
  const replies = await measureUpdateReply(runPlan, progress);
  const timeToNewCode = await measureTimeToNewCode(runPlan, progress);
  const load = await measureRestartUnderLoad(loadRounds, progress);
  const telegram = await measureAgainstTelegram(runPlan, loadRounds, progress);
  const markdown = renderResults({ environment, plan: runPlan, overhead, replies, timeToNewCode, load });
  write(RESULTS_FILE, telegram ? `${markdown}\n${renderTelegramResults(telegram)}` : `${markdown}\nNot measured against Telegram: no test server at ../shared/telegram-server.\n`);
}

main().catch((error: unknown) => {
  progress(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
