import Table from 'cli-table3';
import { environmentLine } from '../environment.js';
import type { BenchReport, SuiteResult } from '../results.js';
import { crossoverAnalysis, describeCrossovers } from '../crossover.js';
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
  summarizeRow,
  VARIANT_HEAD,
  variantMethodLines,
  variantRows,
} from './summary.js';
import type { ChainResult } from '../results.js';

/** Marker appended to the best cell of a row. */
export const BEST_MARK = ' *';

function plainTable(head: readonly string[]): InstanceType<typeof Table> {
  return new Table({ head: [...head], style: { head: [], border: [], compact: true } });
}

/** The GFLOP/s matrix of a suite: layer × contender, best marked, ratios to naive and to the best peer. */
export function rateTable(suite: SuiteResult): string {
  const { columns, rows } = rateRows(suite);
  const table = plainTable(['layer', 'MFLOP', ...columns, 'best', ...rateTailHead(suite)]);
  rows.forEach((row, i) => {
    const best = summarizeRow(suite.layers[i]).best?.key ?? '—';
    table.push([row.layer, row.mflop, ...row.cells.map((c) => c.text + (c.best ? BEST_MARK : '')), best, ...rateTail(suite, row)]);
  });
  return table.toString();
}

/** Cold start per layer and contender: prepare + first run, ms. */
export function coldStartTable(suite: SuiteResult): string {
  const { columns, rows } = coldStartRows(suite);
  const table = plainTable(['layer', ...columns]);
  for (const row of rows) table.push([row.layer, ...row.cells]);
  return table.toString();
}

/** What ran for each column: version, layouts, details, samples, accuracy, layers not timed. */
export function legendTable(suite: SuiteResult): string {
  const table = plainTable(LEGEND_HEAD);
  for (const row of legendRows(suite)) table.push(row);
  return table.toString();
}

/** The variants (zero-copy, compute-only) beside the usual run, one row per layer, contender and variant. */
export function variantTable(suite: SuiteResult): string {
  const table = plainTable(VARIANT_HEAD);
  for (const row of variantRows(suite)) table.push(row);
  return table.toString();
}

/** A chained stack: host chain against resident chain per contender. */
export function chainTable(chain: ChainResult): string {
  const table = plainTable(CHAIN_HEAD);
  for (const row of chainRows(chain)) table.push(row);
  return table.toString();
}

/** The header: machine, method, and contenders that could not load, with their reasons. */
export function reportHeader(report: BenchReport): string {
  const lines = [`Pointwise bench ${report.version} — ${report.startedAt}`, environmentLine(report.environment), describeSettings(report.settings)];
  const loaded = report.contenders.filter((c) => c.available);
  lines.push(`contenders: ${loaded.map((c) => `${c.name} ${c.version}`).join(', ') || 'none'}`);
  for (const c of report.contenders.filter((x) => !x.available)) lines.push(`unavailable: ${c.name} — ${c.reason}`);
  return lines.join('\n');
}

/** The auto summary line and, for a suite with size sweeps, its crossover points. */
export function suiteNotes(suite: SuiteResult): string[] {
  const lines: string[] = [];
  const auto = autoSummaryLine(suite);
  if (auto) lines.push(auto);
  lines.push(...fallbackLines(suite));
  for (const sweep of crossoverAnalysis(suite)) lines.push(`Crossover points, sweep ${sweep.sweep}:`, ...describeCrossovers(sweep).map((l) => `  ${l}`));
  return lines;
}

/** The whole terminal report: header, then per suite the rate, cold-start and legend tables. */
export function renderTextReport(report: BenchReport): string {
  const parts = [reportHeader(report)];
  for (const suite of report.suites) {
    parts.push(
      `\n== ${suite.suite} (${suite.layout} requested) — ${suite.description}`,
      `GFLOP/s, median ±half the p10–p90 spread (${BEST_MARK.trim()} best backend or peer in the row, auto not ranked: it runs one of them; × = best Pointwise backend ÷ naive / ÷ best peer)`,
      rateTable(suite),
      ...suiteNotes(suite),
      ...(hasVariants(suite) ? ['Variants beside the usual run (zero-copy: tensors in kernel memory; compute-only: results kept on the device)', variantTable(suite), ...variantMethodLines(suite)] : []),
      'Cold start, ms: prepare + first run (auto: prepare includes the decision)',
      coldStartTable(suite),
      legendTable(suite),
    );
  }
  for (const chain of report.chains ?? []) parts.push(`\n== ${chainTitle(chain)}`, chainMethod(chain), chainTable(chain));
  parts.push(`\nwall time ${(report.wallMs / 1000).toFixed(1)} s`);
  return parts.join('\n');
}
