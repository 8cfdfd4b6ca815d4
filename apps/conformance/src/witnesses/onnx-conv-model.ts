/**
 * The ONNX model of one 1×1 convolution, environment-neutral: core's geometry in, `ModelProto`
 * bytes out (protobufjs; no ONNX Runtime). The Node witness (`onnx-conv.ts`, onnxruntime-node)
 * and the page's onnxruntime-web peer both run this model. Published as the subpath
 * `@pointwise/conformance/onnx-model`.
 */
import type { Conv1x1Geometry } from '@pointwise/core';
import { float32LittleEndianBytes, ONNX_ATTRIBUTE_TYPE, ONNX_FLOAT, ONNX_IR_VERSION, ONNX_OPSET, onnxModelType } from './onnx-schema.js';

/** The model's input name (`X`, `[N, Ci, H, W]` NCHW float32): the feed's key. */
export const ONNX_CONV_INPUT = 'X';
/** The model's output name (`Y`, `[N, Co, Ho, Wo]` NCHW float32): the result's key. */
export const ONNX_CONV_OUTPUT = 'Y';
const INPUT = ONNX_CONV_INPUT;
const OUTPUT = ONNX_CONV_OUTPUT;
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
