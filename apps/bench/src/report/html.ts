import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { environmentLine } from '../environment.js';
import type { BenchReport, SuiteResult } from '../results.js';
import { crossoverAnalysis, describeCrossovers, type Crossover } from '../crossover.js';
import { drawCrossoverLines } from './crossover-lines.js';
import {
  autoSummaryLine,
  CHAIN_HEAD,
  chainMethod,
  chainRows,
  chainTitle,
  coldStartRows,
  describeSettings,
  fallbackLines,
  hasVariants,
  LEGEND_HEAD,
  legendRows,
  rateRows,
  rateTail,
  rateTailHead,
  suiteColumns,
  VARIANT_HEAD,
  variantMethodLines,
  variantRows,
} from './summary.js';

/** Chart.js's UMD build, read from the installed package so the page needs no network. */
function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a `<script>` element (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Distinct colours, backends first in strong hues; the naive baseline is grey. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#393b79'];

function colours(report: BenchReport): Record<string, string> {
  const keys: string[] = [];
  for (const suite of report.suites) for (const key of suiteColumns(suite)) if (!keys.includes(key)) keys.push(key);
  const map: Record<string, string> = {};
  let next = 0;
  for (const key of keys) map[key] = key === 'naive' ? '#7f7f7f' : PALETTE[next++ % PALETTE.length];
  return map;
}

/** Bounds of a log axis. */
export interface LogAxisBounds {
  readonly min: number;
  readonly max: number;
}

/**
 * The powers of ten that enclose positive `values`: `10^floor(log10 min)`
 * to `10^ceil(log10 max)`, at least one decade apart, so a log axis always
 * has labelled ticks at both ends (even for a single point). `undefined`
 * when there is no positive value.
 */
export function enclosingDecades(values: readonly number[]): LogAxisBounds | undefined {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return undefined;
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.max(Math.ceil(Math.log10(Math.max(...positive))), low + 1);
  return { min: 10 ** low, max: 10 ** high };
}

/** What the page's script draws for one suite. */
export interface ChartSuite {
  readonly id: string;
  /** Log-axis bounds of the cost-versus-work chart: FLOPs (x) and median ms (y). */
  readonly costAxes: { readonly x?: LogAxisBounds; readonly y?: LogAxisBounds };
  readonly layers: readonly string[];
  readonly series: readonly {
    readonly key: string;
    readonly kind: string;
    /** Median GFLOP/s per layer, `null` where not timed. */
    readonly gflops: readonly (number | null)[];
    readonly low: readonly (number | null)[];
    readonly high: readonly (number | null)[];
    /** `{ x: FLOPs, y: median ms }` of each timed layer. */
    readonly cost: readonly { readonly x: number; readonly y: number; readonly layer: string }[];
  }[];
  /** The size sweeps of the suite (the `crossover` suite): GFLOP/s against FLOPs with the crossover points. */
  readonly sweeps: readonly SweepChart[];
}

/** One sweep's chart: GFLOP/s against FLOPs per contender, and where the fastest contender changes. */
export interface SweepChart {
  readonly id: string;
  readonly name: string;
  /** Log-axis bounds of FLOPs. */
  readonly x?: LogAxisBounds;
  readonly series: readonly {
    readonly key: string;
    readonly kind: string;
    /** `{ x: FLOPs, y: median GFLOP/s }` of each timed layer of the sweep, by FLOPs. */
    readonly points: readonly { readonly x: number; readonly y: number; readonly layer: string }[];
  }[];
  /** Crossovers among every contender but `auto`, marked as vertical lines. */
  readonly crossovers: readonly Crossover[];
}

/** The sweep charts of a suite (none for a suite without sweeps). */
export function sweepCharts(suite: SuiteResult, index: number): SweepChart[] {
  return crossoverAnalysis(suite).map((analysis, j) => {
    const rows = suite.layers.filter((l) => l.layer.sweeps?.includes(analysis.sweep)).sort((a, b) => a.layer.flops - b.layer.flops);
    const series = suiteColumns(suite).map((key) => {
      const ms = rows.map((l) => ({ l, m: l.measurements.find((m) => m.contender === key) }));
      return {
        key,
        kind: ms.find((x) => x.m !== undefined)?.m?.kind ?? 'peer',
        points: ms.flatMap(({ l, m }) => (m?.gflops ? [{ x: l.layer.flops, y: m.gflops.median, layer: l.layer.name }] : [])),
      };
    });
    const x = enclosingDecades(rows.map((l) => l.layer.flops));
    return { id: `suite-${index}-sweep-${j}`, name: analysis.sweep, ...(x ? { x } : {}), series, crossovers: analysis.crossovers };
  });
}

/** The chart data of one suite, as the page's script receives it. */
export function chartData(suite: SuiteResult, index: number): ChartSuite {
  const series = suiteColumns(suite).map((key) => {
    const ms = suite.layers.map((l) => l.measurements.find((m) => m.contender === key));
    const kind = ms.find((m) => m !== undefined)?.kind ?? 'peer';
    return {
      key,
      kind,
      gflops: ms.map((m) => m?.gflops?.median ?? null),
      low: ms.map((m) => m?.gflops?.low ?? null),
      high: ms.map((m) => m?.gflops?.high ?? null),
      cost: suite.layers.flatMap((l, i) => {
        const median = ms[i]?.summary?.median;
        return median === undefined ? [] : [{ x: l.layer.flops, y: median, layer: l.layer.name }];
      }),
    };
  });
  const points = series.flatMap((s) => s.cost);
  const x = enclosingDecades(points.map((p) => p.x));
  const y = enclosingDecades(points.map((p) => p.y));
  return {
    id: `suite-${index}`,
    costAxes: { ...(x ? { x } : {}), ...(y ? { y } : {}) },
    layers: suite.layers.map((l) => l.layer.name),
    series,
    sweeps: sweepCharts(suite, index),
  };
}

function htmlTable(head: readonly string[], rows: readonly string[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function rateTableHtml(suite: SuiteResult): string {
  const { columns, rows } = rateRows(suite);
  return htmlTable(
    ['layer', 'MFLOP', ...columns, ...rateTailHead(suite)],
    rows.map((row) => {
      const cells = row.cells.map((c) => `<td${c.wrong ? ' class="wrong"' : c.best ? ' class="best"' : ''}>${escapeHtml(c.text)}</td>`);
      const tail = rateTail(suite, row).map((t, k) => `<td${k === 2 && row.autoMissed ? ' class="wrong"' : ''}>${escapeHtml(t)}</td>`);
      return `<tr><th>${escapeHtml(row.layer)}</th><td>${row.mflop}</td>${cells.join('')}${tail.join('')}</tr>`;
    }),
  );
}

function coldStartHtml(suite: SuiteResult): string {
  const { columns, rows } = coldStartRows(suite);
  const body = rows.map((row) => `<tr><th>${escapeHtml(row.layer)}</th>${row.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
  return `<p class="meta">Cold start, ms: prepare (weights packed, kernels compiled, session built) + first run.</p>${htmlTable(['layer', ...columns], body)}`;
}

function plainRowsHtml(head: readonly string[], rows: readonly string[][]): string {
  return htmlTable(head, rows.map((cells) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`));
}

function variantsHtml(suite: SuiteResult): string {
  if (!hasVariants(suite)) return '';
  const methods = variantMethodLines(suite).map((l) => `<li>${escapeHtml(l)}</li>`).join('');
  return `<p class="meta">Variants beside the usual run (zero-copy: tensors in kernel memory; compute-only: results kept on the device).</p>${plainRowsHtml(VARIANT_HEAD, variantRows(suite))}<ul class="meta">${methods}</ul>`;
}

function legendHtml(suite: SuiteResult): string {
  const body = legendRows(suite).map(
    ([key, ...rest]) => `<tr><th>${escapeHtml(key)}</th>${rest.map((c) => `<td>${escapeHtml(c).replace(/\n/g, '<br>')}</td>`).join('')}</tr>`,
  );
  return htmlTable(LEGEND_HEAD, body).replace('<table>', '<table class="legend">');
}

/** The auto summary line, and each sweep's chart with its crossover points listed. */
function notesHtml(suite: SuiteResult, index: number): string {
  const parts: string[] = [];
  const auto = autoSummaryLine(suite);
  if (auto) parts.push(`<p class="meta">${escapeHtml(auto)}</p>`);
  for (const line of fallbackLines(suite)) parts.push(`<p class="meta">${escapeHtml(line)}</p>`);
  const charts = sweepCharts(suite, index);
  crossoverAnalysis(suite).forEach((analysis, j) => {
    parts.push(
      `<h3>Sweep ${escapeHtml(analysis.sweep)}</h3>`,
      `<div class="chart"><canvas id="${charts[j].id}"></canvas></div>`,
      `<ul class="crossovers">${describeCrossovers(analysis).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    );
  });
  return parts.join('\n');
}

/** Suites with more layers than this get full-width charts, one above the other. */
const WIDE_CHART_LAYERS = 10;

/** Draws the charts from the embedded data; runs in the page. */
const PAGE_SCRIPT = `
// Vertical lines at the crossover points of a sweep chart, labelled "from → to".
const drawCrossoverLines = ${drawCrossoverLines.toString()};
const crossoverLines = {
  id: 'crossover-lines',
  afterDatasetsDraw(chart, args, options) {
    drawCrossoverLines(chart, options.crossovers || []);
  },
};
const fmt = (v) => v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
const compact = (v) => v >= 1e9 ? v / 1e9 + 'G' : v >= 1e6 ? v / 1e6 + 'M' : v >= 1e3 ? v / 1e3 + 'k' : String(+v.toPrecision(3));
// Log axes: label the powers of ten only.
const powerTick = (v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? compact(v) : '';
for (const suite of DATA.suites) {
  new Chart(document.getElementById(suite.id + '-rate'), {
    type: 'bar',
    data: {
      labels: suite.layers,
      datasets: suite.series.map((s) => ({
        label: s.key,
        data: s.gflops,
        backgroundColor: DATA.colours[s.key],
        borderColor: DATA.colours[s.key],
        borderWidth: s.kind === 'backend' ? 0 : 1,
        low: s.low,
        high: s.high,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        // Linear from 0, so bar lengths compare as the rates do.
        y: { type: 'linear', min: 0, title: { display: true, text: 'GFLOP/s (higher is better)' } },
        x: { title: { display: true, text: 'layer (Ci→Co @ H×W)' } },
      },
      plugins: {
        title: { display: true, text: 'Throughput per layer' },
        tooltip: {
          callbacks: {
            label: (c) => c.raw == null ? c.dataset.label + ': not timed'
              : c.dataset.label + ': ' + fmt(c.raw) + ' GFLOP/s (p10–p90 ' + fmt(c.dataset.low[c.dataIndex]) + '–' + fmt(c.dataset.high[c.dataIndex]) + ')',
          },
        },
      },
    },
  });
  new Chart(document.getElementById(suite.id + '-cost'), {
    type: 'scatter',
    data: {
      datasets: suite.series.map((s) => ({
        label: s.key,
        data: [...s.cost].sort((a, b) => a.x - b.x),
        showLine: true,
        backgroundColor: DATA.colours[s.key],
        borderColor: DATA.colours[s.key],
        borderDash: s.kind === 'backend' ? [] : [4, 3],
        pointRadius: 4,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        // Bounds at the enclosing powers of ten, so both ends carry a label even for one point.
        x: { type: 'logarithmic', ...suite.costAxes.x, ticks: { callback: powerTick, autoSkip: false, maxRotation: 0 }, title: { display: true, text: 'FLOPs per call (log)' } },
        y: { type: 'logarithmic', ...suite.costAxes.y, ticks: { callback: powerTick, autoSkip: false }, title: { display: true, text: 'median time, ms (log, lower is better)' } },
      },
      plugins: {
        title: { display: true, text: 'Cost versus work' },
        legend: { labels: { usePointStyle: true } },
        tooltip: { callbacks: { label: (c) => c.dataset.label + ' ' + c.raw.layer + ': ' + fmt(c.raw.y) + ' ms' } },
      },
    },
  });
  for (const sweep of suite.sweeps) {
    new Chart(document.getElementById(sweep.id), {
      type: 'scatter',
      data: {
        datasets: sweep.series.map((s) => ({
          label: s.key,
          data: s.points,
          showLine: true,
          backgroundColor: DATA.colours[s.key],
          borderColor: DATA.colours[s.key],
          borderDash: s.kind === 'backend' ? [] : s.kind === 'planner' ? [2, 2] : [6, 3],
          pointRadius: 3,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'logarithmic', ...sweep.x, ticks: { callback: powerTick, autoSkip: false, maxRotation: 0 }, title: { display: true, text: 'FLOPs per call (log)' } },
          y: { type: 'linear', min: 0, title: { display: true, text: 'GFLOP/s (higher is better)' } },
        },
        plugins: {
          title: { display: true, text: 'Sweep ' + sweep.name + ': GFLOP/s against FLOPs, crossover points dashed' },
          legend: { labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: (c) => c.dataset.label + ' ' + c.raw.layer + ': ' + fmt(c.raw.y) + ' GFLOP/s' } },
          'crossover-lines': { crossovers: sweep.crossovers },
        },
      },
      plugins: [crossoverLines],
    });
  }
}
`;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; margin: 2px 0; }
.charts { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; }
.charts.stacked { grid-template-columns: 1fr; }
.chart { position: relative; height: 360px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
thead th { background: #f4f4f4; }
tbody th { text-align: left; font-weight: 500; }
td.best { font-weight: 700; background: #e8f4e8; }
td.wrong { color: #b00; font-weight: 700; }
table.legend td, table.legend th { text-align: left; white-space: normal; }
h3 { font-size: 15px; margin-top: 20px; }
`;

/**
 * A self-contained HTML page (Chart.js inlined, no network): per suite a bar
 * chart of GFLOP/s per layer and contender (linear axis from 0, p10–p90 in
 * the tooltip), a chart of median time versus FLOPs on log–log axes bounded
 * by the enclosing powers of ten, the rate
 * table with the best in each row highlighted, and the legend.
 */
export function renderHtml(report: BenchReport): string {
  const data = { colours: colours(report), suites: report.suites.map(chartData) };
  const unavailable = report.contenders
    .filter((c) => !c.available)
    .map((c) => `<li><code>${escapeHtml(c.name)}</code>: ${escapeHtml(c.reason ?? '')}</li>`)
    .join('');
  const sections = report.suites
    .map(
      (suite, i) => `
<h2>${escapeHtml(suite.suite)} <small>(${suite.layout} requested)</small></h2>
<p class="meta">${escapeHtml(suite.description)}</p>
<div class="charts${suite.layers.length > WIDE_CHART_LAYERS ? ' stacked' : ''}"><div class="chart"><canvas id="suite-${i}-rate"></canvas></div><div class="chart"><canvas id="suite-${i}-cost"></canvas></div></div>
<p class="meta">GFLOP/s, median ± half the p10–p90 spread; best in each row highlighted; × = best Pointwise backend ÷ naive loop / ÷ best peer.</p>
${rateTableHtml(suite)}
${notesHtml(suite, i)}
${variantsHtml(suite)}
${coldStartHtml(suite)}
${legendHtml(suite)}`,
    )
    .join('\n');
  const chains = (report.chains ?? [])
    .map((chain) => `<h2>${escapeHtml(chainTitle(chain))}</h2>\n<p class="meta">${escapeHtml(chainMethod(chain))}</p>\n${plainRowsHtml(CHAIN_HEAD, chainRows(chain))}`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pointwise benchmark — ${escapeHtml(report.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Pointwise benchmark</h1>
<p class="meta">${escapeHtml(environmentLine(report.environment))}</p>
<p class="meta">${escapeHtml(report.startedAt)} · wall time ${(report.wallMs / 1000).toFixed(0)} s · bench ${escapeHtml(report.version)}</p>
<p class="meta">${escapeHtml(describeSettings(report.settings))}</p>
${unavailable ? `<p class="meta">Not run here:</p><ul>${unavailable}</ul>` : ''}
${sections}
${chains}
<script>${chartJsSource()}</script>
<script>const DATA = ${scriptJson(data)};${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
