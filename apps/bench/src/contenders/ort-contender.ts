import type { Layout } from '@pointwise/core';
import type { OnnxConvWitness } from '@pointwise/conformance';
import { layerProblem } from '../layer.js';
import { packageVersion } from '../package-version.js';
import type { Contender, ContenderProblem, PreparedRun } from './contender.js';

type Conformance = typeof import('@pointwise/conformance');

/**
 * ONNX Runtime for Node (CPU execution provider, MLAS kernels) running a
 * one-node `Conv` model — the conformance app's {@link OnnxConvWitness},
 * one session per layer, `intraOpNumThreads` fixed per contender (`ort-1t`:
 * 1, `ort-mt`: all cores or `--threads`). ONNX `Conv` is NCHW only, so this
 * contender always runs NCHW whatever layout is asked for. A fused
 * activation is applied by the witness after the session (ORT's one-node
 * model has none), inside the timed call.
 */
export class OrtContender implements Contender {
  readonly kind = 'peer' as const;
  readonly name: string;
  readonly threads: number;
  #version = 'unknown';
  #conformance: Conformance | undefined;

  /** @param threads ONNX Runtime intra-op threads. */
  constructor(name: string, threads: number) {
    this.name = name;
    this.threads = threads;
  }

  get version(): string {
    return this.#version;
  }

  /** Imports the witness (and with it the onnxruntime-node binding); throws if the native module cannot load. */
  async load(): Promise<void> {
    this.#conformance = await import('@pointwise/conformance');
    this.#version = packageVersion('onnxruntime-node');
  }

  layoutFor(): Layout {
    return 'NCHW';
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const conformance = this.#conformance;
    if (conformance === undefined) throw new Error(`${this.name}: load() was not called`);
    const { layer, input } = problem;
    const witness: OnnxConvWitness = await conformance.OnnxConvWitness.create(
      layerProblem(layer, input, problem.weights, problem.bias),
      { intraOpThreads: this.threads },
    );
    let last: Float32Array = new Float32Array(0);
    return {
      inputLayout: 'NCHW',
      outputLayout: 'NCHW',
      details: { threads: this.threads, kernel: 'mlas' },
      precisionFactor: 1,
      run: async () => {
        last = await witness.runNchw(input.data);
      },
      output: () => last,
      dispose: () => witness.dispose(),
    };
  }

  async dispose(): Promise<void> {}
}
