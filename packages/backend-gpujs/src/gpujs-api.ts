/**
 * The slice of gpu.js 2.24's API this backend uses, declared locally so the
 * package type-checks without loading gpu.js (it is imported lazily in
 * `init()`) and so the calls we rely on are written down in one place.
 * Semantics: gpu.js README, sections "GPU Settings", "gpu.createKernel
 * Settings", "Asynchronous Kernels" and "WebAssembly".
 */
import type { GpuJsWebGpuContext } from './webgpu-api.js';

/** A gpu.js kernel class (`HeadlessGLKernel`, `WebGL2Kernel`, …, `CPUKernel`). */
export interface GpuJsKernelClass {
  readonly name: string;
  /** Synchronous support check (GL: creates a test context once). */
  readonly isSupported: boolean;
  /** GL kernels: `{ maxTextureSize, isFloatRead, isTextureFloat, … }` once `isSupported` was read. */
  readonly features?: { readonly maxTextureSize?: number } | null;
  /** GL kernels: the context gpu.js created for its feature checks. */
  readonly testContext?: unknown;
}

/** gpu.js's `Input`: a flat typed array viewed with dimensions `[x, y, z]` (x fastest). */
export interface GpuJsInput {
  readonly value: Float32Array;
  readonly size: readonly number[];
}

/** The `kernel` a run shortcut currently calls (it changes when gpu.js falls back). */
export interface GpuJsKernelInstance {
  readonly constructor: GpuJsKernelClass;
  readonly fallbackReason?: string | null;
  readonly built?: boolean;
}

/** A nested result: `[z][y]` rows of `Float32Array(x)` for a 3-D output. */
export type GpuJsOutput = Float32Array | readonly GpuJsOutput[];

/** What `gpu.createKernel` returns: callable, plus the kernel it runs. */
export interface GpuJsKernelShortcut {
  (...args: unknown[]): GpuJsOutput | Promise<GpuJsOutput>;
  readonly kernel: GpuJsKernelInstance;
  /** Compiles for these arguments without running. */
  build(...args: unknown[]): void;
  destroy(removeCanvasReferences?: boolean): void;
}

/** Settings of `gpu.createKernel` that we pass. */
export interface GpuJsKernelSettings {
  readonly output: readonly number[];
  readonly precision: 'single';
  readonly tactic: 'precision';
  readonly constants?: Readonly<Record<string, unknown>>;
  readonly loopMaxIterations?: number;
  readonly asyncMode?: boolean;
  readonly argumentTypes?: Readonly<Record<string, string>>;
  readonly pipeline?: boolean;
  readonly immutable?: boolean;
  /** `'Array(4)'`: each thread returns 4 floats, one RGBA texel (GL). */
  readonly returnType?: string;
}

/**
 * A gpu.js GL texture, what a `pipeline: true` kernel returns (`GLTextureArray4Float3D` for an `Array(4)`
 * return type): passed to another kernel of the same instance as an argument, it stays on the device.
 */
export interface GpuJsTexture {
  /** `[width, height]` in texels. */
  readonly size: readonly number[];
  /** The kernel output dimensions `[x, y, z]` it holds. */
  readonly output: readonly number[];
  /** The whole texture as RGBA floats (`width·height·4`), one `readPixels`. */
  renderRawOutput(): Float32Array;
  /** Shares the GL texture (a reference count); the owning kernel renders its next run elsewhere. */
  clone(): GpuJsTexture;
  /** Drops this reference; the GL texture is freed with the last one. */
  delete(): void;
}

/** A `GPU` instance: one context shared by the kernels it creates. */
export interface GpuJsInstance {
  readonly Kernel: GpuJsKernelClass;
  createKernel(source: string, settings: GpuJsKernelSettings): GpuJsKernelShortcut;
  /**
   * Every kernel object the instance built (gpu.js keeps them for `destroy()`).
   * GL and WebAssembly kernels remove themselves on `destroy()`; the CPU kernel does not.
   */
  readonly kernels?: unknown[];
  destroy(): Promise<void> | void;
}

/** The module `gpu.js` exports (the parts we use). */
export interface GpuJsModule {
  readonly GPU: {
    new (settings: { mode: string }): GpuJsInstance;
    isWebGPUAvailable(): Promise<boolean>;
  };
  readonly HeadlessGLKernel: GpuJsKernelClass;
  readonly WebGL2Kernel: GpuJsKernelClass;
  readonly WebGLKernel: GpuJsKernelClass;
  readonly WebGPUKernel: GpuJsKernelClass;
  readonly WebAssemblyKernel: GpuJsKernelClass;
  readonly CPUKernel: GpuJsKernelClass;
  /** gpu.js's module-level WebGPU device singleton (the device its WebGPU kernels run on). */
  readonly WebGPUContext?: { acquire(): Promise<GpuJsWebGpuContext> };
  input(value: Float32Array, size: readonly number[]): GpuJsInput;
  readonly utils: {
    /** The texture `[width, height]` gpu.js allocates for an output of `dimensions` (its own rule). */
    getKernelTextureSize(settings: { optimizeFloatMemory?: boolean; precision: string }, dimensions: readonly number[]): Int32Array;
    /** The texture `[width, height]` of a single-precision `Input` / array (`bitRatio` 4: four floats per texel). */
    getMemoryOptimizedFloatTextureSize(dimensions: readonly number[], bitRatio: number): Int32Array;
  };
}
