import {
  BACKEND_API_VERSION,
  DisposedError,
  InvalidTensorError,
  SINGLE_THREAD_FLOAT32_CAPABILITIES,
  assertKnownKeys,
  type Backend,
  type BackendCapabilities,
  type BackendOperator,
  type PrepareRequest,
  type Tensor,
} from '@pointwise/core';
import { fullOutputRange } from './driver.js';
import type { KernelSetup } from './gemm-kernel.js';
import { bindKernel, prepareGemm, releaseKernel, resolvePlanOptions } from './kernel-table.js';
import { PLAN_OPTION_KEYS, type PlanOptions } from './plan.js';

/** Registry name of this backend. */
export const CPU_TILED_BACKEND_NAME = 'cpu-tiled';

/**
 * Options of the cpu-tiled backend: the kernel, microtile, block and cache
 * sizes of its plans, applied to every operator it prepares. `kernel`
 * defaults to the first kernel of the table this engine runs
 * (`'wasm-simd'` where WebAssembly SIMD is available: it is several times
 * faster; `'js'` elsewhere); asking for `'wasm-simd'` where it cannot run
 * falls back to `'js'` and says why in `ExecutionInfo.details.kernelFallback`.
 * The choice is the workers backend's too (see `chooseGemmKernel` in the
 * `kernel` subpath), so both give bit-identical results.
 */
export type CpuTiledBackendOptions = PlanOptions;

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

/**
 * The release function of a setup, made outside `prepare` so that it does not
 * share a closure context with the operator (a held value of the
 * FinalizationRegistry that reached its target would keep it alive).
 */
function releaser(setup: KernelSetup): () => void {
  return () => releaseKernel(setup);
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
   * @param options kernel, microtile, block sizes and cache sizes of its plans.
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
   * Chooses the kernel, plans the blocking and packs the weights (copied:
   * the caller's arrays may change afterwards). The operator owns its
   * scratch memory, so a run with an `out` tensor allocates nothing. A
   * WebAssembly kernel runs in the realm's one workspace memory (its packed
   * weights are copied in when another operator ran last); when it cannot
   * hold the problem the JS kernel runs it, with the reason in
   * `details.kernelFallback`.
   *
   * Zero-copy runs (`wasm-simd` operators only): `createInput()` /
   * `createOutput()` give tensors whose data views the kernel's input and
   * output regions; a run given them (or clean copies of them: recognised by
   * buffer, byte offset and length) stages and copies nothing. The first call
   * moves the operator out of the shared workspace into a WebAssembly memory
   * of its own (input + output + packed weights + one panel, never grown), so
   * the tensors stay valid and no other operator's run writes into them until
   * `dispose()` — at the price of that memory (and, in V8, its address-space
   * reservation) per such operator. Ordinary tensors still work on it (copied
   * in and out as before).
   * @throws {InvalidArgumentError} for invalid backend options (block or cache sizes, microtile).
   * @throws {BackendCapacityError} when no kernel of cpu-tiled can hold the problem.
   */
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const geometry = request.geometry;
    const { kernel, setup, fallback } = prepareGemm(
      { geometry, weights: request.weights, bias: request.bias, plan: this.#options, backend: CPU_TILED_BACKEND_NAME },
      () => ({ threads: 1, shared: false }),
    );
    const plan = setup.plan;
    const bound = bindKernel(setup, 0);
    const range = fullOutputRange(plan);
    const inputLength = geometry.inputShape.reduce((a, b) => a * b, 1);
    const outputLength = geometry.outputShape.reduce((a, b) => a * b, 1);
    const memory = bound.memory;
    let run: ((x: Float32Array, out: Float32Array) => void) | null =
      memory === null
        ? (x, out) => bound.runRange(range, x, out)
        : (x, out) => {
            // Tensors from createInput / createOutput (or clean copies of them) are read and written in place.
            if (!memory.holdsInput(x)) memory.stageInput(x, 0, inputLength);
            bound.runRange(range, null, null);
            if (!memory.holdsOutput(out)) memory.copyOutput(out, 0, outputLength);
          };
    const runSync = (x: Tensor, out: Tensor): void => {
      if (run === null) throw new DisposedError('cpu-tiled operator');
      assertFloat32Data('x.data', x.data, inputLength);
      assertFloat32Data('out.data', out.data, outputLength);
      run(x.data, out.data);
    };
    const created = (data: Float32Array, shape: Tensor['shape'], layout: Tensor['layout']): Tensor => {
      if (run === null) throw new DisposedError('cpu-tiled operator');
      return Object.freeze({ shape, layout, data });
    };
    const release = releaser(setup);
    const operator: BackendOperator = {
      geometry,
      info: {
        backend: CPU_TILED_BACKEND_NAME,
        details: {
          kernel: kernel.option,
          microkernel: kernel.name,
          accumulation: kernel.accumulation,
          ...(fallback === undefined ? {} : { kernelFallback: fallback }),
          threads: 1,
          microtile: `${plan.mr}x${plan.nr}`,
          mc: plan.mc,
          nc: plan.nc,
          kc: plan.kc,
        },
      },
      runSync,
      run: async (x, out) => runSync(x, out),
      ...(memory === null
        ? {}
        : {
            createInput: (): Tensor => created(memory.tensorViews().input, geometry.inputShape, geometry.inputLayout),
            createOutput: (): Tensor => created(memory.tensorViews().output, geometry.outputShape, geometry.outputLayout),
          }),
      dispose: () => {
        run = null; // releases the packed weights and the operator's share of the WebAssembly workspace
        dropped.unregister(operator);
        release();
      },
    };
    dropped.register(operator, release, operator);
    return operator;
  }

  async dispose(): Promise<void> {}
}
