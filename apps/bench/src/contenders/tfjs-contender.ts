import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Layout } from '@pointwise/core';
import type { Contender, ContenderDetails, ContenderProblem, PreparedRun } from './contender.js';
import { prepareTfjsConv } from './tfjs-conv.js';

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
    return prepareTfjsConv(tf, this.tfBackend, this.name, this.#details, problem);
  }

  async dispose(): Promise<void> {}
}
