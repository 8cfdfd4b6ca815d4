import { BackendCapacityError, InvalidArgumentError, PointwiseError } from '@pointwise/core';
import type { BoundKernel, GemmKernel, GemmKernelName, KernelFeature, KernelRequest, KernelSetup, MicrokernelKind } from './gemm-kernel.js';
import { microkernel3x4, microkernel3x4Store, microkernel4x8, microkernel4x8Store } from './microkernels.js';
import { resolveBlockOptions, type PlanOptions } from './plan.js';
import { scalarKernel } from './scalar-kernel.js';
import { detectWasmSimd } from './wasm/simd-support.js';
import { WASM_RELAXED_SIMD_KERNEL, WASM_SIMD_KERNEL } from './wasm/wasm-simd-kernel.js';

/**
 * The microkernel table (XNNPACK's `gemm-config.c` in miniature), in order
 * of preference: with no `kernel` option the first entry whose feature this
 * engine has runs (see {@link chooseGemmKernel}). Adding a kernel is one
 * entry here and its source (a `GemmKernel` whose `bind` gives the driver
 * its `BlockSteps`); plan, driver, backends and the workers' split take `mr`,
 * `nr`, `wholeK` and the memory calls from the entry.
 */
export const GEMM_KERNELS: readonly GemmKernel[] = [
  WASM_RELAXED_SIMD_KERNEL,
  WASM_SIMD_KERNEL,
  scalarKernel(3, 4, microkernel3x4, microkernel3x4Store),
  scalarKernel(4, 8, microkernel4x8, microkernel4x8Store),
];

/**
 * The table entry named `name`.
 * @throws {InvalidArgumentError} for a name the table does not have.
 */
export function gemmKernel(name: GemmKernelName): GemmKernel {
  const entry = GEMM_KERNELS.find((k) => k.name === name);
  if (entry === undefined) throw new InvalidArgumentError('kernel', `one of ${GEMM_KERNELS.map((k) => JSON.stringify(k.name)).join(', ')}`, name);
  return entry;
}

/** Whether this engine has what each kernel feature needs, and why not. */
export interface KernelFeatures {
  readonly available: Readonly<Record<KernelFeature, boolean>>;
  /** Why a feature is missing (absent for available ones). */
  readonly reasons: Readonly<Partial<Record<KernelFeature, string>>>;
}

let features: KernelFeatures | undefined;

/**
 * Which kernel features this engine offers to BOTH cpu-tiled and workers
 * (cached; never throws). `wasm-simd` needs WebAssembly 128-bit SIMD, and —
 * where `SharedArrayBuffer` exists, so the workers backend can run — a shared
 * `WebAssembly.Memory` too: the workers backend runs the kernel over one, and
 * the two backends must run the same kernel to give bit-identical results.
 * So an engine with SIMD but no shared WebAssembly memory runs the scalar
 * kernel on both; one without `SharedArrayBuffer` at all (a browser page that
 * is not cross-origin isolated: no workers backend there) still gives
 * cpu-tiled the SIMD kernel. `wasm-relaxed-simd` needs all that plus a
 * module with `f32x4.relaxed_madd` that validates; V8 flags are per process
 * and browsers give workers the page's engine, so worker threads validate it too.
 */
export function detectKernelFeatures(): KernelFeatures {
  if (features !== undefined) return features;
  const simd = detectWasmSimd();
  const sharedArrays = typeof SharedArrayBuffer !== 'undefined';
  let reason: string | undefined;
  if (!simd.supported) reason = simd.reason;
  else if (sharedArrays && !simd.sharedMemory) {
    reason = 'this engine has SharedArrayBuffer but cannot create a shared WebAssembly.Memory, so the workers backend cannot run wasm-simd; cpu-tiled and workers both run the js kernel to stay bit-identical';
  }
  let relaxedReason = reason;
  if (reason === undefined && !simd.relaxed) {
    relaxedReason =
      'this WebAssembly engine does not validate relaxed SIMD (f32x4.relaxed_madd): Chromium has it by default; Node 20 needs --experimental-wasm-relaxed-simd (a process-wide V8 flag, so worker threads have it too)';
  }
  const reasons: Partial<Record<KernelFeature, string>> = {};
  if (reason !== undefined) reasons['wasm-simd'] = reason;
  if (relaxedReason !== undefined) reasons['wasm-relaxed-simd'] = relaxedReason;
  features = { available: { none: true, 'wasm-simd': reason === undefined, 'wasm-relaxed-simd': relaxedReason === undefined }, reasons };
  return features;
}

/** The `kernel` option values of the table, sorted. */
function optionValues(): MicrokernelKind[] {
  return [...new Set(GEMM_KERNELS.map((k) => k.option))].sort();
}

function tileName(k: GemmKernel): string {
  return `${k.mr}x${k.nr}`;
}

/**
 * The entries plan options name, in preference order, ignoring what this
 * engine offers: those of the `kernel` option (all when absent) with the
 * `microtile` shape (all shapes when absent).
 * @throws {InvalidArgumentError} for an unknown kernel, or a microtile no kernel of that option has.
 */
export function kernelsForOptions(options: PlanOptions = {}): readonly GemmKernel[] {
  const { kernel, microtile } = options;
  const values = optionValues();
  if (kernel !== undefined && !values.includes(kernel)) {
    throw new InvalidArgumentError('kernel', values.map((v) => JSON.stringify(v)).join(' or '), kernel);
  }
  const ofKind = GEMM_KERNELS.filter((k) => kernel === undefined || k.option === kernel);
  if (microtile === undefined) return ofKind;
  const shaped = ofKind.filter((k) => tileName(k) === microtile);
  if (shaped.length === 0) {
    const shapes = [...new Set(ofKind.map(tileName))].sort().map((n) => JSON.stringify(n)).join(', ');
    throw new InvalidArgumentError('microtile', kernel === undefined ? `one of ${shapes}` : `${shapes} with kernel "${kernel}"`, microtile);
  }
  return shaped;
}

/**
 * Checks plan options without a geometry (kernel, microtile, block and cache
 * sizes), so a backend can reject bad options when it is created.
 * @throws {InvalidArgumentError} for an unknown kernel or microtile, or a block / cache size that is not a positive integer.
 */
export function resolvePlanOptions(options: PlanOptions = {}): void {
  kernelsForOptions(options);
  resolveBlockOptions(options);
}

/** The kernel plan options choose here, and why it is not the one asked for. */
export interface KernelChoice {
  readonly kernel: GemmKernel;
  /** Why a kernel of the asked (or default) kind cannot run here and this one runs (absent otherwise). */
  readonly fallback?: string;
}

/**
 * THE kernel choice of cpu-tiled and workers (both call it, so both run the
 * same kernel, bit-identical results, in every engine): the first entry the
 * options name whose feature {@link detectKernelFeatures} offers; when none
 * is, the first scalar entry of the asked shape (default `3x4`), with the
 * reason — reported only when a kernel was asked for by name, as the
 * default never promised it.
 * @throws {InvalidArgumentError} for invalid kernel options.
 */
export function chooseGemmKernel(options: PlanOptions = {}): KernelChoice {
  const candidates = kernelsForOptions(options);
  const { available, reasons } = detectKernelFeatures();
  const usable = candidates.find((k) => available[k.feature]);
  if (usable !== undefined) return { kernel: usable };
  // The relaxed-SIMD kernel asked for where only SIMD exists: the SIMD kernel of the same tile, else the scalar one.
  const sameTile = GEMM_KERNELS.find((k) => k.feature !== 'none' && available[k.feature] && tileName(k) === tileName(candidates[0]));
  const stand = sameTile ?? scalarFallback(options.microtile);
  const reason = reasons[candidates[0].feature] ?? `the ${candidates[0].name} kernel cannot run here`;
  return options.kernel === undefined ? { kernel: stand } : { kernel: stand, fallback: reason };
}

/** The scalar entry that stands in for another: the same shape where the table has one, else the first. */
function scalarFallback(microtile: string | undefined): GemmKernel {
  const scalars = GEMM_KERNELS.filter((k) => k.feature === 'none');
  return scalars.find((k) => tileName(k) === microtile) ?? scalars[0];
}

/** Whether an error is a limit of a kernel (its addressable memory, an allocation the engine refused), not a bug. */
function isCapacityLimit(error: unknown): boolean {
  return error instanceof RangeError || (PointwiseError.isInstance(error) && error.code === 'BACKEND_CAPACITY');
}

/** A prepared operator kernel: the entry, its setup (post it to threads) and why it is not the one chosen first. */
export interface PreparedGemm {
  readonly kernel: GemmKernel;
  readonly setup: KernelSetup;
  readonly fallback?: string;
}

/**
 * Chooses the kernel ({@link chooseGemmKernel}) and prepares it. When the
 * chosen kernel cannot hold the problem (more than 4 GiB of WebAssembly
 * memory, or a memory the engine will not allocate), the scalar kernel of
 * the same shape runs it, with the reason. Shared by cpu-tiled and workers,
 * so their fallbacks agree.
 * @param placement the threads and sharing of the request, per kernel (workers pools only kernels worth it).
 * @throws {BackendCapacityError} when no kernel can hold the problem.
 * @throws {InvalidArgumentError} for invalid plan options.
 */
export function prepareGemm(
  request: Omit<KernelRequest, 'threads' | 'shared'>,
  placement: (kernel: GemmKernel) => { readonly threads: number; readonly shared: boolean },
): PreparedGemm {
  const backend = request.backend ?? 'cpu-tiled';
  const { kernel: chosen, fallback } = chooseGemmKernel(request.plan);
  let reason = fallback;
  let kernel = chosen;
  if (kernel.feature !== 'none') {
    try {
      return { kernel, setup: kernel.prepare({ ...request, ...placement(kernel) }), ...(reason === undefined ? {} : { fallback: reason }) };
    } catch (error) {
      if (!isCapacityLimit(error)) throw error;
      const what = error instanceof Error ? error.message : String(error);
      reason = `the ${kernel.option} kernel cannot hold this problem (${error instanceof RangeError ? `a WebAssembly memory could not be allocated: ${what}` : what}); the js kernel runs it`;
      kernel = scalarFallback(request.plan?.microtile);
    }
  }
  try {
    return { kernel, setup: kernel.prepare({ ...request, ...placement(kernel) }), ...(reason === undefined ? {} : { fallback: reason }) };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new BackendCapacityError(backend, 'the memory this JavaScript engine allocates', `the ${kernel.name} kernel could not allocate its packed weights and scratch: ${error.message}`);
  }
}

/** Binds a setup (from any thread's `prepare`) on this thread: see {@link GemmKernel.bind}. */
export function bindKernel(setup: KernelSetup, thread: number): BoundKernel {
  return gemmKernel(setup.kernel).bind(setup, thread);
}

/** Frees what a setup holds beyond garbage collection: see {@link GemmKernel.release}. Idempotent. */
export function releaseKernel(setup: KernelSetup): void {
  gemmKernel(setup.kernel).release(setup);
}
