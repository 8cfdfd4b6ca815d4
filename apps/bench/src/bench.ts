import type { Layout } from '@pointwise/core';
import type { Contender } from './contenders/contender.js';
import { describeEnvironment } from './environment.js';
import { loadContenders, runSuites, type ProgressSink } from './harness.js';
import type { Suite } from './layer.js';
import { BENCH_VERSION } from './package-version.js';
import type { BenchReport, EngineSettings, MeasurementSettings } from './results.js';

/** What {@link runBench} needs. */
export interface BenchPlan {
  readonly suites: readonly Suite[];
  /** Backends and peers, in report order (not loaded yet). */
  readonly contenders: readonly Contender[];
  readonly layouts: readonly Layout[];
  readonly settings: MeasurementSettings;
  /** Seed of the synthetic layer data. */
  readonly seed: number;
  /** The engine options the contenders were made with, stamped in the report's settings. */
  readonly engine?: EngineSettings;
  readonly progress?: ProgressSink;
}

/**
 * Loads the contenders, runs every suite in every layout, disposes the
 * contenders and returns the full report (every sample, the environment,
 * what could not load and why).
 */
export async function runBench(plan: BenchPlan): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const environment = describeEnvironment();
  const { ready, statuses } = await loadContenders(plan.contenders);
  let suites;
  try {
    suites = await runSuites(plan.suites, ready, {
      settings: plan.settings,
      layouts: plan.layouts,
      seed: plan.seed,
      ...(plan.progress ? { progress: plan.progress } : {}),
    });
  } finally {
    for (const contender of ready) await contender.dispose();
  }
  return {
    tool: '@pointwise/bench',
    version: BENCH_VERSION,
    startedAt,
    wallMs: performance.now() - start,
    environment,
    settings: { ...plan.settings, seed: plan.seed, layout: plan.layouts, ...plan.engine },
    contenders: statuses,
    suites,
  };
}
