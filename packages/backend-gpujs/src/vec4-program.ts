import { BackendCapacityError, paddedCellValues, type Conv1x1Geometry, type PrepareRequest } from '@pointwise/core';
import { planChunks, type Chunk, type ChunkLimits } from './chunk-plan.js';
import type { GpuJsKernelShortcut, GpuJsTexture } from './gpujs-api.js';
import { channelPacking, outputChannelOf, packOutputChannels } from './channel-packing.js';
import { VEC4_KERNEL_ARGUMENT_TYPES, conv1x1Vec4KernelSource, inputDimensions, kernelClampBounds, packInputKernelSource, packWeightsKernelSource } from './kernel-source.js';
import type { GpujsContext } from './gpujs-operator.js';

/** Registry name, repeated here to keep this module free of an import cycle. */
const BACKEND = 'gpujs';

/** Largest chunk, in threads, of 4 outputs each: gpu.js's 32-bit texel indices (2³⁰ values). */
const INT32_THREAD_CEILING = 2 ** 28;

interface Vec4Chunk {
  readonly chunk: Chunk;
  readonly kernel: GpuJsKernelShortcut;
}

/** The `[w, h]` texture gpu.js gives a single-precision kernel output of `size` (one texel per element). */
function textureSize(context: GpujsContext, size: readonly [number, number, number]): readonly [number, number] {
  const [w, h] = context.gpujs.utils.getKernelTextureSize({ precision: 'single' }, size);
  return [w, h];
}

function fits(context: GpujsContext, size: readonly [number, number, number]): boolean {
  const [w, h] = textureSize(context, size);
  return w <= context.contextTextureSize && h <= context.contextTextureSize;
}

/**
 * Copies the values of a `vec4` kernel output (raw RGBA floats: element
 * `x + cx·(y + cy·z)` of the chunk at texel of the same index, the 4 channels
 * of output block `oz + z` in its components, {@link channelPacking}) into an
 * output tensor of either layout. Padding lanes (past `Co`, or past a group's
 * `Co/g`) are skipped.
 */
export function storeVec4Chunk(raw: Float32Array, out: Float32Array, base: number, geometry: Conv1x1Geometry, chunk: Chunk): void {
  const [cx, cy, cz] = chunk.size;
  const [ox, oy, oz] = chunk.origin;
  const { outChannels: co, outHeight: ho, outWidth: wo } = geometry;
  const nchw = geometry.outputLayout === 'NCHW';
  const packing = channelPacking(geometry);
  for (let z = 0; z < cz; z++) {
    for (let l = 0; l < 4; l++) {
      const channel = outputChannelOf(geometry, packing, oz + z, l);
      if (channel < 0) continue;
      for (let y = 0; y < cy; y++) {
        const i = oy + y;
        let src = 4 * cx * (y + cy * z) + l;
        if (nchw) {
          const dst = base + channel * ho * wo + i * wo + ox;
          for (let x = 0; x < cx; x++, src += 4) out[dst + x] = raw[src];
        } else {
          let dst = base + (i * wo + ox) * co + channel;
          for (let x = 0; x < cx; x++, src += 4, dst += co) out[dst] = raw[src];
        }
      }
    }
  }
}

/**
 * The channel-packed GL program of one geometry (README “How it computes”):
 * - `packInput`: one draw per image and run uploads the image (a gpu.js
 *   `Input` over a view of the caller's array) and packs it 4 channels per
 *   texel; every output chunk reads that one texture;
 * - the weights, packed 4 input channels per texel once in `prepare` (the
 *   output texture of the `packWeights` kernel, freed when that kernel is destroyed);
 * - one `vec4` kernel per chunk shape ({@link conv1x1Vec4KernelSource}):
 *   4 output channels per thread, returned as an RGBA texel of a pipeline
 *   texture, read back with one `readPixels` per chunk, or kept on the device
 *   (`immutable`: each run hands out a clone that shares the texture, and the
 *   next run renders into a fresh one while a clone is alive).
 *
 * Channels are packed per group ({@link channelPacking}); where that is not the plain packing (grouped
 * layers whose `K` or `Co/g` is not a multiple of 4) only host runs use it (the operator has no `runResident` there).
 * The operator uses the scalar kernel when a packed texture would not fit the context ({@link Vec4Program.fitsContext}).
 */
export class Vec4Program {
  readonly chunks: readonly Vec4Chunk[];
  readonly #context: GpujsContext;
  readonly #geometry: Conv1x1Geometry;
  readonly #packInput: GpuJsKernelShortcut;
  readonly #packWeights: GpuJsKernelShortcut;
  readonly #weights: GpuJsTexture;
  readonly #kernels: GpuJsKernelShortcut[];
  readonly #settings: Record<string, unknown>;
  readonly #source: string;
  readonly #lo: number;
  readonly #hi: number;
  #resident: Vec4Chunk | undefined;

  private constructor(context: GpujsContext, geometry: Conv1x1Geometry, parts: {
    packInput: GpuJsKernelShortcut;
    packWeights: GpuJsKernelShortcut;
    weights: GpuJsTexture;
    chunks: Vec4Chunk[];
    kernels: GpuJsKernelShortcut[];
    settings: Record<string, unknown>;
    source: string;
  }) {
    this.#context = context;
    this.#geometry = geometry;
    this.#packInput = parts.packInput;
    this.#packWeights = parts.packWeights;
    this.#weights = parts.weights;
    this.chunks = parts.chunks;
    this.#kernels = parts.kernels;
    this.#settings = parts.settings;
    this.#source = parts.source;
    const { lo, hi } = kernelClampBounds(geometry);
    this.#lo = lo;
    this.#hi = hi;
  }

  /** Whether the packed input and weight textures fit the context (else the scalar kernel runs). */
  static fitsContext(context: GpujsContext, geometry: Conv1x1Geometry): boolean {
    const { k4, inBlocks, outBlocks } = channelPacking(geometry);
    const packed: [number, number, number] = [geometry.inWidth, geometry.inHeight, inBlocks];
    const weights: [number, number, number] = [k4, 4, outBlocks];
    return fits(context, packed) && fits(context, weights);
  }

  /**
   * Builds the packers, packs the weights, and builds one `vec4` kernel per chunk shape. Every kernel built
   * is pushed on `built` as soon as it exists, so the caller can release them if a later step throws.
   * @param limits the operator's chunk limits (counted in output values; a thread computes 4).
   */
  static create(context: GpujsContext, request: PrepareRequest, limits: ChunkLimits, built: GpuJsKernelShortcut[]): Vec4Program {
    const { geometry: g } = request;
    const { gpujs, gpu } = context;
    const { k4, inBlocks, outBlocks: co4 } = channelPacking(g);
    const common = { precision: 'single', tactic: 'precision', returnType: 'Array(4)', pipeline: true } as const;
    const packInput = gpu.createKernel(packInputKernelSource(g), {
      ...common,
      output: [g.inWidth, g.inHeight, inBlocks],
      argumentTypes: { x: 'Input' },
    });
    built.push(packInput);
    const packWeights = gpu.createKernel(packWeightsKernelSource(g), { ...common, output: [k4, 4, co4], argumentTypes: { w: 'Input' } });
    built.push(packWeights);
    const weights = packWeights(gpujs.input(request.weights.slice(), [g.inChannelsPerGroup, g.outChannels])) as unknown as GpuJsTexture;
    // The probe image: zeros, so building compiles without reading the caller's data.
    const probe = packInput(gpujs.input(new Float32Array(g.inChannels * g.inHeight * g.inWidth), inputDimensions(g))) as unknown as GpuJsTexture;
    const constants: Record<string, unknown> = {};
    if (request.bias !== null) constants.b = packOutputChannels(g, request.bias);
    if (g.padTop + g.padBottom + g.padLeft + g.padRight > 0) constants.p = packOutputChannels(g, paddedCellValues(g, request.weights, request.bias));
    const settings = {
      ...common,
      immutable: true,
      constants,
      argumentTypes: VEC4_KERNEL_ARGUMENT_TYPES,
      loopMaxIterations: k4 + 1,
    };
    const source = conv1x1Vec4KernelSource(g);
    const threadLimits: ChunkLimits = { maxTextureSize: limits.maxTextureSize, maxChunkElements: Math.max(1, Math.floor(limits.maxChunkElements / 4)) };
    const plan = planChunks([g.outWidth, g.outHeight, co4], threadLimits, (size) => textureSize(context, size));
    const byShape = new Map<string, GpuJsKernelShortcut>();
    const chunks: Vec4Chunk[] = [];
    const { lo, hi } = kernelClampBounds(g);
    for (const chunk of plan.chunks) {
      const key = chunk.size.join('x');
      let kernel = byShape.get(key);
      if (kernel === undefined) {
        const [w, h] = textureSize(context, chunk.size);
        if (w > limits.maxTextureSize || h > limits.maxTextureSize) {
          throw new BackendCapacityError(BACKEND, `texture size ${limits.maxTextureSize}`, `output chunk ${key} (4 channels per texel) needs a ${w}×${h} texture`);
        }
        kernel = gpu.createKernel(source, { ...settings, output: [chunk.size[0], chunk.size[1], chunk.size[2]] });
        built.push(kernel);
        byShape.set(key, kernel);
        kernel.build(probe, weights, 0, 0, 0, lo, hi);
      }
      chunks.push({ chunk, kernel });
    }
    const kernels = [packInput, packWeights, ...byShape.values()];
    return new Vec4Program(context, g, { packInput, packWeights, weights, chunks, kernels, settings, source });
  }

  /** Every kernel this program built (the resident kernel included once it exists). */
  get kernels(): readonly GpuJsKernelShortcut[] {
    return this.#kernels;
  }

  /** Packs one input image (one upload) into the texture every chunk reads; valid until the next call. */
  packImage(image: Float32Array): GpuJsTexture {
    return this.#packInput(this.#context.gpujs.input(image, inputDimensions(this.#geometry))) as unknown as GpuJsTexture;
  }

  /**
   * Computes one image into `out` at element offset `base`: one upload, one draw and one readback per chunk.
   * @param check called with each kernel after it ran (the kernel-class check).
   */
  runImage(packed: GpuJsTexture, out: Float32Array, base: number, check: (kernel: GpuJsKernelShortcut) => void): void {
    for (const { chunk, kernel } of this.chunks) {
      const result = kernel(packed, this.#weights, chunk.origin[0], chunk.origin[1], chunk.origin[2], this.#lo, this.#hi) as unknown as GpuJsTexture;
      check(kernel);
      try {
        storeVec4Chunk(result.renderRawOutput(), out, base, this.#geometry, chunk);
      } finally {
        result.delete();
      }
    }
  }

  /**
   * Computes one image into a texture that stays on the device (`[Wo, Ho, ceil(Co/4)]`, 4 channels per
   * texel, channels past `Co` zero): the packing the next layer's `vec4` kernel reads.
   * @param input the packed input: {@link packImage}'s texture or a resident output of the previous layer.
   * @param track receives a kernel built for this (the first call builds the whole-image kernel).
   * @throws {BackendCapacityError} when one image's output does not fit one texture of the context.
   */
  runImageResident(input: GpuJsTexture, check: (kernel: GpuJsKernelShortcut) => void, track: (kernel: GpuJsKernelShortcut) => void): GpuJsTexture {
    const { kernel } = this.#residentKernel(input, track);
    const result = kernel(input, this.#weights, 0, 0, 0, this.#lo, this.#hi) as unknown as GpuJsTexture;
    check(kernel);
    return result;
  }

  /** Copies a whole-image resident texture into `out` at element offset `base`. */
  readImage(texture: GpuJsTexture, out: Float32Array, base: number): void {
    const g = this.#geometry;
    storeVec4Chunk(texture.renderRawOutput(), out, base, g, { origin: [0, 0, 0], size: [g.outWidth, g.outHeight, channelPacking(g).outBlocks] });
  }

  #residentKernel(input: GpuJsTexture, track: (kernel: GpuJsKernelShortcut) => void): Vec4Chunk {
    if (this.#resident) return this.#resident;
    const g = this.#geometry;
    const size: [number, number, number] = [g.outWidth, g.outHeight, channelPacking(g).outBlocks];
    const whole = this.chunks.find((c) => c.chunk.size.every((s, i) => s === size[i]));
    if (whole) {
      this.#resident = whole;
      return whole;
    }
    const [w, h] = textureSize(this.#context, size);
    if (w > this.#context.contextTextureSize || h > this.#context.contextTextureSize || size[0] * size[1] * size[2] > INT32_THREAD_CEILING) {
      throw new BackendCapacityError(
        BACKEND,
        `texture size ${this.#context.contextTextureSize}`,
        `a resident output keeps one image in one texture; ${size.join('×')} texels need ${w}×${h}`,
      );
    }
    const kernel = this.#context.gpu.createKernel(this.#source, { ...(this.#settings as object), output: size } as never);
    this.#kernels.push(kernel);
    track(kernel);
    kernel.build(input, this.#weights, 0, 0, 0, this.#lo, this.#hi);
    this.#resident = { chunk: { origin: [0, 0, 0], size }, kernel };
    return this.#resident;
  }
}
