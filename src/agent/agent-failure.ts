import { redact } from '../lib/redact.js';
import type { AgentOutcome } from './agent-runner.js';

/**
 * What the chat hears when the agent failed: the bridge's words, so they
 * start with the machine name, unlike the agent's own replies. Pure.
 */
export function agentFailureReply(machineName: string, outcome: AgentOutcome, secrets: readonly string[]): string {
  const lastLine = outcome.stderr.trim().split('\n').at(-1)?.trim() ?? '';
  return redact(`${machineName}: the agent failed (${outcome.status})${lastLine ? `: ${lastLine}` : ''}`, secrets);
}
