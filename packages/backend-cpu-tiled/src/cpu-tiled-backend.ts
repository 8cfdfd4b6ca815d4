import {
  BACKEND_API_VERSION,
  DisposedError,
  SINGLE_THREAD_FLOAT32_CAPABILITIES,
  assertKnownKeys,
  type Backend,
  type BackendCapabilities,
  type BackendOperator,
  type PrepareRequest,
  type Tensor,
} from '@pointwise/core';
import { packWeights } from './pack-weights.js';
import { PLAN_OPTION_KEYS, planConv1x1, resolvePlanOptions, type Conv1x1Plan, type MicrokernelKind, type PlanOptions } from './plan.js';
import { fullOutputRange, runConv1x1Range } from './run-range.js';
import { createKernelScratch } from './scratch.js';
import { createWasmRangeScratch, runConv1x1RangeWasm } from './wasm/run-range-wasm.js';
import { detectWasmSimd } from './wasm/simd-support.js';
import { copyInputToWasm, copyOutputFromWasm, createWasmConvMemory, instantiateWasmConv, writeOperatorConstants } from './wasm/wasm-kernel.js';
import { planWasmLayout } from './wasm/wasm-layout.js';

/** Registry name of this backend. */
export const CPU_TILED_BACKEND_NAME = 'cpu-tiled';

/**
 * Options of the cpu-tiled backend: the block sizes, microtile and cache
 * sizes of {@link planConv1x1}, applied to every operator it prepares.
 * `kernel` defaults to `'wasm-simd'` where WebAssembly SIMD is available
 * (it is several times faster) and `'js'` elsewhere; asking for `'wasm-simd'`
 * where it is missing falls back to `'js'` and says why in
 * `ExecutionInfo.details.kernelFallback`.
 */
export type CpuTiledBackendOptions = PlanOptions;

/** The microkernel an operator will run, and why it is not the one asked for. */
function chooseKernel(requested: MicrokernelKind | undefined): { kernel: MicrokernelKind; fallback?: string } {
  if (requested === 'js') return { kernel: 'js' };
  const simd = detectWasmSimd();
  if (simd.supported) return { kernel: 'wasm-simd' };
  return requested === 'wasm-simd' ? { kernel: 'js', fallback: simd.reason } : { kernel: 'js' };
}

/** Runs the whole output with the JS microkernel into the caller's arrays. */
function jsRunner(plan: Conv1x1Plan, request: PrepareRequest): (x: Float32Array, out: Float32Array) => void {
  const packed = packWeights(plan, request.weights, request.bias);
  const scratch = createKernelScratch(plan);
  const range = fullOutputRange(plan);
  return (x, out) => runConv1x1Range(plan, packed, x, out, range, scratch);
}

/**
 * Runs the whole output with the WASM SIMD microkernel: weights packed into
 * the operator's own (fixed-size, unshared) memory once here; each run copies
 * the input in and the output out, one `TypedArray.set` each.
 */
function wasmRunner(plan: Conv1x1Plan, request: PrepareRequest): (x: Float32Array, out: Float32Array) => void {
  const layout = planWasmLayout(plan, 1);
  const instance = instantiateWasmConv(plan, layout, createWasmConvMemory(layout, false));
  writeOperatorConstants(instance, request.weights, request.bias);
  const scratch = createWasmRangeScratch(instance, 0);
  const range = fullOutputRange(plan);
  return (x, out) => {
    copyInputToWasm(instance, x);
    runConv1x1RangeWasm(instance, range, scratch);
    copyOutputFromWasm(instance, out);
  };
}

const CAPABILITIES: BackendCapabilities = SINGLE_THREAD_FLOAT32_CAPABILITIES;

/**
 * The cache-blocked, register-tiled CPU backend on one thread: a GEMM
 * formulation of the 1×1 convolution in the structure of BLIS / XNNPACK
 * (weights packed once per operator, input panels gathered per block,
 * register-tiled microkernel, bias/activation/layout fused into the store).
 * Runs everywhere JavaScript runs, synchronously or asynchronously.
 */
export class CpuTiledBackend implements Backend {
  readonly name = CPU_TILED_BACKEND_NAME;
  readonly apiVersion = BACKEND_API_VERSION;
  readonly #options: CpuTiledBackendOptions;

  /**
   * @param options kernel, microtile, block sizes and cache sizes of {@link planConv1x1}.
   * @throws {InvalidArgumentError} for an unknown option key, kernel or microtile, or a size that is not a positive integer.
   */
  constructor(options: CpuTiledBackendOptions = {}) {
    assertKnownKeys('options', options, PLAN_OPTION_KEYS);
    resolvePlanOptions(options);
    this.#options = { ...options };
  }

  async probe() {
    return { available: true } as const;
  }

  async init(): Promise<void> {}

  capabilities(): BackendCapabilities {
    return CAPABILITIES;
  }

  /**
   * Plans the blocking and packs the weights (copied: the caller's arrays may
   * change afterwards). The operator owns its scratch memory, so a run with
   * an `out` tensor allocates nothing.
   * @throws {InvalidArgumentError} for invalid backend options (block or cache sizes, microtile).
   */
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const geometry = request.geometry;
    const { kernel, fallback } = chooseKernel(this.#options.kernel);
    const plan = planConv1x1(geometry, { ...this.#options, kernel });
    let run: ((x: Float32Array, out: Float32Array) => void) | null =
      kernel === 'wasm-simd' ? wasmRunner(plan, request) : jsRunner(plan, request);
    const runSync = (x: Tensor, out: Tensor): void => {
      if (run === null) throw new DisposedError('cpu-tiled operator');
      run(x.data, out.data);
    };
    return {
      geometry,
      info: {
        backend: CPU_TILED_BACKEND_NAME,
        details: {
          kernel: plan.kernel,
          ...(fallback === undefined ? {} : { kernelFallback: fallback }),
          threads: 1,
          microtile: plan.microtile,
          mc: plan.mc,
          nc: plan.nc,
          kc: plan.kc,
        },
      },
      runSync,
      run: async (x, out) => runSync(x, out),
      dispose: () => {
        run = null; // releases the packed weights and, for wasm-simd, the operator's memory
      },
    };
  }

  async dispose(): Promise<void> {}
}
