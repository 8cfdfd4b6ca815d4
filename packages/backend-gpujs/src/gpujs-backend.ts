import {
  BACKEND_API_VERSION,
  BackendFailureError,
  BackendUnavailableError,
  DisposedError,
  type Availability,
  type Backend,
  type BackendCapabilities,
  type BackendOperator,
  type PrepareRequest,
} from '@pointwise/core';
import { capabilitiesOf, isGlMode } from './capabilities.js';
import type { ChunkLimits } from './chunk-plan.js';
import type { GpuJsInstance, GpuJsModule } from './gpujs-api.js';
import { loadGpuJs, type GpuJsLoad } from './gpujs-loader.js';
import { GPUJS_BACKEND_NAME, GpujsOperator, kernelVariantOf, type GpujsContext } from './gpujs-operator.js';
import { WebGpuOperator } from './webgpu-operator.js';
import { AUTO_ORDER, isModeSupported, kernelClassOf, supportedModes } from './modes.js';
import { resolveGpujsOptions, type GpujsBackendOptions, type GpujsMode, type ResolvedGpujsOptions } from './options.js';
import { detectRenderer, type RendererInfo } from './renderer.js';
import { headlessGlHint, loadHeadlessGl, type HeadlessGlLoad } from './headless-gl.js';

/** Default chunk size bound in GPU modes: 2²⁰ outputs per draw (16 MiB of RGBA float readback). */
export const DEFAULT_MAX_CHUNK_ELEMENTS = 2 ** 20;

/**
 * Default chunk size bound in `webasm`: 2²⁶ outputs (256 MiB) per call, so one image's output never needs
 * more of the 4 GiB WebAssembly memory than that.
 */
export const WEBASM_MAX_CHUNK_ELEMENTS = 2 ** 26;

/**
 * Hard ceiling on one chunk in every mode but `cpu`: gpu.js forms texel and cell indices as 32-bit signed
 * integers (GLSL `int`, wasm `i32`), so a chunk stays below 2³⁰ elements whatever the options say.
 */
export const INT32_CHUNK_CEILING = 2 ** 30;

/** The mode a probe settled on, or why none can be used. */
type Resolution =
  | { readonly ok: true; readonly gpujs: GpuJsModule; readonly mode: GpujsMode; readonly renderer: RendererInfo | null }
  | { readonly ok: false; readonly reason: string };

function quoted(modes: readonly string[]): string {
  return modes.length === 0 ? 'none' : modes.map((m) => `"${m}"`).join(', ');
}

/** Why headless GL may be missing: on Linux it needs an X display (`xvfb-run -a` provides one). */
function displayHint(mode: GpujsMode): string {
  const proc = (globalThis as { process?: { platform?: string; env?: Record<string, string | undefined> } }).process;
  if (mode !== 'headlessgl' || proc?.platform !== 'linux' || proc.env?.DISPLAY) return '';
  return '; headless GL needs an X display and DISPLAY is not set (run under xvfb-run -a)';
}

/**
 * 1×1 convolution on kernels compiled by gpu.js 2.24: GLSL on headless GL
 * (Node), WebGL2 / WebGL (browsers), WGSL on WebGPU, WebAssembly, or
 * gpu.js's JavaScript CPU mode.
 *
 * **Mode choice.** gpu.js is imported lazily (by `probe()` / `init()`), so a
 * missing gpu.js or `gl` only makes this backend unavailable.
 * - `mode: 'auto'` (default) follows gpu.js's own order (headlessgl →
 *   webgl2 → webgl) but reports itself *unavailable* when the only thing
 *   gpu.js reaches is its `webasm` / `cpu` modes, or a GL context drawn by
 *   a software rasteriser (Mesa llvmpipe / swrast, SwiftShader — read from
 *   the unmasked renderer string, or on Linux from the GL driver library
 *   the process loaded). Registered at priority 300, above the CPU
 *   backends, it is chosen automatically only where it runs on a real GPU;
 *   on CPU-only machines automatic selection falls through to `workers` /
 *   `cpu-tiled`, which are faster there. `webgpu` is never picked
 *   automatically (gpu.js does not either): ask for it by name.
 * - A mode asked for by name (`'headlessgl'`, `'webgl2'`, `'webgl'`,
 *   `'webgpu'`, `'webasm'`, `'cpu'`) is used wherever gpu.js supports it,
 *   software renderer or not; where it does not, `probe()` says why and
 *   `init()` throws `BackendUnavailableError` — never a silent fallback.
 *
 * The operator reports the mode gpu.js actually runs (its kernel class) in
 * `info.details` and fails with `BackendFailureError` if gpu.js swaps the
 * kernel for its CPU fallback. Precision is always `single` (never gpu.js's
 * lossy `unsigned` packing), with `highp` shaders (`tactic: 'precision'`).
 */
export class GpujsBackend implements Backend {
  readonly name = GPUJS_BACKEND_NAME;
  readonly apiVersion = BACKEND_API_VERSION;
  readonly #options: ResolvedGpujsOptions;
  #resolution: Promise<Resolution> | undefined;
  #context: GpujsContext | undefined;
  #capabilities: BackendCapabilities | undefined;
  #operators = new Set<GpujsOperator | WebGpuOperator>();
  #disposed = false;
  readonly #load: () => Promise<GpuJsLoad>;
  readonly #loadGl: () => Promise<HeadlessGlLoad>;
  #renderer: RendererInfo | null = null;

  /**
   * @param options the gpu.js mode (default `'auto'`), chunking limits and GL kernel.
   * @param internals test seam (not part of the API): `load` replaces the import of gpu.js, so tests can
   *   present a renderer string this machine does not have; `loadGl` replaces the check that gpu.js's
   *   optional `gl` package loads, so tests can present a missing or unbuilt one.
   * @throws {InvalidArgumentError} for an unknown mode or a limit that is not an integer ≥ 1.
   */
  constructor(options: GpujsBackendOptions = {}, internals: { readonly load?: () => Promise<GpuJsLoad>; readonly loadGl?: () => Promise<HeadlessGlLoad> } = {}) {
    this.#options = resolveGpujsOptions(options);
    this.#load = internals.load ?? loadGpuJs;
    this.#loadGl = internals.loadGl ?? loadHeadlessGl;
  }

  /**
   * Whether the configured mode can run here (loads gpu.js and, for GL
   * modes, lets it create its test context). In `auto` mode, unavailable
   * on software renderers and CPU-only gpu.js, with a reason naming what
   * was found. The answer is computed once.
   */
  async probe(): Promise<Availability> {
    const resolution = await this.#resolve();
    return resolution.ok ? { available: true } : { available: false, reason: resolution.reason };
  }

  /**
   * Creates the gpu.js instance for the resolved mode and reads its limits.
   * @throws {BackendUnavailableError} when gpu.js cannot be loaded or the mode cannot run here.
   */
  async init(): Promise<void> {
    if (this.#disposed) throw new DisposedError('gpujs backend');
    if (this.#context) return;
    const resolution = await this.#resolve();
    if (!resolution.ok) throw new BackendUnavailableError([{ backend: GPUJS_BACKEND_NAME, reason: resolution.reason }], true);
    const { gpujs, mode, renderer } = resolution;
    this.#renderer = renderer;
    const kernelClass = kernelClassOf(gpujs, mode);
    let gpu: GpuJsInstance;
    try {
      gpu = new gpujs.GPU({ mode });
    } catch (error) {
      const reason = `gpu.js could not start mode "${mode}": ${error instanceof Error ? error.message : String(error)}`;
      throw new BackendUnavailableError([{ backend: GPUJS_BACKEND_NAME, reason }], true);
    }
    if (gpu.Kernel !== kernelClass) {
      await gpu.destroy();
      const reason = `gpu.js chose ${gpu.Kernel.name} for mode "${mode}" instead of ${kernelClass.name}`;
      throw new BackendUnavailableError([{ backend: GPUJS_BACKEND_NAME, reason }], true);
    }
    const limits = this.#limits(mode, kernelClass.features?.maxTextureSize);
    const details: Record<string, string | boolean> = {};
    if (renderer !== null) {
      details.renderer = renderer.renderer ?? 'unknown';
      details.softwareRenderer = renderer.software;
    }
    const contextTextureSize = isGlMode(mode) ? (kernelClass.features?.maxTextureSize ?? Infinity) : Infinity;
    this.#context = { gpujs, gpu, mode, kernelClass, limits, contextTextureSize, details, kernelOption: this.#options.kernel };
    this.#capabilities = capabilitiesOf(mode, limits);
  }

  /**
   * Valid after `init()`: sync except in `webgpu`, the mode's declared precision factor, chunking limits.
   * @throws {BackendFailureError} before `init()` has completed.
   */
  capabilities(): BackendCapabilities {
    if (!this.#capabilities) throw new BackendFailureError(GPUJS_BACKEND_NAME, 'capabilities() called before init() completed');
    return this.#capabilities;
  }

  /**
   * The GL renderer the resolved mode draws with (after `init()`; `null` outside the GL modes), e.g.
   * `{ renderer: 'swrast_dri.so', software: true }` on Mesa; also in every operator's `info.details.renderer`.
   */
  get renderer(): RendererInfo | null {
    return this.#renderer;
  }

  /** The gpu.js mode in use (after `init()`), e.g. `'headlessgl'`. */
  get mode(): GpujsMode | undefined {
    return this.#context?.mode;
  }

  /**
   * Compiles the kernel(s) for one geometry and uploads the weights once.
   * @throws {BackendFailureError} when gpu.js cannot build the kernel in this mode.
   */
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    if (this.#disposed) throw new DisposedError('gpujs backend');
    if (!this.#context) await this.init();
    const context = this.#context!;
    const forget = (disposed: GpujsOperator | WebGpuOperator) => this.#operators.delete(disposed);
    // webgpu: the packed WGSL program where the layout packs and the device's limits allow, else the scalar kernel.
    const packed = context.mode === 'webgpu' && kernelVariantOf(context, request.geometry) === 'vec4' ? await WebGpuOperator.create(context, request, forget) : null;
    const operator = packed ?? GpujsOperator.create(context, request, forget);
    this.#operators.add(operator);
    return operator;
  }

  /**
   * Diagnostics: how many operators are live (prepared, not disposed) and how
   * many kernel objects the gpu.js instance holds (0 before `init()`). Both
   * return to their earlier values when an operator is disposed.
   */
  get resources(): { readonly operators: number; readonly gpujsKernels: number } {
    return { operators: this.#operators.size, gpujsKernels: this.#context?.gpu.kernels?.length ?? 0 };
  }

  /** Destroys every operator's kernels and the gpu.js instance (its GL context). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const operator of [...this.#operators]) operator.dispose();
    this.#operators.clear();
    const context = this.#context;
    this.#context = undefined;
    if (context) await context.gpu.destroy();
  }

  #limits(mode: GpujsMode, contextMaxTexture: number | undefined): ChunkLimits {
    const gpuMode = isGlMode(mode) || mode === 'webgpu';
    const hardware = isGlMode(mode) && contextMaxTexture !== undefined ? contextMaxTexture : Infinity;
    const fallback = gpuMode ? DEFAULT_MAX_CHUNK_ELEMENTS : mode === 'webasm' ? WEBASM_MAX_CHUNK_ELEMENTS : Infinity;
    const requested = this.#options.maxChunkElements ?? fallback;
    return {
      maxTextureSize: Math.min(hardware, this.#options.maxTextureSize ?? Infinity),
      maxChunkElements: mode === 'cpu' ? requested : Math.min(requested, INT32_CHUNK_CEILING),
    };
  }

  #resolve(): Promise<Resolution> {
    this.#resolution ??= this.#computeResolution();
    return this.#resolution;
  }

  async #computeResolution(): Promise<Resolution> {
    const load = await this.#load();
    if (!load.ok) return load;
    const { gpujs } = load;
    const requested = this.#options.mode;
    if (requested !== 'auto') {
      if (await isModeSupported(gpujs, requested)) {
        const renderer = isGlMode(requested) ? await detectRenderer(kernelClassOf(gpujs, requested)) : null;
        return { ok: true, gpujs, mode: requested, renderer };
      }
      return {
        ok: false,
        reason: `gpu.js mode "${requested}" is not supported here (supported: ${quoted(await supportedModes(gpujs))})${await this.#headlessGlHint(requested)}`,
      };
    }
    for (const mode of AUTO_ORDER) {
      if (!(await isModeSupported(gpujs, mode))) continue;
      const renderer = await detectRenderer(kernelClassOf(gpujs, mode));
      if (renderer.software) {
        return {
          ok: false,
          reason:
            `auto mode: gpu.js reaches "${mode}" but its renderer is a software rasteriser (${renderer.renderer}, ` +
            `from ${renderer.source}); the CPU backends are faster here — ask for { mode: "${mode}" } to use it anyway`,
        };
      }
      return { ok: true, gpujs, mode, renderer };
    }
    return {
      ok: false,
      reason:
        `auto mode: gpu.js reaches no GPU mode here, only ${quoted(await supportedModes(gpujs))}; ` +
        `ask for { mode: "webasm" } or { mode: "cpu" } by name to use them${await this.#headlessGlHint('headlessgl')}`,
    };
  }

  /**
   * Why `mode` is unsupported, when it is `headlessgl`: gpu.js's optional `gl` package missing or unbuilt
   * (and how to get it), else a missing X display; `''` for other modes.
   */
  async #headlessGlHint(mode: GpujsMode): Promise<string> {
    if (mode !== 'headlessgl') return '';
    return headlessGlHint(await this.#loadGl()) || displayHint(mode);
  }
}
