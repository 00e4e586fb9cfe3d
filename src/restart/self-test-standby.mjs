// node --import ./src/restart/self-test-standby.mjs src/main.ts --self-test [--console]:
// the bridge's next self-test, started ahead (see src/restart/run-self-test.ts). Preloaded
// instead of tsx, it registers tsx as `--import tsx` does, loads gramjs (with node and tsx,
// what a start takes longest to load from outside src/), writes the path of the node it
// runs as its first line, and waits for a line on standard input. Then node goes on to
// src/main.ts as it would have at once: the self-test of the checkout as it is by then,
// since nothing of src/ was loaded before.
//
// Plain JavaScript: the self-test links every .ts module of src/, and one this process
// had loaded already would be linked as it was, not as the update left it.
//
// It ends with the bridge, even when its main thread is stuck (Node 20 can hang for good
// when its module hooks fail, e.g. the checkout deleted under it): a thread of its own
// reads standard input, and ends this process at its end (the bridge gone) while waiting;
// once asked, it checks every second that the parent is still the bridge (blocked in a
// read, it would keep the process from exiting).
import { Worker } from 'node:worker_threads';

const LIFELINE = `
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const parent = process.ppid;
const end = () => process.kill(process.pid, 'SIGKILL');
const buffer = Buffer.alloc(64);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  let read;
  try {
    read = fs.readSync(0, buffer);
  } catch (error) {
    if (error.code === 'EAGAIN') {
      Atomics.wait(pause, 0, 0, 50);
      continue;
    }
    read = 0;
  }
  if (read === 0) end();
  if (buffer.subarray(0, read).includes(10)) break;
}
parentPort.postMessage('go');
setInterval(() => {
  if (process.ppid !== parent) end();
}, 1000);
`;

// A thread cannot start in a folder that is gone: it starts in /, and this process goes back.
// Held until asked: while this process waits, the lifeline is what keeps it alive.
const checkout = process.cwd();
process.chdir('/');
const lifeline = new Worker(LIFELINE, { eval: true });
const asked = new Promise((resolve) => lifeline.once('message', resolve));
await new Promise((resolve, reject) => {
  lifeline.once('online', resolve);
  lifeline.once('error', reject);
});
process.chdir(checkout);

await import('tsx');
await import('telegram');
process.stdout.write(`${process.execPath}\n`);
await asked;
lifeline.unref();
