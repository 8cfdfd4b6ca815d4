import { describe, expect, it } from 'vitest';
import { borrowScratch, returnScratch } from '../src/planner/scratch-memory.js';

describe("the planner's scratch memory (measurement tensors reused across decisions)", () => {
  it('lends a returned buffer again when it is large enough, and never the same one twice at once', () => {
    const a = borrowScratch(4096, false);
    const b = borrowScratch(4096, false);
    expect(b).not.toBe(a);
    returnScratch(a, false);
    returnScratch(b, false);
    const c = borrowScratch(1000, false);
    const d = borrowScratch(1000, false);
    expect([a, b]).toContain(c);
    expect([a, b]).toContain(d);
    expect(d).not.toBe(c);
    // Both are lent out: a third decision gets new memory, of at least the size asked for.
    const e = borrowScratch(8192, false);
    expect(e).not.toBe(a);
    expect(e).not.toBe(b);
    expect(e.byteLength).toBe(8192);
    returnScratch(c, false);
    returnScratch(d, false);
    returnScratch(e, false);
  });

  it('keeps shared and plain buffers apart, and only the two largest of each', () => {
    const shared = borrowScratch(64, true);
    expect(shared).toBeInstanceOf(SharedArrayBuffer);
    returnScratch(shared, true);
    expect(borrowScratch(64, false)).toBeInstanceOf(ArrayBuffer);
    expect(borrowScratch(64, true)).toBe(shared);
    const sizes = [100, 300, 200];
    const buffers = sizes.map((n) => borrowScratch(100_000 + n, false));
    for (const buffer of buffers) returnScratch(buffer, false);
    // The 100,100-byte one was let go: asking for that size lends the 100,200 one, then the 100,300 one.
    expect(borrowScratch(100_000, false)).toBe(buffers[2]);
    expect(borrowScratch(100_000, false)).toBe(buffers[1]);
    expect(borrowScratch(100_000, false)).not.toBe(buffers[0]);
  });
});
