import type { ProcessGroups } from '../process/process-group.js';
import type { Job } from '../queue/job.js';

export interface AgentOutcome {
  reply: string;
  ok: boolean;
  /** "exit 0", "exit 127", "signal SIGKILL", "could not start: the folder /x does not exist". */
  status: string;
  stderr: string;
}

export type AgentRunner = (job: Job) => Promise<AgentOutcome>;

/**
 * Runs VALOR_AGENT_CMD for a job through /bin/sh -c. The message text goes
 * to its standard input, never onto a command line; its standard output is
 * the reply.
 */
export function shellAgentRunner(groups: ProcessGroups, command: string, cwd: string): AgentRunner {
  return async (job) => {
    const run = groups.run('/bin/sh', ['-c', command], {
      cwd,
      input: job.text,
      env: { ...process.env, VALOR_PROJECT: job.projectKey, VALOR_CHAT_ID: job.chatId },
    });
    const result = await run.result;
    if (result.notStarted !== undefined) return { reply: '', ok: false, status: `could not start: ${result.notStarted}`, stderr: '' };
    const status = result.exitCode === null ? `signal ${result.signal}` : `exit ${result.exitCode}`;
    return { reply: result.stdout.trim(), ok: result.exitCode === 0, status, stderr: result.stderr };
  };
}
