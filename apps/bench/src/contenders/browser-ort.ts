import { normalizeConv1x1, type Conv1x1Geometry, type Layout } from '@pointwise/core';
import { layerProblem } from '../layer.js';
import type { Contender, ContenderDetails, ContenderProblem, PreparedRun } from './contender.js';
import { ortSessionRun, type OrtSession } from './ort-session-run.js';

/** The part of onnxruntime-web's API this contender uses (structural: the harness does not depend on the package). */
export interface OrtWebApi {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtWebSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/** An onnxruntime-web inference session, as far as this contender uses it. */
export interface OrtWebSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>>;
  release(): Promise<void>;
}

/** An onnxruntime-web execution provider the page can offer. */
export type OrtWebProvider = 'wasm' | 'webgpu';

/**
 * What the shell hands the contender: onnxruntime-web (its `env.wasm` already set: served wasm
 * paths, `numThreads`), its version, the ONNX `Conv` model builder (the conformance witness's
 * `buildOnnxConvModel`, the one the Node `ort-*` peers use) and the settings the shell chose,
 * stamped on every row.
 */
export interface OrtWebRuntime {
  readonly ort: OrtWebApi;
  readonly version: string;
  readonly buildModel: (geometry: Conv1x1Geometry, weights: Float32Array, bias: Float32Array | null) => Uint8Array;
  /** Threads, SIMD, proxy, wasm paths, adapter … (e.g. `{ threads: 2, simd: true }`). */
  readonly settings?: ContenderDetails;
  /** Why this provider cannot run here (e.g. no WebGPU adapter), checked by `load`. */
  readonly unavailable?: string;
}

/**
 * onnxruntime-web running the conformance app's `Conv` model (activation as a `Clip` node), one
 * session per layer, on its `wasm` execution provider (MLAS compiled to WebAssembly; SIMD, threads
 * when the page is cross-origin isolated) or its `webgpu` provider; the output is read back to a
 * host `Float32Array` by `session.run` (`preferredOutputLocation` left at `cpu`). ONNX `Conv` is
 * NCHW only. Environment-neutral: the shell gives the engine ({@link OrtWebRuntime}).
 */
export class BrowserOrtContender implements Contender {
  readonly kind = 'peer' as const;
  readonly name: string;
  readonly provider: OrtWebProvider;
  readonly #runtime: () => Promise<OrtWebRuntime>;
  #loaded: OrtWebRuntime | undefined;

  /**
   * @param provider the execution provider.
   * @param runtime imports onnxruntime-web and configures it (called once, by {@link load}).
   */
  constructor(provider: OrtWebProvider, runtime: () => Promise<OrtWebRuntime>) {
    this.provider = provider;
    this.name = `ort-${provider}`;
    this.#runtime = runtime;
  }

  get version(): string {
    return this.#loaded?.version ?? 'unknown';
  }

  async load(): Promise<void> {
    const runtime = await this.#runtime();
    if (runtime.unavailable !== undefined) throw new Error(runtime.unavailable);
    this.#loaded = runtime;
  }

  layoutFor(): Layout {
    return 'NCHW';
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const runtime = this.#loaded;
    if (runtime === undefined) throw new Error(`${this.name}: load() was not called`);
    const { ort } = runtime;
    const { layer, input } = problem;
    const { geometry, weights, bias } = normalizeConv1x1(layerProblem(layer, input, problem.weights, problem.bias));
    const session = await ort.InferenceSession.create(runtime.buildModel(geometry, weights, bias), {
      executionProviders: [this.provider],
      graphOptimizationLevel: 'all',
    });
    return ortSessionRun(this.name, session as unknown as OrtSession, (data, shape) => new ort.Tensor('float32', data, shape), input, geometry, {
      provider: this.provider,
      ...(this.provider === 'wasm' ? { kernel: 'mlas' } : {}),
      ...runtime.settings,
    });
  }

  async dispose(): Promise<void> {}
}
