import { describe, expect, it } from 'vitest';
import { SampleSet } from './sampler.js';

const SETTINGS = { repeat: 5, minTimeMs: 100, maxTimeMs: 1000, minSamplesAtCap: 3, maxSamples: 50, warmupMs: 0 };

function fill(set: SampleSet, ms: number, count: number): void {
  for (let i = 0; i < count; i++) set.add(ms);
}

describe('SampleSet', () => {
  it('needs both the minimum count and the minimum time', () => {
    const fast = new SampleSet(SETTINGS);
    fill(fast, 2, 5);
    expect(fast.needsMore()).toBe(true); // 5 samples but 10 ms < 100 ms
    fill(fast, 2, 45);
    expect(fast.needsMore()).toBe(false);
    expect(fast.samplesMs).toHaveLength(50);

    const slow = new SampleSet(SETTINGS);
    fill(slow, 50, 4);
    expect(slow.needsMore()).toBe(true); // 200 ms but only 4 samples
    slow.add(50);
    expect(slow.needsMore()).toBe(false);
  });

  it('stops a very slow run at the time cap once it has minSamplesAtCap', () => {
    const set = new SampleSet(SETTINGS);
    fill(set, 600, 2);
    expect(set.needsMore()).toBe(true); // 1200 ms ≥ cap but only 2 < 3 samples
    set.add(600);
    expect(set.needsMore()).toBe(false);
    expect(set.totalMs).toBe(1800);
  });

  it('stops a tiny layer at maxSamples even below the minimum time', () => {
    const set = new SampleSet(SETTINGS);
    fill(set, 0.01, 49);
    expect(set.needsMore()).toBe(true);
    set.add(0.01);
    expect(set.needsMore()).toBe(false);
    expect(set.totalMs).toBeLessThan(SETTINGS.minTimeMs);
  });

  it('stops after a failure', () => {
    const set = new SampleSet(SETTINGS);
    set.failure = 'engine crashed';
    expect(set.needsMore()).toBe(false);
  });
});
