import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DONE, RUNNING, endRun, postedWord, stateOf, waitWhileRunning } from '../src/run-sync.js';

/**
 * A thread that blocks in `Atomics.wait(words, index, expected, 10 s)` and exits with 0 when it was woken
 * ('ok' or 'not-equal'), 1 when it timed out. It stores 1 into `words[1]` just before it waits.
 */
function blockedWaiter(words: Int32Array, index: number, expected: number): Promise<number> {
  const source = `
    const { workerData } = require('node:worker_threads');
    const { words, index, expected } = workerData;
    Atomics.store(words, 1, 1);
    const how = Atomics.wait(words, index, expected, 10000);
    process.exit(how === 'timed-out' ? 1 : 0);
  `;
  const thread = new Worker(source, { eval: true, workerData: { words, index, expected } });
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', resolve);
  });
}

/** Waits (yielding to the event loop) until `words[1]` is 1: the waiter is about to block. */
async function waiterStarted(words: Int32Array): Promise<void> {
  while (Atomics.load(words, 1) !== 1) await new Promise((r) => setTimeout(r, 1));
  // Give it time to enter Atomics.wait (an early notify would find no waiter, and it would then time out).
  await new Promise((r) => setTimeout(r, 50));
}

describe('the pool thread’s end of a run wakes a blocked calling thread', () => {
  it('endRun notifies the control word, so a thread blocked on it wakes before its timeout', async () => {
    const words = new Int32Array(new SharedArrayBuffer(16));
    const running = postedWord(7) | RUNNING;
    words[2] = running;
    const exited = blockedWaiter(words, 2, running);
    await waiterStarted(words);
    expect(endRun(words, 2, false)).toBe(false);
    expect(stateOf(words[2])).toBe(DONE);
    expect(await exited).toBe(0);
  });

  it('waitWhileRunning returns once another thread moves the word off RUNNING (notified), long before the deadline', async () => {
    const words = new Int32Array(new SharedArrayBuffer(16));
    words[2] = postedWord(3) | RUNNING;
    const source = `
      const { workerData } = require('node:worker_threads');
      const { words } = workerData;
      setTimeout(() => { Atomics.store(words, 2, (3 << 4) | 2); Atomics.notify(words, 2); }, 100);
    `;
    const thread = new Worker(source, { eval: true, workerData: { words } });
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    waitWhileRunning(words, 2, performance.now() + 60_000);
    expect(stateOf(words[2])).toBe(DONE);
    await exited;
  });

  it('waitWhileRunning returns at its deadline when the word stays RUNNING, leaving it as it was', () => {
    const words = new Int32Array(new SharedArrayBuffer(16));
    const running = postedWord(5) | RUNNING;
    words[2] = running;
    waitWhileRunning(words, 2, performance.now() + 20);
    expect(words[2]).toBe(running);
  });
});
