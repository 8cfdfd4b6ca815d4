import { makeLayer, type BenchLayer, type Suite } from './layer.js';
import type { Measurement, SuiteResult } from './results.js';

/** Fixed spatial size of the channel sweep. */
export const CROSSOVER_SIZE = 28;
/** Fixed channels (Ci = Co) of the spatial sweep. */
export const CROSSOVER_CHANNELS = 64;

/** Sweep names as layers carry them. */
export const CHANNEL_SWEEP = `Ci=Co @${CROSSOVER_SIZE}²`;
export const SPATIAL_SWEEP = `H×W @${CROSSOVER_CHANNELS}→${CROSSOVER_CHANNELS}`;

/** Points of the `crossover` suite: Ci = Co from 8 to 1024 at 28², H = W from 1 to 112 at 64→64. */
export const CROSSOVER_POINTS = { channels: [8, 16, 32, 64, 128, 256, 512, 1024], sizes: [1, 2, 4, 7, 14, 28, 56, 112] } as const;
/** Points of `crossover-quick`: the same ends, fewer steps. */
export const CROSSOVER_QUICK_POINTS = { channels: [8, 64, 256, 1024], sizes: [1, 7, 28, 112] } as const;

/**
 * The layers of two size sweeps of a square, stride-1, batch-1 layer without activation: Ci = Co
 * over `channels` at `size`² and H = W over `sizes` at `fixedChannels` → `fixedChannels`. The
 * layer both sweeps share (`fixedChannels` at `size`², when both lists hold it) is measured once
 * and carries both sweep names. Channel sweep first, then the spatial one, each by size.
 */
export function crossoverLayers(
  points: { readonly channels: readonly number[]; readonly sizes: readonly number[] },
  size = CROSSOVER_SIZE,
  fixedChannels = CROSSOVER_CHANNELS,
): BenchLayer[] {
  const channelSweep = `Ci=Co @${size}²`;
  const spatialSweep = `H×W @${fixedChannels}→${fixedChannels}`;
  const shared = points.channels.includes(fixedChannels) && points.sizes.includes(size);
  const byChannels = [...points.channels].sort((a, b) => a - b).map((c) =>
    makeLayer({
      inChannels: c,
      outChannels: c,
      height: size,
      width: size,
      sweeps: c === fixedChannels && shared ? [channelSweep, spatialSweep] : [channelSweep],
    }),
  );
  const bySize = [...points.sizes]
    .sort((a, b) => a - b)
    .filter((s) => !(shared && s === size))
    .map((s) => makeLayer({ inChannels: fixedChannels, outChannels: fixedChannels, height: s, width: s, sweeps: [spatialSweep] }));
  return [...byChannels, ...bySize];
}

/** `crossover`: 15 layers, Ci = Co 8…1024 at 28² and H×W 1…112² at 64→64 (a few minutes on 2 cores). */
export const CROSSOVER: Suite = {
  name: 'crossover',
  description: `where each contender wins: Ci = Co 8…1024 at ${CROSSOVER_SIZE}², H×W 1…112² at ${CROSSOVER_CHANNELS}→${CROSSOVER_CHANNELS}`,
  layers: crossoverLayers(CROSSOVER_POINTS),
};

/** `crossover-quick`: 7 layers, the same ends (Ci = Co 8, 64, 256, 1024; H = W 1, 7, 28, 112). */
export const CROSSOVER_QUICK: Suite = {
  name: 'crossover-quick',
  description: `the crossover sweeps with fewer points: Ci = Co 8, 64, 256, 1024 at ${CROSSOVER_SIZE}²; H×W 1, 7, 28, 112 at ${CROSSOVER_CHANNELS}→${CROSSOVER_CHANNELS}`,
  layers: crossoverLayers(CROSSOVER_QUICK_POINTS),
};

/** One point of a sweep: a layer, its FLOPs and who was fastest there. */
export interface SweepPoint {
  readonly layer: string;
  readonly flops: number;
  /** Fastest contender (highest median GFLOP/s) among those compared; absent when none was timed. */
  readonly fastest?: string;
}

/** Where the fastest contender changes between two neighbouring points of a sweep. */
export interface Crossover {
  /** The last point `from` won and its FLOPs. */
  readonly below: string;
  readonly belowFlops: number;
  /** The first point `to` won and its FLOPs. */
  readonly above: string;
  readonly aboveFlops: number;
  /** Where a chart marks it: the geometric mean of the two FLOP counts (the middle on a log axis). */
  readonly atFlops: number;
  readonly from: string;
  readonly to: string;
}

/**
 * The crossover points of a sweep: ordered by FLOPs (ties keep their order), each change of the
 * fastest contender between two neighbouring timed points. Points without a fastest contender are
 * skipped, so a change across them is reported between the timed neighbours.
 */
export function detectCrossovers(points: readonly SweepPoint[]): Crossover[] {
  const timed = points
    .map((p, i) => ({ p, i }))
    .filter((x) => x.p.fastest !== undefined)
    .sort((a, b) => a.p.flops - b.p.flops || a.i - b.i)
    .map((x) => x.p);
  const crossovers: Crossover[] = [];
  for (let i = 1; i < timed.length; i++) {
    const [a, b] = [timed[i - 1], timed[i]];
    if (a.fastest !== b.fastest) {
      crossovers.push({
        below: a.layer,
        belowFlops: a.flops,
        above: b.layer,
        aboveFlops: b.flops,
        atFlops: Math.sqrt(a.flops * b.flops),
        from: a.fastest!,
        to: b.fastest!,
      });
    }
  }
  return crossovers;
}

function fastestOf(measurements: readonly Measurement[]): string | undefined {
  let best: { key: string; rate: number } | undefined;
  for (const m of measurements) {
    const rate = m.gflops?.median;
    if (m.status === 'ok' && rate !== undefined && (best === undefined || rate > best.rate)) best = { key: m.contender, rate };
  }
  return best?.key;
}

/** One sweep of a suite: its points ordered by FLOPs and where the fastest contender changes. */
export interface SweepAnalysis {
  readonly sweep: string;
  /** Points with the fastest of every contender but the planner (`auto` runs one of them). */
  readonly points: readonly SweepPoint[];
  readonly crossovers: readonly Crossover[];
  /** The same among the Pointwise registry configurations only: the choices the planner has. */
  readonly backendPoints: readonly SweepPoint[];
  readonly backendCrossovers: readonly Crossover[];
}

/** The sweeps of a suite's layers, in order of first appearance (empty for a suite without sweeps). */
export function suiteSweeps(suite: SuiteResult): string[] {
  const names: string[] = [];
  for (const l of suite.layers) for (const s of l.layer.sweeps ?? []) if (!names.includes(s)) names.push(s);
  return names;
}

/** Every sweep of a suite with its crossover points (overall and among the registry configurations). */
export function crossoverAnalysis(suite: SuiteResult): SweepAnalysis[] {
  return suiteSweeps(suite).map((sweep) => {
    const rows = suite.layers.filter((l) => l.layer.sweeps?.includes(sweep)).sort((a, b) => a.layer.flops - b.layer.flops);
    const pointsOf = (keep: (m: Measurement) => boolean): SweepPoint[] =>
      rows.map((l) => {
        const fastest = fastestOf(l.measurements.filter(keep));
        return { layer: l.layer.name, flops: l.layer.flops, ...(fastest === undefined ? {} : { fastest }) };
      });
    const points = pointsOf((m) => m.kind !== 'planner');
    const backendPoints = pointsOf((m) => m.kind === 'backend');
    return { sweep, points, crossovers: detectCrossovers(points), backendPoints, backendCrossovers: detectCrossovers(backendPoints) };
  });
}

/** `64→64 @14² → @28²: cpu-tiled → workers (at 8.6 MFLOP)`-style lines of a sweep, or one saying there is none. */
export function describeCrossovers(analysis: SweepAnalysis): string[] {
  const line = (c: Crossover) =>
    `between ${c.below} (${(c.belowFlops / 1e6).toPrecision(3)} MFLOP) and ${c.above} (${(c.aboveFlops / 1e6).toPrecision(3)} MFLOP): ${c.from} → ${c.to}`;
  const overall = analysis.crossovers.length > 0 ? analysis.crossovers.map(line) : [`no crossover: ${analysis.points.find((p) => p.fastest)?.fastest ?? 'nothing timed'} fastest throughout`];
  const backends =
    analysis.backendCrossovers.length > 0
      ? analysis.backendCrossovers.map((c) => `Pointwise configurations ${line(c)}`)
      : [`Pointwise configurations: ${analysis.backendPoints.find((p) => p.fastest)?.fastest ?? 'none timed'} fastest throughout`];
  return [...overall, ...backends];
}
