import { environmentLine } from '../environment.js';
import type { BenchReport, SuiteResult } from '../results.js';
import {
  describeSettings,
  formatCell,
  formatDetails,
  formatLayouts,
  formatMs,
  formatRatio,
  seriesKey,
  suiteColumns,
  suiteLegend,
  summarizeRow,
} from './summary.js';

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function rateTable(suite: SuiteResult): string {
  const columns = suiteColumns(suite);
  const rows = suite.layers.map((row) => {
    const summary = summarizeRow(row);
    return [
      row.layer.name,
      (row.layer.flops / 1e6).toFixed(row.layer.flops < 1e7 ? 2 : 0),
      ...columns.map((key) => {
        const text = formatCell(row.measurements.find((m) => seriesKey(m) === key));
        return summary.best?.key === key ? `**${text}**` : text;
      }),
      formatRatio(summary.backendVsNaive),
      summary.bestPeer ? `${formatRatio(summary.backendVsBestPeer)} (${summary.bestPeer.key})` : '—',
    ];
  });
  return table(['layer', 'MFLOP', ...columns, '× naive', '× best peer'], rows);
}

function legend(suite: SuiteResult): string {
  return table(
    ['contender', 'version', 'layout', 'details', 'samples', 'worst err/bound', 'not timed'],
    suiteLegend(suite).map((s) => [
      s.key,
      s.version,
      s.layouts,
      s.details,
      s.samples[0] === s.samples[1] ? String(s.samples[0]) : `${s.samples[0]}–${s.samples[1]}`,
      s.worstRatio === undefined ? '—' : s.worstRatio.toFixed(3),
      s.problems.join('\n') || '—',
    ]),
  );
}

/** Every measurement as one row, each stamped with what ran. */
function longForm(suite: SuiteResult): string {
  const rows = suite.layers.flatMap((row) =>
    row.measurements.map((m) => [
      row.layer.name,
      seriesKey(m),
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
    `GFLOP/s = 2·N·Co·(Ci/groups)·Ho·Wo / median time; ± is half the p10–p90 spread; best in bold. ${describeSettings(report.settings)}`,
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
      legend(suite),
      '',
      '<details><summary>Every measurement</summary>',
      '',
      longForm(suite),
      '',
      '</details>',
    );
  }
  return `${parts.join('\n')}\n`;
}
