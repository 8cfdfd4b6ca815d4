import {
  BACKEND_API_VERSION,
  DisposedError,
  type Backend,
  type BackendCapabilities,
  type BackendOperator,
  type PrepareRequest,
  type Tensor,
} from '@pointwise/core';
import { packWeights } from './pack-weights.js';
import { planConv1x1, type PlanOptions } from './plan.js';
import { fullOutputRange, runConv1x1Range } from './run-range.js';
import { createKernelScratch } from './scratch.js';

/** Registry name of this backend. */
export const CPU_TILED_BACKEND_NAME = 'cpu-tiled';

/**
 * Options of the cpu-tiled backend: the block sizes, microtile and cache
 * sizes of {@link planConv1x1}, applied to every operator it prepares.
 */
export type CpuTiledBackendOptions = PlanOptions;

const CAPABILITIES: BackendCapabilities = {
  sync: true,
  precisionFactor: 1,
  threads: 1,
  limits: {},
  flushesSubnormals: false,
};

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

  /** @param options block sizes / microtile / cache sizes; validated when an operator is prepared. */
  constructor(options: CpuTiledBackendOptions = {}) {
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
    const plan = planConv1x1(geometry, this.#options);
    const packed = packWeights(plan, request.weights, request.bias);
    const scratch = createKernelScratch(plan);
    const range = fullOutputRange(plan);
    let disposed = false;
    const runSync = (x: Tensor, out: Tensor): void => {
      if (disposed) throw new DisposedError('cpu-tiled operator');
      runConv1x1Range(plan, packed, x.data, out.data, range, scratch);
    };
    return {
      geometry,
      info: {
        backend: CPU_TILED_BACKEND_NAME,
        details: { kernel: plan.kernel, threads: 1, microtile: plan.microtile, mc: plan.mc, nc: plan.nc, kc: plan.kc },
      },
      runSync,
      run: async (x, out) => runSync(x, out),
      dispose: () => {
        disposed = true;
      },
    };
  }

  async dispose(): Promise<void> {}
}
