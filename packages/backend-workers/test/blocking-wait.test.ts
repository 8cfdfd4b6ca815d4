import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { canBlock, waitUntil, waitWhileEqual } from '../src/blocking-wait.js';

function word(value: number): Int32Array {
  const words = new Int32Array(new SharedArrayBuffer(8));
  words[0] = value;
  return words;
}

/** A thread that, after `delayMs`, stores `value` into `words[0]` and notifies it (or only stores, `notify: false`). */
function changeLater(words: Int32Array, value: number, delayMs: number, notify = true): Promise<number> {
  const source = `
    const { workerData } = require('node:worker_threads');
    const { words, value, delayMs, notify } = workerData;
    setTimeout(() => { Atomics.store(words, 0, value); if (notify) Atomics.notify(words, 0); }, delayMs);
  `;
  const thread = new Worker(source, { eval: true, workerData: { words, value, delayMs, notify } });
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', resolve);
  });
}

describe('waitWhileEqual (spin, then Atomics.wait)', () => {
  it('may block on Node’s main thread (only a browser page’s main thread may not)', () => {
    expect(canBlock()).toBe(true);
  });

  it('returns true at once when the word already differs', () => {
    expect(waitWhileEqual(word(3), 0, 2, performance.now() + 60_000)).toBe(true);
  });

  it('returns false when the deadline passes and the word never changed, leaving it as it was', () => {
    const words = word(7);
    expect(waitWhileEqual(words, 0, 7, performance.now() + 30)).toBe(false);
    expect(words[0]).toBe(7);
  });

  it('returns false for a deadline already past, without waiting', () => {
    expect(waitWhileEqual(word(1), 0, 1, performance.now() - 1)).toBe(false);
  });

  it('wakes when another thread changes the word and notifies it (long after the spin phase, well before the deadline)', async () => {
    const words = word(0);
    const exited = changeLater(words, 42, 100);
    expect(waitWhileEqual(words, 0, 0, performance.now() + 60_000)).toBe(true);
    expect(Atomics.load(words, 0)).toBe(42);
    await exited;
  });

  it('sees a change made without a notify at its deadline at the latest (the store is never missed)', async () => {
    const words = word(0);
    const exited = changeLater(words, 5, 20, false);
    // Blocked without a notify, the wait rereads the word when Atomics.wait times out.
    expect(waitWhileEqual(words, 0, 0, performance.now() + 2000)).toBe(true);
    expect(Atomics.load(words, 0)).toBe(5);
    await exited;
  });

  it('spins for the whole wait when spinMs covers the deadline (a busy-spinning pool thread): sees an unnotified change, or times out', async () => {
    const words = word(0);
    const exited = changeLater(words, 9, 20, false);
    expect(waitWhileEqual(words, 0, 0, performance.now() + 2000, 60_000)).toBe(true);
    expect(Atomics.load(words, 0)).toBe(9);
    await exited;
    expect(waitWhileEqual(word(4), 0, 4, performance.now() + 10, 60_000)).toBe(false);
  });

  it('blocks at once with spinMs 0 and still wakes on a notified change', async () => {
    const words = word(0);
    const exited = changeLater(words, 11, 20);
    expect(waitWhileEqual(words, 0, 0, performance.now() + 60_000, 0)).toBe(true);
    expect(Atomics.load(words, 0)).toBe(11);
    await exited;
  });
});

describe('waitUntil (a word moving through values until a condition holds)', () => {
  it('returns true at once when the condition already holds, without waiting', () => {
    expect(waitUntil(word(5), 0, (w) => w >= 5, performance.now() - 1)).toBe(true);
  });

  it('waits through intermediate values (each notified) until the condition holds', async () => {
    const words = word(0);
    const source = `
      const { workerData } = require('node:worker_threads');
      const { words } = workerData;
      let v = 0;
      const step = () => { Atomics.store(words, 0, ++v); Atomics.notify(words, 0); if (v < 3) setTimeout(step, 20); };
      setTimeout(step, 20);
    `;
    const thread = new Worker(source, { eval: true, workerData: { words } });
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    // Blocks on 0, then on 1 and 2 (the spin is long over), and returns at 3.
    expect(waitUntil(words, 0, (w) => w === 3, performance.now() + 60_000)).toBe(true);
    expect(Atomics.load(words, 0)).toBe(3);
    await exited;
  });

  it('returns false at the deadline when the condition never holds, leaving the word as it was', () => {
    const words = word(2);
    expect(waitUntil(words, 0, (w) => w === 9, performance.now() + 20)).toBe(false);
    expect(words[0]).toBe(2);
  });
});
