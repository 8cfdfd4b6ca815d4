import { normalizeConv1x1, type Layout } from '@pointwise/core';
import { layerProblem } from '../layer.js';
import { packageVersion } from '../package-version.js';
import type { Contender, ContenderProblem, PreparedRun } from './contender.js';
import { ortSessionRun, type OrtSession } from './ort-session-run.js';

type Ort = typeof import('onnxruntime-node');
type BuildModel = typeof import('@pointwise/conformance').buildOnnxConvModel;

/**
 * ONNX Runtime for Node (CPU execution provider, MLAS kernels) running the
 * conformance app's `Conv` model ({@link BuildModel}), one session per
 * layer, `intraOpNumThreads` fixed per contender (`ort-1t`: 1, `ort-mt`:
 * `--threads`). ONNX `Conv` is NCHW only, so this contender always runs
 * NCHW. A fused activation is a `Clip` node in the model, so ONNX Runtime
 * runs it (and may fuse it into the Conv) as it would for an exported
 * network, the way TensorFlow.js fuses it into its conv.
 *
 * The session is created here rather than through the conformance witness
 * for one option: `session.intra_op.allow_spinning = 0`. By default ORT's
 * pool threads busy-wait after each run, and interleaved with other
 * contenders that spinning takes a core from whichever runs next. Measured
 * here (2 threads, 512→512 @28², 40 runs 10 ms apart): 551 ms of CPU in
 * 596 ms of wall time with spinning, 124 ms without, and no slower runs
 * (3.1 ms vs 3.7 ms each).
 */
export class OrtContender implements Contender {
  readonly kind = 'peer' as const;
  readonly name: string;
  readonly threads: number;
  #version = 'unknown';
  #ort: Ort | undefined;
  #buildModel: BuildModel | undefined;

  /** @param threads ONNX Runtime intra-op threads. */
  constructor(name: string, threads: number) {
    this.name = name;
    this.threads = threads;
  }

  get version(): string {
    return this.#version;
  }

  /** Imports the onnxruntime-node binding and the model builder; throws if the native module cannot load. */
  async load(): Promise<void> {
    this.#ort = await import('onnxruntime-node');
    this.#buildModel = (await import('@pointwise/conformance')).buildOnnxConvModel;
    this.#version = packageVersion('onnxruntime-node');
  }

  layoutFor(): Layout {
    return 'NCHW';
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const ort = this.#ort;
    const buildModel = this.#buildModel;
    if (ort === undefined || buildModel === undefined) throw new Error(`${this.name}: load() was not called`);
    const { layer, input } = problem;
    const { geometry, weights, bias } = normalizeConv1x1(layerProblem(layer, input, problem.weights, problem.bias));
    const session = await ort.InferenceSession.create(buildModel(geometry, weights, bias), {
      executionProviders: ['cpu'],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return ortSessionRun(this.name, session as unknown as OrtSession, (data, shape) => new ort.Tensor('float32', data, shape), input, geometry, {
      threads: this.threads,
      kernel: 'mlas',
      spinning: false,
    });
  }

  async dispose(): Promise<void> {}
}
