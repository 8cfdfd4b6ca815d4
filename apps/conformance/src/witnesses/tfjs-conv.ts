import {
  convertLayout,
  createTensor,
  normalizeConv1x1,
  type Conv1x1Geometry,
  type Conv1x1Params,
  type Conv1x1Problem,
  type Tensor,
} from '@pointwise/core';
import type * as tfTypes from '@tensorflow/tfjs-core';
import { tfjsCpu } from './tfjs-runtime.js';

type Tf = typeof tfTypes;

/**
 * Why TensorFlow.js's conv2d cannot witness this geometry, or `null` when it
 * can. TF.js has no grouped convolution: `groups = 1` maps to `conv2d` and
 * `groups = Ci` (depthwise, `Co = Ci·m`) to `depthwiseConv2d` with channel
 * multiplier `m`; other group counts are out of its reach.
 */
export function tfjsConvUnsupportedReason(geometry: Conv1x1Geometry): string | null {
  if (geometry.batch === 0) return 'N = 0 (core answers empty batches without an engine)';
  if (geometry.groups !== 1 && geometry.groups !== geometry.inChannels) {
    return `groups = ${geometry.groups} (TF.js has only groups = 1 and depthwise groups = Ci)`;
  }
  return null;
}

/**
 * TensorFlow.js's `cpu` backend as an independent witness (and benchmark peer)
 * for a 1×1 convolution: `tf.fused.conv2d` with the bias fused (or `tf.depthwiseConv2d`
 * plus a bias add when `groups = Ci > 1`), in NHWC, filter `[1, 1, Ci, Co]`
 * (depthwise: `[1, 1, Ci, Co/Ci]`), explicit padding
 * `[[0,0],[top,bottom],[left,right],[0,0]]`, then the clamp activation
 * (`tf.clipByValue`, which keeps NaN). Float32 throughout.
 */
export class TfjsConvWitness {
  /** The validated geometry (core's {@link normalizeConv1x1}). */
  readonly geometry: Conv1x1Geometry;
  readonly #tf: Tf;
  readonly #filter: tfTypes.Tensor4D;
  readonly #bias: tfTypes.Tensor1D | undefined;

  private constructor(tf: Tf, geometry: Conv1x1Geometry, filter: tfTypes.Tensor4D, bias: tfTypes.Tensor1D | undefined) {
    this.#tf = tf;
    this.geometry = geometry;
    this.#filter = filter;
    this.#bias = bias;
  }

  /**
   * Uploads the filter and bias to TF.js's cpu backend.
   * @throws core's typed errors for an invalid problem; `Error` for a geometry TF.js
   *   cannot express (see {@link tfjsConvUnsupportedReason}).
   */
  static async create(problem: Conv1x1Problem): Promise<TfjsConvWitness> {
    const { geometry: g, weights, bias } = normalizeConv1x1(problem);
    const reason = tfjsConvUnsupportedReason(g);
    if (reason !== null) throw new Error(`TensorFlow.js witness: unsupported geometry: ${reason}`);
    const tf = await tfjsCpu();
    let filter: tfTypes.Tensor4D;
    if (g.groups === 1) {
      // [Co, Ci] → [1, 1, Ci, Co]: filter[ci][co] = w[co][ci].
      const data = new Float32Array(g.inChannels * g.outChannels);
      for (let co = 0; co < g.outChannels; co++) {
        for (let ci = 0; ci < g.inChannels; ci++) data[ci * g.outChannels + co] = weights[co * g.inChannels + ci];
      }
      filter = tf.tensor4d(data, [1, 1, g.inChannels, g.outChannels]);
    } else {
      // Depthwise: output channel c·m + j reads input channel c, which is w[c·m + j][0] in row-major order.
      filter = tf.tensor4d(weights.slice(), [1, 1, g.inChannels, g.outChannelsPerGroup]);
    }
    const biasTensor = bias === null ? undefined : tf.tensor1d(bias.slice());
    return new TfjsConvWitness(tf, g, filter, biasTensor);
  }

  /**
   * Runs on NHWC data `[N, H, W, Ci]`. No layout conversion: the call to time.
   * @returns NHWC `[N, Ho, Wo, Co]`, a new array.
   */
  async runNhwc(x: Float32Array): Promise<Float32Array> {
    const tf = await tfjsCpu();
    const g = this.geometry;
    return tf.tidy(() => {
      const input = tf.tensor4d(x, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [g.padTop, g.padBottom],
        [g.padLeft, g.padRight],
        [0, 0],
      ];
      const strides: [number, number] = [g.strideH, g.strideW];
      let y: tfTypes.Tensor4D;
      if (g.groups === 1) {
        y = tf.fused.conv2d({ x: input, filter: this.#filter, strides, pad, bias: this.#bias });
      } else {
        // tf.fused.depthwiseConv2d takes no explicit padding: add the bias after.
        y = tf.depthwiseConv2d(input, this.#filter, strides, pad);
        if (this.#bias !== undefined) y = tf.add(y, this.#bias);
      }
      if (g.activation.kind !== 'none') y = tf.clipByValue(y, g.activation.min, g.activation.max);
      return y.dataSync() as Float32Array;
    });
  }

  /**
   * Computes the convolution of `x` (any layout; not modified).
   * @returns `[N, Co, Ho, Wo]` in the geometry's output layout.
   */
  async run(x: Tensor): Promise<Tensor> {
    const nhwc = x.layout === 'NHWC' ? x.data : convertLayout(x, 'NHWC').data;
    const y = createTensor(await this.runNhwc(nhwc), this.geometry.outputShape, 'NHWC');
    return this.geometry.outputLayout === 'NHWC' ? y : convertLayout(y, this.geometry.outputLayout);
  }

  /** Releases the filter and bias tensors. */
  dispose(): void {
    this.#filter.dispose();
    this.#bias?.dispose();
  }
}

/**
 * One-shot TensorFlow.js 1×1 convolution of `x` with `params` (core semantics,
 * README “The operation”).
 * @returns the output in `params.outputLayout` (default: `x.layout`).
 */
export async function tfjsConv1x1(x: Tensor, params: Conv1x1Params): Promise<Tensor> {
  const witness = await TfjsConvWitness.create({ ...params, inputShape: x.shape, inputLayout: x.layout });
  try {
    return await witness.run(x);
  } finally {
    witness.dispose();
  }
}
