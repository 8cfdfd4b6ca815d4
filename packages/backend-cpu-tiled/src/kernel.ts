/**
 * `@pointwise/backend-cpu-tiled/kernel` — the one narrow kernel interface of
 * the CPU backends, in the manner of XNNPACK's microkernel tables: every
 * kernel is an entry of {@link GEMM_KERNELS} (`f32-gemm-3x4-minmax-scalar`,
 * `f32-gemm-4x8-minmax-scalar`, `f32-gemm-4x8-minmax-wasmsimd`) with its
 * tile, accumulation and the engine feature it needs;
 * {@link chooseGemmKernel} is the one choice (cpu-tiled and workers both
 * call it); `prepare` gives a structured-clone-able setup, `bind(setup,
 * thread)` a {@link BoundKernel} with `runRange` and, for kernels that own
 * their memory, `stageInput` / `copyOutput`. One loop driver runs every
 * kernel.
 *
 * Per operator: `prepareGemm(request, placement)` (choice, plan, packing and
 * the capacity fallback); per thread: `bindKernel(setup, thread)`; per run:
 * `memory?.stageInput` (any pieces), `runRange` on disjoint ranges (any
 * threads), `memory?.copyOutput` (any pieces).
 */
export type {
  Accumulation,
  BoundKernel,
  GemmKernel,
  GemmKernelName,
  KernelFeature,
  KernelMemory,
  KernelRequest,
  KernelSetup,
  MicrokernelKind,
  OutputRange,
} from './gemm-kernel.js';
export {
  GEMM_KERNELS,
  bindKernel,
  chooseGemmKernel,
  detectKernelFeatures,
  gemmKernel,
  kernelsForOptions,
  prepareGemm,
  releaseKernel,
  resolvePlanOptions,
  type KernelChoice,
  type KernelFeatures,
  type PreparedGemm,
} from './kernel-table.js';
export { fullOutputRange } from './driver.js';
export { wasmCopyStats } from './wasm/wasm-simd-kernel.js';
export { PLAN_OPTION_KEYS, type Conv1x1Plan, type PlanOptions } from './plan.js';
