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
import { float32LittleEndianBytes, ONNX_ATTRIBUTE_TYPE, ONNX_FLOAT, ONNX_IR_VERSION, ONNX_OPSET, onnxModelType } from './onnx-schema.js';

/** Options of the ONNX Runtime witness. */
export interface OnnxConvOptions {
  /** ONNX Runtime `intraOpNumThreads` (threads inside the Conv kernel). Default 1. */
  readonly intraOpThreads?: number;
}

const INPUT = 'X';
const OUTPUT = 'Y';
/** The Conv's output when a Clip follows it. */
const CONV_OUTPUT = 'conv';

/** Options of {@link buildOnnxConvModel}. */
export interface OnnxConvModelOptions {
  /**
   * Append the geometry's activation as an ONNX `Clip` node (opset ≥ 11:
   * `min` and `max` as scalar initializer inputs), so ONNX Runtime runs the
   * fused activation itself. Default `true`; without an activation no node is added.
   */
  readonly clip?: boolean;
}

/** Whether the opset has `Clip` with `min`/`max` as inputs (opset 11; attributes before). */
const CLIP_INPUTS_OPSET = 11;

function valueInfo(name: string, dims: readonly number[]) {
  return {
    name,
    type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
  };
}

function ints(name: string, values: readonly number[]) {
  return { name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: [...values] };
}

/** A float32 initializer: `dims` `[]` makes a scalar. */
function floatInitializer(name: string, dims: readonly number[], values: Float32Array) {
  return { name, dims: [...dims], data_type: ONNX_FLOAT, raw_data: float32LittleEndianBytes(values) };
}

/**
 * The `Clip` node of an activation and its `min`/`max` scalar initializers
 * (±Infinity for an open side, which `Clip` accepts), reading `input` and
 * writing {@link OUTPUT}. ONNX `Clip` is `min(max(x, lo), hi)`; core's clamp
 * (README “The operation”) gives the same value for every number and ±Inf.
 */
function clipNode(input: string, activation: Conv1x1Geometry['activation']) {
  return {
    node: { name: 'activation', op_type: 'Clip', input: [input, 'clip_min', 'clip_max'], output: [OUTPUT] },
    initializer: [
      floatInitializer('clip_min', [], Float32Array.of(activation.min)),
      floatInitializer('clip_max', [], Float32Array.of(activation.max)),
    ],
  };
}

/**
 * Why ONNX Runtime cannot witness this geometry, or `null` when it can.
 * An empty batch (N = 0) is left to core, which answers it without a backend.
 */
export function onnxConvUnsupportedReason(geometry: Conv1x1Geometry): string | null {
  return geometry.batch === 0 ? 'N = 0 (core answers empty batches without an engine)' : null;
}

/**
 * Serialises an ONNX model `Y = Clip(Conv(X, W, B), min, max)` for a
 * geometry, or the one-node `Y = Conv(X, W, B)` when it has no activation
 * (or `options.clip` is `false`):
 * `X` `[N, Ci, H, W]` and `Y` `[N, Co, Ho, Wo]` in NCHW (the only layout ONNX
 * `Conv` has), `W` `[Co, Ci/groups, 1, 1]` and `B` `[Co]` as initializers,
 * attributes `kernel_shape = [1, 1]`, `strides = [sH, sW]`,
 * `pads = [top, left, bottom, right]` (ONNX's begin-then-end order),
 * `dilations` and `group`. The activation's bounds are `Clip`'s `min` and
 * `max` inputs (scalar initializers; the model's opset is
 * {@link ONNX_OPSET} ≥ 11), so graph optimisation can fuse it into the Conv
 * as ONNX Runtime does for exported networks.
 *
 * @param weights `[Co, Ci/groups]` row-major.
 * @param bias `[Co]` or `null` (then `B` is omitted).
 * @returns the `ModelProto` bytes.
 */
export function buildOnnxConvModel(
  geometry: Conv1x1Geometry,
  weights: Float32Array,
  bias: Float32Array | null,
  options: OnnxConvModelOptions = {},
): Uint8Array {
  const g = geometry;
  const clip = (options.clip ?? true) && g.activation.kind !== 'none' ? clipNode(CONV_OUTPUT, g.activation) : null;
  if (clip !== null && ONNX_OPSET < CLIP_INPUTS_OPSET) throw new Error(`Clip with min/max inputs needs opset ≥ ${CLIP_INPUTS_OPSET}, the model uses ${ONNX_OPSET}`);
  const initializer = [floatInitializer('W', [g.outChannels, g.inChannelsPerGroup, 1, 1], weights)];
  if (bias !== null) initializer.push(floatInitializer('B', [g.outChannels], bias));
  const node = {
    name: 'conv1x1',
    op_type: 'Conv',
    input: bias === null ? [INPUT, 'W'] : [INPUT, 'W', 'B'],
    output: [clip === null ? OUTPUT : CONV_OUTPUT],
    attribute: [
      ints('kernel_shape', [1, 1]),
      ints('strides', [g.strideH, g.strideW]),
      ints('pads', [g.padTop, g.padLeft, g.padBottom, g.padRight]),
      ints('dilations', [g.dilationH, g.dilationW]),
      { name: 'group', type: ONNX_ATTRIBUTE_TYPE.INT, i: g.groups },
    ],
  };
  const model = {
    ir_version: ONNX_IR_VERSION,
    producer_name: '@pointwise/conformance',
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: 'pointwise-conv1x1',
      node: clip === null ? [node] : [node, clip.node],
      initializer: clip === null ? initializer : [...initializer, ...clip.initializer],
      input: [valueInfo(INPUT, g.inputShape)],
      output: [valueInfo(OUTPUT, g.outputShape)],
    },
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
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
