import type { CaseResult } from '../runner/result.js';
import type { BackendStatus } from '../runner/run-suite.js';
import { EXIT_CODES, UsageError } from './usage-error.js';

/** What was selected, for the "nothing matched" message. */
export interface Selection {
  readonly tiers: readonly string[];
  readonly filter?: string;
  readonly caseFiles: number;
}

/**
 * Refuses a selection that contains no case (a filter that matches nothing,
 * `--tier file` without `--cases`) before anything runs: a conformance run
 * that checks nothing must not exit 0.
 *
 * @param planned the number of case records plus generated (property) checks selected.
 * @throws {UsageError} when `planned` is 0.
 */
export function assertSomethingSelected(planned: number, selection: Selection): void {
  if (planned > 0) return;
  const parts = [`tiers ${selection.tiers.join(', ')}`];
  if (selection.filter !== undefined) parts.push(`--filter "${selection.filter}"`);
  const hint = selection.tiers.includes('file') && selection.caseFiles === 0 ? ' (the file tier needs --cases FILE)' : '';
  throw new UsageError(`nothing matched: no case in ${parts.join(' with ')}${hint}`);
}

/**
 * The exit code of a finished run: 1 when a check failed, 2 when no check
 * passed or failed (every requested backend unavailable, everything
 * skipped), else 0.
 *
 * @returns the exit code and, for 2, a one-line reason.
 */
export function runOutcome(results: readonly CaseResult[], backends: readonly BackendStatus[]): { code: number; message?: string } {
  if (results.some((r) => r.status === 'failed')) return { code: EXIT_CODES.failed };
  if (results.some((r) => r.status === 'passed')) return { code: EXIT_CODES.passed };
  const available = backends.filter((b) => b.available).map((b) => b.name);
  const why = available.length === 0 ? `no requested backend is available (${backends.map((b) => b.name).join(', ') || 'none'})` : 'every check was skipped';
  return { code: EXIT_CODES.usage, message: `nothing was checked: ${why}` };
}
