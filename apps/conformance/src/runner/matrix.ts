import Table from 'cli-table3';
import { TIERS, type Tier } from '../catalogue/case.js';
import type { CaseResult } from './result.js';
import type { SuiteReport } from './run-suite.js';

/** Counts of one backend × tier cell. */
export interface MatrixCell {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Worst error as a fraction of the bound over the cell's cases. */
  readonly worstRatio: number;
}

/** Rows of the matrix (backends, then witnesses) and the tiers that have results. */
export interface Matrix {
  readonly rows: readonly string[];
  readonly tiers: readonly Tier[];
  readonly cells: ReadonlyMap<string, MatrixCell>;
}

function key(backend: string, tier: Tier): string {
  return `${backend}\u0000${tier}`;
}

/** Aggregates results into backend × tier cells. */
export function buildMatrix(results: readonly CaseResult[]): Matrix {
  const cells = new Map<string, { passed: number; failed: number; skipped: number; worstRatio: number }>();
  const rows: string[] = [];
  const tiers = new Set<Tier>();
  for (const r of results) {
    if (!rows.includes(r.backend)) rows.push(r.backend);
    tiers.add(r.tier);
    const k = key(r.backend, r.tier);
    const cell = cells.get(k) ?? { passed: 0, failed: 0, skipped: 0, worstRatio: 0 };
    cell[r.status]++;
    cell.worstRatio = Math.max(cell.worstRatio, r.worstRatio ?? 0, r.expectedWorstRatio ?? 0);
    cells.set(k, cell);
  }
  rows.sort((a, b) => Number(a.startsWith('witness:')) - Number(b.startsWith('witness:')));
  return { rows, tiers: TIERS.filter((t) => tiers.has(t)), cells };
}

function cellText(cell: MatrixCell | undefined): string {
  if (cell === undefined) return '—';
  const parts = [`${cell.passed} ✓`];
  if (cell.failed > 0) parts.push(`${cell.failed} ✗`);
  if (cell.skipped > 0) parts.push(`${cell.skipped} skip`);
  return `${parts.join(' ')}\nworst ${cell.worstRatio.toFixed(3)}`;
}

/**
 * The matrix as text: one row per backend (and witness), one column per
 * tier; each cell has passed ✓ / failed ✗ / skipped counts and the worst
 * error as a fraction of the bound. Unavailable backends, skip reasons and
 * failures are listed below the table.
 */
export function renderReport(report: SuiteReport): string {
  const matrix = buildMatrix(report.results);
  const table = new Table({ head: ['backend', ...matrix.tiers], style: { head: [], border: [] } });
  for (const row of matrix.rows) table.push([row, ...matrix.tiers.map((t) => cellText(matrix.cells.get(key(row, t))))]);
  const lines = [table.toString()];
  const unavailable = report.backends.filter((b) => !b.available);
  if (unavailable.length > 0) {
    lines.push('', 'Unavailable backends:');
    for (const b of unavailable) lines.push(`  ${b.name}: ${b.reason}`);
  }
  const skipReasons = new Map<string, number>();
  for (const r of report.results) if (r.status === 'skipped') skipReasons.set(`${r.backend}: ${r.reason}`, (skipReasons.get(`${r.backend}: ${r.reason}`) ?? 0) + 1);
  if (skipReasons.size > 0) {
    lines.push('', 'Skipped:');
    for (const [reason, count] of skipReasons) lines.push(`  ${count} × ${reason}`);
  }
  const failures = report.results.filter((r) => r.status === 'failed');
  if (failures.length > 0) {
    lines.push('', `Failures (${failures.length}):`);
    for (const f of failures) lines.push(`  ✗ [${f.backend}] ${f.case}: ${f.reason}`);
  }
  const passed = report.results.filter((r) => r.status === 'passed').length;
  lines.push('', `${report.results.length} results: ${passed} passed, ${failures.length} failed, ${report.results.length - passed - failures.length} skipped in ${(report.wallMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
