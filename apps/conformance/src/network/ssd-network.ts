import { createTensor, type Activation, type Tensor } from '@pointwise/core';
import type * as tfTypes from '@tensorflow/tfjs-core';
import type { NamedWeight } from './tfjs-weights-parse.js';

/** Where the network and the photograph come from, and the network's input size. */
export interface SsdMobilenetV1Source {
  /** A photograph of `@vladmandic/face-api`'s `demo/` folder. Default `sample1.jpg`. */
  readonly image?: string;
  /** Side of the square network input in pixels. Default 512 (face-api's input size). */
  readonly inputSize?: number;
}

/** The default photograph of the real-network tier. */
export const SSD_DEFAULT_IMAGE = 'sample1.jpg';
/** The input size face-api feeds SSD-MobileNetV1. */
export const SSD_INPUT_SIZE = 512;

/**
 * One 1×1 convolution of SSD-MobileNetV1 with its real input: what a backend
 * must compute, and what TensorFlow.js computed for it.
 */
export interface PointwiseLayer {
  /** The weights' name prefix in the manifest, e.g. `MobilenetV1/Conv2d_7_pointwise`. */
  readonly name: string;
  /** The layer's input `[1, Ci, H, W]` in NHWC: the previous layers' real activations of the photograph. */
  readonly input: Tensor;
  /** Dequantised weights `[Co, Ci]` row-major (transposed from TensorFlow's `[1, 1, Ci, Co]`). */
  readonly weights: Float32Array;
  /** `[Co]`: the folded batch-norm offset, or the predictor's bias. */
  readonly bias: Float32Array;
  readonly outChannels: number;
  /** `relu6` in the MobileNetV1 body and the extra feature layers, `none` in the box predictors. */
  readonly activation: Activation;
  /** TensorFlow.js cpu's output of the layer, `[1, Co, H, W]` in NHWC (`conv2d` + bias add + `clipByValue`). */
  readonly tfjsOutput: Tensor;
}

type Tf = typeof tfTypes;

/** Stride of the depthwise layer of pair `i` (1-based) of MobileNetV1, as face-api builds it. */
function depthwiseStride(i: number): [number, number] {
  return i === 2 || i === 4 || i === 6 || i === 12 ? [2, 2] : [1, 1];
}

/** Batch-norm epsilon of face-api's MobileNetV1 depthwise layers. */
const BATCH_NORM_EPSILON = 0.0010000000474974513;

class NetworkBuilder {
  readonly layers: PointwiseLayer[] = [];

  constructor(
    private readonly tf: Tf,
    private readonly weights: Map<string, NamedWeight>,
  ) {}

  tensor(name: string): tfTypes.Tensor {
    const w = this.weights.get(name);
    if (w === undefined) throw new Error(`SSD-MobileNetV1 manifest: no tensor ${name}`);
    return this.tf.tensor(w.data, [...w.shape]);
  }

  /** k×k convolution + bias + relu6 ('same' padding), the non-1×1 layers. */
  convBiasRelu6(x: tfTypes.Tensor4D, prefix: string, stride: [number, number]): tfTypes.Tensor4D {
    const { tf } = this;
    return tf.tidy(() => {
      const y = tf.add(tf.conv2d(x, this.tensor(`${prefix}/weights`) as tfTypes.Tensor4D, stride, 'same'), this.tensor(`${prefix}/convolution_bn_offset`));
      return tf.clipByValue(y, 0, 6) as tfTypes.Tensor4D;
    });
  }

  depthwise(x: tfTypes.Tensor4D, prefix: string, stride: [number, number]): tfTypes.Tensor4D {
    const { tf } = this;
    return tf.tidy(() => {
      const y = tf.depthwiseConv2d(x, this.tensor(`${prefix}/depthwise_weights`) as tfTypes.Tensor4D, stride, 'same');
      const normed = tf.batchNorm(
        y,
        this.tensor(`${prefix}/BatchNorm/moving_mean`) as tfTypes.Tensor1D,
        this.tensor(`${prefix}/BatchNorm/moving_variance`) as tfTypes.Tensor1D,
        this.tensor(`${prefix}/BatchNorm/beta`) as tfTypes.Tensor1D,
        this.tensor(`${prefix}/BatchNorm/gamma`) as tfTypes.Tensor1D,
        BATCH_NORM_EPSILON,
      );
      return tf.clipByValue(normed, 0, 6) as tfTypes.Tensor4D;
    });
  }

  /** A 1×1 layer: runs it in TF.js and records it with its real input. */
  pointwise(x: tfTypes.Tensor4D, name: string, weightsName: string, biasName: string, activation: 'relu6' | 'none'): tfTypes.Tensor4D {
    const { tf } = this;
    const filter = this.weights.get(weightsName);
    const bias = this.weights.get(biasName);
    if (filter === undefined || bias === undefined) throw new Error(`SSD-MobileNetV1 manifest: no ${weightsName} / ${biasName}`);
    const [, , ci, co] = filter.shape;
    const y = tf.tidy(() => {
      const sum = tf.add(tf.conv2d(x, tf.tensor4d(filter.data, [1, 1, ci, co]), [1, 1], 'same'), tf.tensor1d(bias.data));
      return (activation === 'relu6' ? tf.clipByValue(sum, 0, 6) : sum) as tfTypes.Tensor4D;
    });
    const weights = new Float32Array(co * ci);
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) weights[o * ci + i] = filter.data[i * co + o];
    const [, h, w] = x.shape;
    this.layers.push({
      name,
      input: createTensor(new Float32Array(x.dataSync()), [1, ci, h, w], 'NHWC'),
      weights,
      bias: bias.data,
      outChannels: co,
      activation,
      tfjsOutput: createTensor(new Float32Array(y.dataSync()), [1, co, h, w], 'NHWC'),
    });
    return y;
  }

  bodyPointwise(x: tfTypes.Tensor4D, prefix: string): tfTypes.Tensor4D {
    return this.pointwise(x, prefix, `${prefix}/weights`, `${prefix}/convolution_bn_offset`, 'relu6');
  }

  boxPredictor(x: tfTypes.Tensor4D, index: number): void {
    for (const head of ['BoxEncodingPredictor', 'ClassPredictor']) {
      const prefix = `Prediction/BoxPredictor_${index}/${head}`;
      this.pointwise(x, prefix, `${prefix}/weights`, `${prefix}/biases`, 'none').dispose();
    }
  }
}

/**
 * Runs face-api's SSD-MobileNetV1 on a prepared photograph with TensorFlow.js and records its 1×1
 * layers (see `loadSsdMobilenetV1PointwiseLayers`). Environment-neutral: the Node loader and the
 * browser loader (`loadBrowserNetworkTier`) each read the files their own way and call this.
 *
 * @param tf TensorFlow.js with its cpu backend selected.
 * @param weights the manifest's dequantised tensors (`parseTfjsWeights`).
 * @param photo the network input `[1, size, size, 3]` (`preprocessPhoto`); disposed here.
 */
export function buildSsdMobilenetV1PointwiseLayers(tf: Tf, weights: Map<string, NamedWeight>, photo: tfTypes.Tensor4D): readonly PointwiseLayer[] {
  const net = new NetworkBuilder(tf, weights);
  const keep: tfTypes.Tensor[] = [photo];
  const track = (t: tfTypes.Tensor4D) => {
    keep.push(t);
    return t;
  };
  try {
    // MobileNetV1 body: a 3×3 stem, then 13 depthwise 3×3 + pointwise 1×1 pairs.
    let out = track(net.convBiasRelu6(photo, 'MobilenetV1/Conv2d_0_pointwise', [2, 2]));
    let conv11 = out;
    for (let i = 1; i <= 13; i++) {
      out = track(net.depthwise(out, `MobilenetV1/Conv2d_${i}_depthwise`, depthwiseStride(i)));
      out = track(net.bodyPointwise(out, `MobilenetV1/Conv2d_${i}_pointwise`));
      if (i === 11) conv11 = out;
    }
    // SSD extra feature layers: 1×1 reductions alternating with stride-2 3×3 convolutions.
    const features: tfTypes.Tensor4D[] = [conv11, out];
    let extra = out;
    for (let i = 0; i < 8; i += 2) {
      extra = track(net.bodyPointwise(extra, `Prediction/Conv2d_${i}_pointwise`));
      extra = track(net.convBiasRelu6(extra, `Prediction/Conv2d_${i + 1}_pointwise`, [2, 2]));
      features.push(extra);
    }
    // Box predictors: a 1×1 box-encoding head and a 1×1 class head on each feature map.
    features.forEach((f, index) => net.boxPredictor(f, index));
    return net.layers;
  } finally {
    for (const t of keep) t.dispose();
  }
}


/**
 * A layer loader that builds each (photograph, input size) once and keeps the
 * promise, so concurrent callers share one build; a failed build is dropped
 * so the next call tries again. Defaults: {@link SSD_DEFAULT_IMAGE}, {@link SSD_INPUT_SIZE}.
 */
export function cachedLayerLoader(
  build: (image: string, inputSize: number) => Promise<readonly PointwiseLayer[]>,
): (source?: SsdMobilenetV1Source) => Promise<readonly PointwiseLayer[]> {
  const cache = new Map<string, Promise<readonly PointwiseLayer[]>>();
  return (source = {}) => {
    const image = source.image ?? SSD_DEFAULT_IMAGE;
    const inputSize = source.inputSize ?? SSD_INPUT_SIZE;
    const key = `${image}@${inputSize}`;
    let layers = cache.get(key);
    if (layers === undefined) {
      layers = build(image, inputSize);
      cache.set(key, layers);
      layers.catch(() => cache.delete(key));
    }
    return layers;
  };
}
