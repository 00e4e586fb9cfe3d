/** How often pollUntil looks. */
export const POLL_MS = 250;

/** Whether done() became true, looked at every POLL_MS for at most limitMs (and once at the start). */
export async function pollUntil(sleep: (ms: number) => Promise<void>, limitMs: number, done: () => boolean): Promise<boolean> {
  for (let waited = 0; ; waited += POLL_MS) {
    if (done()) return true;
    if (waited >= limitMs) return false;
    await sleep(POLL_MS);
  }
}
