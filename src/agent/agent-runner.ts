import type { ProcessGroups } from '../process/process-group.js';
import type { Job } from '../queue/job.js';

/**
 * Runs VALOR_AGENT_CMD for a job through /bin/sh -c. The message text goes
 * to its standard input, never onto a command line; its standard output is
 * the reply.
 */
export interface AgentOutcome {
  reply: string;
  ok: boolean;
  detail: string;
}

export type AgentRunner = (job: Job) => Promise<AgentOutcome>;

export function shellAgentRunner(groups: ProcessGroups, command: string, cwd: string): AgentRunner {
  return async (job) => {
    const run = groups.run('/bin/sh', ['-c', command], {
      cwd,
      input: job.text,
      mergeStderr: false,
      env: { ...process.env, VALOR_PROJECT: job.projectKey, VALOR_CHAT_ID: job.chatId },
    });
    const result = await run.result;
    const ok = result.exitCode === 0;
    const detail = ok ? '' : `exit ${result.exitCode ?? result.signal}: ${result.stderr.trim().slice(-500)}`;
    return { reply: result.output.trim(), ok, detail };
  };
}
