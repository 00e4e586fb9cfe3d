import fs from 'fs-extra';
import path from 'node:path';
import { createProjectClone, git, type ProjectClone } from '../test/ts/fixtures/project-clone.js';
import { countProcesses, expectOutput, repeat, timedCommand, type RunPlan } from './measure.js';
import { summarize, type Summary } from './stats.js';

/**
 * Measure 1: bash scripts/remote-update.sh against a plain git pull --ff-only
 * in an identical clone of the same local bare origin, same state, runs
 * interleaved (alternating which goes first) so drift hits both alike.
 */
export interface OverheadCase {
  repository: string;
  state: string;
  script: Summary;
  git: Summary;
  /** Processes each started (successful execve), when strace is installed. */
  processes?: { script: number; git: number };
}

/** What one process costs here: the floor under the script's dozen git calls. */
export interface ProcessCost {
  gitRevParse: Summary;
  bashNoop: Summary;
}

export interface Overhead {
  cases: OverheadCase[];
  processCost: ProcessCost;
}

interface Pair {
  clone: ProjectClone;
  raw: string;
}

const NEW_COMMITS = 10;

interface Repository {
  name: string;
  extraFiles: Record<string, string>;
  /** Seconds git waits before talking to the origin, standing in for a network. */
  originDelay?: number;
}

function pair(repository: Repository): Pair {
  const clone = createProjectClone(repository.extraFiles);
  const raw = path.join(clone.dir, 'raw');
  git(clone.dir, 'clone', '-q', clone.origin, raw);
  if (repository.originDelay !== undefined) {
    for (const repo of [clone.machine, raw]) {
      git(repo, 'config', 'remote.origin.uploadpack', `sleep ${repository.originDelay}; git-upload-pack`);
    }
  }
  return { clone, raw };
}

function pushCommits(clone: ProjectClone, count: number, round: number): void {
  for (let n = 1; n <= count; n++) {
    fs.outputFileSync(path.join(clone.upstream, 'bench', 'notes.txt'), `round ${round} commit ${n}\n`);
    git(clone.upstream, 'add', '-A');
    git(clone.upstream, 'commit', '-q', '-m', `Bench round ${round}, commit ${n}`);
  }
  git(clone.upstream, 'push', '-q', 'origin', 'main');
}

type StateResult = Pick<OverheadCase, 'script' | 'git' | 'processes'>;

async function measureState(p: Pair, plan: RunPlan, newCommits: number): Promise<StateResult> {
  const expected = newCommits > 0 ? `Pulled ${newCommits} commit(s):` : 'Already up to date. (';
  const runScript = (): number => {
    const run = timedCommand('bash', ['scripts/remote-update.sh'], p.clone.machine);
    expectOutput(run, expected, 'remote-update.sh');
    return run.ms;
  };
  const runGit = (): number => timedCommand('git', ['pull', '--ff-only'], p.raw).ms;
  const rounds = await repeat(plan, (round) => {
    if (newCommits > 0) pushCommits(p.clone, newCommits, round);
    let scriptMs: number;
    let gitMs: number;
    if (round % 2 === 0) {
      scriptMs = runScript();
      gitMs = runGit();
    } else {
      gitMs = runGit();
      scriptMs = runScript();
    }
    if (git(p.raw, 'rev-parse', 'HEAD') !== git(p.clone.machine, 'rev-parse', 'HEAD')) throw new Error('the two clones disagree');
    return { scriptMs, gitMs };
  });
  if (newCommits > 0) pushCommits(p.clone, newCommits, plan.warmup + plan.runs);
  const script = countProcesses('bash', ['scripts/remote-update.sh'], p.clone.machine);
  const gitCount = countProcesses('git', ['pull', '--ff-only'], p.raw);
  return {
    script: summarize(rounds.map((r) => r.scriptMs)),
    git: summarize(rounds.map((r) => r.gitMs)),
    ...(script !== undefined && gitCount !== undefined ? { processes: { script, git: gitCount } } : {}),
  };
}

function manyFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    files[`corpus/${String(Math.floor(i / 100)).padStart(3, '0')}/file-${i}.txt`] = `file ${i}\n`;
  }
  return files;
}

export const LARGE_REPOSITORY_FILES = 20_000;
/**
 * A local origin answers in milliseconds; a real one is a network away. The
 * delay runs before git-upload-pack (remote.origin.uploadpack), for both clones.
 */
export const SIMULATED_ORIGIN_DELAY = 0.3;

async function measureProcessCost(plan: RunPlan, cwd: string): Promise<ProcessCost> {
  const gitRevParse = await repeat(plan, () => timedCommand('git', ['rev-parse', 'HEAD'], cwd).ms);
  const bashNoop = await repeat(plan, () => timedCommand('bash', ['-c', ':'], cwd).ms);
  return { gitRevParse: summarize(gitRevParse), bashNoop: summarize(bashNoop) };
}

export async function measureOverhead(plan: RunPlan, progress: (line: string) => void): Promise<Overhead> {
  const cases: OverheadCase[] = [];
  let processCost: ProcessCost | undefined;
  const repositories: Repository[] = [
    { name: 'small (this project)', extraFiles: {} },
    { name: `${LARGE_REPOSITORY_FILES.toLocaleString('en')} tracked files`, extraFiles: manyFiles(LARGE_REPOSITORY_FILES) },
    { name: `small, origin ${SIMULATED_ORIGIN_DELAY * 1000} ms away (simulated)`, extraFiles: {}, originDelay: SIMULATED_ORIGIN_DELAY },
  ];
  for (const repository of repositories) {
    progress(`script vs git pull: ${repository.name}`);
    const p = pair(repository);
    try {
      for (const [state, newCommits] of [['up to date', 0], [`${NEW_COMMITS} new commits`, NEW_COMMITS]] as const) {
        cases.push({ repository: repository.name, state, ...(await measureState(p, plan, newCommits)) });
      }
      processCost ??= await measureProcessCost(plan, p.raw);
    } finally {
      p.clone.cleanup();
    }
  }
  return { cases, processCost: processCost! };
}
