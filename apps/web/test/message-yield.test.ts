import { describe, expect, it } from 'vitest';
import { createMessageYield } from '../src/message-yield.js';

describe('createMessageYield', () => {
  it('resolves each yield in a later task, in the order asked', async () => {
    const yieldNow = createMessageYield();
    const order: string[] = [];
    const first = yieldNow().then(() => order.push('first'));
    const second = yieldNow().then(() => order.push('second'));
    // Not resolved within the current task (microtasks included).
    await Promise.resolve();
    expect(order).toEqual([]);
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });
  // That a cancel request gets in between yields is checked in Chromium, where it matters: the
  // harness worker's cancel test in browser-worker.test.ts.
});
