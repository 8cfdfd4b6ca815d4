import Table from 'cli-table3';
import { environmentLine } from '../environment.js';
import type { BenchReport, SuiteResult } from '../results.js';
import {
  describeSettings,
  formatCell,
  formatMs,
  formatRatio,
  seriesKey,
  suiteColumns,
  suiteLegend,
  summarizeRow,
} from './summary.js';

/** Marker appended to the best cell of a row. */
export const BEST_MARK = ' *';

function plainTable(head: string[]): InstanceType<typeof Table> {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

/** The GFLOP/s matrix of a suite: layer × contender, best marked, ratios to naive and to the best peer. */
export function rateTable(suite: SuiteResult): string {
  const columns = suiteColumns(suite);
  const table = plainTable(['layer', 'MFLOP', ...columns, 'best', '× naive', '× best peer']);
  for (const row of suite.layers) {
    const summary = summarizeRow(row);
    const cells = columns.map((key) => {
      const m = row.measurements.find((x) => seriesKey(x) === key);
      return formatCell(m) + (summary.best?.key === key ? BEST_MARK : '');
    });
    table.push([
      row.layer.name,
      (row.layer.flops / 1e6).toFixed(row.layer.flops < 1e7 ? 2 : 0),
      ...cells,
      summary.best ? `${summary.best.key}` : '—',
      formatRatio(summary.backendVsNaive),
      summary.bestPeer ? `${formatRatio(summary.backendVsBestPeer)} (${summary.bestPeer.key})` : '—',
    ]);
  }
  return table.toString();
}

/** Cold start per layer and contender: prepare + first run, ms. */
export function coldStartTable(suite: SuiteResult): string {
  const columns = suiteColumns(suite).filter((key) => !key.endsWith('(no readback)'));
  const table = plainTable(['layer', ...columns]);
  for (const row of suite.layers) {
    table.push([
      row.layer.name,
      ...columns.map((key) => {
        const m = row.measurements.find((x) => seriesKey(x) === key);
        return m?.prepareMs === undefined ? '—' : `${formatMs(m.prepareMs)} + ${formatMs(m.firstRunMs)}`;
      }),
    ]);
  }
  return table.toString();
}

/** What ran for each column: version, layouts, details, samples, accuracy, layers not timed. */
export function legendTable(suite: SuiteResult): string {
  const table = plainTable(['contender', 'kind', 'version', 'layout', 'details', 'samples', 'worst err/bound', 'not timed']);
  for (const s of suiteLegend(suite)) {
    table.push([
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
  return table.toString();
}

/** The header: machine, settings, and contenders that could not load, with their reasons. */
export function reportHeader(report: BenchReport): string {
  const lines = [
    `Pointwise bench ${report.version} — ${report.startedAt}`,
    environmentLine(report.environment),
    describeSettings(report.settings),
  ];
  const loaded = report.contenders.filter((c) => c.available);
  lines.push(`contenders: ${loaded.map((c) => `${c.name} ${c.version}`).join(', ') || 'none'}`);
  for (const c of report.contenders.filter((x) => !x.available)) lines.push(`unavailable: ${c.name} — ${c.reason}`);
  return lines.join('\n');
}

/** The whole terminal report: header, then per suite the rate, cold-start and legend tables. */
export function renderTextReport(report: BenchReport): string {
  const parts = [reportHeader(report)];
  for (const suite of report.suites) {
    parts.push(
      `\n== ${suite.suite} (${suite.layout} requested) — ${suite.description}`,
      `GFLOP/s, median ±half the p10–p90 spread (${BEST_MARK.trim()} best in row; × = best Pointwise backend ÷ naive / ÷ best peer)`,
      rateTable(suite),
      'Cold start, ms: prepare + first run',
      coldStartTable(suite),
      legendTable(suite),
    );
  }
  parts.push(`\nwall time ${(report.wallMs / 1000).toFixed(1)} s`);
  return parts.join('\n');
}
