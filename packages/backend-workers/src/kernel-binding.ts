import {
  createKernelScratch,
  createWasmConvMemory,
  createWasmRangeScratch,
  detectWasmSimd,
  gemmModule,
  instantiateWasmConv,
  packWeights,
  planWasmLayout,
  runConv1x1Range,
  runConv1x1RangeWasm,
  writeOperatorConstants,
  type Conv1x1Plan,
  type MicrokernelKind,
  type OutputRange,
  type WasmConvInstance,
  type WasmConvLayout,
} from '@pointwise/backend-cpu-tiled';
import type { PrepareRequest } from '@pointwise/core';
import { sharedFloat32 } from './shared-memory.js';
import { shareOutputCopy } from './wasm-output-copy.js';
import { acquireTileInput, planStaging } from './wasm-staging.js';
import type { WorkGrid } from './work-split.js';

/**
 * What every thread needs to run one operator's kernel, as posted to it
 * (structured-clone-able; the arrays and the memory are shared, not copied):
 *
 * - `js`: the plan and the packed weights on a `SharedArrayBuffer`; inputs
 *   and outputs are passed per run.
 * - `wasm-simd`: the plan, the memory layout, the shared `WebAssembly.Memory`
 *   (packed weights, input, output and one scratch region per thread) and the
 *   compiled module; inputs and outputs live in that memory.
 */
export type KernelSetup =
  | { readonly kind: 'js'; readonly plan: Conv1x1Plan; readonly packed: Float32Array }
  | {
      readonly kind: 'wasm-simd';
      readonly plan: Conv1x1Plan;
      readonly layout: WasmConvLayout;
      readonly memory: WebAssembly.Memory;
      readonly module: WebAssembly.Module;
    };

/** One pooled run as a thread sees it while it takes tiles. */
export interface TileRun {
  readonly grid: WorkGrid;
  /** `[next tile, …]` shared by the run's threads (for `wasm-simd` followed by the staging states, see `wasm-staging.ts`). */
  readonly sync: Int32Array;
  /**
   * The run's input and output in the operator's layouts: `js` always gets
   * shared arrays; `wasm-simd` gets the caller's input where this thread can
   * read it (the calling thread always, pool threads when it is on a
   * `SharedArrayBuffer`; `null` otherwise) and the caller's output when it
   * is on a `SharedArrayBuffer` (the threads share its copy out of the
   * operator's memory after the last tile, see `wasm-output-copy.ts`; `null`
   * otherwise: the calling thread copies it alone).
   */
  readonly x: Float32Array | null;
  readonly out: Float32Array | null;
  /** Whether this is the calling thread. */
  readonly caller: boolean;
}

/**
 * One thread's handle on an operator's kernel. `run` computes any output
 * range of a whole run on one thread: for `js` it reads `x` and writes `out`;
 * for `wasm-simd` both are ignored (the caller copies them into and out of
 * the operator's memory). `runTile` computes one tile of a pooled run,
 * staging a `wasm-simd` tile's input first (see `wasm-staging.ts`).
 * `finishRun` (`wasm-simd` only) is a pool thread's part after it found no
 * tile left: its share of copying a shared output out of the operator's
 * memory (see `wasm-output-copy.ts`); `afterChunk` is called after each
 * output chunk it copied (fault injection).
 */
export interface RangeKernel {
  run(x: Float32Array, out: Float32Array, range: OutputRange): void;
  runTile(run: TileRun, tile: number, range: OutputRange): void;
  finishRun?(run: TileRun, afterChunk?: (chunk: number) => void): void;
}

/** The microkernel the operator runs, chosen as cpu-tiled chooses it (so results are bit-identical to it). */
export interface KernelChoice {
  readonly kernel: MicrokernelKind;
  /** Why `wasm-simd` was asked for or preferred but `js` runs (absent otherwise). */
  readonly fallback?: string;
}

/**
 * cpu-tiled's rule: `wasm-simd` where WebAssembly SIMD exists (asked for or
 * by default), else `js`. The workers backend also needs a shared WebAssembly
 * memory for it; without one it runs `js` and says why.
 */
export function chooseKernel(requested: MicrokernelKind | undefined): KernelChoice {
  if (requested === 'js') return { kernel: 'js' };
  const simd = detectWasmSimd();
  if (!simd.supported) return { kernel: 'js', fallback: simd.reason };
  if (!simd.sharedMemory) return { kernel: 'js', fallback: 'a shared WebAssembly.Memory cannot be created here' };
  return { kernel: 'wasm-simd' };
}

/** An operator's kernel as the calling thread holds it: the setup to post, and the WASM instance for copies. */
export interface PreparedKernel {
  readonly setup: KernelSetup;
  /** The calling thread's instance over the operator's memory (`wasm-simd` only). */
  readonly instance: WasmConvInstance | null;
  /** The calling thread's scratch region of a `wasm-simd` setup (the one after the pool threads'). */
  readonly callerRegion: number;
}

/**
 * Packs the weights once for `threads` pool threads plus the calling thread.
 * `shared`: in a `SharedArrayBuffer` (`js`) or a shared `WebAssembly.Memory`
 * with `threads + 1` scratch regions (`wasm-simd`), for operators whose runs
 * go to the pool; otherwise in ordinary memory, as cpu-tiled does (copies
 * into shared memory are about twice as slow in V8, so an operator that only
 * ever runs on the calling thread does not pay for sharing).
 */
export function prepareKernel(plan: Conv1x1Plan, request: PrepareRequest, threads: number, shared: boolean): PreparedKernel {
  if (plan.kernel === 'js') {
    const target = shared ? sharedFloat32(plan.packedLength) : new Float32Array(plan.packedLength);
    const packed = packWeights(plan, request.weights, request.bias, target);
    return { setup: { kind: 'js', plan, packed }, instance: null, callerRegion: threads };
  }
  const layout = planWasmLayout(plan, threads + 1);
  const memory = createWasmConvMemory(layout, shared);
  const module = gemmModule(shared);
  const instance = instantiateWasmConv(plan, layout, memory, module);
  writeOperatorConstants(instance, request.weights, request.bias);
  return { setup: { kind: 'wasm-simd', plan, layout, memory, module }, instance, callerRegion: threads };
}

/**
 * Binds an operator's kernel on the current thread with its own scratch.
 * @param thread this thread's scratch region of a `wasm-simd` setup (pool
 *   threads: their pool index; the calling thread: `PreparedKernel.callerRegion`).
 */
export function bindKernel(setup: KernelSetup, thread: number): RangeKernel {
  if (setup.kind === 'js') {
    const { plan, packed } = setup;
    const scratch = createKernelScratch(plan);
    const run = (x: Float32Array, out: Float32Array, range: OutputRange): void => runConv1x1Range(plan, packed, x, out, range, scratch);
    return { run, runTile: (tiles, _tile, range) => run(tiles.x!, tiles.out!, range) };
  }
  const instance = instantiateWasmConv(setup.plan, setup.layout, setup.memory, setup.module);
  const scratch = createWasmRangeScratch(instance, thread);
  return {
    run: (_x, _out, range) => runConv1x1RangeWasm(instance, range, scratch),
    runTile: (run, tile, range) => {
      const staging = planStaging(instance, run.grid);
      acquireTileInput(instance, staging, run.grid, run.sync, run.x, tile, run.caller);
      runConv1x1RangeWasm(instance, range, scratch);
    },
    finishRun: (run, afterChunk) => shareOutputCopy(instance, planStaging(instance, run.grid), run, afterChunk),
  };
}
