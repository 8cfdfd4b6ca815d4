import type { Layout } from '@pointwise/core';
import type { Contender, ContenderDetails, ContenderProblem, PreparedRun } from './contender.js';
import { prepareTfjsConv } from './tfjs-conv.js';

type Tf = typeof import('@tensorflow/tfjs-core');

/** A TensorFlow.js backend the page can offer. */
export type BrowserTfjsBackend = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/**
 * What the shell hands the contender: TF.js core with the backend registered (the shell
 * imports the backend package and points the wasm backend at its served binaries), the
 * backend package's version and the settings the shell chose (threads, wasm paths, …),
 * stamped on every row beside what the engine reports.
 */
export interface BrowserTfjsRuntime {
  readonly tf: Tf;
  /** `@tensorflow/tfjs-backend-<name>`'s version. */
  readonly backendVersion: string;
  /** Settings to stamp; a function is called after the backend initialised (threads it really got, …). */
  readonly settings?: ContenderDetails | (() => ContenderDetails);
}

/** What TF.js says about its active backend (flags it evaluated when the backend initialised). */
function engineDetails(tf: Tf, backend: BrowserTfjsBackend): ContenderDetails {
  const env = tf.env();
  const flag = (name: string): string | number | boolean | undefined => {
    try {
      return env.get(name) as string | number | boolean;
    } catch {
      return undefined;
    }
  };
  const pick = (entries: Record<string, string | number | boolean | undefined>): ContenderDetails =>
    Object.fromEntries(Object.entries(entries).filter((e): e is [string, string | number | boolean] => e[1] !== undefined));
  switch (backend) {
    case 'cpu':
      return { threads: 1, kernel: 'js' };
    case 'wasm':
      return pick({ kernel: 'xnnpack', simd: flag('WASM_HAS_SIMD_SUPPORT'), multithread: flag('WASM_HAS_MULTITHREAD_SUPPORT') });
    case 'webgl':
      return pick({ webglVersion: flag('WEBGL_VERSION'), float32: flag('WEBGL_RENDER_FLOAT32_ENABLED'), packed: flag('WEBGL_PACK'), readback: 'async data()' });
    case 'webgpu':
      return pick({ readback: 'async data()' });
  }
}

/**
 * TensorFlow.js `tf.fused.conv2d` (bias and activation fused) with a `[1, 1, Ci, Co]` filter on
 * one of its browser backends — `cpu` (plain JS), `wasm` (XNNPACK; SIMD, threads when the page
 * is cross-origin isolated), `webgl`, `webgpu` — the result read back with `await y.data()`.
 * The same computation as the Node `tfjs-*` peers, with the engine given by the shell
 * (`load` is environment-neutral: no `node:*`, no package imports at run time). The wasm, webgl
 * and webgpu contenders run NHWC (TF.js's native layout; wasm has no other); cpu takes either. TF.js has no grouped
 * convolution (`n/a`). The backends share TF.js's global engine: {@link PreparedRun.activate}
 * switches it outside the timed region.
 */
export class BrowserTfjsContender implements Contender {
  readonly kind = 'peer' as const;
  readonly name: string;
  readonly tfBackend: BrowserTfjsBackend;
  readonly #runtime: () => Promise<BrowserTfjsRuntime>;
  #version = 'unknown';
  #details: ContenderDetails = {};
  #tf: Tf | undefined;

  /**
   * @param tfBackend the TF.js backend name.
   * @param runtime imports TF.js and the backend (called once, by {@link load}).
   */
  constructor(tfBackend: BrowserTfjsBackend, runtime: () => Promise<BrowserTfjsRuntime>) {
    this.tfBackend = tfBackend;
    this.name = `tfjs-${tfBackend}`;
    this.#runtime = runtime;
  }

  get version(): string {
    return this.#version;
  }

  async load(): Promise<void> {
    const { tf, backendVersion, settings } = await this.#runtime();
    if (tf.findBackendFactory(this.tfBackend) === null) throw new Error(`TF.js backend '${this.tfBackend}' is not registered`);
    let ok: boolean;
    try {
      ok = await tf.setBackend(this.tfBackend);
    } catch (error) {
      throw new Error(`tf.setBackend('${this.tfBackend}') failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!ok) throw new Error(`tf.setBackend('${this.tfBackend}') failed (the browser lacks what the backend needs)`);
    await tf.ready();
    this.#tf = tf;
    this.#version = backendVersion === tf.version_core ? tf.version_core : `core ${tf.version_core}, backend ${backendVersion}`;
    this.#details = { backend: this.tfBackend, ...engineDetails(tf, this.tfBackend), ...(typeof settings === 'function' ? settings() : settings) };
  }

  layoutFor(requested: Layout): Layout {
    return this.tfBackend === 'cpu' ? requested : 'NHWC';
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const tf = this.#tf;
    if (tf === undefined) throw new Error(`${this.name}: load() was not called`);
    return prepareTfjsConv(tf, this.tfBackend, this.name, this.#details, problem);
  }

  async dispose(): Promise<void> {}
}
