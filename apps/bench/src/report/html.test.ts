import { describe, expect, it } from 'vitest';
import { makeLayer } from '../layer.js';
import type { BenchReport, Measurement, SuiteResult } from '../results.js';
import { chartData, enclosingDecades, renderHtml } from './html.js';
import { formatSignificant, rateRows } from './summary.js';

function measurement(contender: string, medianMs: number, flops: number): Measurement {
  const rate = flops / (medianMs * 1e6);
  return {
    contender,
    kind: 'backend',
    version: '1',
    status: 'ok',
    samplesMs: [medianMs],
    warmupRuns: 0,
    summary: { count: 1, median: medianMs, mean: medianMs, min: medianMs, max: medianMs, p10: medianMs, p90: medianMs },
    gflops: { median: rate, low: rate, high: rate },
  } as Measurement;
}

/** One layer, 3→8 @4²: 2·8·3·16 = 768 FLOPs. */
const LAYER = { ...makeLayer({ inChannels: 3, outChannels: 8, height: 4, width: 4 }), flops: 768, data: 'synthetic' as const };
const SUITE: SuiteResult = { suite: 'one', description: 'one layer', layout: 'NCHW', layers: [{ layer: LAYER, measurements: [measurement('a', 0.002, 768)] }] };

describe('enclosingDecades', () => {
  it('bounds the values by powers of ten, at least a decade apart', () => {
    expect(enclosingDecades([768])).toEqual({ min: 100, max: 1000 });
    expect(enclosingDecades([0.002, 0.05])).toEqual({ min: 0.001, max: 0.1 });
    expect(enclosingDecades([1000])).toEqual({ min: 1000, max: 10000 });
    expect(enclosingDecades([3e6, 3.3e9])).toEqual({ min: 1e6, max: 1e10 });
    expect(enclosingDecades([])).toBeUndefined();
  });
});

describe('the HTML charts', () => {
  it('bound the cost chart of a single layer by the decades around it', () => {
    expect(chartData(SUITE, 0).costAxes).toEqual({ x: { min: 100, max: 1000 }, y: { min: 0.001, max: 0.01 } });
  });

  it('draw GFLOP/s on a linear axis from 0 (bars and sweep charts) and only FLOPs and time on log axes', () => {
    const html = renderHtml({ tool: '@pointwise/bench', version: '0', startedAt: 'now', wallMs: 1, environment: {} as BenchReport['environment'],
      settings: { repeat: 1, minTimeMs: 0, maxTimeMs: 1, minSamplesAtCap: 1, maxSamples: 1, warmupMs: 0, seed: 1, layout: ['NCHW'] },
      contenders: [], suites: [SUITE] });
    expect(html).toContain("y: { type: 'linear', min: 0,");
    expect(html.match(/y: \{ type: 'linear', min: 0, title: \{ display: true, text: 'GFLOP\/s \(higher is better\)' \} \}/g)).toHaveLength(2);
    // The cost chart's FLOPs and time, and the sweep chart's FLOPs.
    expect(html.match(/type: 'logarithmic'/g)).toHaveLength(3);
    // A suite without sweeps gets no sweep chart.
    expect(chartData(SUITE, 0).sweeps).toEqual([]);
  });
});

describe('the MFLOP column', () => {
  it('keeps 3 significant digits for tiny layers', () => {
    expect(rateRows(SUITE).rows[0].mflop).toBe('0.000768');
    expect([3288.3, 39.3, 9.634, 0.0164].map(formatSignificant)).toEqual(['3288', '39.3', '9.63', '0.0164']);
  });
});
