import {
  convertLayout,
  createTensor,
  normalizeConv1x1,
  type Conv1x1Geometry,
  type Conv1x1Params,
  type Conv1x1Problem,
  type Tensor,
} from '@pointwise/core';
import * as ort from 'onnxruntime-node';
import { buildOnnxConvModel, ONNX_CONV_INPUT as INPUT, ONNX_CONV_OUTPUT as OUTPUT, onnxConvUnsupportedReason } from './onnx-conv-model.js';

export { buildOnnxConvModel, ONNX_CONV_INPUT, ONNX_CONV_OUTPUT, onnxConvUnsupportedReason, type OnnxConvModelOptions } from './onnx-conv-model.js';

/** Options of the ONNX Runtime witness. */
export interface OnnxConvOptions {
  /** ONNX Runtime `intraOpNumThreads` (threads inside the Conv kernel). Default 1. */
  readonly intraOpThreads?: number;
}

/**
 * ONNX Runtime's CPU `Conv` (and `Clip` for the activation) as an independent witness (and benchmark peer)
 * for a 1×1 convolution: a one-node model built in code, one inference
 * session per geometry. Float32 throughout (MLAS GEMM), so its results are
 * held to the same bound as any float32 backend.
 */
export class OnnxConvWitness {
  /** The validated geometry (core's {@link normalizeConv1x1}). */
  readonly geometry: Conv1x1Geometry;
  /** Intra-op threads the session was created with. */
  readonly threads: number;
  readonly #session: ort.InferenceSession;

  private constructor(geometry: Conv1x1Geometry, threads: number, session: ort.InferenceSession) {
    this.geometry = geometry;
    this.threads = threads;
    this.#session = session;
  }

  /**
   * Builds the model and its session.
   * @throws core's typed errors for an invalid problem; `Error` when the geometry is
   *   unsupported (see {@link onnxConvUnsupportedReason}) or ONNX Runtime rejects the model.
   */
  static async create(problem: Conv1x1Problem, options: OnnxConvOptions = {}): Promise<OnnxConvWitness> {
    const { geometry, weights, bias } = normalizeConv1x1(problem);
    const reason = onnxConvUnsupportedReason(geometry);
    if (reason !== null) throw new Error(`onnxruntime witness: unsupported geometry: ${reason}`);
    const threads = options.intraOpThreads ?? 1;
    const session = await ort.InferenceSession.create(buildOnnxConvModel(geometry, weights, bias), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new OnnxConvWitness(geometry, threads, session);
  }

  /**
   * Runs the session (convolution and activation, both inside ONNX Runtime)
   * on NCHW data `[N, Ci, H, W]`. No layout conversion: the call to time.
   * @returns NCHW `[N, Co, Ho, Wo]`, a new array.
   */
  async runNchw(x: Float32Array): Promise<Float32Array> {
    // ORT wants an ArrayBuffer-backed array; copy a shared one.
    const data = x.buffer instanceof ArrayBuffer ? x : new Float32Array(x);
    const feeds = { [INPUT]: new ort.Tensor('float32', data, [...this.geometry.inputShape]) };
    const results = await this.#session.run(feeds);
    return results[OUTPUT].data as Float32Array;
  }

  /**
   * Computes the convolution of `x` (any layout; not modified).
   * @returns `[N, Co, Ho, Wo]` in the geometry's output layout.
   */
  async run(x: Tensor): Promise<Tensor> {
    const nchw = x.layout === 'NCHW' ? x.data : convertLayout(x, 'NCHW').data;
    const y = createTensor(await this.runNchw(nchw), this.geometry.outputShape, 'NCHW');
    return this.geometry.outputLayout === 'NCHW' ? y : convertLayout(y, this.geometry.outputLayout);
  }

  /** Releases the inference session. */
  async dispose(): Promise<void> {
    await this.#session.release();
  }
}

/**
 * One-shot ONNX Runtime 1×1 convolution of `x` with `params` (core semantics,
 * README “The operation”): create the session, run once, release it.
 * @returns the output in `params.outputLayout` (default: `x.layout`).
 */
export async function onnxConv1x1(x: Tensor, params: Conv1x1Params, options: OnnxConvOptions = {}): Promise<Tensor> {
  const witness = await OnnxConvWitness.create({ ...params, inputShape: x.shape, inputLayout: x.layout }, options);
  try {
    return await witness.run(x);
  } finally {
    await witness.dispose();
  }
}
