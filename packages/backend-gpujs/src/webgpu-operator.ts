import {
  BackendFailureError,
  DisposedError,
  InvalidArgumentError,
  PointwiseError,
  type BackendOperator,
  type Conv1x1Geometry,
  type ExecutionInfo,
  type PrepareRequest,
  type ResidentTensor,
  type Tensor,
} from '@pointwise/core';
import { channelPacking } from './channel-packing.js';
import { outputGrid } from './chunk-plan.js';
import { checkCapacity, GPUJS_BACKEND_NAME, type GpujsContext } from './gpujs-operator.js';
import { ResidentOutputs, residentInput } from './resident.js';
import type { GpuJsWebGpuContext } from './webgpu-api.js';
import { WebGpuVec4Program, type WebGpuImageBuffer } from './webgpu-program.js';

/** What `info.details.kernel` says for the packed WGSL program (it is not a gpu.js kernel class). */
export const WEBGPU_VEC4_KERNEL_NAME = 'WGSL vec4 on gpu.js WebGPU device';

/** gpu.js's shared WebGPU device (`WebGPUContext.acquire()`), or a `BackendFailureError` saying why not. */
async function acquireDevice(context: GpujsContext): Promise<GpuJsWebGpuContext> {
  const acquire = context.gpujs.WebGPUContext?.acquire;
  if (acquire === undefined) throw new BackendFailureError(GPUJS_BACKEND_NAME, 'this gpu.js exports no WebGPUContext (gpu.js ≥ 2.24 has it)');
  try {
    return await acquire.call(context.gpujs.WebGPUContext);
  } catch (error) {
    throw new BackendFailureError(GPUJS_BACKEND_NAME, `gpu.js could not acquire its WebGPU device: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * A prepared convolution in `webgpu` mode on the channel-packed WGSL program
 * (`WebGpuVec4Program`, webgpu-program.ts): asynchronous runs only (WebGPU readback is a
 * Promise), one upload, two dispatches and one readback per image, and
 * {@link WebGpuOperator.runResident} for results that stay on the device.
 */
export class WebGpuOperator implements BackendOperator {
  readonly geometry: Conv1x1Geometry;
  readonly info: ExecutionInfo;
  readonly #context: GpujsContext;
  #program: WebGpuVec4Program | null;
  readonly #imageSize: number;
  readonly #strideN: number;
  readonly #onDispose: (operator: WebGpuOperator) => void;
  readonly #residents = new ResidentOutputs<WebGpuImageBuffer>();
  #disposed = false;
  /**
   * Runs and keeps the output on the device: one storage buffer per image (`[ceil(Co/4)][Ho][Wo]` vec4s,
   * channels past `Co` zero — the packing the next layer's program reads), no readback. `x` is a host
   * tensor (uploaded and packed once per image) or a resident output of an operator of the same backend
   * instance (read in place). `read()` on the result is one `mapAsync` per image. Present with the plain
   * channel packing; absent for grouped layers whose `K` or `Co/g` is not a multiple of 4 (packed per group,
   * host runs only). Rejects with `DisposedError` after `dispose()` or for a disposed resident input,
   * `InvalidArgumentError` for a resident tensor of another gpu.js instance, `BackendFailureError` when the
   * device reports an error or was lost.
   */
  readonly runResident?: (x: Tensor | ResidentTensor) => Promise<ResidentTensor>;

  private constructor(context: GpujsContext, geometry: Conv1x1Geometry, program: WebGpuVec4Program | null, onDispose: (operator: WebGpuOperator) => void) {
    this.#context = context;
    this.geometry = geometry;
    this.#program = program;
    this.#onDispose = onDispose;
    this.#imageSize = geometry.inChannels * geometry.inHeight * geometry.inWidth;
    this.#strideN = outputGrid(geometry).strideN;
    if (channelPacking(geometry).plain) this.runResident = (x) => this.#runResident(x);
    this.info = {
      backend: GPUJS_BACKEND_NAME,
      details: { ...context.details, mode: context.mode, kernel: WEBGPU_VEC4_KERNEL_NAME, variant: 'vec4', chunks: 1, kernels: 2 },
    };
  }

  /**
   * Builds the WGSL program on gpu.js's WebGPU device (nothing for `N = 0`).
   * @returns `null` when the geometry exceeds the device's buffer or dispatch limits: the caller then
   *   prepares gpu.js's scalar kernel instead.
   * @throws {BackendCapacityError} for the index-range limits every non-`cpu` mode has.
   * @throws {BackendFailureError} when the device cannot be acquired or the program cannot be built.
   */
  static async create(context: GpujsContext, request: PrepareRequest, onDispose: (operator: WebGpuOperator) => void): Promise<WebGpuOperator | null> {
    checkCapacity(context, request.geometry);
    if (request.geometry.batch === 0) return new WebGpuOperator(context, request.geometry, null, onDispose);
    const device = await acquireDevice(context);
    const program = await WebGpuVec4Program.create(device, request);
    return program === null ? null : new WebGpuOperator(context, request.geometry, program, onDispose);
  }

  async run(x: Tensor, out: Tensor): Promise<void> {
    this.#checkLive();
    await this.#program?.run(x.data, out.data, this.geometry.batch, this.#imageSize, this.#strideN).catch((error: unknown) => {
      throw asRunError(error);
    });
  }

  /** WebGPU has no synchronous readback. @throws {BackendFailureError} always. */
  runSync(): void {
    throw new BackendFailureError(GPUJS_BACKEND_NAME, 'webgpu kernels only run asynchronously (use run)');
  }

  /** {@link WebGpuOperator.runResident}. */
  async #runResident(x: Tensor | ResidentTensor): Promise<ResidentTensor> {
    this.#checkLive();
    const resident = residentInput(x, this.#context.gpu);
    const program = this.#program;
    const inputs: (Float32Array | WebGpuImageBuffer)[] = [];
    for (let n = 0; n < this.geometry.batch; n++) {
      inputs.push(resident !== null ? (resident.texture(n) as WebGpuImageBuffer) : (x as Tensor).data.subarray(n * this.#imageSize, (n + 1) * this.#imageSize));
    }
    const images = program === null ? [] : await program.runResident(inputs).catch((error: unknown) => {
      throw asRunError(error);
    });
    if (this.#disposed) {
      for (const image of images) image.delete();
      throw new DisposedError('gpujs operator');
    }
    return this.#residents.issue(GPUJS_BACKEND_NAME, this.#context.gpu, this.geometry, images, (image, out, base) => program!.readImage(image, out, base));
  }

  /** Disposes the resident outputs still held, then destroys the program's buffers. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#residents.disposeAll();
    this.#program?.dispose();
    this.#program = null;
    this.#onDispose(this);
  }

  #checkLive(): void {
    if (this.#disposed) throw new DisposedError('gpujs operator');
  }
}

/** A device error during a run as this backend reports it. */
function asRunError(error: unknown): Error {
  if (PointwiseError.isInstance(error)) return error as Error;
  return new BackendFailureError(GPUJS_BACKEND_NAME, `the WebGPU run failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
