import type { Tier } from '../catalogue/case.js';

/** Outcome of one case on one backend (or witness). */
export type CaseStatus = 'passed' | 'failed' | 'skipped';

/** One case's result on one backend: what `--json` writes, one record per pair. */
export interface CaseResult {
  readonly case: string;
  readonly tier: Tier;
  /** Registry name, or `witness:onnxruntime` / `witness:tfjs` for the reference's witnesses. */
  readonly backend: string;
  readonly status: CaseStatus;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** Largest `|ŷ − y| / bound` against the float64 reference. */
  readonly worstRatio?: number;
  /** Largest error against the case's `expected` output, as a fraction of its tolerance. */
  readonly expectedWorstRatio?: number;
  readonly failureCount?: number;
  readonly elements?: number;
  /** `ExecutionInfo.details` of the operator that ran. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /** Wall time of prepare + run + checks, milliseconds. */
  readonly ms: number;
}

/** A message from any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
