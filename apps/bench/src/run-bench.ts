import { environmentFingerprint, POINTWISE_CORE_VERSION, type Layout } from '@pointwise/core';
import type { Contender } from './contenders/contender.js';
import type { Environment } from './environment-model.js';
import { runChain, type ChainSpec } from './chain.js';
import { loadContenders, runSuites, type ProgressSink } from './harness.js';
import type { Suite } from './layer.js';
import type { BenchReport, ChainResult, EngineSettings, MeasurementSettings } from './results.js';

/** The candidates of the run's `auto` contender, if it has one. */
function plannerCandidates(contenders: readonly Contender[]): { candidates?: readonly string[] } {
  const auto = contenders.find((c) => c.kind === 'planner') as (Contender & { candidates?: readonly string[] }) | undefined;
  return auto?.candidates ? { candidates: [...auto.candidates] } : {};
}

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
  /** Chained stacks to run after the suites, in every layout, on the registry contenders (`--chain`). */
  readonly chains?: readonly ChainSpec[];
  /** Cancels the run between two timed runs (see `HarnessOptions.signal`). */
  readonly signal?: AbortSignal;
  /** Awaited between two timed runs, outside the timing (see `HarnessOptions.pause`). */
  readonly pause?: () => Promise<void>;
}

/** What the shell running the harness knows about itself (Node: `os`, the manifest; a page: `navigator`, its build). */
export interface BenchShell {
  readonly environment: Environment;
  /** `@pointwise/bench`'s version, stamped as the report's `version`. */
  readonly version: string;
}

/**
 * Loads the contenders, runs every suite in every layout, disposes the
 * contenders and returns the full report (every sample, the environment,
 * what could not load and why) — the `--json` schema. Environment-neutral:
 * the Node CLI ({@link ./bench.ts}'s `runBench`) and the page both call it.
 */
export async function runBenchIn(shell: BenchShell, plan: BenchPlan): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const { environment } = shell;
  const { ready, statuses } = await loadContenders(plan.contenders);
  let suites;
  const chains: ChainResult[] = [];
  try {
    suites = await runSuites(plan.suites, ready, {
      settings: plan.settings,
      layouts: plan.layouts,
      seed: plan.seed,
      ...(plan.progress ? { progress: plan.progress } : {}),
      ...(plan.signal ? { signal: plan.signal } : {}),
      ...(plan.pause ? { pause: plan.pause } : {}),
    });
    for (const spec of plan.chains ?? []) {
      for (const layout of plan.layouts) {
        chains.push(
          await runChain(spec, ready, {
            settings: plan.settings,
            layout,
            seed: plan.seed,
            ...(plan.signal ? { signal: plan.signal } : {}),
            ...(plan.pause ? { pause: plan.pause } : {}),
            ...(plan.progress ? { status: (text: string) => plan.progress!.status(text) } : {}),
          }),
        );
      }
    }
  } finally {
    for (const contender of ready) await contender.dispose();
  }
  return {
    tool: '@pointwise/bench',
    version: shell.version,
    startedAt,
    wallMs: performance.now() - start,
    environment,
    settings: { ...plan.settings, seed: plan.seed, layout: plan.layouts, ...plan.engine },
    contenders: statuses,
    suites,
    ...(chains.length > 0 ? { chains } : {}),
    planner: { fingerprint: environmentFingerprint(), coreVersion: POINTWISE_CORE_VERSION, ...plannerCandidates(plan.contenders) },
  };
}
