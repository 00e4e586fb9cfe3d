import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeEnvironment } from './environment.js';
import type { RunPlan } from './measure.js';
import { renderResults } from './report.js';
import { measureRestartUnderLoad } from './restart-under-load.js';
import { measureTimeToNewCode } from './time-to-new-code.js';
import { measureUpdateReply } from './update-reply.js';
import { measureOverhead } from './update-overhead.js';

/**
 * npm run bench [-- --runs N --warmup N --load-rounds N]: measures, prints
 * the tables, and writes them to bench/results.md. Reports only: nothing
 * here passes or fails on a time.
 */
const RESULTS_FILE = fileURLToPath(new URL('results.md', import.meta.url));

function plan(): { plan: RunPlan; loadRounds: number } {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'load-rounds': { type: 'string', default: '3' },
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
  };
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main(): Promise<void> {
  const { plan: runPlan, loadRounds } = plan();
  const environment = describeEnvironment(new Date());
  const overhead = await measureOverhead(runPlan, progress);
  const replies = await measureUpdateReply(runPlan, progress);
  const timeToNewCode = await measureTimeToNewCode(runPlan, progress);
  const load = await measureRestartUnderLoad(loadRounds, progress);
  const markdown = renderResults({ environment, plan: runPlan, overhead, replies, timeToNewCode, load });
  process.stdout.write(markdown);
  fs.writeFileSync(RESULTS_FILE, markdown);
  progress(`written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main().catch((error: unknown) => {
  progress(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
