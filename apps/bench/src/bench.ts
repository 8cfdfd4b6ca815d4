import { describeEnvironment } from './environment.js';
import { BENCH_VERSION } from './package-version.js';
import type { BenchReport } from './results.js';
import { runBenchIn, type BenchPlan } from './run-bench.js';

export { runBenchIn, type BenchPlan, type BenchShell } from './run-bench.js';

/** {@link runBenchIn} in this Node process: its `os` environment and the manifest's version. */
export async function runBench(plan: BenchPlan): Promise<BenchReport> {
  return runBenchIn({ environment: describeEnvironment(), version: BENCH_VERSION }, plan);
}
