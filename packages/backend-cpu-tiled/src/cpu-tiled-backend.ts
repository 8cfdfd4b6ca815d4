import {
  BACKEND_API_VERSION,
  BackendCapacityError,
  DisposedError,
  InvalidTensorError,
  PointwiseError,
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
import { createWasmRangeScratch, runConv1x1RangeWasm, type WasmRangeScratch } from './wasm/run-range-wasm.js';
import { detectWasmSimd } from './wasm/simd-support.js';
import { copyInputToWasm, copyOutputFromWasm } from './wasm/wasm-kernel.js';
import { planWasmLayout } from './wasm/wasm-layout.js';
import { bindWorkspace, releaseWorkspace, reserveWorkspace } from './wasm/workspace.js';

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

/** A prepared kernel: runs the whole output from `x` into `out`; `release` frees what it holds (idempotent). */
interface Runner {
  readonly run: (x: Float32Array, out: Float32Array) => void;
  readonly release: () => void;
}

/** Whether an error is an allocation that the engine refused (a capacity limit, not a bug). */
function isAllocationFailure(error: unknown): boolean {
  return error instanceof RangeError;
}

/** Runs the whole output with the JS microkernel into the caller's arrays. */
function jsRunner(plan: Conv1x1Plan, request: PrepareRequest): Runner {
  const packed = packWeights(plan, request.weights, request.bias);
  const scratch = createKernelScratch(plan);
  const range = fullOutputRange(plan);
  return { run: (x, out) => runConv1x1Range(plan, packed, x, out, range, scratch), release: () => {} };
}

/**
 * Runs the whole output with the WASM SIMD microkernel in the realm's shared
 * workspace memory (see `wasm/workspace.ts`): weights packed here once into an
 * ordinary array; each run copies them in when another operator ran last,
 * then the input in and the output out, one `TypedArray.set` each.
 * @throws {BackendCapacityError} when the problem does not fit a 4 GiB WebAssembly memory.
 * @throws {RangeError} when the workspace memory cannot be allocated.
 */
function wasmRunner(plan: Conv1x1Plan, request: PrepareRequest): Runner {
  const layout = planWasmLayout(plan, 1, CPU_TILED_BACKEND_NAME);
  const packed = packWeights(plan, request.weights, request.bias);
  const id = reserveWorkspace(layout.bytes);
  const range = fullOutputRange(plan);
  let scratch: WasmRangeScratch | null = null;
  return {
    run: (x, out) => {
      const instance = bindWorkspace(id, plan, layout, packed);
      scratch ??= createWasmRangeScratch(instance, 0);
      copyInputToWasm(instance, x);
      runConv1x1RangeWasm(instance, range, scratch);
      copyOutputFromWasm(instance, out);
    },
    release: () => releaseWorkspace(id),
  };
}

/**
 * The kernel of one operator: the one chosen, or the JS kernel when the
 * WASM kernel cannot hold the problem (more than 4 GiB of WebAssembly memory,
 * or a memory the engine will not allocate), with the reason. Only when the
 * JS kernel cannot be allocated either is the problem beyond this backend.
 * @throws {BackendCapacityError} when no kernel of cpu-tiled can hold the problem.
 */
function prepareRunner(
  options: CpuTiledBackendOptions,
  request: PrepareRequest,
): { plan: Conv1x1Plan; runner: Runner; fallback?: string } {
  const { kernel, fallback } = chooseKernel(options.kernel);
  let reason = fallback;
  if (kernel === 'wasm-simd') {
    const plan = planConv1x1(request.geometry, { ...options, kernel });
    try {
      return { plan, runner: wasmRunner(plan, request) };
    } catch (error) {
      if (!(PointwiseError.isInstance(error) && error.code === 'BACKEND_CAPACITY') && !isAllocationFailure(error)) throw error;
      reason = `the wasm-simd kernel cannot hold this problem (${error instanceof Error ? error.message : String(error)}); the js kernel runs it`;
    }
  }
  const plan = planConv1x1(request.geometry, { ...options, microtile: options.microtile ?? '3x4', kernel: 'js' });
  try {
    return { plan, runner: jsRunner(plan, request), ...(reason === undefined ? {} : { fallback: reason }) };
  } catch (error) {
    if (!isAllocationFailure(error)) throw error;
    throw new BackendCapacityError(
      CPU_TILED_BACKEND_NAME,
      'the memory this JavaScript engine allocates',
      `the js kernel could not allocate ${plan.packedLength * 4} bytes of packed weights and its scratch: ${(error as Error).message}`,
    );
  }
}

/** `%TypedArray%.prototype`, whose getters read a typed array's internal slots (an own `length` or a Proxy cannot lie to them). */
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Float32Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'length')!.get!;

/**
 * Checks that `data` is a real `Float32Array` (not a Proxy or a look-alike)
 * of exactly `length` elements, reading its internal slots rather than its
 * properties, so a run never reads short (which, in the shared WebAssembly
 * workspace, would read a previous run's input).
 * @throws {InvalidTensorError} otherwise.
 */
function assertFloat32Data(parameter: string, data: unknown, length: number): asserts data is Float32Array {
  const tag = typeof data === 'object' && data !== null ? typedArrayTag.call(data) : undefined;
  if (tag !== 'Float32Array') throw new InvalidTensorError(parameter, 'a Float32Array', data);
  const actual = typedArrayLength.call(data) as number;
  if (actual !== length) throw new InvalidTensorError(parameter, `a Float32Array of ${length} elements`, `${actual} elements`);
}

/** Releases what a garbage-collected operator held that `dispose()` would have released (its workspace share). */
const dropped = new FinalizationRegistry<() => void>((release) => release());

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
    const { plan, runner, fallback } = prepareRunner(this.#options, request);
    const inputLength = geometry.inputShape.reduce((a, b) => a * b, 1);
    const outputLength = geometry.outputShape.reduce((a, b) => a * b, 1);
    let run: ((x: Float32Array, out: Float32Array) => void) | null = runner.run;
    const runSync = (x: Tensor, out: Tensor): void => {
      if (run === null) throw new DisposedError('cpu-tiled operator');
      assertFloat32Data('x.data', x.data, inputLength);
      assertFloat32Data('out.data', out.data, outputLength);
      run(x.data, out.data);
    };
    const operator: BackendOperator = {
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
        run = null; // releases the packed weights and the operator's share of the WebAssembly workspace
        dropped.unregister(operator);
        runner.release();
      },
    };
    dropped.register(operator, runner.release, operator);
    return operator;
  }

  async dispose(): Promise<void> {}
}
