import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Layout } from '@pointwise/core';
import type { Contender, ContenderDetails, ContenderProblem, PreparedRun } from './contender.js';
import { UnsupportedLayerError } from './contender.js';

type Tf = typeof import('@tensorflow/tfjs-core');

let tfjs: Promise<Tf> | undefined;

/**
 * Loads TensorFlow.js core with its `cpu` and `wasm` backends once. The wasm
 * binaries are read from the installed package's `dist/` (Node has no page
 * to fetch them from). Production mode skips debug checks and the console
 * advice to install tfjs-node, as a deployed application would.
 */
function loadTfjs(): Promise<Tf> {
  tfjs ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    tf.enableProdMode();
    return tf;
  })();
  return tfjs;
}

/** A TensorFlow.js backend name that runs in Node without native add-ons. */
export type TfjsBackendName = 'cpu' | 'wasm';

/**
 * TensorFlow.js 4 `tf.fused.conv2d` (bias and activation fused) with a
 * `[1, 1, Ci, Co]` filter on its `cpu` (plain JS) or `wasm` (XNNPACK) backend;
 * the result is read back with `await y.data()`. The wasm backend takes NHWC
 * only; the cpu backend takes either layout. TF.js has no grouped
 * convolution, so layers with `groups > 1` are reported as unsupported.
 * The two share TF.js's global engine: {@link PreparedRun.activate} switches
 * it outside the timed region.
 */
export class TfjsContender implements Contender {
  readonly kind = 'peer' as const;
  readonly name: string;
  readonly tfBackend: TfjsBackendName;
  #version = 'unknown';
  #details: ContenderDetails = {};
  #tf: Tf | undefined;

  constructor(tfBackend: TfjsBackendName) {
    this.tfBackend = tfBackend;
    this.name = `tfjs-${tfBackend}`;
  }

  get version(): string {
    return this.#version;
  }

  async load(): Promise<void> {
    const tf = await loadTfjs();
    if (!(await tf.setBackend(this.tfBackend))) throw new Error(`tf.setBackend('${this.tfBackend}') failed`);
    await tf.ready();
    this.#tf = tf;
    this.#version = tf.version_core;
    this.#details =
      this.tfBackend === 'wasm'
        ? { threads: 1, kernel: 'xnnpack', simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean }
        : { threads: 1, kernel: 'js' };
  }

  layoutFor(requested: Layout): Layout {
    return this.tfBackend === 'wasm' ? 'NHWC' : requested;
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const tf = this.#tf;
    if (tf === undefined) throw new Error(`${this.name}: load() was not called`);
    const { layer, input } = problem;
    if (layer.groups !== 1) throw new UnsupportedLayerError(this.name, 'tf.conv2d has no grouped convolution');
    const activate = async () => {
      if (tf.getBackend() !== this.tfBackend) await tf.setBackend(this.tfBackend);
    };
    await activate();
    const [n, ci, h, w] = input.shape;
    const co = layer.outChannels;
    const nhwc = input.layout === 'NHWC';
    // Filter [1, 1, Ci, Co]: the transpose of our [Co, Ci].
    const filterData = new Float32Array(ci * co);
    for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) filterData[c * co + o] = problem.weights[o * ci + c];
    const x = tf.tensor4d(input.data, nhwc ? [n, h, w, ci] : [n, ci, h, w], 'float32');
    const filter = tf.tensor4d(filterData, [1, 1, ci, co], 'float32');
    const bias = problem.bias === null ? undefined : tf.tensor1d(problem.bias, 'float32');
    const activation = layer.activation === 'none' ? 'linear' : layer.activation;
    let last: Float32Array = new Float32Array(0);
    return {
      inputLayout: input.layout,
      outputLayout: input.layout,
      details: this.#details,
      precisionFactor: 1,
      activate,
      run: async () => {
        const y = tf.fused.conv2d({ x, filter, strides: layer.stride, pad: 'valid', dataFormat: nhwc ? 'NHWC' : 'NCHW', bias, activation });
        last = (await y.data()) as Float32Array;
        y.dispose();
      },
      output: () => last,
      dispose: () => {
        x.dispose();
        filter.dispose();
        bias?.dispose();
      },
    };
  }

  async dispose(): Promise<void> {}
}
