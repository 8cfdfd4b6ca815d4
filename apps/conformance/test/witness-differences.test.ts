/**
 * Declared witness differences (issue items 9 and 10): a witness whose
 * library has other semantics than README “The operation” is excused on
 * exactly the elements the difference predicts, reported as skipped with
 * the reason — never as passed, and never for another element.
 */
import { describe, expect, it } from 'vitest';
import type { CaseOptions, ConformanceCase } from '../src/catalogue/case.js';
import { edgeCases } from '../src/catalogue/edge.js';
import { makeCase } from '../src/catalogue/make-case.js';
import { materializeCase } from '../src/catalogue/materialize.js';
import { describeAccuracy, describeFailure } from '../src/runner/compare.js';
import { checkWitness } from '../src/runner/witness.js';
import { excuseKnownDifferences, WITNESS_DIFFERENCES } from '../src/runner/witness-differences.js';

/** One channel, weight 1: the activation sees the input itself. */
function clampCase(min: number | 'Infinity' | '-Infinity', max: number | 'Infinity' | '-Infinity', values: (number | 'NaN' | 'Infinity' | '-Infinity')[]): ConformanceCase {
  return makeCase({
    tier: 'file',
    shape: [1, 1, 1, values.length],
    outChannels: 1,
    options: { activation: { type: 'clamp', min, max } as CaseOptions['activation'] },
    input: () => ({ values }),
    weights: () => ({ values: [1] }),
  });
}

/** The report's case: NCHW [1, 2, 2, 2], padding 1, channel 0 with weights [Infinity, 0] and bias 1. */
const PADDED_INFINITE_WEIGHT = makeCase({
  tier: 'file',
  shape: [1, 2, 2, 2],
  outChannels: 2,
  options: { padding: 1 },
  bias: true,
  input: () => ({ generator: 'ramp', start: 1, step: 1 }),
  weights: () => ({ values: ['Infinity', 0, 1, 1] }),
  biasData: () => ({ values: [1, 2] }),
});

describe('TF.js clipByValue with min == max (item 10)', () => {
  it('skips the TF.js check with the reason where NaN meets equal bounds; ONNX Runtime passes', async () => {
    for (const [min, max] of [[1, 1], ['-Infinity', '-Infinity'], ['Infinity', 'Infinity'], [0, 0]] as const) {
      const m = await materializeCase(clampCase(min, max, ['NaN', 2, -3, 'Infinity']));
      expect(Number.isNaN(m.reference().values[0])).toBe(true);
      const tfjs = await checkWitness(m, 'witness:tfjs');
      expect(tfjs.status, tfjs.reason).toBe('skipped');
      expect(tfjs.reason).toMatch(/^known difference \(1 of 4 elements\): TF\.js's clipByValue fills the constant when min == max/);
      const ort = await checkWitness(m, 'witness:onnxruntime');
      expect(ort.status, ort.reason).toBe('passed');
    }
  });

  it('passes TF.js on equal bounds without NaN, and on unequal bounds with NaN', async () => {
    expect((await checkWitness(await materializeCase(clampCase(1, 1, [0.5, 2, -3, 'Infinity'])), 'witness:tfjs')).status).toBe('passed');
    expect((await checkWitness(await materializeCase(clampCase(-1, 1, ['NaN', 2, -3, 'Infinity'])), 'witness:tfjs')).status).toBe('passed');
  });
});

describe('padded cells of a channel with a non-finite weight (item 9)', () => {
  it('gives NaN on the 12 border cells of channel 0 in the reference, act(bias) elsewhere on the border', async () => {
    const m = await materializeCase(PADDED_INFINITE_WEIGHT);
    const y = m.reference().values;
    // NCHW [1, 2, 4, 4]: channel 0 is elements 0–15, its inner 2×2 at rows 1–2, columns 1–2.
    const inner = new Set([5, 6, 9, 10]);
    const border0 = Array.from({ length: 16 }, (_, i) => i).filter((i) => !inner.has(i));
    expect(border0.map((i) => y[i])).toEqual(Array(12).fill(NaN));
    expect([...inner].map((i) => y[i])).toEqual([Infinity, Infinity, Infinity, Infinity]);
    expect(border0.map((i) => y[16 + i])).toEqual(Array(12).fill(2));
  });

  it('records both witnesses as a declared difference on those 12 cells, not a pass', async () => {
    const m = await materializeCase(PADDED_INFINITE_WEIGHT);
    for (const witness of ['witness:onnxruntime', 'witness:tfjs'] as const) {
      const result = await checkWitness(m, witness);
      expect(result.status, result.reason).toBe('skipped');
      expect(result.reason).toMatch(/^known difference \(12 of 32 elements\): ONNX Runtime and TF\.js give act\(bias\) on padded cells/);
    }
  });

  it('is in the edge tier, in both layouts', () => {
    const names = edgeCases().map((c) => c.name);
    expect(names).toContain('edge/padding-non-finite-weights/nchw-n1-ci2-h2-w2-co2-p1-bias');
    expect(names).toContain('edge/padding-non-finite-weights/nhwc-n1-ci2-h2-w2-co2-p1-bias');
  });
});

describe('excuseKnownDifferences', () => {
  it('excuses only the elements a difference predicts, with exactly the predicted value', async () => {
    const m = await materializeCase(PADDED_INFINITE_WEIGHT);
    const y = m.reference().values;
    const asWitness = Float32Array.from(y, (v, i) => (Number.isNaN(v) && i < 16 ? 1 : v));
    const excused = excuseKnownDifferences(m, 'witness:onnxruntime', asWitness);
    expect(excused.excused).toEqual([{ name: 'padding-skips-arithmetic', reason: expect.stringMatching(/padded cells/), elements: 12 }]);
    expect(Array.from(excused.output).every((v, i) => Object.is(v, Math.fround(y[i])))).toBe(true);

    // A border value other than act(bias), or a wrong inner value, is not excused.
    const wrong = Float32Array.from(asWitness);
    wrong[0] = 1.5;
    wrong[5] = 7;
    const partly = excuseKnownDifferences(m, 'witness:onnxruntime', wrong);
    expect(partly.excused[0].elements).toBe(11);
    expect(partly.output[0]).toBe(1.5);
    expect(partly.output[5]).toBe(7);
  });

  it('does not apply a difference to a witness that does not have it', async () => {
    const m = await materializeCase(clampCase(1, 1, ['NaN', 2]));
    const asTfjs = Float32Array.of(1, 1);
    expect(excuseKnownDifferences(m, 'witness:tfjs', asTfjs).excused).toHaveLength(1);
    expect(excuseKnownDifferences(m, 'witness:onnxruntime', asTfjs).excused).toEqual([]);
    expect(WITNESS_DIFFERENCES.map((d) => d.name)).toEqual(['tfjs-clip-equal-bounds', 'padding-skips-arithmetic']);
  });

  it('fails a witness whose other elements are wrong even where a difference applies', async () => {
    const m = await materializeCase(clampCase(1, 1, ['NaN', 2]));
    // The TF.js witness itself is right but for the declared element; check the comparison path with a broken output.
    const { output } = excuseKnownDifferences(m, 'witness:tfjs', Float32Array.of(1, 5));
    expect(Number.isNaN(output[0])).toBe(true);
    expect(output[1]).toBe(5);
  });
});

describe('failure messages', () => {
  it('say what was expected for NaN and infinite expectations, and a tolerance for finite ones', () => {
    expect(describeFailure({ index: 3, actual: 1, expected: NaN, bound: 0, reason: 'nan' })).toBe('#3: got 1, expected NaN');
    expect(describeFailure({ index: 0, actual: -Infinity, expected: Infinity, bound: 0, reason: 'infinity' })).toBe('#0: got -Infinity, expected +Infinity');
    expect(describeFailure({ index: 1, actual: NaN, expected: -Infinity, bound: NaN, reason: 'infinity' })).toBe('#1: got NaN, expected -Infinity');
    expect(describeFailure({ index: 2, actual: 0, expected: -0, bound: 0, reason: 'value' })).toBe('#2: got 0, expected -0 ± 0.00e+0');
    expect(describeFailure({ index: 4, actual: 2.5, expected: 2.25, bound: 1.5e-7, reason: 'value' })).toBe('#4: got 2.5, expected 2.25 ± 1.50e-7');
    const text = describeAccuracy({ elements: 4, failureCount: 1, failures: [{ index: 3, actual: 1, expected: NaN, bound: 0, reason: 'nan' }], worstRatio: 0 });
    expect(text).toBe('1/4 elements outside bound: #3: got 1, expected NaN');
    expect(text).not.toMatch(/±/);
  });
});
