/**
 * The relaxed-SIMD FMA kernel (`f32-gemm-4x8-minmax-wasmrelaxedsimd`), which
 * Node 20 validates only with `--experimental-wasm-relaxed-simd`: a child
 * process with that flag (`fixtures/relaxed-check.mjs`) runs it on cpu-tiled
 * and workers; results within the accuracy bound, workers bit-identical to
 * cpu-tiled (pooled and zero-copy), different from the mul+add kernel by
 * rounding only. Without the flag the SIMD kernel runs, with the reason.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/relaxed-check.mjs', import.meta.url));

interface CaseResult {
  name: string;
  microkernels: string[];
  accumulation: string;
  dispatch: string;
  failures: number;
  workersDiffer: number;
  zeroCopyDiffer: number;
  simdDiffer: number;
  elements: number;
}

function check(flags: string[]): { available: boolean; reason: string | null; cases: CaseResult[] } {
  return JSON.parse(execFileSync(process.execPath, [...flags, SCRIPT], { encoding: 'utf8', timeout: 60_000 }));
}

describe('relaxed-SIMD FMA kernel', () => {
  it('under --experimental-wasm-relaxed-simd: chosen by both backends, within the bound, workers bit-identical', () => {
    const result = check(['--experimental-wasm-relaxed-simd']);
    expect(result.available).toBe(true);
    for (const c of result.cases) {
      expect(c.microkernels, c.name).toEqual(['f32-gemm-4x8-minmax-wasmrelaxedsimd', 'f32-gemm-4x8-minmax-wasmrelaxedsimd', 'f32-gemm-4x8-minmax-wasmsimd']);
      expect(c.accumulation).toBe('float32-fma');
      expect(c.dispatch).toBe('pool');
      expect(c.failures, c.name).toBe(0);
      expect(c.workersDiffer, c.name).toBe(0);
      expect(c.zeroCopyDiffer, c.name).toBe(0);
    }
    // How many elements differ from the mul+add kernel is not asserted: a CPU without FMA computes relaxed_madd as mul + add.
  });

  it('without the flag: the SIMD kernel on both backends, and the reason names the flag', () => {
    const result = check([]);
    expect(result.available).toBe(false);
    expect(result.reason).toMatch(/--experimental-wasm-relaxed-simd/);
    for (const c of result.cases) {
      expect(c.microkernels[0]).toBe('f32-gemm-4x8-minmax-wasmsimd');
      expect(c.failures).toBe(0);
      expect(c.workersDiffer).toBe(0);
      expect(c.simdDiffer).toBe(0);
    }
  });
});
