import { environmentLine } from '../environment.js';
import type { BenchReport, SuiteResult } from '../results.js';
import {
  CHAIN_HEAD,
  chainMethod,
  chainRows,
  chainTitle,
  coldStartRows,
  describeSettings,
  hasVariants,
  VARIANT_HEAD,
  variantMethodLines,
  variantRows,
  formatDetails,
  formatLayouts,
  formatMs,
  LEGEND_HEAD,
  legendRows,
  rateRows,
  rateTail,
  rateTailHead,
} from './summary.js';
import { suiteNotes } from './table.js';

/** Escapes the characters that would break a Markdown table cell, and `<` so a name is never read as HTML. */
function cell(text: string): string {
  return text.replace(/</g, '&lt;').replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function rateTable(suite: SuiteResult): string {
  const { columns, rows } = rateRows(suite);
  return table(
    ['layer', 'MFLOP', ...columns, ...rateTailHead(suite)],
    rows.map((row) => [row.layer, row.mflop, ...row.cells.map((c) => (c.best ? `**${c.text}**` : c.text)), ...rateTail(suite, row)]),
  );
}

function coldStart(suite: SuiteResult): string {
  const { columns, rows } = coldStartRows(suite);
  return table(['cold start, ms (prepare + first run)', ...columns], rows.map((row) => [row.layer, ...row.cells]));
}

/** Every measurement as one row, each stamped with what ran. */
function longForm(suite: SuiteResult): string {
  const rows = suite.layers.flatMap((row) =>
    row.measurements.map((m) => [
      row.layer.name,
      m.contender,
      m.version,
      formatLayouts(m),
      formatDetails(m.details),
      m.status,
      m.summary ? formatMs(m.summary.median) : '—',
      m.summary ? `${formatMs(m.summary.p10)}–${formatMs(m.summary.p90)}` : '—',
      String(m.samplesMs.length),
      m.prepareMs === undefined ? '—' : formatMs(m.prepareMs),
      m.firstRunMs === undefined ? '—' : formatMs(m.firstRunMs),
    ]),
  );
  return table(['layer', 'contender', 'version', 'layout', 'details', 'status', 'median ms', 'p10–p90 ms', 'n', 'prepare ms', 'first run ms'], rows);
}

/**
 * The report as Markdown for a README: the machine, then per suite the
 * GFLOP/s table (best in bold, ratios of the best Pointwise backend to the
 * naive loop and to the best peer), the legend, and every measurement as a
 * stamped row in a collapsed section.
 */
export function renderMarkdown(report: BenchReport): string {
  const parts = [
    `# Pointwise benchmark`,
    '',
    `${environmentLine(report.environment)} — ${report.startedAt}, wall time ${(report.wallMs / 1000).toFixed(0)} s.`,
    '',
    `GFLOP/s = 2·N·Co·(Ci/groups)·Ho·Wo / median time; ± is half the p10–p90 spread; the best backend or peer in bold (auto, which runs one of them, is not ranked). ${describeSettings(report.settings)}`,
  ];
  const unavailable = report.contenders.filter((c) => !c.available);
  if (unavailable.length > 0) {
    parts.push('', 'Not run here:', ...unavailable.map((c) => `- \`${c.name}\`: ${c.reason}`));
  }
  for (const suite of report.suites) {
    parts.push(
      '',
      `## ${suite.suite} (${suite.layout})`,
      '',
      `${suite.description}.`,
      '',
      rateTable(suite),
      '',
      ...suiteNotes(suite).flatMap((line) => [line.startsWith('  ') ? `- ${line.trim()}` : line, '']),
      ...(hasVariants(suite)
        ? ['Variants beside the usual run (zero-copy: tensors in kernel memory; compute-only: results kept on the device):', '', table(VARIANT_HEAD, variantRows(suite)), '', ...variantMethodLines(suite).flatMap((l) => [`- ${l}`]), '']
        : []),
      coldStart(suite),
      '',
      table(LEGEND_HEAD, legendRows(suite)),
      '',
      '<details><summary>Every measurement</summary>',
      '',
      longForm(suite),
      '',
      '</details>',
    );
  }
  for (const chain of report.chains ?? []) parts.push('', `## ${chainTitle(chain)}`, '', chainMethod(chain), '', table(CHAIN_HEAD, chainRows(chain)));
  return `${parts.join('\n')}\n`;
}
