import type { Conv1x1Geometry } from '@pointwise/core';
import type { Conv1x1Plan, GemmKernelName, MicrokernelKind, PlanOptions } from './plan.js';

export type { GemmKernelName, MicrokernelKind } from './plan.js';

/**
 * A box of the output: images `[batchStart, batchEnd)`, output channels
 * `[channelStart, channelEnd)` and output pixels `[pixelStart, pixelEnd)` in
 * row-major `i·Wo + j` order. Any integer bounds inside the output are
 * allowed (a kernel with {@link GemmKernel.alignedChannelStart} also needs
 * `channelStart` on an `mr` tile of its group); splitting at multiples of
 * `plan.mc` (channels) and `plan.nc` (pixels) wastes no work.
 */
export interface OutputRange {
  readonly batchStart: number;
  readonly batchEnd: number;
  readonly channelStart: number;
  readonly channelEnd: number;
  readonly pixelStart: number;
  readonly pixelEnd: number;
}

/** What a kernel needs from the JavaScript engine: nothing, WebAssembly 128-bit SIMD, or relaxed SIMD as well (see `detectKernelFeatures`). */
export type KernelFeature = 'none' | 'wasm-simd' | 'wasm-relaxed-simd';

/**
 * How a kernel accumulates the `K`-term dot product before the one rounding
 * on store: `float32` multiply then add (two roundings a step), `float32-fma`
 * relaxed fused multiply-add (one rounding a step where the CPU fuses, two
 * where it does not: the engine decides once per process), `float64`.
 */
export type Accumulation = 'float32' | 'float32-fma' | 'float64';

/**
 * What {@link GemmKernel.prepare} is given: the normalised geometry, the
 * `[Co, Ci/g]` weights and `[Co]` bias (read only, copied), how many threads
 * will run ranges at the same time (each binds with its own `thread` index in
 * `[0, threads)`), and where the kernel's data goes.
 */
export interface KernelRequest {
  readonly geometry: Conv1x1Geometry;
  readonly weights: Float32Array;
  readonly bias: Float32Array | null;
  /** Threads that bind the setup at the same time (≥ 1). */
  readonly threads: number;
  /**
   * `true`: the setup is posted to other threads, so its packed weights (and
   * a memory-owning kernel's memory) live on shared memory. `false`: only
   * the preparing thread binds it; a memory-owning kernel then runs in the
   * realm's one shared WebAssembly workspace (see `wasm/workspace.ts`), which
   * bounds the address space thousands of live operators take.
   */
  readonly shared: boolean;
  /** Block and cache sizes (the kernel's `mr`, `nr` and `kc` rule come from the table entry). */
  readonly plan?: PlanOptions;
  /** Backend named in a capacity error. Default `'cpu-tiled'`. */
  readonly backend?: string;
}

/**
 * What every thread needs to run one operator's kernel: a plain,
 * structured-clone-able record (post it to a worker thread; its typed arrays
 * and WebAssembly memory are shared, not copied, when it was prepared with
 * `shared: true`). `kernel` names the table entry that binds it.
 */
export interface KernelSetup {
  /** Name of the {@link GemmKernel} that prepared it. */
  readonly kernel: GemmKernelName;
  readonly plan: Conv1x1Plan;
}

/**
 * The memory of a kernel that owns it (the WebAssembly kernels: their
 * microkernel reads the input from and writes the output to its own
 * memory): a run stages its input in and copies its output out, in any
 * pieces, on any threads bound to a shared setup. Element indices are those
 * of the whole input / output tensor in the operator's layouts.
 */
export interface KernelMemory {
  /** Elements of the input (`N·Ci·H·W`) and of the output (`N·Co·Ho·Wo`). */
  readonly inputLength: number;
  readonly outputLength: number;
  /** Copies `x[from, to)` into the kernel's input, same indices. */
  stageInput(x: Float32Array, from: number, to: number): void;
  /** Copies the kernel's output `[from, to)` into `out[from, to)`. */
  copyOutput(out: Float32Array, from: number, to: number): void;
  /**
   * Zero-copy runs: views of exactly the kernel's input region (`inputLength`
   * floats) and output region (`outputLength` floats) that stay valid, and
   * private to this setup, until the setup is released. A setup that runs in
   * the realm's shared workspace moves, at the first call, to a WebAssembly
   * memory of its own (sized for this operator, never grown, so the views
   * never detach, and no other operator's run writes into it); later calls
   * return views of the same regions.
   * @throws {BackendCapacityError} when the engine refuses that memory.
   */
  tensorViews(): { readonly input: Float32Array; readonly output: Float32Array };
  /**
   * Whether `x` views exactly the kernel's input region (same buffer, byte
   * offset and length: a clean copy of a {@link tensorViews} view counts),
   * so a run reads it in place and stages nothing.
   */
  holdsInput(x: Float32Array): boolean;
  /** Whether `out` views exactly the kernel's output region, so a run writes it in place and copies nothing out. */
  holdsOutput(out: Float32Array): boolean;
}

/**
 * One thread's handle on an operator's kernel (from {@link GemmKernel.bind}),
 * with its own scratch. `runRange` computes exactly the outputs of `range`:
 * a kernel without memory reads `x` and writes `out` (the operator's whole
 * input and output, in place); one with `memory` ignores them (pass `null`)
 * and reads what `memory.stageInput` put in, writing its own output. Every
 * output element is reduced over its whole `K` in the same order whatever the
 * range, so disjoint ranges on any threads assemble a result bit-identical
 * to one full run.
 */
export interface BoundKernel {
  readonly plan: Conv1x1Plan;
  /** The kernel's own memory, or `null` for a kernel that works on the caller's arrays. */
  readonly memory: KernelMemory | null;
  /**
   * @throws {InvalidArgumentError} for a range outside the output (or a misaligned `channelStart`, see {@link GemmKernel.alignedChannelStart}).
   */
  runRange(range: OutputRange, x: Float32Array | null, out: Float32Array | null): void;
}

/**
 * One microkernel of the table, in the manner of XNNPACK's `f32-gemm`
 * microkernels: a name that says operation, register tile, activation and
 * instruction set (`f32-gemm-4x8-minmax-wasmsimd`), the tile, how it
 * accumulates and the engine feature it needs, and the two calls every
 * backend runs it through. One loop driver (`driver.ts`) runs every kernel.
 */
export interface GemmKernel {
  readonly name: GemmKernelName;
  /** The `kernel` option value that asks for it (`'js'`, `'wasm-simd'`). */
  readonly option: MicrokernelKind;
  /** Output channels × output pixels of the register tile. */
  readonly mr: number;
  readonly nr: number;
  readonly accumulation: Accumulation;
  readonly feature: KernelFeature;
  /** The microkernel reduces all of `K` in one pass: the plan's `kc` is `K` (a `kc` option does not apply). */
  readonly wholeK: boolean;
  /** A range's `channelStart` must lie on an `mr` tile of its group. */
  readonly alignedChannelStart: boolean;
  /** Bound kernels have a {@link KernelMemory} (inputs staged in, outputs copied out). */
  readonly ownsMemory: boolean;
  /**
   * Plans the blocking (with this entry's `mr`, `nr`) and packs the weights.
   * @throws {BackendCapacityError} when the problem exceeds what the kernel addresses (4 GiB of WebAssembly memory).
   * @throws {RangeError} when the engine refuses the memory.
   */
  prepare(request: KernelRequest): KernelSetup;
  /**
   * Binds a setup on the current thread with its own scratch.
   * @param thread in `[0, request.threads)`, distinct among threads running at the same time.
   */
  bind(setup: KernelSetup, thread: number): BoundKernel;
  /** Frees what a setup holds beyond garbage collection (its share of the workspace). Idempotent. */
  release(setup: KernelSetup): void;
}
