/** The bridge's log line: standard error, which the service manager sends to logs/bridge.log. */
export function log(line: string): void {
  process.stderr.write(`[bridge] ${new Date().toISOString()} ${line}\n`);
}
