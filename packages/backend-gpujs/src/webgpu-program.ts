import { BackendFailureError, PointwiseError, paddedCellValues, type Conv1x1Geometry, type PrepareRequest } from '@pointwise/core';
import { channelPacking, packOutputChannels } from './channel-packing.js';
import { kernelClampBounds } from './kernel-source.js';
import { storeVec4Chunk } from './vec4-program.js';
import { BUFFER_USAGE, MAP_MODE_READ, type GpuJsWebGpuContext, type WebGpuBindGroup, type WebGpuBuffer, type WebGpuComputePipeline, type WebGpuDevice } from './webgpu-api.js';
import { conv1x1Vec4Wgsl, packInputWgsl, packWeightsForWgsl, vec4WgslBindings, workgroupCounts } from './webgpu-kernel-source.js';

/** Registry name, repeated here to keep this module free of an import cycle. */
const BACKEND = 'gpujs';

/** A device buffer holding one image's packed `vec4` values: a resident output, or a layer's input. */
export interface WebGpuImageBuffer {
  readonly buffer: WebGpuBuffer;
  /** Frees the buffer (`GPUBuffer.destroy()`; work already submitted that reads it completes). */
  delete(): void;
}

function imageBuffer(buffer: WebGpuBuffer): WebGpuImageBuffer {
  return { buffer, delete: () => buffer.destroy() };
}

/** Bytes of `n` floats. */
const bytes = (floats: number): number => floats * 4;

/**
 * Whether the WGSL program's buffers and dispatches fit a device: every buffer
 * within `maxStorageBufferBindingSize` and `maxBufferSize`, every workgroup
 * count within `maxComputeWorkgroupsPerDimension`. Returns the reason it does not fit, or `null`.
 */
export function webGpuVec4Misfit(device: WebGpuDevice, geometry: Conv1x1Geometry): string | null {
  const g = geometry;
  const { k4, inBlocks, outBlocks } = channelPacking(g);
  const maxBytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const buffers: [string, number][] = [
    ['one input image', bytes(g.inChannels * g.inHeight * g.inWidth)],
    ['one packed input image', bytes(4 * inBlocks * g.inHeight * g.inWidth)],
    ['the packed weights', bytes(16 * outBlocks * k4)],
    ['one packed output image', bytes(4 * outBlocks * g.outHeight * g.outWidth)],
  ];
  for (const [what, size] of buffers) if (size > maxBytes) return `${what} needs ${size} bytes, over the device's ${maxBytes} per storage buffer`;
  const grids: [string, [number, number, number]][] = [
    ['packing', [g.inWidth, g.inHeight, inBlocks]],
    ['convolution', [g.outWidth, g.outHeight, outBlocks]],
  ];
  for (const [what, grid] of grids) {
    const counts = workgroupCounts(grid);
    if (counts.some((c) => c > device.limits.maxComputeWorkgroupsPerDimension)) {
      return `the ${what} dispatch needs ${counts.join('×')} workgroups, over the device's ${device.limits.maxComputeWorkgroupsPerDimension} per dimension`;
    }
  }
  return null;
}

/** A buffer initialised with `values` (mapped at creation: no staging copy). */
function constantBuffer(device: WebGpuDevice, values: Float32Array, usage: number): WebGpuBuffer {
  const buffer = device.createBuffer({ size: Math.max(16, bytes(values.length)), usage, mappedAtCreation: true });
  new Float32Array(buffer.getMappedRange()).set(values);
  buffer.unmap();
  return buffer;
}

/**
 * Opens a validation and an out-of-memory error scope around `step` (synchronous, so no other work
 * on the device can push or pop scopes in between) and rejects with the first error reported.
 */
async function checked<T>(device: WebGpuDevice, what: string, step: () => T): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: { value: T } | { thrown: unknown };
  try {
    result = { value: step() };
  } catch (thrown) {
    result = { thrown };
  }
  // Popped before any await, so the two scopes are still the top of the device's stack.
  const memory = device.popErrorScope();
  const validation = device.popErrorScope();
  const error = (await memory) ?? (await validation);
  if ('thrown' in result) throw result.thrown;
  if (error !== null) throw new BackendFailureError(BACKEND, `the WebGPU device failed ${what}: ${error.message}`);
  return result.value;
}

async function compile(device: WebGpuDevice, code: string): Promise<WebGpuComputePipeline> {
  const module = device.createShaderModule({ code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new BackendFailureError(BACKEND, `WGSL did not compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  }
  return checked(device, 'creating a compute pipeline', () => device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } }));
}

/**
 * The channel-packed WebGPU program of one geometry (README “How it computes”), on gpu.js's shared
 * WebGPU device: WGSL generated here ({@link conv1x1Vec4Wgsl}, {@link packInputWgsl}) because gpu.js's
 * JavaScript→WGSL translation reads every array element as one `f32` and returns at most 4 values per
 * thread, which bounds its kernels at ≥ 1 read per multiply-add.
 * - Each image is uploaded once per run (`queue.writeBuffer`) and packed by one dispatch;
 * - the weights are packed once in `create` ({@link packWeightsForWgsl}) and uploaded once;
 * - one dispatch computes a whole image (4 output channels per thread), read back with one
 *   `mapAsync`, or kept on the device as a resident buffer that the next layer reads in place.
 *
 * Host runs share scratch buffers and one staging buffer, so they are serialised (one after another);
 * resident runs and reads use buffers of their own. Device errors of a run (validation, out of memory)
 * reject with `BackendFailureError`.
 */
export class WebGpuVec4Program {
  readonly #context: GpuJsWebGpuContext;
  readonly #device: WebGpuDevice;
  readonly #geometry: Conv1x1Geometry;
  readonly #packPipeline: WebGpuComputePipeline;
  readonly #convPipeline: WebGpuComputePipeline;
  /** Buffers this program owns (weights, bias, padded values, bounds, scratch): destroyed by `dispose()`. */
  readonly #owned: WebGpuBuffer[];
  readonly #constants: Record<string, WebGpuBuffer>;
  readonly #raw: WebGpuBuffer;
  readonly #packed: WebGpuBuffer;
  readonly #output: WebGpuBuffer;
  readonly #staging: WebGpuBuffer;
  readonly #hostPack: WebGpuBindGroup;
  readonly #hostConv: WebGpuBindGroup;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    context: GpuJsWebGpuContext,
    geometry: Conv1x1Geometry,
    pipelines: { pack: WebGpuComputePipeline; conv: WebGpuComputePipeline },
    constants: Record<string, WebGpuBuffer>,
  ) {
    this.#context = context;
    this.#device = context.device;
    this.#geometry = geometry;
    this.#packPipeline = pipelines.pack;
    this.#convPipeline = pipelines.conv;
    this.#constants = constants;
    const g = geometry;
    const device = this.#device;
    const storage = BUFFER_USAGE.STORAGE;
    this.#raw = device.createBuffer({ size: Math.max(16, bytes(g.inChannels * g.inHeight * g.inWidth)), usage: storage | BUFFER_USAGE.COPY_DST });
    this.#packed = device.createBuffer({ size: this.#packedInputBytes(), usage: storage });
    this.#output = device.createBuffer({ size: this.outputBytes, usage: storage | BUFFER_USAGE.COPY_SRC });
    this.#staging = device.createBuffer({ size: this.outputBytes, usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
    this.#owned = [...Object.values(constants), this.#raw, this.#packed, this.#output, this.#staging];
    this.#hostPack = this.#packBindGroup(this.#packed);
    this.#hostConv = this.#convBindGroup(this.#packed, this.#output);
  }

  /**
   * Compiles both programs and uploads the packed weights, bias, padded-cell values and clamp bounds.
   * @returns `null` when the geometry's buffers or dispatches exceed the device's limits
   *   ({@link webGpuVec4Misfit}): the operator then runs gpu.js's scalar kernel.
   * @throws {BackendFailureError} when the WGSL does not compile or the device reports an error.
   */
  static async create(context: GpuJsWebGpuContext, request: PrepareRequest): Promise<WebGpuVec4Program | null> {
    const { geometry: g } = request;
    const device = context.device;
    if (webGpuVec4Misfit(device, g) !== null) return null;
    const [pack, conv] = await Promise.all([compile(device, packInputWgsl(g)), compile(device, conv1x1Vec4Wgsl(g))]);
    const created: WebGpuBuffer[] = [];
    const build = () => {
      const storage = BUFFER_USAGE.STORAGE;
      const { lo, hi } = kernelClampBounds(g);
      const add = (name: string, values: Float32Array, usage: number) => {
        const buffer = constantBuffer(device, values, usage);
        created.push(buffer);
        constants[name] = buffer;
      };
      const constants: Record<string, WebGpuBuffer> = {};
      if (vec4WgslBindings(g).includes('bounds')) add('bounds', new Float32Array([lo, hi, 0, 0]), BUFFER_USAGE.UNIFORM);
      add('w', packWeightsForWgsl(g, request.weights), storage);
      if (request.bias !== null) add('b', packOutputChannels(g, request.bias), storage);
      if (vec4WgslBindings(g).includes('p')) add('p', packOutputChannels(g, paddedCellValues(g, request.weights, request.bias)), storage);
      const program = new WebGpuVec4Program(context, g, { pack, conv }, constants);
      created.push(...program.#owned);
      return program;
    };
    try {
      return await checked(device, 'building the WebGPU program', build);
    } catch (error) {
      for (const buffer of new Set(created)) buffer.destroy();
      throw PointwiseError.isInstance(error) ? error : new BackendFailureError(BACKEND, `gpu.js's WebGPU device could not build the program: ${String(error)}`, { cause: error });
    }
  }

  /** Bytes of one image's packed output (`[ceil(Co/4)][Ho][Wo]` vec4s). */
  get outputBytes(): number {
    const g = this.#geometry;
    return Math.max(16, bytes(4 * channelPacking(g).outBlocks * g.outHeight * g.outWidth));
  }

  #packedInputBytes(): number {
    const g = this.#geometry;
    return Math.max(16, bytes(4 * channelPacking(g).inBlocks * g.inHeight * g.inWidth));
  }

  #packBindGroup(packed: WebGpuBuffer): WebGpuBindGroup {
    return this.#device.createBindGroup({
      layout: this.#packPipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.#raw } },
        { binding: 1, resource: { buffer: packed } },
      ],
    });
  }

  #convBindGroup(input: WebGpuBuffer, output: WebGpuBuffer): WebGpuBindGroup {
    const buffers: Record<string, WebGpuBuffer> = { ...this.#constants, x: input, y: output };
    return this.#device.createBindGroup({
      layout: this.#convPipeline.getBindGroupLayout(0),
      entries: vec4WgslBindings(this.#geometry).map((name, binding) => ({ binding, resource: { buffer: buffers[name] } })),
    });
  }

  /** Records the packing dispatch of the image uploaded to the raw scratch buffer. */
  #encodePack(pass: ReturnType<ReturnType<WebGpuDevice['createCommandEncoder']>['beginComputePass']>, group: WebGpuBindGroup): void {
    const g = this.#geometry;
    pass.setPipeline(this.#packPipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...workgroupCounts([g.inWidth, g.inHeight, channelPacking(g).inBlocks]));
  }

  #encodeConv(pass: ReturnType<ReturnType<WebGpuDevice['createCommandEncoder']>['beginComputePass']>, group: WebGpuBindGroup): void {
    const g = this.#geometry;
    pass.setPipeline(this.#convPipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...workgroupCounts([g.outWidth, g.outHeight, channelPacking(g).outBlocks]));
  }

  #checkDevice(): void {
    if (this.#context.isLost) throw new BackendFailureError(BACKEND, "gpu.js's WebGPU device was lost; dispose the backend and prepare again");
  }

  /** Runs `work` after every host run queued before it (they share the scratch and staging buffers). */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Computes every image of `x` into `out`: per image one upload, one packing and one convolution
   * dispatch, one readback (`mapAsync`) scattered into `out`'s layout.
   * @param x the input data, `batch` images of `imageSize` floats.
   * @param out the output data, image `n` at element offset `n · strideN`.
   */
  run(x: Float32Array, out: Float32Array, batch: number, imageSize: number, strideN: number): Promise<void> {
    return this.#exclusive(async () => {
      for (let n = 0; n < batch; n++) {
        this.#checkDevice();
        await checked(this.#device, 'running the convolution', () => {
          this.#device.queue.writeBuffer(this.#raw, 0, x.subarray(n * imageSize, (n + 1) * imageSize));
          const encoder = this.#device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          this.#encodePack(pass, this.#hostPack);
          this.#encodeConv(pass, this.#hostConv);
          pass.end();
          encoder.copyBufferToBuffer(this.#output, 0, this.#staging, 0, this.outputBytes);
          this.#device.queue.submit([encoder.finish()]);
        });
        await this.#staging.mapAsync(MAP_MODE_READ);
        try {
          this.#store(new Float32Array(this.#staging.getMappedRange()), out, n * strideN);
        } finally {
          this.#staging.unmap();
        }
      }
    });
  }

  /**
   * Computes each image into a new device buffer (`[ceil(Co/4)][Ho][Wo]` vec4s, channels past `Co` zero:
   * the packing the next layer reads). No readback.
   * @param inputs per image: the host image (uploaded and packed) or a resident buffer of the previous layer.
   */
  async runResident(inputs: readonly (Float32Array | WebGpuImageBuffer)[]): Promise<WebGpuImageBuffer[]> {
    this.#checkDevice();
    const device = this.#device;
    const outputs: WebGpuImageBuffer[] = [];
    const scratch: WebGpuBuffer[] = [];
    try {
      await checked(device, 'running the convolution', () => {
        for (const input of inputs) {
          const output = device.createBuffer({ size: this.outputBytes, usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC });
          outputs.push(imageBuffer(output));
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          let packed: WebGpuBuffer;
          if (input instanceof Float32Array) {
            // A packed buffer of its own: a host run may be using the shared one.
            packed = device.createBuffer({ size: this.#packedInputBytes(), usage: BUFFER_USAGE.STORAGE });
            scratch.push(packed);
            device.queue.writeBuffer(this.#raw, 0, input);
            this.#encodePack(pass, this.#packBindGroup(packed));
          } else {
            packed = input.buffer;
          }
          this.#encodeConv(pass, this.#convBindGroup(packed, output));
          pass.end();
          device.queue.submit([encoder.finish()]);
        }
      });
    } catch (error) {
      for (const output of outputs) output.delete();
      throw error;
    } finally {
      // Destroying after submit is allowed: submitted work that reads them completes first.
      for (const buffer of scratch) buffer.destroy();
    }
    return outputs;
  }

  /** Copies one resident image buffer into `out` at element offset `base` (one `mapAsync`). */
  async readImage(image: WebGpuImageBuffer, out: Float32Array, base: number): Promise<void> {
    this.#checkDevice();
    const device = this.#device;
    const staging = device.createBuffer({ size: this.outputBytes, usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
    try {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(image.buffer, 0, staging, 0, this.outputBytes);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(MAP_MODE_READ);
      this.#store(new Float32Array(staging.getMappedRange()), out, base);
      staging.unmap();
    } finally {
      staging.destroy();
    }
  }

  #store(raw: Float32Array, out: Float32Array, base: number): void {
    const g = this.#geometry;
    storeVec4Chunk(raw, out, base, g, { origin: [0, 0, 0], size: [g.outWidth, g.outHeight, channelPacking(g).outBlocks] });
  }

  /** Destroys every buffer this program owns (resident outputs belong to their tensors). */
  dispose(): void {
    for (const buffer of this.#owned) buffer.destroy();
    this.#owned.length = 0;
  }
}
