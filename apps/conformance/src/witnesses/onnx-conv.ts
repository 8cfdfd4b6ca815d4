import {
  applyActivation,
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

function valueInfo(name: string, dims: readonly number[]) {
  return {
    name,
    type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
  };
}

function ints(name: string, values: readonly number[]) {
  return { name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: [...values] };
}

/**
 * Why ONNX Runtime cannot witness this geometry, or `null` when it can.
 * An empty batch (N = 0) is left to core, which answers it without a backend.
 */
export function onnxConvUnsupportedReason(geometry: Conv1x1Geometry): string | null {
  return geometry.batch === 0 ? 'N = 0 (core answers empty batches without an engine)' : null;
}

/**
 * Serialises a one-node ONNX model `Y = Conv(X, W, B)` for a geometry:
 * `X` `[N, Ci, H, W]` and `Y` `[N, Co, Ho, Wo]` in NCHW (the only layout ONNX
 * `Conv` has), `W` `[Co, Ci/groups, 1, 1]` and `B` `[Co]` as initializers,
 * attributes `kernel_shape = [1, 1]`, `strides = [sH, sW]`,
 * `pads = [top, left, bottom, right]` (ONNX's begin-then-end order),
 * `dilations` and `group`. The activation is not part of the model.
 *
 * @param weights `[Co, Ci/groups]` row-major.
 * @param bias `[Co]` or `null` (then `B` is omitted).
 * @returns the `ModelProto` bytes.
 */
export function buildOnnxConvModel(geometry: Conv1x1Geometry, weights: Float32Array, bias: Float32Array | null): Uint8Array {
  const g = geometry;
  const initializer = [
    { name: 'W', dims: [g.outChannels, g.inChannelsPerGroup, 1, 1], data_type: ONNX_FLOAT, raw_data: float32LittleEndianBytes(weights) },
  ];
  if (bias !== null) initializer.push({ name: 'B', dims: [g.outChannels], data_type: ONNX_FLOAT, raw_data: float32LittleEndianBytes(bias) });
  const node = {
    name: 'conv1x1',
    op_type: 'Conv',
    input: bias === null ? [INPUT, 'W'] : [INPUT, 'W', 'B'],
    output: [OUTPUT],
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
      node: [node],
      initializer,
      input: [valueInfo(INPUT, g.inputShape)],
      output: [valueInfo(OUTPUT, g.outputShape)],
    },
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

/**
 * ONNX Runtime's CPU `Conv` as an independent witness (and benchmark peer)
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
   * Runs the session on NCHW data `[N, Ci, H, W]` and applies the activation
   * (a clamp, exact in float32). No layout conversion: the call to time.
   * @returns NCHW `[N, Co, Ho, Wo]`, a new array.
   */
  async runNchw(x: Float32Array): Promise<Float32Array> {
    // ORT wants an ArrayBuffer-backed array; copy a shared one.
    const data = x.buffer instanceof ArrayBuffer ? x : new Float32Array(x);
    const feeds = { [INPUT]: new ort.Tensor('float32', data, [...this.geometry.inputShape]) };
    const results = await this.#session.run(feeds);
    const y = results[OUTPUT].data as Float32Array;
    const act = this.geometry.activation;
    if (act.kind !== 'none') for (let i = 0; i < y.length; i++) y[i] = applyActivation(y[i], act);
    return y;
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
 * ARCHITECTURE.md §1): create the session, run once, release it.
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
