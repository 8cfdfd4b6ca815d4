import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BACKEND_API_VERSION,
  BackendRegistry,
  fingerprintKey,
  loadWisdom,
  prepareConv1x1,
  ReferenceBackend,
  Wisdom,
  zerosTensor,
  type Backend,
  type BackendOperator,
  type PrepareRequest,
} from '@pointwise/core';
import { fileWisdomStore } from '@pointwise/core/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AutoContender, autoCandidates } from './contenders/auto-contender.js';
import { BackendContender } from './contenders/backend-contender.js';
import { CHANNEL_SWEEP, CROSSOVER, CROSSOVER_QUICK, crossoverAnalysis, detectCrossovers, SPATIAL_SWEEP } from './crossover.js';
import { layerFlops, layerProblem, makeLayer, type Suite } from './layer.js';
import { sweepCharts } from './report/html.js';
import { autoSummaryLine, autoVerdict, formatAutoVerdict, summarizeRow } from './report/summary.js';
import type { BenchReport, LayerResult, Measurement, SuiteResult } from './results.js';
import { runBenchIn } from './run-bench.js';
import { wisdomFromReport } from './wisdom-export.js';

// ---- A fake clock and a backend whose runs cost a given time on it -------------------------------------

/** The fake `performance.now()`: only the fake backend's runs advance it. */
let clock = 0;
/** Runs of the fake backend so far, by `cost` (every run, timed or not). */
const fakeRuns = new Map<number, number>();

/** The reference backend under the name `fake`, each run advancing the fake clock by its `cost` option (ms). */
class FakeBackend implements Backend {
  readonly name = 'fake';
  readonly apiVersion = BACKEND_API_VERSION;
  readonly #inner = new ReferenceBackend();
  constructor(readonly cost: number) {}
  probe = () => this.#inner.probe();
  init = () => this.#inner.init();
  capabilities = () => this.#inner.capabilities();
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const op = await this.#inner.prepare(request);
    return {
      geometry: op.geometry,
      info: { backend: 'fake', details: { cost: this.cost } },
      run: async (x, out) => {
        await op.run(x, out);
        clock += this.cost;
        fakeRuns.set(this.cost, (fakeRuns.get(this.cost) ?? 0) + 1);
      },
      dispose: () => op.dispose(),
    };
  }
  dispose = () => this.#inner.dispose();
}

function fakeRegistry(): BackendRegistry {
  const registry = new BackendRegistry();
  registry.register('fake', (options) => new FakeBackend(Number(options.cost)), { options: { cost: 1 } });
  return registry;
}

const SLOW = 'fake[cost=5]';
const FAST = 'fake[cost=2]';
const LAYERS: Suite = {
  name: 'two',
  description: 'two small layers',
  layers: [makeLayer({ inChannels: 8, outChannels: 4, height: 3, width: 3 }), makeLayer({ inChannels: 16, outChannels: 8, height: 2, width: 5, activation: 'relu' })],
};
const SETTINGS = { repeat: 3, minTimeMs: 10, maxTimeMs: 1000, minSamplesAtCap: 3, maxSamples: 20, warmupMs: 0 };

describe('the auto contender on a fake clock', () => {
  let report: BenchReport;
  const registry = fakeRegistry();

  beforeAll(async () => {
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    report = await runBenchIn(
      { environment: { cpuModel: 'test', logicalCores: 2, availableParallelism: 2, memoryGiB: 1, platform: 'linux', arch: 'x64', osRelease: '', nodeVersion: 'v20', v8Version: '', loadAverage1m: 0 }, version: 'test' },
      {
        suites: [LAYERS],
        // The slower configuration first: the planner must measure to prefer the second.
        contenders: [new BackendContender(SLOW, registry), new BackendContender(FAST, registry), new AutoContender(registry, [SLOW, FAST], 'test')],
        layouts: ['NCHW'],
        settings: SETTINGS,
        seed: 3,
      },
    );
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await registry.dispose();
  });

  it('picks the faster configuration and carries the selection report on its row', () => {
    for (const { measurements } of report.suites[0].layers) {
      const auto = measurements.find((m) => m.contender === 'auto')!;
      expect(auto).toMatchObject({ kind: 'planner', status: 'ok', details: { choice: FAST, method: 'fastest' } });
      expect(auto.accuracy?.failureCount).toBe(0);
      expect(auto.selection?.method).toBe('fastest');
      // Core's limits: each candidate's 50 ms budget counts its checked run, an untimed warm-up until half
      // the budget has passed, then rounds of an untimed and two timed runs (at least two rounds, then while
      // one more fits its budget and the decision's 2 · 50 ms less 2 %); after two rounds SLOW (median 5, over
      // twice FAST's 2) is timed no further.
      expect(auto.selection?.candidates).toEqual([
        { configuration: SLOW, status: 'measured', medianMs: 5, lowerQuartileMs: 5, runs: 4 },
        { configuration: FAST, status: 'chosen', medianMs: 2, lowerQuartileMs: 2, runs: 4 },
      ]);
      // Deciding on the fake clock, all inside prepare (the cold start): SLOW's checked run, four warm-up runs
      // and two rounds (5 + 4·5 + 2·3·5 = 55 ms, past its own 50); FAST's checked run, twelve warm-up runs and
      // two rounds (2 + 12·2 + 2·3·2 = 38 ms): a third round of FAST (6 ms) would take the two past 98 ms.
      expect(auto.selection?.decisionMs).toBe(55 + 38);
      expect(auto.prepareMs).toBe(93);
      expect(auto.firstRunMs).toBe(2);
      expect(auto.summary?.median).toBe(2);
    }
  });

  it('stamps configurations and compares auto with the best registry configuration', () => {
    const layer = report.suites[0].layers[0];
    expect(layer.measurements.map((m) => [m.contender, m.configuration, m.summary?.median])).toEqual([
      [SLOW, SLOW, 5],
      [FAST, FAST, 2],
      ['auto', undefined, 2],
    ]);
    expect(autoVerdict(layer)).toEqual({ choice: FAST, choseBest: true, best: FAST, bestMs: 2, autoMs: 2, ratio: 1, withinTarget: true, decisionMs: 93 });
    // auto runs one of the backends: never the row's best.
    expect(summarizeRow(layer).best?.key).toBe(FAST);
    expect(autoSummaryLine(report.suites[0])).toBe(
      "auto (the planner's choice) within 10 % of the best registry configuration's median on 2 of 2 layers (worst 1.00 on 8→4 @3²); deciding took 93.0–93.0 ms per layer",
    );
    expect(report.planner?.candidates).toEqual([SLOW, FAST]);
  });

  it("names auto's choice as the run's contender of that configuration (the form typed in --backends)", () => {
    const row = (contender: string, kind: string, median: number, extra: object = {}) => ({ contender, kind, status: 'ok', summary: { median }, ...extra });
    const layer = {
      layer: report.suites[0].layers[0].layer,
      measurements: [
        row('cpu-tiled[js]', 'backend', 4, { configuration: 'cpu-tiled[kernel=js]' }),
        row('workers', 'backend', 3, { configuration: 'workers' }),
        row('auto', 'planner', 4.2, { details: { choice: 'cpu-tiled[kernel=js]' } }),
      ],
    } as unknown as Parameters<typeof autoVerdict>[0];
    const verdict = autoVerdict(layer)!;
    expect(verdict).toMatchObject({ choice: 'cpu-tiled[js]', choseBest: false, best: 'workers', bestMs: 3, autoMs: 4.2, withinTarget: false });
    expect(verdict.ratio).toBeCloseTo(4.2 / 3, 12);
    expect(formatAutoVerdict(verdict)).toBe('1.40 ✗ (chose cpu-tiled[js]; best workers)');
  });

  it('marks a slow auto that chose the best configuration ≈, not ✗, and one within 10 % ✓', () => {
    const base = { choice: 'workers', best: 'workers', bestMs: 2, choseBest: true };
    expect(formatAutoVerdict({ ...base, autoMs: 2.5, ratio: 1.25, withinTarget: false })).toBe('1.25 ≈ (chose workers; the best)');
    expect(formatAutoVerdict({ ...base, autoMs: 2.2, ratio: 1.1, withinTarget: true })).toBe('1.10 ✓ (chose workers; the best)');
    expect(formatAutoVerdict(undefined)).toBe('—');
  });

  describe('wisdom from the report', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bench-wisdom-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('has one entry per layer: the bench-fastest candidate and the bench medians', () => {
      const { file, candidates, skipped } = wisdomFromReport(report);
      expect(candidates).toEqual([SLOW, FAST]);
      expect(skipped).toEqual([]);
      expect(file.entries.map((e) => [e.problem, e.choice, e.medianMs])).toEqual([
        ['1x8x3x3 co4 g1 s1.1 p0.0.0.0 NCHW>NCHW none bias', FAST, { [SLOW]: 5, [FAST]: 2 }],
        ['1x16x2x5 co8 g1 s1.1 p0.0.0.0 NCHW>NCHW relu bias', FAST, { [SLOW]: 5, [FAST]: 2 }],
      ]);
    });

    it('round-trips through fileWisdomStore and loadWisdom, and the planner uses it without measuring', async () => {
      const path = join(dir, 'wisdom.json');
      await writeFile(path, JSON.stringify(wisdomFromReport(report).file));
      const wisdom = new Wisdom(report.planner!.fingerprint);
      expect(await loadWisdom(wisdom, fileWisdomStore(path))).toEqual({ accepted: 2, ignored: [] });
      expect(wisdom.lookup('1x16x2x5 co8 g1 s1.1 p0.0.0.0 NCHW>NCHW relu bias', [SLOW, FAST])?.choice).toBe(FAST);
      // The problem a user prepares: the second layer, with any data of its shape.
      const layer = LAYERS.layers[1];
      const input = zerosTensor([1, 16, 2, 5], 'NCHW');
      const op = await prepareConv1x1(layerProblem(layer, input, new Float32Array(8 * 16), new Float32Array(8)), {
        registry,
        backend: [SLOW, FAST] as never,
        choose: 'wisdom-only',
        wisdom,
      });
      expect(op.info.configuration).toBe(FAST);
      expect(op.info.selection?.method).toBe('wisdom');
      op.dispose();
    });

    it('is ignored, with its reason, on another machine or by another core version', () => {
      const json = JSON.stringify(wisdomFromReport(report).file);
      const elsewhere = new Wisdom({ ...report.planner!.fingerprint, cpu: 'Another CPU', cores: 64 });
      const result = elsewhere.import(json);
      expect(result.accepted).toBe(0);
      expect(result.ignored).toHaveLength(2);
      // The reason names the machine the entries were made for (the bench's).
      for (const i of result.ignored) {
        expect(i.reason).toMatch(/^made for another environment/);
        expect(i.reason).toContain(fingerprintKey(report.planner!.fingerprint));
      }
      expect(elsewhere.size).toBe(0);
      const older = JSON.stringify({ ...wisdomFromReport(report).file, entries: wisdomFromReport(report).file.entries.map((e) => ({ ...e, version: '0.0.1' })) });
      const here = new Wisdom(report.planner!.fingerprint);
      const ignored = here.import(older).ignored;
      expect(ignored).toHaveLength(2);
      // Core's wording (quoting may change): the entry's version and this one.
      for (const i of ignored) expect(i.reason).toMatch(/^made by version "?0\.0\.1"?, this is "?0\.1\.0"?$/);
    });
  });
});

describe('batched samples of fast runs, on the fake clock', () => {
  const ENVIRONMENT = { cpuModel: 'test', logicalCores: 2, availableParallelism: 2, memoryGiB: 1, platform: 'linux', arch: 'x64', osRelease: '', nodeVersion: 'v20', v8Version: '', loadAverage1m: 0 };
  // 1/64 ms a run (exact in binary, so the fake clock adds up exactly), and 1 ms a run.
  const QUICK = 'fake[cost=0.015625]';
  const SLOWER = 'fake[cost=1]';
  const layer: Suite = { name: 'one', description: 'one layer', layers: [LAYERS.layers[0]] };

  async function measure(minSampleMs?: number, turnWarmupMs?: number, { quick = QUICK, warmupMs = 0.5, minTimeMs = 1 } = {}): Promise<Measurement[]> {
    const registry = fakeRegistry();
    fakeRuns.clear();
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const report = await runBenchIn(
        { environment: ENVIRONMENT, version: 'test' },
        {
          suites: [layer],
          contenders: [new BackendContender(quick, registry), new BackendContender(SLOWER, registry)],
          layouts: ['NCHW'],
          settings: {
            repeat: 3,
            minTimeMs,
            maxTimeMs: 1000,
            minSamplesAtCap: 3,
            maxSamples: 20,
            warmupMs,
            ...(minSampleMs === undefined ? {} : { minSampleMs }),
            ...(turnWarmupMs === undefined ? {} : { turnWarmupMs }),
          },
          seed: 3,
        },
      );
      return report.suites[0].layers[0].measurements;
    } finally {
      vi.restoreAllMocks();
      await registry.dispose();
    }
  }

  it('times runs shorter than minSampleMs in back-to-back batches, each sample their mean', async () => {
    const [quick, slower] = await measure(0.25);
    // 0.25 ms ÷ 1/64 ms = 16 runs a sample; 0.25 ms a sample, so four reach minTimeMs (1 ms).
    expect(quick).toMatchObject({ runsPerSample: 16, samplesMs: [0.015625, 0.015625, 0.015625, 0.015625] });
    // A 1 ms run is longer than a sample: one run each, three samples (repeat), as without batching.
    expect(slower.runsPerSample).toBeUndefined();
    expect(slower.samplesMs).toEqual([1, 1, 1]);
  });

  it('never lets a batch outlast maxTimeMs / minSamplesAtCap, nor hold more than 10,000 runs', async () => {
    const [quick, slower] = await measure(1e9);
    // 1000 ms ÷ 3 samples: 333 one-millisecond runs; 1/64 ms runs would be 21,333: capped at 10,000.
    expect(slower.runsPerSample).toBe(333);
    expect(quick.runsPerSample).toBe(10_000);
  });

  it('opens a sample with one untimed run when another contender ran since its last one, when runs are at most turnWarmupMs', async () => {
    const [quick, slower] = await measure(0.25, 2, { minTimeMs: 2 });
    // The samples are what they were without turn runs: 8 batches of 16 (2 ms) and 3 single runs.
    expect(quick).toMatchObject({ runsPerSample: 16, samplesMs: Array(8).fill(0.015625) });
    expect(slower.samplesMs).toEqual([1, 1, 1]);
    // Rounds 1-3 time both (a turn run each); round 4 times the quick one after the slower one's third
    // sample (a turn run); in rounds 5-8 it follows itself (none).
    expect(quick.turnRuns).toBe(4);
    expect(slower.turnRuns).toBe(3);
    // Every run the backend saw: the checked first run, the warm-up, the samples and the turn runs.
    expect(fakeRuns.get(0.015625)).toBe(1 + quick.warmupRuns + 8 * 16 + 4);
    expect(fakeRuns.get(1)).toBe(1 + slower.warmupRuns + 3 + 3);
  });

  it('runs no turn warm-up for runs longer than turnWarmupMs', async () => {
    const [quick, slower] = await measure(0.25, 0.5);
    expect(quick.turnRuns).toBe(4);
    expect(slower.turnRuns).toBeUndefined();
    expect(fakeRuns.get(1)).toBe(1 + slower.warmupRuns + 3);
  });

  it('runs no turn warm-up with turnWarmupMs 0, also for runs the clock reads as 0 ms (a coarse browser timer)', async () => {
    // No warm-up runs (a 0 ms run would never fill one): the run time is the first run's, 0 ms on this clock.
    const [instant, slower] = await measure(undefined, 0, { quick: 'fake[cost=0]', warmupMs: 0 });
    // Was 3 (each turn while the slower one was timed too): 0 ≤ 0 opened it with a run, though 0 means never.
    expect(instant.turnRuns).toBeUndefined();
    expect(instant.samplesMs).toEqual(Array(20).fill(0));
    expect(slower.turnRuns).toBeUndefined();
    expect(fakeRuns.get(0)).toBe(1 + 20);
  });

  it('times one run a sample without minSampleMs', async () => {
    const [quick] = await measure();
    expect(quick.runsPerSample).toBeUndefined();
    // One run a sample: 20 samples (maxSamples) before 1 ms has passed.
    expect(quick.samplesMs).toHaveLength(20);
  });
});

describe('autoCandidates', () => {
  it('orders configurations by registry preference, keeping the given order within a backend', () => {
    expect(autoCandidates(['gpujs', 'workers', 'cpu-tiled', 'reference'], ['cpu-tiled[kernel=js]', 'workers', 'cpu-tiled[kernel=wasm-simd]', 'workers'])).toEqual([
      'workers',
      'cpu-tiled[kernel=js]',
      'cpu-tiled[kernel=wasm-simd]',
    ]);
  });
});

// ---- The crossover suite ----------------------------------------------------------------------------------

describe('the crossover suites', () => {
  it('sweep Ci = Co 8…1024 at 28² and H×W 1…112² at 64→64, sharing one layer', () => {
    const channels = CROSSOVER.layers.filter((l) => l.sweeps?.includes(CHANNEL_SWEEP));
    const spatial = CROSSOVER.layers.filter((l) => l.sweeps?.includes(SPATIAL_SWEEP));
    expect(channels.map((l) => [l.inChannels, l.outChannels, l.height, l.width])).toEqual([8, 16, 32, 64, 128, 256, 512, 1024].map((c) => [c, c, 28, 28]));
    expect(spatial.map((l) => [l.inChannels, l.height]).sort((a, b) => a[1] - b[1])).toEqual([1, 2, 4, 7, 14, 28, 56, 112].map((s) => [64, s]));
    expect(CROSSOVER.layers).toHaveLength(15);
    expect(CROSSOVER.layers.filter((l) => l.sweeps?.length === 2).map((l) => l.name)).toEqual(['64→64 @28²']);
    // 2·Co·Ci·H·W: 2·1024²·784 and 2·64²·112².
    expect(layerFlops(channels[7])).toBe(1_644_167_168);
    expect(layerFlops(spatial[7])).toBe(102_760_448);
    expect(CROSSOVER.layers.every((l) => l.batch === 1 && l.stride === 1 && l.groups === 1 && l.activation === 'none')).toBe(true);
    expect(CROSSOVER_QUICK.layers.map((l) => l.name)).toEqual(['8→8 @28²', '64→64 @28²', '256→256 @28²', '1024→1024 @28²', '64→64 @1²', '64→64 @7²', '64→64 @112²']);
  });
});

/**
 * A synthetic row: contender `small` with no overhead at 10 GFLOP/s, `big` with 0.1 ms overhead
 * and 50 GFLOP/s, and an `auto` faster than both (ignored: it runs one of them). Their times are
 * equal where f/10e9 = 1e-4 + f/50e9, i.e. at f = 1.25·10⁶ FLOPs.
 */
function syntheticRow(layer: ReturnType<typeof makeLayer>): LayerResult {
  const flops = layerFlops(layer);
  const m = (contender: string, kind: Measurement['kind'], ms: number): Measurement => ({
    contender,
    kind,
    version: '1',
    status: 'ok',
    samplesMs: [ms],
    warmupRuns: 0,
    summary: { count: 1, median: ms, mean: ms, min: ms, max: ms, p10: ms, p90: ms },
    gflops: { median: flops / (ms * 1e6), low: flops / (ms * 1e6), high: flops / (ms * 1e6) },
  });
  const small = (flops / 10e9) * 1e3;
  const big = 0.1 + (flops / 50e9) * 1e3;
  return {
    layer: { ...layer, flops, data: 'synthetic' },
    measurements: [m('small', 'backend', small), m('big', 'backend', big), m('auto', 'planner', Math.min(small, big) / 2)],
  };
}

describe('crossover points', () => {
  const suite: SuiteResult = { suite: 'crossover', description: '', layout: 'NCHW', layers: CROSSOVER.layers.map(syntheticRow) };

  it('are found where the fastest contender changes in each sweep, between the neighbouring points', () => {
    const [channels, spatial] = crossoverAnalysis(suite);
    expect(channels.sweep).toBe(CHANNEL_SWEEP);
    // 2·784·c²: 401 408 FLOPs at c = 16 < 1.25·10⁶ < 1 605 632 at c = 32; marked at their geometric mean.
    expect(channels.crossovers).toEqual([
      { below: '16→16 @28²', belowFlops: 401_408, above: '32→32 @28²', aboveFlops: 1_605_632, atFlops: 802_816, from: 'small', to: 'big' },
    ]);
    expect(channels.backendCrossovers).toEqual(channels.crossovers);
    // 2·64²·s² = 8192·s²: 401 408 at s = 7 < 1.25·10⁶ < 1 605 632 at s = 14.
    expect(spatial.crossovers.map((c) => [c.below, c.above, c.from, c.to])).toEqual([['64→64 @7²', '64→64 @14²', 'small', 'big']]);
    expect(spatial.points.map((p) => p.fastest)).toEqual(['small', 'small', 'small', 'small', 'big', 'big', 'big', 'big']);
    // The HTML page's sweep charts carry the same points, to be drawn as dashed lines.
    expect(sweepCharts(suite, 0).map((c) => [c.name, c.crossovers.map((x) => x.atFlops), c.x])).toEqual([
      [CHANNEL_SWEEP, [802_816], { min: 1e5, max: 1e10 }],
      [SPATIAL_SWEEP, [802_816], { min: 1e3, max: 1e9 }],
    ]);
  });

  it('skip untimed points, order by FLOPs and report every change', () => {
    expect(
      detectCrossovers([
        { layer: 'd', flops: 400, fastest: 'A' },
        { layer: 'a', flops: 1, fastest: 'A' },
        { layer: 'b', flops: 10 },
        { layer: 'c', flops: 100, fastest: 'B' },
      ]),
    ).toEqual([
      { below: 'a', belowFlops: 1, above: 'c', aboveFlops: 100, atFlops: 10, from: 'A', to: 'B' },
      { below: 'c', belowFlops: 100, above: 'd', aboveFlops: 400, atFlops: 200, from: 'B', to: 'A' },
    ]);
    expect(detectCrossovers([{ layer: 'a', flops: 1, fastest: 'A' }, { layer: 'b', flops: 2, fastest: 'A' }])).toEqual([]);
  });
});
