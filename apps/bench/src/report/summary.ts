import { NAIVE_NAME } from '../contenders/naive-contender.js';
import type { ChainResult, ChainSeries, LayerResult, Measurement, MeasurementSettings, SuiteResult } from '../results.js';

/** Column keys of a suite table, in the order contenders were given. */
export function suiteColumns(suite: SuiteResult): string[] {
  const keys: string[] = [];
  for (const layer of suite.layers) for (const m of layer.measurements) if (!keys.includes(m.contender)) keys.push(m.contender);
  return keys;
}

/** A series and its median GFLOP/s. */
export interface Ranked {
  readonly key: string;
  readonly gflops: number;
}

/** The comparisons of one table row. */
export interface RowSummary {
  /** Fastest series (the one marked best), if any ran. */
  readonly best?: Ranked;
  /** Fastest Pointwise backend. */
  readonly bestBackend?: Ranked;
  /** Fastest peer other than the naive baseline. */
  readonly bestPeer?: Ranked;
  /** The naive baseline. */
  readonly naive?: Ranked;
  /** `bestBackend / naive`. */
  readonly backendVsNaive?: number;
  /** `bestBackend / bestPeer`. */
  readonly backendVsBestPeer?: number;
}

function fastest(measurements: readonly Measurement[]): Ranked | undefined {
  let best: Ranked | undefined;
  for (const m of measurements) {
    const rate = m.gflops?.median;
    if (m.status === 'ok' && rate !== undefined && (best === undefined || rate > best.gflops)) {
      best = { key: m.contender, gflops: rate };
    }
  }
  return best;
}

/** Best overall, best backend, best peer and the ratios of one layer's row (the planner's `auto` runs one of the backends: never "best"). */
export function summarizeRow(layer: LayerResult): RowSummary {
  const ms = layer.measurements.filter((m) => m.kind !== 'planner');
  const best = fastest(ms);
  const bestBackend = fastest(ms.filter((m) => m.kind === 'backend'));
  const bestPeer = fastest(ms.filter((m) => m.kind === 'peer' && m.contender !== NAIVE_NAME));
  const naive = fastest(ms.filter((m) => m.contender === NAIVE_NAME));
  return {
    ...(best ? { best } : {}),
    ...(bestBackend ? { bestBackend } : {}),
    ...(bestPeer ? { bestPeer } : {}),
    ...(naive ? { naive } : {}),
    ...(bestBackend && naive ? { backendVsNaive: bestBackend.gflops / naive.gflops } : {}),
    ...(bestBackend && bestPeer ? { backendVsBestPeer: bestBackend.gflops / bestPeer.gflops } : {}),
  };
}

/** A positive quantity with 3 significant digits, whole numbers from 100 on (`0.000768`, `0.412`, `12.3`, `3288`). */
export function formatSignificant(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

/** GFLOP/s with 3 significant digits (`0.412`, `12.3`, `145`). */
export function formatRate(gflops: number): string {
  return formatSignificant(gflops);
}

/** Half the p10–p90 spread of the rate, as a percentage of the median (`±4%`). */
export function spreadPercent(m: Measurement): number {
  if (!m.gflops) return 0;
  return ((m.gflops.high - m.gflops.low) / 2 / m.gflops.median) * 100;
}

/** A table cell: `12.3 ±4%`, `WRONG`, `failed`, `n/a`. */
export function formatCell(m: Measurement | undefined): string {
  if (m === undefined) return '—';
  switch (m.status) {
    case 'ok':
      return m.gflops ? `${formatRate(m.gflops.median)} ±${spreadPercent(m).toFixed(0)}%` : '—';
    case 'wrong':
      return 'WRONG';
    case 'failed':
      return 'failed';
    case 'unsupported':
      return 'n/a';
  }
}

/** A ratio: `3.2×`, or `—` when either side is missing. */
export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '—' : `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}

/** Milliseconds with sensible precision (`0.042`, `3.1`, `1250`). */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2);
}

/** Details as `threads=2 kernel=wasm-simd`. */
export function formatDetails(details: Measurement['details']): string {
  return details ? Object.entries(details).map(([k, v]) => `${k}=${v}`).join(' ') : '';
}

/** Layouts as `NCHW` or `NCHW→NHWC`. */
export function formatLayouts(m: Measurement): string {
  if (!m.inputLayout) return '—';
  return m.inputLayout === m.outputLayout ? m.inputLayout : `${m.inputLayout}→${m.outputLayout}`;
}

/**
 * Per contender series of a suite, what stays the same across its layers
 * (version, layouts, details) and what is summed over them (samples, worst
 * accuracy ratio, problems).
 */
export interface SeriesLegend {
  readonly key: string;
  readonly kind: Measurement['kind'];
  readonly version: string;
  readonly layouts: string;
  readonly details: string;
  /** Worst accuracy ratio over the layers it was checked on. */
  readonly worstRatio: number | undefined;
  /** Fewest and most warm samples on a layer. */
  readonly samples: readonly [number, number];
  /** `layer: reason` for each layer that was not timed. */
  readonly problems: readonly string[];
}

/** Most distinct values of one detail a legend shows (tile sizes that change per layer are left to the JSON). */
const MAX_DISTINCT_DETAIL_VALUES = 3;

/** Details over several layers: `threads=1|2 kernel=wasm-simd`, keys with many distinct values left out. */
export function mergeDetails(all: readonly NonNullable<Measurement['details']>[]): string {
  const values = new Map<string, Set<string>>();
  for (const details of all) {
    for (const [key, value] of Object.entries(details)) {
      if (!values.has(key)) values.set(key, new Set());
      values.get(key)!.add(String(value));
    }
  }
  return [...values]
    .filter(([, set]) => set.size <= MAX_DISTINCT_DETAIL_VALUES)
    .map(([key, set]) => `${key}=${[...set].join('|')}`)
    .join(' ');
}

/** The legend rows of a suite (one per column). */
export function suiteLegend(suite: SuiteResult): SeriesLegend[] {
  return suiteColumns(suite).map((key) => {
    const rows = suite.layers.flatMap((l) => l.measurements.filter((m) => m.contender === key).map((m) => ({ layer: l.layer.name, m })));
    const timed = rows.filter((r) => r.m.status === 'ok');
    const counts = timed.map((r) => r.m.samplesMs.length);
    const ratios = rows.flatMap((r) => (r.m.accuracy ? [r.m.accuracy.worstRatio] : []));
    const first = (timed[0] ?? rows[0]).m;
    return {
      key,
      kind: first.kind,
      version: first.version,
      layouts: [...new Set(timed.map((r) => formatLayouts(r.m)))].join(' / ') || '—',
      details: mergeDetails(timed.map((r) => r.m.details ?? {})),
      worstRatio: ratios.length > 0 ? Math.max(...ratios) : undefined,
      samples: counts.length > 0 ? [Math.min(...counts), Math.max(...counts)] : [0, 0],
      problems: rows.filter((r) => r.m.status !== 'ok').map((r) => `${r.layer}: ${r.m.status}${r.m.reason ? ` (${r.m.reason})` : ''}`),
    };
  });
}

/** True when any measurement in the suites returned a wrong result. */
export function hasWrongResult(suites: readonly SuiteResult[], chains: readonly ChainResult[] = []): boolean {
  return (
    suites.some((s) => s.layers.some((l) => l.measurements.some((m) => m.status === 'wrong' || (m.variants ?? []).some((v) => v.status === 'wrong')))) ||
    chains.some((c) => c.runs.some((r) => r.status === 'wrong'))
  );
}

/** The measurement method in one sentence, for every report format. */
export function describeSettings(s: MeasurementSettings): string {
  return (
    `Every result checked against the float64 reference before timing; warm-up ${s.warmupMs} ms (counting the first run), ` +
    `then ≥ ${s.repeat} samples and ≥ ${s.minTimeMs} ms per contender and layer (at most ${s.maxSamples} samples; ` +
    `≥ ${s.minSamplesAtCap} once ${s.maxTimeMs} ms), contenders interleaved round-robin` +
    ((s.turnWarmupMs ?? 0) > 0 ? ` (a contender whose runs take ≤ ${s.turnWarmupMs} ms runs once, untimed, right before each of its samples)` : '') +
    `; results read back to host memory.`
  );
}

/** One cell of the rate table. */
export interface RateCell {
  readonly text: string;
  /** The fastest series in its row. */
  readonly best: boolean;
  readonly wrong: boolean;
}

/** One row of the rate table, formatted; each renderer only adds its markup. */
export interface RateRow {
  readonly layer: string;
  readonly mflop: string;
  readonly cells: readonly RateCell[];
  /** Best Pointwise backend ÷ naive. */
  readonly vsNaive: string;
  /** Best Pointwise backend ÷ best peer, with the peer's name. */
  readonly vsBestPeer: string;
  /** The `auto` verdict ({@link formatAutoVerdict}); `—` without one. */
  readonly auto: string;
  /** Whether auto missed the 10 % target on this row. */
  readonly autoMissed: boolean;
}

/** Header of the rate table after the series columns. */
export const RATE_TAIL_HEAD = ['× naive', '× best peer'] as const;

/** The tail header of a suite's rate table: the ratios, and the auto verdict when `auto` ran. */
export function rateTailHead(suite: SuiteResult): string[] {
  return hasAuto(suite) ? [...RATE_TAIL_HEAD, AUTO_HEAD] : [...RATE_TAIL_HEAD];
}

/** The tail cells of a row under {@link rateTailHead}. */
export function rateTail(suite: SuiteResult, row: RateRow): string[] {
  return hasAuto(suite) ? [row.vsNaive, row.vsBestPeer, row.auto] : [row.vsNaive, row.vsBestPeer];
}

/** The rate table of a suite: its series columns and a formatted row per layer. */
export function rateRows(suite: SuiteResult): { readonly columns: string[]; readonly rows: RateRow[] } {
  const columns = suiteColumns(suite);
  const rows = suite.layers.map((row) => {
    const summary = summarizeRow(row);
    const verdict = autoVerdict(row);
    return {
      layer: row.layer.name,
      mflop: formatSignificant(row.layer.flops / 1e6),
      cells: columns.map((key) => {
        const m = row.measurements.find((x) => x.contender === key);
        return { text: formatCell(m), best: summary.best?.key === key, wrong: m?.status === 'wrong' };
      }),
      vsNaive: formatRatio(summary.backendVsNaive),
      vsBestPeer: summary.bestPeer ? `${formatRatio(summary.backendVsBestPeer)} (${summary.bestPeer.key})` : '—',
      auto: formatAutoVerdict(verdict),
      autoMissed: verdict !== undefined && !verdict.withinTarget,
    };
  });
  return { columns, rows };
}

/** Cold start per layer and series: `prepare + first run` in ms. */
export function coldStartRows(suite: SuiteResult): { readonly columns: string[]; readonly rows: { readonly layer: string; readonly cells: string[] }[] } {
  const columns = suiteColumns(suite);
  const rows = suite.layers.map((row) => ({
    layer: row.layer.name,
    cells: columns.map((key) => {
      const m = row.measurements.find((x) => x.contender === key);
      return m?.prepareMs === undefined ? '—' : `${formatMs(m.prepareMs)} + ${formatMs(m.firstRunMs)}`;
    }),
  }));
  return { columns, rows };
}

/** Header of the legend table. */
export const LEGEND_HEAD = ['contender', 'kind', 'version', 'layout', 'details', 'samples', 'worst err/bound', 'not timed'] as const;

/** The legend of a suite as text cells under {@link LEGEND_HEAD}; `not timed` lists one problem per line. */
export function legendRows(suite: SuiteResult): string[][] {
  return suiteLegend(suite).map((s) => [
    s.key,
    s.kind,
    s.version,
    s.layouts,
    s.details,
    s.samples[0] === s.samples[1] ? String(s.samples[0]) : `${s.samples[0]}–${s.samples[1]}`,
    s.worstRatio === undefined ? '—' : s.worstRatio.toFixed(3),
    s.problems.join('\n') || '—',
  ]);
}

/** The issue's target: the planner's choice within 10 % of the best candidate's median. */
export const AUTO_TOLERANCE = 1.1;

/** How the planner's `auto` did on one layer against the registry configurations the bench timed. */
export interface AutoVerdict {
  /** The configuration the planner chose (`details.choice`), named as the run's contender of that configuration where there is one. */
  readonly choice: string;
  /** The registry contender with the lowest bench median, and that median. */
  readonly best: string;
  readonly bestMs: number;
  readonly autoMs: number;
  /** `autoMs / bestMs`: 1 is as fast as the best; the target is ≤ {@link AUTO_TOLERANCE}. */
  readonly ratio: number;
  readonly withinTarget: boolean;
  /** Whether the planner chose the configuration the bench found fastest. */
  readonly choseBest: boolean;
  /** Time the planner took to decide (prepare, check and time every candidate), ms. */
  readonly decisionMs?: number;
}

/** The `auto` verdict of a layer, or `undefined` when `auto` or every registry contender was not timed there. */
export function autoVerdict(layer: LayerResult): AutoVerdict | undefined {
  const auto = layer.measurements.find((m) => m.kind === 'planner' && m.status === 'ok' && m.summary);
  if (!auto) return undefined;
  let best: Measurement | undefined;
  for (const m of layer.measurements) {
    if (m.kind === 'backend' && m.status === 'ok' && m.summary && (best === undefined || m.summary.median < best.summary!.median)) best = m;
  }
  if (!best) return undefined;
  const ratio = auto.summary!.median / best.summary!.median;
  const chosen = String(auto.details?.choice ?? auto.selection?.candidates.find((c) => c.status === 'chosen')?.configuration ?? '?');
  // Named as the bench's own contender of that configuration where there is one (`cpu-tiled[wasm-simd]`,
  // as typed in --backends), so one table does not mix the short and the canonical form.
  const choice = layer.measurements.find((m) => m.kind === 'backend' && m.configuration === chosen)?.contender ?? chosen;
  return {
    choice,
    choseBest: chosen === (best.configuration ?? best.contender),
    best: best.contender,
    bestMs: best.summary!.median,
    autoMs: auto.summary!.median,
    ratio,
    withinTarget: ratio <= AUTO_TOLERANCE,
    ...(auto.selection ? { decisionMs: auto.selection.decisionMs } : {}),
  };
}

/** True when a suite has a planner (`auto`) column. */
export function hasAuto(suite: SuiteResult): boolean {
  return suite.layers.some((l) => l.measurements.some((m) => m.kind === 'planner'));
}

/**
 * Header of the auto column: a ratio of median times (lower is better; ✓ at most {@link AUTO_TOLERANCE};
 * ≈ above it although the planner chose the configuration the bench found fastest; ✗ a worse choice).
 */
export const AUTO_HEAD = 'auto time ÷ best backend time (✓ ≤ 1.10; above it: ≈ chose the best, ✗ chose another)';

/**
 * The auto cell: `1.03 ✓ (chose workers; best cpu-tiled[js])`, `1.13 ≈ (chose workers; the best)` or `—`.
 * Above the tolerance with the best configuration chosen, the gap is between two operators of the same
 * configuration timed in the same round-robin (the run's spread), not a wrong choice, so it is not marked ✗.
 */
export function formatAutoVerdict(v: AutoVerdict | undefined): string {
  if (!v) return '—';
  const best = v.choseBest ? 'the best' : `best ${v.best}`;
  const mark = v.withinTarget ? '✓' : v.choseBest ? '≈' : '✗';
  return `${v.ratio.toFixed(2)} ${mark} (chose ${v.choice}; ${best})`;
}

/**
 * One line per suite with an `auto` column: on how many layers the planner's choice was within
 * 10 % of the best registry configuration's bench median, and the worst ratio.
 */
export function autoSummaryLine(suite: SuiteResult): string | undefined {
  if (!hasAuto(suite)) return undefined;
  const verdicts = suite.layers.map((l) => ({ layer: l.layer.name, v: autoVerdict(l) })).filter((x) => x.v !== undefined);
  if (verdicts.length === 0) return 'auto: not timed against any registry configuration';
  const within = verdicts.filter((x) => x.v!.withinTarget).length;
  const worst = verdicts.reduce((a, b) => (b.v!.ratio > a.v!.ratio ? b : a));
  const decisions = verdicts.flatMap((x) => (x.v!.decisionMs === undefined ? [] : [x.v!.decisionMs]));
  const decision = decisions.length > 0 ? `; deciding took ${formatMs(Math.min(...decisions))}–${formatMs(Math.max(...decisions))} ms per layer` : '';
  return (
    `auto (the planner's choice) within 10 % of the best registry configuration's median on ${within} of ${verdicts.length} layers` +
    ` (worst ${worst.v!.ratio.toFixed(2)} on ${worst.layer})${decision}`
  );
}

/** Details that say what ran on a variant or chain row (gpu.js kernel variant and renderer, microkernel, mode). */
const WHAT_RAN_KEYS = ['mode', 'variant', 'renderer', 'kernel', 'threads'] as const;

/** `variant=vec4 renderer=swrast_dri.so`, plus `fell back: reason` when the backend ran another kernel than asked. */
export function formatWhatRan(details: Measurement['details']): string {
  if (!details) return '—';
  const parts = WHAT_RAN_KEYS.flatMap((key) => (details[key] === undefined ? [] : [`${key}=${details[key]}`]));
  if (details.kernelFallback !== undefined) parts.push(`fell back: ${String(details.kernelFallback).split(':')[0]}`);
  return parts.join(' ') || '—';
}

/** A timed rate with its median time: `58.6 GFLOP/s (0.66 ms)`. */
function formatTimed(t: { summary?: { median: number }; gflops?: { median: number }; status: string; reason?: string }): string {
  if (t.status !== 'ok') return t.status === 'unsupported' ? 'n/a' : t.status === 'wrong' ? 'WRONG' : 'failed';
  return t.gflops && t.summary ? `${formatRate(t.gflops.median)} (${formatMs(t.summary.median)} ms)` : '—';
}

/** Header of the variants table. */
export const VARIANT_HEAD = ['layer', 'contender', 'what ran', 'usual run, GFLOP/s (ms)', 'variant', 'variant, GFLOP/s (ms)', 'gain', 'note'] as const;

/** True when any measurement of the suite has variants. */
export function hasVariants(suite: SuiteResult): boolean {
  return suite.layers.some((l) => l.measurements.some((m) => (m.variants?.length ?? 0) > 0));
}

/**
 * One row per layer, contender and variant (zero-copy, compute-only) beside the usual run: GFLOP/s and median
 * ms of both, the gain (usual median ÷ variant median), and the reason where it did not run, or the read time
 * subtracted (compute-only).
 */
export function variantRows(suite: SuiteResult): string[][] {
  const rows: string[][] = [];
  for (const row of suite.layers) {
    for (const m of row.measurements) {
      for (const v of m.variants ?? []) {
        const note =
          v.status !== 'ok'
            ? `${v.status}${v.reason ? `: ${v.reason}` : ''}`
            : v.readMedianMs !== undefined
              ? `read ${formatMs(v.readMedianMs)} ms subtracted; ${v.accuracy ? `worst err/bound ${v.accuracy.worstRatio.toFixed(3)}` : ''}`
              : v.accuracy
                ? `worst err/bound ${v.accuracy.worstRatio.toFixed(3)}`
                : '';
        rows.push([
          row.layer.name,
          m.contender,
          formatWhatRan(m.details),
          formatTimed(m),
          v.name,
          formatTimed(v),
          v.gain === undefined ? '—' : formatRatio(v.gain),
          note,
        ]);
      }
    }
  }
  return rows;
}

/** The variants' methods, one line each (under the variants table). */
export function variantMethodLines(suite: SuiteResult): string[] {
  const methods = new Map<string, string>();
  for (const l of suite.layers) for (const m of l.measurements) for (const v of m.variants ?? []) if (v.method && !methods.has(v.name)) methods.set(v.name, v.method);
  const lines = [...methods].map(([name, method]) => `${name}: ${method}`);
  return lines.length > 0 ? [...lines, 'gain = usual run median ÷ variant median (the usual run copies in and out / reads back to host memory)'] : [];
}

/** Lines naming contenders that ran another kernel than asked (`details.kernelFallback`), with the reason. */
export function fallbackLines(suite: SuiteResult): string[] {
  const seen = new Map<string, string>();
  for (const l of suite.layers) {
    for (const m of l.measurements) {
      const reason = m.details?.kernelFallback;
      if (reason !== undefined && !seen.has(m.contender)) seen.set(m.contender, `${m.contender} ran kernel=${m.details?.kernel ?? '?'}: ${String(reason)}`);
    }
  }
  return [...seen.values()];
}

/** Header of the chain table. */
export const CHAIN_HEAD = ['contender', 'what ran', 'host chain, ms (GFLOP/s)', 'resident chain, ms (GFLOP/s)', 'gain', 'check'] as const;

function chainCell(s: ChainSeries | undefined): string {
  if (!s) return '—';
  if (s.status !== 'ok') return `${s.status === 'unsupported' ? 'n/a' : s.status === 'wrong' ? 'WRONG' : 'failed'}${s.reason ? `: ${s.reason}` : ''}`;
  return s.summary && s.gflops ? `${formatMs(s.summary.median)} (${formatRate(s.gflops.median)})` : '—';
}

/** One row per contender of a chained stack. */
export function chainRows(chain: ChainResult): string[][] {
  return chain.runs.map((r) => {
    const ratios = [r.host?.accuracy?.worstRatio, r.resident?.accuracy?.worstRatio].filter((x): x is number => x !== undefined);
    return [
      r.contender,
      formatWhatRan(r.details),
      r.host ? chainCell(r.host) : `${r.status}${r.reason ? `: ${r.reason}` : ''}`,
      chainCell(r.resident),
      r.gain === undefined ? '—' : formatRatio(r.gain),
      ratios.length > 0 ? `worst err/bound ${Math.max(...ratios).toPrecision(2)}` : '—',
    ];
  });
}

/** The title line of a chained stack. */
export function chainTitle(chain: ChainResult): string {
  return `Chained stack ${chain.name} (${chain.layout}): ${chain.description}; ${chain.layers.length} layers, ${formatSignificant(chain.flops / 1e6)} MFLOP`;
}

/** What a chain table means, in one paragraph. */
export function chainMethod(chain: ChainResult): string {
  return (
    'host chain: t = await op.run(t) layer after layer (every result back in host memory); resident chain: t = await op.runResident(t), ' +
    `one read at the end; gain = host ÷ resident median; every chain checked first: ${chain.check}.`
  );
}
