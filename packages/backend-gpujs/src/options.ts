import { InvalidArgumentError, assertKnownKeys } from '@pointwise/core';

/** gpu.js modes a caller may ask for by name (gpu.js `new GPU({ mode })`). */
export const GPUJS_MODES = ['headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm', 'cpu'] as const;

/** A gpu.js mode: its kernel class (`HeadlessGLKernel`, …, `CPUKernel`). */
export type GpujsMode = (typeof GPUJS_MODES)[number];

/** The `mode` option: `'auto'` (hardware GL only, see {@link GpujsBackend}) or one mode by name. */
export type GpujsModeOption = 'auto' | GpujsMode;

/** Options of the gpu.js backend. */
export interface GpujsBackendOptions {
  /**
   * Which gpu.js mode to run. `'auto'` (default) picks gpu.js's own order
   * (headlessgl → webgl2 → webgl) and declines software renderers and the
   * CPU-side modes; a named mode is used wherever gpu.js supports it, and
   * is an error (never a silent fallback) where it does not.
   */
  readonly mode?: GpujsModeOption;
  /**
   * Largest texture side, in texels, the output chunking may use. Default:
   * the GL context's `MAX_TEXTURE_SIZE` in GL modes, unlimited in the
   * others. A smaller value forces chunking (tests use it to exercise the
   * chunked path cheaply); a larger one than the context's is capped.
   */
  readonly maxTextureSize?: number;
  /**
   * Most output elements one kernel call computes (one texture, one draw,
   * one readback). Bounds a single draw's time and readback memory.
   * Default 2²⁰ in GPU modes, 2²⁶ in `webasm`, unlimited in `cpu`; capped at 2³⁰ in every mode but `cpu`
   * (gpu.js's 32-bit texel and cell indices).
   */
  readonly maxChunkElements?: number;
  /**
   * Which kernel the GL modes run. `'auto'` (default): the channel-packed `vec4` kernel (4 output channels
   * per thread, input and weights 4 channels per texel, 0.3125 texture fetches per multiply-add) wherever
   * the layout allows it (`groups = 1`, or `Ci/groups` and `Co/groups` multiples of 4) and the packed
   * textures fit, else the scalar kernel. `'scalar'`: the one-output-per-thread kernel everywhere (2 fetches
   * per multiply-add; the `cpu` / `webasm` / `webgpu` kernel), for comparison. Outside the GL modes the
   * kernel is always the scalar one.
   */
  readonly kernel?: GpujsKernelOption;
}

/** The `kernel` option of {@link GpujsBackendOptions}. */
export type GpujsKernelOption = 'auto' | 'scalar';

/** Options after validation, with defaults filled where they do not depend on the mode. */
export interface ResolvedGpujsOptions {
  readonly mode: GpujsModeOption;
  readonly maxTextureSize: number | undefined;
  readonly maxChunkElements: number | undefined;
  readonly kernel: GpujsKernelOption;
}

function optionalLimit(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(name, 'an integer ≥ 1', value);
  }
  return value;
}

/**
 * Validates the backend's options.
 * @throws {InvalidArgumentError} for an unknown option key or mode, or a limit that is not an integer ≥ 1.
 */
export function resolveGpujsOptions(options: GpujsBackendOptions = {}): ResolvedGpujsOptions {
  assertKnownKeys('options', options, ['mode', 'maxTextureSize', 'maxChunkElements', 'kernel']);
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && !(GPUJS_MODES as readonly string[]).includes(mode)) {
    throw new InvalidArgumentError('mode', `"auto" or one of ${GPUJS_MODES.map((m) => `"${m}"`).join(', ')}`, mode);
  }
  const kernel = options.kernel ?? 'auto';
  if (kernel !== 'auto' && kernel !== 'scalar') throw new InvalidArgumentError('kernel', '"auto" or "scalar"', kernel);
  return {
    mode,
    kernel,
    maxTextureSize: optionalLimit('maxTextureSize', options.maxTextureSize),
    maxChunkElements: optionalLimit('maxChunkElements', options.maxChunkElements),
  };
}
